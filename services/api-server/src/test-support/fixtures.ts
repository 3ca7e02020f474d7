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
  entry_long:
    - "RSI_14 < 30"
  exit_long:
    - "RSI_14 > 70"
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
