/** "Did you mean" support: rank candidate names by similarity to what the user wrote. */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2: number[] = new Array<number>(n + 1).fill(0);
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  let cur: number[] = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] as number) + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n] as number;
}

/**
 * All candidates ordered by similarity to `name`, closest first (ties keep the given order):
 * exact, then differing only in case, then names that start with it (or it with them), then
 * names containing it, then the rest by edit distance.
 */
export function rankBySimilarity(name: string, candidates: readonly string[]): string[] {
  const lower = name.toLowerCase();
  const score = (c: string): number => {
    if (c === name) return 0;
    const cl = c.toLowerCase();
    if (cl === lower) return 1;
    const lengthGap = Math.abs(cl.length - lower.length) / 1000;
    if (cl.startsWith(lower) || lower.startsWith(cl)) return 2 + lengthGap;
    if (cl.includes(lower) || lower.includes(cl)) return 3 + lengthGap;
    return 10 + editDistance(lower, cl);
  };
  return candidates
    .map((c, i) => ({ c, i, s: score(c) }))
    .sort((x, y) => x.s - y.s || x.i - y.i)
    .map((x) => x.c);
}

/**
 * At most `limit` candidates that are plausibly what was meant (distance at most a third of the
 * longer name, at least 2), closest first.
 */
export function closestMatches(name: string, candidates: readonly string[], limit = 3): string[] {
  const lower = name.toLowerCase();
  return rankBySimilarity(name, candidates)
    .filter((c) => {
      const cl = c.toLowerCase();
      if (cl.includes(lower) || lower.includes(cl)) return Math.min(cl.length, lower.length) >= 3;
      return editDistance(lower, cl) <= Math.max(2, Math.floor(Math.max(c.length, name.length) / 3));
    })
    .slice(0, limit);
}
