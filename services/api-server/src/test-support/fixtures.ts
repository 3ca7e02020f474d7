/** A valid strategy in the original btc_research format (the project's own demo style). */
export const VALID_YAML = `version: "1.0"
name: "Test RSI"
symbol: "BTC/USDT"
exchange: "binance"
timeframes:
  entry: "5m"
indicators:
  - id: "RSI_14"
    type: "RSI"
    timeframe: "5m"
    length: 14
logic:
  entry_long: ["RSI_14 < 30"]
  exit_long: ["RSI_14 > 70"]
  entry_short: []
  exit_short: []
backtest:
  cash: 10000
  commission: 0.001
  slippage: 0.0005
`;

/** Two problems: an unknown indicator type (line 10) and an unknown name in a rule. */
export const INVALID_YAML = `version: "1.0"
name: "Broken"
symbol: "BTC/USDT"
exchange: "binance"
timeframes:
  entry: "5m"
indicators:
  - id: "FOO_1"
    timeframe: "5m"
    type: "NOT_AN_INDICATOR"
logic:
  entry_long:
    - "RSI_14 < 30"
  exit_long: []
`;

/** A fast strategy: 3/5 EMA cross on 1m candles, long and short, so the simulator at 60× trades every few seconds. */
export const FAST_EMA_YAML = `version: "1.0"
name: "E2E Fast EMA"
description: "3/5 EMA cross on 1m"
symbol: "BTC/USDT"
exchange: "binance"
timeframes:
  entry: "1m"
indicators:
  - id: "EMA_3"
    type: "EMA"
    timeframe: "1m"
    length: 3
  - id: "EMA_5"
    type: "EMA"
    timeframe: "1m"
    length: 5
logic:
  entry_long:
    - "EMA_3 > EMA_5"
  exit_long:
    - "EMA_3 < EMA_5"
  entry_short:
    - "EMA_3 < EMA_5"
  exit_short:
    - "EMA_3 > EMA_5"
backtest:
  cash: 10000
  commission: 0.001
  slippage: 0.0005
`;

/**
 * A multi-day warm-up like the original's vpfvg-mvp: EMA 50 on the trend timeframe (on 1h about two
 * days, on 4h more than eight) and RSI 14 on the entry timeframe.
 */
export function slowWarmupYaml(timeframes: { entry: string; trend: string }): string {
  return `version: "1.0"
name: "Slow warm-up"
symbol: "BTC/USDT"
exchange: "binance"
timeframes:
  entry: "${timeframes.entry}"
indicators:
  - id: "EMA_50"
    type: "EMA"
    timeframe: "${timeframes.trend}"
    length: 50
  - id: "RSI_14"
    type: "RSI"
    timeframe: "${timeframes.entry}"
    length: 14
logic:
  entry_long: ["RSI_14 < 30", "close > EMA_50"]
  exit_long: ["RSI_14 > 70"]
backtest:
  cash: 10000
  commission: 0.001
  slippage: 0.0005
`;
}
