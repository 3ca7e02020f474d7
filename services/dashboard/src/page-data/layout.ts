import type { StrategySummaryDto } from '@btc-research/contracts';
import type { FastifyRequest } from 'fastify';
import { isAuthError } from '../api/api-errors.js';
import { endpoints } from '../api/endpoints.js';
import type { DashboardContext, LiveSettings } from '../context.js';
import { displayPreferencesOf, type DisplayPreferences } from '../display-preferences.js';
import { formattersFor, type Formatters } from '../format.js';
import { authOf } from '../plugins/session.js';

/** What layout.eta needs on every page besides the page's own data. */
export interface LayoutData {
  path: string;
  signedIn: boolean;
  usesApiKey: boolean;
  live: LiveSettings;
  /** running strategies, for the header's "Stop…" menu */
  stoppable: { id: string; name: string }[];
  /** theme and time zone the viewer chose (cookies), applied on <html> */
  prefs: DisplayPreferences;
  fmt: Formatters;
}

/** The header's strategies: the page's own list when it has one, else the API's (none when that fails). */
async function stoppableOf(ctx: DashboardContext, request: FastifyRequest, strategies: readonly StrategySummaryDto[] | undefined): Promise<LayoutData['stoppable']> {
  let list = strategies;
  if (list === undefined) {
    try {
      list = (await ctx.api.read(endpoints.activeStrategies(), authOf(request))).items;
    } catch (err) {
      // the page itself says what failed; the header just has no Stop menu
      if (!isAuthError(err)) request.log.debug({ err }, 'stop menu without strategies');
      list = [];
    }
  }
  return list.filter((s) => s.status !== 'stopped').map((s) => ({ id: s.id, name: s.name }));
}

export async function layoutOf(ctx: DashboardContext, request: FastifyRequest, strategies?: readonly StrategySummaryDto[]): Promise<LayoutData> {
  const prefs = displayPreferencesOf(request);
  return {
    path: request.url.split('?')[0] ?? '/',
    signedIn: authOf(request) !== undefined,
    usesApiKey: ctx.api.hasApiKey,
    live: ctx.live,
    stoppable: await stoppableOf(ctx, request, strategies),
    prefs,
    fmt: formattersFor(prefs.timeZone),
  };
}
