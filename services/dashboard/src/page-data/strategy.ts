import type { StrategyStatusResponse } from '@btc-research/contracts';
import { ApiError } from '../api/api-errors.js';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import { drawdownOf } from './drawdown.js';
import { loadFeed } from './feed.js';
import { loadParity } from './parity.js';
import { notesOf, readSection } from './section.js';
import { statEntries } from './stat-entries.js';
import { warmupView } from './warmup.js';

const TRADES = 200;
const EQUITY_POINTS = 2000;
const ORDERS = 50;
const ROUND_TRIPS = 50;

/** The strategy's status, or null when the API has no such strategy. */
async function statusOf(api: ApiClient, id: string, auth?: ApiAuth): Promise<StrategyStatusResponse | null> {
  try {
    return await api.read(endpoints.strategyStatus(id), auth);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** The parts of a strategy page that change with fills: statistics, positions, orders. */
export async function loadPanels(api: ApiClient, id: string, auth?: ApiAuth) {
  const [stats, positions, orders, roundTrips, status] = await Promise.all([
    api.read(endpoints.strategyStats(id), auth),
    api.read(endpoints.positions(id), auth),
    api.read(endpoints.orders(id, ORDERS), auth),
    api.read(endpoints.roundTrips(id, ROUND_TRIPS), auth),
    api.read(endpoints.strategyStatus(id), auth),
  ]);
  return { statEntries: statEntries(stats), positions: positions.items, orders: orders.items, roundTrips, warmup: warmupView(status.warmup) };
}

async function loadSections(api: ApiClient, status: StrategyStatusResponse, auth?: ApiAuth) {
  const id = status.id;
  // candles and indicators are not read here: the chart pages them in itself (/strategies/:id/chart)
  const [trades, equity, positions, orders, roundTrips] = await Promise.all([
    readSection('trades', api.read(endpoints.trades(id, { limit: TRADES }), auth)),
    readSection('equity curve', api.read(endpoints.equity(id, EQUITY_POINTS), auth)),
    readSection('positions', api.read(endpoints.positions(id), auth)),
    readSection('orders', api.read(endpoints.orders(id, ORDERS), auth)),
    readSection('round trips', api.read(endpoints.roundTrips(id, ROUND_TRIPS), auth)),
  ]);
  const equityPoints = equity.value?.items ?? [];
  return {
    trades: trades.value?.items ?? [],
    equity: equityPoints,
    drawdown: drawdownOf(equityPoints),
    positions: positions.value?.items ?? [],
    orders: orders.value?.items ?? [],
    roundTrips: roundTrips.value ?? null,
    ...notesOf([trades, equity, positions, orders, roundTrips]),
  };
}

/**
 * A strategy page: status and statistics (required: the headline numbers come from them), then
 * trades, equity, positions and orders, each of which the page can show
 * without (it names what failed).
 */
export async function loadStrategyPage(api: ApiClient, id: string, auth?: ApiAuth) {
  const status = await statusOf(api, id, auth);
  if (status === null) return null;
  const [stats, sections, feed, parity] = await Promise.all([api.read(endpoints.strategyStats(id), auth), loadSections(api, status, auth), loadFeed(api, auth), loadParity(api, id, auth)]);
  return { status, stats, statEntries: statEntries(stats), warmup: warmupView(status.warmup), ...sections, ...feed, ...parity };
}

export type StrategyPageData = NonNullable<Awaited<ReturnType<typeof loadStrategyPage>>>;
export type PanelsData = Awaited<ReturnType<typeof loadPanels>>;
