import { z } from 'zod';

export const ConfigProblemDto = z
  .object({
    code: z.string().describe('stable SCREAMING_SNAKE code, e.g. MISSING_KEY, UNKNOWN_TIMEFRAME'),
    message: z.string(),
    path: z.string().describe('dotted path in the YAML, empty for the document'),
    line: z.number().int().positive().nullable(),
    column: z.number().int().positive().nullable(),
    found: z.string().optional(),
    allowed: z.string().optional(),
  })
  .meta({ id: 'ConfigProblem' });
export type ConfigProblemDto = z.infer<typeof ConfigProblemDto>;

export const ConfigSummaryDto = z
  .object({
    configName: z.string(),
    name: z.string().nullable(),
    symbol: z.string().nullable(),
    exchange: z.string().nullable(),
    timeframes: z.array(z.string()),
    isValid: z.boolean(),
    problems: z.array(ConfigProblemDto),
    warnings: z.array(ConfigProblemDto),
    sizeBytes: z.number().int().nonnegative(),
    modifiedAt: z.number().int().nonnegative(),
  })
  .meta({ id: 'ConfigSummary' });
export type ConfigSummaryDto = z.infer<typeof ConfigSummaryDto>;

export const ConfigsAvailableResponse = z.object({ items: z.array(ConfigSummaryDto) }).meta({ id: 'ConfigsAvailable' });
export type ConfigsAvailableResponse = z.infer<typeof ConfigsAvailableResponse>;

/**
 * The one size limit of strategy YAML (UTF-8 bytes), wherever YAML comes in: the validate and start
 * bodies, raw YAML bodies and files in config/. Over it: 413 PAYLOAD_TOO_LARGE.
 */
export const MAX_STRATEGY_YAML_BYTES = 262_144;
export const STRATEGY_YAML_LIMIT_TEXT = `at most ${MAX_STRATEGY_YAML_BYTES} bytes (256 KiB) of UTF-8; larger gets 413`;

export const ValidateConfigBody = z
  .object({ yaml: z.string().describe(`the strategy YAML text, ${STRATEGY_YAML_LIMIT_TEXT}`) })
  .strict()
  .meta({ id: 'ValidateConfigRequest', description: 'JSON body; the raw YAML may also be sent with Content-Type application/yaml or text/yaml' });

export const ValidateConfigResponse = z
  .object({
    isValid: z.boolean(),
    name: z.string().nullable(),
    problems: z.array(ConfigProblemDto).describe('errors: the config cannot run'),
    warnings: z.array(ConfigProblemDto).describe('accepted but suspicious (ignored keys, legacy quirks)'),
  })
  .meta({ id: 'ValidateConfigResult' });
export type ValidateConfigResponse = z.infer<typeof ValidateConfigResponse>;

/** `error.details` of a 422 CONFIG_INVALID answer (POST /strategies/start): every problem of the config. */
export const ConfigInvalidDetails = z.object({ problems: z.array(ConfigProblemDto) }).meta({ id: 'ConfigInvalidDetails' });
export type ConfigInvalidDetails = z.infer<typeof ConfigInvalidDetails>;
