import { MessageType, StreamRetention, Streams, makeEnvelope, type MakeEnvelopeInput, type StrategyStatusValue } from '@btc-research/contracts';
import type { MessageBus } from '@btc-research/platform';
import type { RunnerOutput } from './runner-output.js';
import type { StrategyRunner } from './strategy-runner.js';

type StrategyEventType = typeof MessageType.strategyFill | typeof MessageType.strategyEquity | typeof MessageType.strategyStatus;

export interface AnnouncerOptions {
  bus: MessageBus;
  /** this worker's name, the envelopes' source */
  worker: string;
  now: () => number;
}

/**
 * Tells the world (the strategy-events stream) what a strategy did: fills, equity after a candle,
 * status changes. Only what is already committed to the store is announced.
 */
export class Announcer {
  constructor(private readonly options: AnnouncerOptions) {}

  /** A committed batch's fills and, after a candle, the new equity. */
  async batch(runner: StrategyRunner, out: RunnerOutput): Promise<void> {
    const id = runner.record.id;
    for (const t of out.trades) {
      await this.publish({ type: MessageType.strategyFill, id: `fill-${t.tradeId}`, tsEvent: t.time, tsInit: this.options.now(), payload: t });
    }
    if (out.candles > 0) {
      const s = runner.state();
      await this.publish({
        type: MessageType.strategyEquity,
        id: `equity-${id}-${s.time}`,
        tsEvent: s.time,
        tsInit: this.options.now(),
        payload: { strategyId: id, time: s.time, equity: s.equity, cash: s.cash, positionQty: s.positionQty, realizedPnl: s.realizedPnl, unrealizedPnl: s.unrealizedPnl, lastPrice: s.lastPrice },
      });
    }
  }

  async status(strategyId: string, status: StrategyStatusValue, error: string | null): Promise<void> {
    const t = this.options.now();
    await this.publish({ type: MessageType.strategyStatus, id: `${strategyId}-status-${t}-${status}`, tsEvent: t, tsInit: t, payload: { strategyId, status, error, time: t } });
  }

  private async publish<T extends StrategyEventType>(input: Omit<MakeEnvelopeInput<T>, 'source'>): Promise<void> {
    await this.options.bus.publish(Streams.strategyEvents(), makeEnvelope({ ...input, source: this.options.worker }), StreamRetention.strategyEvents);
  }
}
