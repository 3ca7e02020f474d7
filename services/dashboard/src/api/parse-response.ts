import type { z } from 'zod';
import { ApiContractError } from './api-errors.js';
import { contractIssues } from './contract-issues.js';
import type { Endpoint } from './endpoints.js';

/**
 * Reads an API answer through its contract schema. A missing or renamed field is an
 * ApiContractError naming the field, never a blank cell further down.
 */
export function parseResponse<S extends z.ZodType>(endpoint: Endpoint<S, unknown>, body: unknown): z.output<S> {
  const result = endpoint.schema.safeParse(body);
  if (result.success) return result.data;
  throw new ApiContractError(endpoint.method, endpoint.path, contractIssues(result.error));
}
