import { backoffDelay, type BackoffOptions, type Logger } from '@btc-research/platform';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export interface ExchangeProberOptions {
  /** one probe of the exchange (e.g. GET /api/v3/ping with a timeout) */
  probe: () => Promise<ProbeResult>;
  /** called when a probe succeeds; the prober stops itself before calling it (and probes again if it throws) */
  onAnswer: () => Promise<void>;
  logger: Logger;
  backoff: BackoffOptions;
  what: string;
}

export interface ExchangeProber {
  /** failed probes so far */
  readonly failures: number;
  /** the last failure's reason */
  readonly lastReason: string | null;
  /** when the next probe runs (epoch ms), null once stopped or answered */
  readonly nextProbeAt: number | null;
  stop(): Promise<void>;
}

/**
 * Keeps asking an exchange that failed the start-up probe, with exponential backoff and jitter
 * (platform backoffDelay, capped), until it answers; then hands over to `onAnswer` (which moves
 * the market data to the exchange). One probe in flight at a time; stop() waits for it.
 */
export function startExchangeProber(o: ExchangeProberOptions, initialFailures = 1): ExchangeProber {
  let failures = initialFailures;
  let lastReason: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let nextProbeAt: number | null = null;
  let stopped = false;
  let closedByCaller = false;
  let inFlight: Promise<void> = Promise.resolve();

  const schedule = (): void => {
    if (stopped) return;
    const delay = backoffDelay(failures, o.backoff);
    nextProbeAt = Date.now() + delay;
    timer = setTimeout(() => {
      timer = null;
      inFlight = attempt();
    }, delay);
    timer.unref();
  };

  const attempt = async (): Promise<void> => {
    if (stopped) return;
    const r = await o.probe().catch((err: unknown): ProbeResult => ({ ok: false, reason: (err as Error).message }));
    if (stopped) return;
    if (r.ok) {
      stopped = true;
      nextProbeAt = null;
      o.logger.info({ what: o.what, failedProbes: failures }, 'exchange answers again: moving market data to it');
      try {
        await o.onAnswer();
      } catch (err) {
        o.logger.error({ err, what: o.what }, 'moving market data to the exchange failed; probing again');
        if (!closedByCaller) {
          stopped = false;
          failures += 1;
          schedule();
        }
      }
      return;
    }
    failures += 1;
    lastReason = r.reason;
    if (failures <= 3 || failures % 20 === 0) o.logger.warn({ what: o.what, reason: r.reason, failures }, 'exchange still unreachable; probing again with backoff');
    schedule();
  };

  schedule();
  return {
    get failures() {
      return failures;
    },
    get lastReason() {
      return lastReason;
    },
    get nextProbeAt() {
      return nextProbeAt;
    },
    async stop() {
      closedByCaller = true;
      stopped = true;
      nextProbeAt = null;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
  };
}
