import { ApiError, isAuthError, messageOf } from '../api/api-errors.js';

/** A part of a page the page can show without: its value, or why it is missing. */
export interface Section<T> {
  value: T | null;
  /** the API has none yet (it answered 404), with its reason: said quietly */
  unavailable: string | null;
  /** the read failed (API error, unreachable, answer outside its contract): shown as an error */
  failure: string | null;
}

/** Reads one section; credentials errors still reach the route (it redirects to the login page). */
export async function readSection<T>(label: string, read: Promise<T>): Promise<Section<T>> {
  try {
    return { value: await read, unavailable: null, failure: null };
  } catch (err) {
    if (isAuthError(err)) throw err;
    if (err instanceof ApiError && err.status === 404) return { value: null, unavailable: `${label} (${err.message})`, failure: null };
    return { value: null, unavailable: null, failure: `${label}: ${messageOf(err)}` };
  }
}

/** What a page lists under its sections: what the API has not got yet, and what failed. */
export interface SectionNotes {
  unavailable: string[];
  failures: string[];
}

export function notesOf(sections: readonly Section<unknown>[]): SectionNotes {
  return {
    unavailable: sections.flatMap((s) => (s.unavailable === null ? [] : [s.unavailable])),
    failures: sections.flatMap((s) => (s.failure === null ? [] : [s.failure])),
  };
}
