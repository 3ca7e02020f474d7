import type { ParityResponse } from '@btc-research/contracts';
import { ApiError, isAuthError, messageOf } from '../api/api-errors.js';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import { field } from '../plugins/form-fields.js';

/** how many checks the panel lists (newest first) */
export const PARITY_HISTORY = 10;

/** The parity panel of a strategy page: the API's checks, or plainly why there are none to show. */
export interface ParityPanelData {
  parity: ParityResponse | null;
  /** the API has no parity route (an older api-server) or the read failed: said in the panel */
  parityError: string | null;
}

export async function loadParity(api: ApiClient, id: string, auth?: ApiAuth): Promise<ParityPanelData> {
  try {
    return { parity: await api.read(endpoints.parity(id, PARITY_HISTORY), auth), parityError: null };
  } catch (err) {
    if (isAuthError(err)) throw err;
    const reason = err instanceof ApiError && err.status === 404 ? `the API has no parity checks for this strategy (${err.message})` : messageOf(err);
    return { parity: null, parityError: reason };
  }
}

/** A "Check now" that just came back (the redirect's query): which check, and whether it had finished. */
export interface ParityRequest {
  checkId: string;
  status: 'done' | 'pending';
}

export function parityRequestOf(query: unknown): ParityRequest | null {
  const checkId = field(query, 'parityCheck');
  if (!checkId || checkId.length > 200) return null;
  return { checkId, status: field(query, 'parityStatus') === 'pending' ? 'pending' : 'done' };
}
