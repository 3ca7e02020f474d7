/** Display formatting shared by the eta views (the browser script formats live updates the same way). */
import { fillRoleOf } from '@btc-research/contracts';

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const qty = new Intl.NumberFormat('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 8 });

export function fmtMoney(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  return Number.isFinite(n) ? money.format(n) : String(v);
}

export function fmtSigned(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  return `${n > 0 ? '+' : ''}${money.format(n)}`;
}

export function fmtQty(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  return Number.isFinite(n) ? qty.format(n) : String(v);
}

/** "pos" / "neg" / "" for colouring a signed amount (always paired with a sign, never colour alone). */
export function signClass(v: string | number | null | undefined): string {
  const n = Number(v);
  if (v === null || v === undefined || !Number.isFinite(n) || n === 0) return '';
  return n > 0 ? 'pos' : 'neg';
}

export function fmtTime(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

/** A duration in the largest units that matter: "850 ms", "56 s", "15 min 39 s", "2 h 3 min", "3 d 4 h". */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const v = Math.max(0, ms);
  if (v < 1_000) return `${Math.round(v)} ms`;
  const s = Math.floor(v / 1_000);
  if (s < 60) return `${s} s`;
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3_600), Math.floor((s % 3_600) / 60)];
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return s % 60 > 0 ? `${m} min ${s % 60} s` : `${m} min`;
}

export function fmtNum(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toFixed(digits);
}

/** JSON safe to embed inside <script type="application/json">. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The entry/exit tag of a fill (HTML; the role is one of two fixed words). */
export function roleTag(reason: string): string {
  const role = fillRoleOf(reason);
  return `<span class="role role-${role}" data-role="${role}">${role}</span>`;
}

export const fmt = { money: fmtMoney, signed: fmtSigned, qty: fmtQty, signClass, time: fmtTime, num: fmtNum, duration: fmtDuration, json: jsonForScript, roleTag };
export type Formatters = typeof fmt;

/**
 * "2025-06-02 13:45:00 CEST" in `timeZone` (sv-SE writes ISO-like dates); UTC keeps the "…Z" form.
 * Pages render times with this, the browser scripts with the same zone (data-time-zone on <html>).
 */
export function timeIn(timeZone: string): (ms: number | null | undefined) => string {
  if (timeZone === 'UTC') return fmtTime;
  const format = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
  return (ms) => (ms ? format.format(new Date(ms)) : '—');
}

/** The formatters for one page: times in the viewer's chosen zone. */
export function formattersFor(timeZone: string): Formatters {
  return timeZone === 'UTC' ? fmt : { ...fmt, time: timeIn(timeZone) };
}
