/** What the bench driver (stats.bench.ts) and its server process (stats-server.ts) agree on. */
export const STRATEGY_ID = 'bench-strategy';

export interface BenchServerInfo {
  apiUrl: string;
  uncachedUrl: string;
  bareUrl: string;
  trades: number;
  equityPoints: number;
}
