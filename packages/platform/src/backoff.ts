export interface BackoffOptions {
  /** ceiling of the first attempt's delay (ms) */
  baseMs: number;
  /** no delay ever exceeds this (ms) */
  maxMs: number;
  /** a number in [0, 1); inject a seeded generator in tests. Default Math.random. */
  random?: () => number;
}

/**
 * The one retry delay of the project: exponential growth with "equal jitter" (AWS architecture
 * blog, "Exponential Backoff And Jitter"): the ceiling doubles per attempt from `baseMs` up to
 * `maxMs`, half of it is fixed and half random, so clients that failed together do not retry
 * together and no delay drops below half its ceiling. `attempt` counts from 1.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const { baseMs, maxMs, random = Math.random } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
