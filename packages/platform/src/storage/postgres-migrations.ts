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
  {
    version: 2,
    name: 'orders with fill quality, event log, checksummed snapshots, market log, leases',
    sql: `
ALTER TABLE trades ADD COLUMN liquidity text, ADD COLUMN quality json;

-- every paper order with its latest status and fill quality (upserted on each change)
CREATE TABLE orders (
  strategy_id    text NOT NULL,
  order_id       text NOT NULL,
  symbol         text NOT NULL,
  side           text NOT NULL CHECK (side IN ('buy', 'sell')),
  type           text NOT NULL,
  quantity       numeric NOT NULL,
  limit_price    numeric,
  stop_price     numeric,
  reduce_only    boolean NOT NULL,
  status         text NOT NULL,
  filled_qty     numeric NOT NULL,
  avg_price      numeric,
  fees           numeric NOT NULL,
  reason         text NOT NULL,
  decided_at     bigint NOT NULL,
  arrives_at     bigint NOT NULL,
  triggered_at   bigint,
  reject_reason  text,
  reject_message text,
  updated_at     bigint NOT NULL,
  quality        json NOT NULL,
  ord            bigserial,
  PRIMARY KEY (strategy_id, order_id)
);
CREATE INDEX orders_by_decision ON orders (strategy_id, decided_at DESC, ord DESC);

-- append-only event log per strategy; seq is the idempotency key
CREATE TABLE strategy_events (
  strategy_id text NOT NULL,
  seq         bigint NOT NULL,
  type        text NOT NULL,
  time        bigint NOT NULL,
  data        json NOT NULL,
  PRIMARY KEY (strategy_id, seq)
);

-- the latest periodic snapshot per strategy, with the SHA-256 of its canonical JSON
CREATE TABLE snapshots (
  strategy_id text PRIMARY KEY,
  event_seq   bigint NOT NULL,
  market_seq  bigint NOT NULL,
  time        bigint NOT NULL,
  state       json NOT NULL,
  checksum    text NOT NULL,
  saved_at    timestamptz NOT NULL DEFAULT now()
);

-- market inputs in the one order every worker replays
CREATE TABLE market_events (
  symbol    text NOT NULL,
  seq       bigint NOT NULL,
  kind      text NOT NULL,
  time      bigint NOT NULL,
  source_id text NOT NULL,
  data      json NOT NULL,
  PRIMARY KEY (symbol, seq),
  UNIQUE (symbol, source_id)
);

-- ownership of a strategy (or the market log) by one worker at a time
CREATE TABLE leases (
  name       text PRIMARY KEY,
  owner      text NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'start claims: one start of a strategy at a time, and who started it',
    sql: `
-- a start in progress (pending_until in the future) and the API client that started the strategy
CREATE TABLE start_claims (
  strategy_id   text PRIMARY KEY,
  owner         text NOT NULL,
  claimed_at    timestamptz NOT NULL,
  pending_until timestamptz NOT NULL
);
CREATE INDEX start_claims_by_owner ON start_claims (owner);
`,
  },
  {
    version: 4,
    name: 'parity checks: every replay of a strategy against its recorded inputs',
    sql: `
-- one row per parity check (the record as JSON; verdict and time as columns to list and filter)
CREATE TABLE parity_checks (
  strategy_id text NOT NULL,
  check_id    text NOT NULL,
  checked_at  bigint NOT NULL,
  verdict     text NOT NULL,
  record      json NOT NULL,
  PRIMARY KEY (strategy_id, check_id)
);
CREATE INDEX parity_checks_by_time ON parity_checks (strategy_id, checked_at DESC);
`,
  },
  {
    // 5, not 4: the parity monitor's branch (i13-parity) takes 4 for parity_checks
    version: 5,
    name: 'notification outbox: one row per event and channel, claimed and settled by the dispatcher',
    sql: `
CREATE TABLE notification_outbox (
  event_id        text NOT NULL,
  channel         text NOT NULL,
  event           jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending',
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  created_at      timestamptz NOT NULL,
  next_attempt_at timestamptz,
  delivered_at    timestamptz,
  claimed_by      text,
  claimed_until   timestamptz,
  PRIMARY KEY (event_id, channel)
);
CREATE INDEX notification_outbox_due ON notification_outbox (channel, next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_outbox_recent ON notification_outbox (created_at DESC);
`,
  },
  {
    // 6: 4 is i13-parity's (parity_checks), 5 the notification outbox
    version: 6,
    name: 'fill provenance: book or modelled, and by which rule',
    sql: `
ALTER TABLE trades ADD COLUMN provenance json;
`,
  },
  {
    version: 7,
    name: 'warm-up history: older candles a strategy warms up on before its symbol\'s market log',
    sql: `
-- one row per strategy: the candles (contract CandleValues, oldest first) as JSON
CREATE TABLE warmup_history (
  strategy_id text PRIMARY KEY,
  symbol      text NOT NULL,
  candles     json NOT NULL
);
`,
  },
];
