export interface WaitForOptions {
  /** give up after this long; default 15 000 ms (generous: CI runs many suites at once on 2 cores, and a condition that holds returns at once) */
  timeoutMs?: number;
  /** how often the condition is re-checked; default 10 ms */
  intervalMs?: number;
  /** names the condition in the timeout error */
  what?: string;
}

/**
 * Awaits a condition with a deadline (tests never sleep a fixed time to wait for something).
 * Resolves with the first truthy value the condition returns; rejects when the deadline passes.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'condition'}${suffix}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
