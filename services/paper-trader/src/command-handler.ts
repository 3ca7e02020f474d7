import { MessageType, type Envelope, type PayloadOf } from '@btc-research/contracts';
import type { BusEntry } from '@btc-research/platform';
import type { StrategyLifecycle } from './strategy-lifecycle.js';
import type { WarmupIntake } from './warmup-intake.js';

/** Runs parity checks on request (see ParityMonitor). */
export interface ParityRequests {
  request(strategyId: string, checkId: string): Promise<unknown>;
}

/** The commands this service acts on. A new command is a type here and a handler below. */
type CommandType = typeof MessageType.strategyStart | typeof MessageType.strategyStop | typeof MessageType.strategyForceExit | typeof MessageType.strategyParityCheck | typeof MessageType.strategyWarmupHistory;
/** handled by one worker of the shared consumer group (a parity check reads the store only: any worker may run it) */
export const SHARED_COMMANDS: readonly CommandType[] = [MessageType.strategyStart, MessageType.strategyStop, MessageType.strategyParityCheck];
/** seen by every worker: only the one running the strategy can act (a warm-up history is used by the worker running it) */
export const BROADCAST_COMMANDS: readonly CommandType[] = [MessageType.strategyForceExit, MessageType.strategyWarmupHistory];
type CommandHandlers = { readonly [T in CommandType]: (command: PayloadOf<T>) => Promise<void> };

/**
 * Acts on the commands stream (any worker may handle a command: they arrive through the shared
 * consumer group), one command after another in the order they were sent. Other message types are
 * ignored.
 */
export class CommandHandler {
  private readonly handlers: CommandHandlers;
  private readonly types: ReadonlySet<string>;

  /**
   * `types`: the commands this handler acts on. Start, stop and parity checks go to one worker (the
   * shared group); a force exit goes to every worker (a group per worker) and the one running the strategy acts.
   */
  constructor(lifecycle: StrategyLifecycle, parity: ParityRequests, warmups: Pick<WarmupIntake, 'receive'>, types: readonly CommandType[] = SHARED_COMMANDS) {
    this.types = new Set(types);
    this.handlers = {
      // queued in the monitor's own queue: a long check never holds up the commands after it
      [MessageType.strategyParityCheck]: (c) => {
        void parity.request(c.strategyId, c.checkId);
        return Promise.resolve();
      },
      [MessageType.strategyStart]: (c) => lifecycle.start({ id: c.strategyId, configName: c.configName, configYaml: c.configYaml, initialCash: c.initialCash, name: c.name, from: 'now' }),
      [MessageType.strategyStop]: (c) => lifecycle.stop(c.strategyId, c.error),
      [MessageType.strategyForceExit]: async (c) => void lifecycle.forceExit(c.strategyId),
      [MessageType.strategyWarmupHistory]: async (c) => void (await warmups.receive(c)),
    };
  }

  async handle(entries: readonly BusEntry[]): Promise<void> {
    for (const entry of entries) await this.dispatch(entry.envelope);
  }

  private async dispatch(envelope: Envelope): Promise<void> {
    if (!this.types.has(envelope.type) || !Object.hasOwn(this.handlers, envelope.type)) return;
    // the bus decoded the payload with the schema of its type, so it is that command's payload
    const handler = this.handlers[envelope.type as CommandType] as (command: unknown) => Promise<void>;
    await handler(envelope.payload);
  }
}
