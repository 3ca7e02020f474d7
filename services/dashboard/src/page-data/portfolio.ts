import type { PortfolioResponse } from '@btc-research/contracts';
import { isAuthError, messageOf } from '../api/api-errors.js';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';

/** how many market days the overview's daily profit table shows */
const PORTFOLIO_DAYS = 14;

export interface PortfolioData {
  /** totals and the daily profit table; null with `portfolioError` when the API could not say */
  portfolio: PortfolioResponse | null;
  portfolioError: string | null;
}

/** The overview's portfolio card: read once per page view (live updates do not poll it). */
export async function loadPortfolio(api: ApiClient, auth?: ApiAuth): Promise<PortfolioData> {
  try {
    return { portfolio: await api.read(endpoints.portfolio(PORTFOLIO_DAYS), auth), portfolioError: null };
  } catch (err) {
    if (isAuthError(err)) throw err;
    return { portfolio: null, portfolioError: messageOf(err) };
  }
}
