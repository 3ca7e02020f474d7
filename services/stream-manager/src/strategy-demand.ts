import { MessageType, Streams, type StrategyStartV1, type StrategyStopV1 } from '@btc-research/contracts';
import { buildTradingSetup, loadStrategyConfig } from '@btc-research/engine';
import type { Logger, MessageBus } from '@btc-research/platform';

/** A strategy's market: `BTC/USDC` on `binance` → symbol BTCUSDC. */
export interface StrategyMarket {
  strategyId: string;
  /** the venue's symbol, e.g. BTCUSDC */
  symbol: string;
  /** the config's exchange id, lower case letters only (binance, binanceus, …) */
  exchange: string;
  /** minutes of history its indicators need before it can trade */
  warmupMinutes: number;
  /** when it was started (the start command's tsEvent; 0 for a strategy file's) */
  startedAt: number;
}

/** `BTC/USDC` (or `btc-usdc`, `BTCUSDC`) → `BTCUSDC`, the form Binance and the streams use. */
export function venueSymbol(configSymbol: string): string {
  return configSymbol.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** The market a start command asks for; null when its YAML does not load (the paper-trader reports that). */
export function marketOfStart(command: StrategyStartV1, startedAt = 0): StrategyMarket | null {
  try {
    const r = loadStrategyConfig(command.configYaml, command.configName);
    if (!r.ok) return null;
    const setup = buildTradingSetup(command.configYaml, command.configName, { strategyId: command.strategyId });
    return {
      strategyId: command.strategyId,
      symbol: venueSymbol(r.config.symbol),
      exchange: r.config.exchange.toLowerCase().replace(/[^a-z]/g, ''),
      warmupMinutes: setup.ok ? setup.strategy.warmupMinutes : 0,
      startedAt,
    };
  } catch {
    return null;
  }
}

export interface StrategyDemandOptions {
  bus: MessageBus;
  logger: Logger;
  /** a strategy started (or was started before this process came up and was not stopped since) */
  onStart: (market: StrategyMarket) => Promise<void>;
  /** the last running strategy that needed `symbol` stopped (or moved to another symbol) */
  onRelease?: (symbol: string) => Promise<void>;
  /** how often the commands stream is read (ms) */
  pollMs?: number;
}

export interface StrategyDemand {
  /** strategy id → its market, for the strategies started and not stopped */
  readonly running: ReadonlyMap<string, StrategyMarket>;
  /** symbols some running strategy needs */
  symbols(): string[];
  stop(): Promise<void>;
}

/**
 * Learns which symbols the strategies need from the start/stop commands on the bus: on start it
 * reads the whole commands stream (the strategies already running), then follows it, announcing a
 * symbol when a strategy needs it and releasing it when the last running strategy needing it
 * stops. Reading (not a consumer group) leaves the paper-trader's delivery untouched.
 */
export async function startStrategyDemand(o: StrategyDemandOptions): Promise<StrategyDemand> {
  const running = new Map<string, StrategyMarket>();
  let after = '0';
  let stopped = false;
  const readNew = async (): Promise<void> => {
    for (;;) {
      const page = await o.bus.read(Streams.commands(), after, 500);
      if (page.length === 0) return;
      for (const e of page) {
        after = e.id;
        if (e.envelope.type === MessageType.strategyStart) {
          const m = marketOfStart(e.envelope.payload as StrategyStartV1, e.envelope.tsEvent);
          if (m !== null) running.set(m.strategyId, m);
        } else if (e.envelope.type === MessageType.strategyStop) {
          running.delete((e.envelope.payload as StrategyStopV1).strategyId);
        }
      }
    }
  };
  // strategies whose market was provided (or refused); one that failed (exchange unreachable) is tried again next poll
  const handled = new Map<string, StrategyMarket>();
  // symbols a provided strategy needed and no running one needs any more (a failed release is tried again)
  const released = new Set<string>();
  const announce = async (): Promise<void> => {
    const needed = new Set([...running.values()].map((m) => m.symbol));
    for (const [id, m] of handled) {
      const now = running.get(id);
      if (now === undefined || now.symbol !== m.symbol) released.add(m.symbol);
      if (now === undefined) handled.delete(id);
    }
    for (const m of running.values()) {
      if (handled.get(m.strategyId) === m) continue; // a start again (same id) is a new market object
      try {
        await o.onStart(m);
        handled.set(m.strategyId, m);
      } catch (err) {
        o.logger.error({ err, strategyId: m.strategyId, symbol: m.symbol }, 'could not provide market data for a strategy; trying again');
      }
    }
    for (const symbol of released) {
      if (needed.has(symbol) || o.onRelease === undefined) {
        released.delete(symbol);
        continue;
      }
      try {
        await o.onRelease(symbol);
        released.delete(symbol);
      } catch (err) {
        o.logger.error({ err, symbol }, 'could not drop the market data of a symbol no strategy needs; trying again');
      }
    }
  };
  await readNew();
  await announce();
  let chain: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    chain = chain
      .then(async () => {
        if (stopped) return;
        await readNew();
        await announce();
      })
      .catch((err: unknown) => o.logger.warn({ err }, 'reading strategy commands failed; retrying'));
  }, o.pollMs ?? 1_000);
  timer.unref();
  return {
    running,
    symbols: () => [...new Set([...running.values()].map((m) => m.symbol))],
    async stop() {
      stopped = true;
      clearInterval(timer);
      await chain;
    },
  };
}
