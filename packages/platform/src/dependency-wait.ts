import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamUnavailableError } from './errors.js';

/** How long a service waits at start-up for Redis or PostgreSQL to answer before it gives up and exits. */
export const DEPENDENCY_WAIT_MS = 15_000;

/** Network errors that mean "not reachable (yet)": worth another try while a dependency starts. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', '57P03', '08001', '08006']);

export function isUnreachableError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  return typeof e?.message === 'string' && /timeout|terminated unexpectedly|Connection is closed|max retries per request|did not answer/i.test(e.message);
}

export interface WaitForDependencyOptions {
  /** give up after this long; default DEPENDENCY_WAIT_MS */
  withinMs?: number;
  /** which errors are worth another try; default isUnreachableError */
  isRetryable?: (err: unknown) => boolean;
  /** called before each retry (for a log line) */
  onRetry?: (err: unknown, attempt: number) => void;
  now?: () => number;
}

/**
 * Runs `attempt` until it succeeds, retrying unreachable-dependency errors with backoff (250 ms
 * doubling to 2 s) for at most `withinMs`. `attempt` gets the time left, to bound its own wait.
 * Then, or on any other error, it throws: an UpstreamUnavailableError naming `what` and the last cause.
 */
export async function waitForDependency<T>(what: string, attempt: (remainingMs: number) => Promise<T>, options: WaitForDependencyOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const withinMs = options.withinMs ?? DEPENDENCY_WAIT_MS;
  const isRetryable = options.isRetryable ?? isUnreachableError;
  const deadline = now() + withinMs;
  let delayMs = 250;
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(Math.max(1, deadline - now()));
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (now() + delayMs >= deadline) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new UpstreamUnavailableError(`${what} is not reachable after ${n} attempt(s) over ${Math.round(withinMs / 1000)} s: ${reason}`, { cause: err, details: { dependency: what, attempts: n } });
      }
      options.onRetry?.(err, n);
      await sleep(delayMs);
      delayMs = Math.min(2_000, delayMs * 2);
    }
  }
}

/** Rejects with a "did not answer" error when `promise` has not settled within `ms`. */
export async function withinTime<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
