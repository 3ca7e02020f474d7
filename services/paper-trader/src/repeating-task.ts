export interface RepeatingTaskOptions {
  /** pause between the end of one run and the start of the next */
  intervalMs: number;
  run: () => Promise<void>;
  onError: (err: unknown) => void;
}

/** Runs an async task again and again, `intervalMs` after each run ends (runs never overlap). */
export class RepeatingTask {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: RepeatingTaskOptions) {}

  start(): void {
    this.schedule();
  }

  /** No run starts after this; one under way finishes. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.options
        .run()
        .catch(this.options.onError)
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.options.intervalMs);
  }
}
