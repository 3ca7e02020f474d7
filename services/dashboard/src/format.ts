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

export const fmt = { money: fmtMoney, signed: fmtSigned, qty: fmtQty, signClass, time: fmtTime, num: fmtNum, json: jsonForScript, roleTag };
