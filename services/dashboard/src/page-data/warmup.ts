import type { WarmupProgressDto } from '@btc-research/contracts';

const UNITS: ReadonlyArray<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
];

/** "1 d 15 h", "3 h 20 min", "45 min", "< 1 min": the two largest units. */
export function humanDuration(ms: number): string {
  if (ms < 60_000) return '< 1 min';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n} ${unit}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !p.startsWith('0 ')).join(' ');
}

/** The strategy page's warm-up panel: one row per indicator, bars ready of needed, and when. */
export function warmupView(w: WarmupProgressDto | null | undefined) {
  if (!w) return null;
  return {
    ready: w.ready,
    eta: w.ready ? null : humanDuration(w.etaMs),
    readyAt: w.readyAt,
    rows: w.indicators.map((i) => ({
      id: i.id,
      type: i.type,
      timeframe: i.timeframe,
      barsReady: i.barsReady,
      barsNeeded: i.barsNeeded,
      ready: i.ready,
      gatesSignals: i.gatesSignals,
      eta: i.ready ? 'ready' : humanDuration(i.etaMs),
    })),
  };
}
export type WarmupView = NonNullable<ReturnType<typeof warmupView>>;
