import { z } from 'zod';
import { DecimalString, UnixMs } from '../scalars.js';

/** `from` / `to` of a reconciliation: epoch ms, YYYY-MM-DD (00:00 UTC) or an ISO time. */
const WindowBound = z
  .string()
  .max(40)
  .transform((s, ctx) => {
    const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(/T/.test(s) ? s : `${s}T00:00:00Z`);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a time (epoch ms, YYYY-MM-DD or ISO time)` });
      return z.NEVER;
    }
    return ms;
  });

export const ReconcileQuery = z
  .object({
    from: WindowBound.optional().describe('window start (default: when the strategy started trading)'),
    to: WindowBound.optional().describe('window end (default: the last candle it processed)'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.to > q.from, { message: '`to` must be after `from`', path: ['to'] });

const ParityValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ReplayDivergenceDto = z
  .object({
    at: UnixMs,
    kind: z.enum(['indicator', 'decision', 'order', 'fill', 'fee', 'balance']),
    field: z.string(),
    paper: ParityValue,
    replay: ParityValue,
    eventSeq: z.number().int().optional(),
    eventType: z.string().optional(),
    inputSeq: z.number().int().nullable(),
  })
  .meta({ id: 'ReplayDivergence' });

export const RoundTripViewDto = z
  .object({
    side: z.enum(['long', 'short']),
    entryTime: UnixMs,
    exitTime: UnixMs,
    entryPrice: DecimalString.describe('volume-weighted over the entry fills'),
    exitPrice: DecimalString,
    quantity: DecimalString,
    fees: DecimalString,
    executionCost: DecimalString.describe('what the fills paid against the mid when their orders arrived (spread, slippage, depth)'),
    netPnl: DecimalString.describe('fees included'),
  })
  .meta({ id: 'ReconcileRoundTrip' });

const Curve = z.array(z.tuple([UnixMs, z.number()])).describe('[candle close time, equity]');

/** GET /api/v1/strategies/{id}/reconcile and `btc-research reconcile --json`. Money in quote currency. */
export const ReconcileReportDto = z
  .object({
    strategyId: z.string(),
    window: z.object({ from: UnixMs, to: UnixMs }),
    inputs: z.object({ candles: z.number().int(), books: z.number().int(), trades: z.number().int(), paperFills: z.number().int() }),
    replay: z
      .object({
        identical: z.boolean(),
        basis: z.enum(['events', 'fills']).describe('events: the event log and account field by field; fills: the stored fills only'),
        compared: z.number().int(),
        window: z.object({ fromSeq: z.number().int().nullable(), toSeq: z.number().int().nullable(), from: UnixMs.nullable(), to: UnixMs.nullable(), inputs: z.number().int() }),
        firstDifference: ReplayDivergenceDto.nullable(),
      })
      .describe('(a) paper trading vs a replay of its whole recorded market log through a fresh core'),
    candleBacktest: z
      .object({
        pairing: z.object({
          paired: z.array(z.object({ paper: RoundTripViewDto, backtest: RoundTripViewDto, pnlDiff: DecimalString })),
          missed: z.array(RoundTripViewDto).describe('in the backtest only'),
          extra: z.array(RoundTripViewDto).describe('in the paper record only'),
          toleranceMs: z.number().int(),
        }),
        pnl: z.object({ paper: DecimalString, backtest: DecimalString, gap: DecimalString.describe('paper − backtest') }),
        fees: z.object({ paper: DecimalString, backtest: DecimalString }),
        attribution: z
          .object({
            latency: DecimalString,
            spread: DecimalString,
            slippage: DecimalString,
            bookDepth: DecimalString.describe('book depth and partial fills'),
            candlePath: DecimalString.describe('ticks against the candle open and O→H→L→C path'),
            unexplained: DecimalString.describe('paper record − replay of its log'),
          })
          .describe('the gap by cause; the causes add up to the gap exactly'),
      })
      .describe('(b) paper trading vs a candle-only backtest of the same config over the window'),
    candles: z
      .array(z.tuple([UnixMs, z.number(), z.number(), z.number(), z.number(), UnixMs]))
      .describe('[openTime, open, high, low, close, closeTime]: the window\'s 1m candles, merged into at most 500 wider ones, to draw the trades on'),
    bands: z
      .object({
        paper: z.object({ finalPnl: DecimalString, equity: Curve }),
        models: z.array(
          z.object({
            name: z.enum(['optimistic', 'realistic', 'pessimistic']),
            spread: DecimalString,
            slippage: DecimalString,
            latencyMs: z.object({ min: z.number().int(), max: z.number().int() }),
            description: z.string(),
            finalPnl: DecimalString,
            equity: Curve,
          }),
        ),
      })
      .describe('(c) the window under optimistic, realistic and pessimistic fill models (candles only)'),
  })
  .meta({ id: 'ReconcileReport' });
export type ReconcileReportDto = z.infer<typeof ReconcileReportDto>;
