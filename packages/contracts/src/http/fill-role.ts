/**
 * Whether a fill opened (or added to) a position or reduced it, read from its order's reason:
 * `entry_long` / `entry_short` are entries; every other reason (`exit_long`, `exit_short`,
 * `stop_loss`, `take_profit`, `partial_exit`, `equity_protection`, `forced`) closes.
 */
export type FillRole = 'entry' | 'exit';

const ENTRY_REASONS = new Set(['entry_long', 'entry_short']);

export function fillRoleOf(reason: string): FillRole {
  return ENTRY_REASONS.has(reason) ? 'entry' : 'exit';
}

/** The reason an order closed by the user's force exit carries. */
export const FORCED_EXIT_REASON = 'forced';
