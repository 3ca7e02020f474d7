/** The EMA+RSI+ADX strategy every backtest-throughput figure is measured with (issue 3, bench a). */
export const EMA_RSI_ADX_BENCH_STRATEGY = `
name: "bench EMA+RSI+ADX"
symbol: "BTC/USDT"
timeframes: { entry: "15m" }
indicators:
  - { id: "EMA_50", type: "EMA", timeframe: "15m", length: 50 }
  - { id: "RSI_14", type: "RSI", timeframe: "15m", length: 14 }
  - { id: "ADX_14", type: "ADX", timeframe: "1h", period: 14 }
logic:
  entry_long: ["close > EMA_50", "RSI_14 < 45", "ADX_14_ADX_value > 20"]
  exit_long: ["RSI_14 > 65"]
  entry_short: ["close < EMA_50", "RSI_14 > 55", "ADX_14_ADX_value > 20"]
  exit_short: ["RSI_14 < 35"]
backtest: { cash: 10000, commission: 0.001, slippage: 0.0005 }
`;
