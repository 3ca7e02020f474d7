import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigProblemDto, ConfigSummaryDto, ValidateConfigResponse } from '@btc-research/contracts';
import { validateStrategyYaml, yamlSizeProblem, type ConfigValidation } from './config-validator.js';
import { yamlTooLarge } from '../errors.js';

/** What a file name in config/ must look like (no paths, no dot files). */
export const CONFIG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.ya?ml$/;

export function toValidateResponse(v: ConfigValidation): ValidateConfigResponse {
  return { isValid: v.problems.length === 0, name: v.name, problems: v.problems, warnings: v.warnings };
}

/** Every strategy YAML in config/, each with what the engine's loader says of it. */
export async function listConfigs(configDir: string): Promise<ConfigSummaryDto[]> {
  let names: string[];
  try {
    names = (await readdir(configDir)).filter((n) => CONFIG_NAME.test(n)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: ConfigSummaryDto[] = [];
  for (const configName of names) {
    const path = join(configDir, configName);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) continue;
    let problems: ConfigProblemDto[];
    let v: ConfigValidation | null = null;
    const tooLarge = yamlSizeProblem(info.size);
    if (tooLarge !== null) {
      problems = [{ code: 'FILE_TOO_LARGE', message: tooLarge, path: '', line: null, column: null }];
    } else {
      v = validateStrategyYaml(await readFile(path, 'utf8'), configName);
      problems = v.problems;
    }
    out.push({
      configName,
      name: v?.name ?? null,
      symbol: v?.symbol ?? null,
      exchange: v?.exchange ?? null,
      timeframes: v?.timeframes ?? [],
      isValid: problems.length === 0,
      problems,
      warnings: v?.warnings ?? [],
      sizeBytes: info.size,
      modifiedAt: Math.floor(info.mtimeMs),
    });
  }
  return out;
}

/**
 * Reads one config by name; null when it does not exist; a 413 ApiError when it is over the YAML
 * size limit. The name is checked, so no path escapes config/.
 */
export async function readConfig(configDir: string, configName: string): Promise<string | null> {
  if (!CONFIG_NAME.test(configName)) return null;
  try {
    const info = await stat(join(configDir, configName));
    if (!info.isFile()) return null;
    const tooLarge = yamlSizeProblem(info.size);
    if (tooLarge !== null) throw yamlTooLarge(`${configName}: ${tooLarge}`);
    return await readFile(join(configDir, configName), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
