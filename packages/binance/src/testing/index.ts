// A local server speaking Binance's REST and WebSocket protocol, for tests and benches (the one
// fake the project allows: Binance itself, in its real message formats).
export { FakeBinanceServer, type FakeBinanceOptions, type RestFault } from './fake-binance-server.js';
export { FakeMarket, type FakeMarketOptions, type FakeKline, type FakeFrame } from './fake-market.js';
