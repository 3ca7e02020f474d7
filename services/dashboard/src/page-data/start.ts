import { ApiErrorCode, ConfigInvalidDetails, type ConfigProblemDto, type ConfigSummaryDto } from '@btc-research/contracts';
import { ApiError, isAuthError, messageOf } from '../api/api-errors.js';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';

/** A problem shown under its line of a YAML text (views/yaml-view.eta, public/start.js). */
export type YamlProblem = Pick<ConfigProblemDto, 'line' | 'column' | 'path' | 'message'>;

export interface ConfigsData {
  configs: ConfigSummaryDto[];
  configsError: string | null;
}

/** The configs in config/, each validated by the API, for the start form. */
export async function loadConfigs(api: ApiClient, auth?: ApiAuth): Promise<ConfigsData> {
  try {
    return { configs: (await api.read(endpoints.configs(), auth)).items, configsError: null };
  } catch (err) {
    if (isAuthError(err)) throw err;
    return { configs: [], configsError: messageOf(err) };
  }
}

/** The config's problems when the API refused it as invalid (422 CONFIG_INVALID), each with its line; else none. */
export function configProblemsOf(err: unknown): YamlProblem[] {
  if (!(err instanceof ApiError) || err.code !== ApiErrorCode.configInvalid) return [];
  const details = ConfigInvalidDetails.safeParse(err.details);
  return details.success ? details.data.problems : [];
}

/** The problems of a refused validation: the config's own, or the API's message as one general problem. */
export function problemsOf(err: unknown): YamlProblem[] {
  const problems = configProblemsOf(err);
  return problems.length > 0 ? problems : [{ line: null, column: null, path: '', message: messageOf(err) }];
}
