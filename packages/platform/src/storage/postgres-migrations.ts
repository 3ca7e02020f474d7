/**
 * Schema migrations of the PostgreSQL strategy store, applied in order at start-up. Never edit a
 * released migration; add a new one. Money is `numeric` (exact), times are `timestamptz`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const STRATEGY_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'strategies, state snapshots, trades, positions, equity',
    sql: `
CREATE TABLE strategies (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  config_name text NOT NULL,
  config_yaml text NOT NULL,
  symbol      text NOT NULL,
  status      text NOT NULL,
  error       text,
  initial_cash numeric NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- the account state after the last processed input, as one JSON snapshot with its checksum
CREATE TABLE strategy_state (
  strategy_id text PRIMARY KEY,
  time        timestamptz NOT NULL,
  snapshot    json NOT NULL,
  checksum    text NOT NULL,
  saved_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE trades (
  seq          bigserial PRIMARY KEY,
  strategy_id  text NOT NULL,
  trade_id     text NOT NULL,
  order_id     text NOT NULL,
  symbol       text NOT NULL,
  side         text NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity     numeric NOT NULL,
  price        numeric NOT NULL,
  fee          numeric NOT NULL,
  realized_pnl numeric NOT NULL,
  reason       text NOT NULL,
  time         timestamptz NOT NULL,
  UNIQUE (strategy_id, trade_id)
);
CREATE INDEX trades_by_strategy_time ON trades (strategy_id, time DESC, seq DESC);

CREATE TABLE positions (
  strategy_id    text NOT NULL,
  symbol         text NOT NULL,
  ordinal        integer NOT NULL,
  quantity       numeric NOT NULL,
  average_price  numeric NOT NULL,
  unrealized_pnl numeric NOT NULL,
  realized_pnl   numeric NOT NULL,
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (strategy_id, symbol)
);

CREATE TABLE equity_points (
  strategy_id text NOT NULL,
  time        timestamptz NOT NULL,
  equity      numeric NOT NULL,
  PRIMARY KEY (strategy_id, time)
);
`,
  },
];
