import type { FastifyRequest } from 'fastify';

export type ThemeChoice = 'auto' | 'dark' | 'light';

/** How a browser wants pages drawn: colour theme and the time zone times are shown in. */
export interface DisplayPreferences {
  theme: ThemeChoice;
  /** 'UTC', or the browser's IANA zone (e.g. Europe/Berlin) once the user chose local time */
  timeZone: string;
}

/** The cookies public/preferences.js writes when the user flips the header's switches. */
export const PREFERENCE_COOKIES = { theme: 'theme', timeZone: 'tz' } as const;

const THEMES: readonly ThemeChoice[] = ['auto', 'dark', 'light'];

/** A zone Intl knows, or null (a forged or stale cookie falls back to UTC). */
function knownTimeZone(zone: string | undefined): string | null {
  if (zone === undefined || zone === '' || zone.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function displayPreferencesOf(request: FastifyRequest): DisplayPreferences {
  const cookies = request.cookies ?? {};
  const theme = cookies[PREFERENCE_COOKIES.theme];
  return {
    theme: THEMES.includes(theme as ThemeChoice) ? (theme as ThemeChoice) : 'auto',
    timeZone: knownTimeZone(cookies[PREFERENCE_COOKIES.timeZone]) ?? 'UTC',
  };
}
