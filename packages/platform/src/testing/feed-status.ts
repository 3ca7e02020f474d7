import type { MarketFeedStatusV1 } from '@btc-research/contracts';

/** A market feed status for tests: live on the simulator because Binance is unreachable; `overrides` win. */
export function simulatedFeedStatus(overrides: Partial<MarketFeedStatusV1> = {}): MarketFeedStatusV1 {
  return {
    source: 'simulated',
    requestedSource: 'auto',
    isSimulated: true,
    state: 'live',
    circuit: 'closed',
    symbols: ['BTCUSDT'],
    lastCandleCloseTime: 1_700_000_060_000,
    lagMs: 12,
    reconnects: 0,
    message: 'Binance unreachable; using the simulator',
    ...overrides,
  };
}
