import { z } from 'zod';
import { DecimalString, UnixMs } from '../scalars.js';

export const PortfolioQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30).describe('how many UTC days of daily profit, today included'),
});
export type PortfolioQuery = z.infer<typeof PortfolioQuery>;

/** One UTC day of the portfolio: the change of every strategy's equity over that day, summed. */
export const DailyProfitDto = z
  .object({
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('the UTC calendar day, YYYY-MM-DD'),
    startTime: UnixMs.describe('00:00 UTC of the day'),
    pnl: DecimalString.describe('Σ over strategies of (equity at the day’s end, or now for today) − (equity at the previous day’s end, or initial cash on a strategy’s first day)'),
    pnlPct: z.number().nullable().describe('pnl / the equity the day started with × 100; null when that is zero'),
    strategies: z.number().int().nonnegative().describe('strategies with equity points on or before that day'),
    isPartial: z.boolean().describe('true for today: the day is not over'),
  })
  .meta({ id: 'DailyProfit' });
export type DailyProfitDto = z.infer<typeof DailyProfitDto>;

export const PortfolioResponse = z
  .object({
    asOf: UnixMs,
    note: z.string().describe('what the totals mean: each strategy is its own simulated account; amounts are summed in their quote currencies'),
    totals: z.object({
      strategies: z.number().int().nonnegative(),
      live: z.number().int().nonnegative().describe('starting, warming up or running'),
      initialCash: DecimalString,
      equity: DecimalString,
      pnl: DecimalString.describe('equity − initial cash'),
      pnlPct: z.number().nullable().describe('pnl / initial cash × 100; null without cash'),
    }),
    daily: z.array(DailyProfitDto).describe('oldest first; days before the first strategy existed are left out'),
  })
  .meta({ id: 'Portfolio' });
export type PortfolioResponse = z.infer<typeof PortfolioResponse>;
