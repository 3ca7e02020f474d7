/**
 * Runs one strategy's "follow the market log" task, never twice at once: a wake while it runs makes
 * it run once more when done, so inputs that arrived meanwhile are not left waiting. The task's
 * failure goes to `onFailure`; the pump itself stays usable.
 */
export class StrategyPump {
  private running: Promise<void> | null = null;
  private wokenWhileRunning = false;

  constructor(
    private readonly options: {
      /** one round: follow the log to its end */
      follow: () => Promise<void>;
      /** false once another round would be pointless (the strategy was dropped, the service closes) */
      shouldContinue: () => boolean;
      onFailure: (err: unknown) => void;
    },
  ) {}

  /** True when no round runs and no write holds the pump. */
  get isIdle(): boolean {
    return this.running === null;
  }

  /** Starts a round, or asks the running one to go round again; resolves when the pump is idle. */
  wake(): Promise<void> {
    if (this.running) {
      this.wokenWhileRunning = true;
      return this.running;
    }
    const run = async () => {
      do {
        this.wokenWhileRunning = false;
        await this.options.follow();
      } while (this.wokenWhileRunning && this.options.shouldContinue());
    };
    const running = run()
      .catch(this.options.onFailure)
      .finally(() => {
        if (this.running === running) this.running = null;
      });
    this.running = running;
    return running;
  }

  /**
   * Keeps the pump from starting a round until `release` is called: a write that carries this
   * strategy's effects is in flight, and its next batch must not overtake it.
   */
  hold(): { release: () => void } {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    this.running = held;
    return {
      release: () => {
        if (this.running === held) this.running = null;
        release();
      },
    };
  }

  /** Waits for the current round (or hold) to end; never rejects. */
  async settled(): Promise<void> {
    if (this.running) await this.running.catch(() => undefined);
  }
}
