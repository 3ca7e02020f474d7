import type { IndicatorValue, UpstreamColumns } from './indicator.js';

/** Shared empty upstream, so an omitted argument does not allocate. */
export const NO_UPSTREAM: UpstreamColumns = Object.freeze([]);

/**
 * Python truthiness of a column value, as the original tests `if row[col]:` — NaN is truthy there, None
 * and 0/False/'' are not.
 */
export function truthy(v: IndicatorValue | undefined): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  return false;
}

/** Numeric view of an upstream value: numbers as they are, booleans as 0/1, anything else NaN. */
export function num(v: IndicatorValue | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number.NaN;
}

/**
 * Resolves upstream columns by name once and re-resolves only when the upstream layout changes, so the
 * per-update cost is a length check plus one string identity check per input.
 */
export class UpstreamLookup {
  /** Column index for each input, −1 when missing. */
  readonly index: Int32Array;
  private names: string[];
  private layoutLength = -1;
  private resolved = false;

  constructor(
    private readonly matchers: ReadonlyArray<(name: string) => boolean>,
  ) {
    this.index = new Int32Array(matchers.length).fill(-1);
    this.names = matchers.map(() => '');
  }

  /** Refreshes the resolution if needed; returns true when every input was found. */
  resolve(upstream: UpstreamColumns): boolean {
    if (this.resolved && upstream.length === this.layoutLength && this.sameLayout(upstream)) return this.allFound();
    this.layoutLength = upstream.length;
    this.resolved = true;
    for (let j = 0; j < this.matchers.length; j++) {
      const match = this.matchers[j] as (name: string) => boolean;
      let found = -1;
      for (let k = 0; k < upstream.length; k++) {
        if (match((upstream[k] as readonly [string, IndicatorValue])[0])) {
          found = k;
          break;
        }
      }
      this.index[j] = found;
      this.names[j] = found >= 0 ? (upstream[found] as readonly [string, IndicatorValue])[0] : '';
    }
    return this.allFound();
  }

  found(j: number): boolean {
    return (this.index[j] as number) >= 0;
  }

  value(upstream: UpstreamColumns, j: number): IndicatorValue | undefined {
    const k = this.index[j] as number;
    return k >= 0 ? (upstream[k] as readonly [string, IndicatorValue])[1] : undefined;
  }

  private sameLayout(upstream: UpstreamColumns): boolean {
    for (let j = 0; j < this.index.length; j++) {
      const k = this.index[j] as number;
      if (k >= 0 && (upstream[k] as readonly [string, IndicatorValue])[0] !== this.names[j]) return false;
    }
    return true;
  }

  private allFound(): boolean {
    for (let j = 0; j < this.index.length; j++) if ((this.index[j] as number) < 0) return false;
    return true;
  }
}
