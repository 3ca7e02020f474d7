/** How a bus paces its consumers: blocking reads and retry delays (both buses take the same). */
export interface BusTuning {
  /** longest single blocking read of a consumer; default 2000 ms */
  blockMs?: number;
  /** first retry delay after a handler or read failure (up to twice this, with jitter); doubles up to retryMaxMs. Default 200 ms. */
  retryInitialMs?: number;
  /** default 10 000 ms */
  retryMaxMs?: number;
}

export const BUS_DEFAULTS = {
  batchSize: 100,
  claimIdleMs: 30_000,
  blockMs: 2_000,
  retryInitialMs: 200,
  retryMaxMs: 10_000,
} as const;
