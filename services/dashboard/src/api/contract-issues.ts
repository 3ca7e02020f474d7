import type { z } from 'zod';

/** "where: what" of each way a value misses its contract schema, e.g. "items.0.pnl: Invalid input: expected string, received undefined". */
export function contractIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(the whole answer)'}: ${issue.message}`);
}
