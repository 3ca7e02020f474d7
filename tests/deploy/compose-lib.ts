/**
 * Offline tooling for the compose files: no Docker engine runs here, so the files are parsed
 * with `yaml`, interpolated and merged the way `docker compose` does (the subset of the
 * Compose Specification's interpolation and merge rules these files use), and validated
 * against the official Compose Specification JSON schema.
 *
 * The schema is the upstream `compose-spec.json` (compose-spec/compose-spec, Apache-2.0) as
 * vendored verbatim by the npm package `dclint` (a root devDependency pinned to an exact
 * version, so the schema only changes with a deliberate upgrade).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseDocument } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------- schema

export interface SchemaSource {
  file: string;
  packageName: string;
  packageVersion: string;
  schema: JsonObject;
}

export function loadComposeSchema(): SchemaSource {
  const require = createRequire(import.meta.url);
  const pkgJsonPath = require.resolve('dclint/package.json');
  const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8')) as { name: string; version: string };
  const file = path.join(path.dirname(pkgJsonPath), 'schemas', 'compose.schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
  return { file, packageName: pkg.name, packageVersion: pkg.version, schema };
}

export interface SchemaValidator {
  /** Error messages (`<instancePath> <message>`); empty when the document is valid. */
  (doc: unknown): string[];
}

export function compileComposeValidator(schema: JsonObject): SchemaValidator {
  // The upstream schema declares "$schema": "https://json-schema.org/draft-07/schema" (https,
  // no trailing '#'), an id Ajv does not know; the vocabulary is draft-07, Ajv's default.
  const { $schema: _ignored, ...body } = schema;
  const ajv = new AjvModule.default({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  const validate: ValidateFunction = ajv.compile(body);
  return (doc: unknown) => {
    if (validate(doc)) return [];
    return (validate.errors ?? []).map(formatAjvError);
  };
}

function formatAjvError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const extra = 'additionalProperty' in error.params ? ` '${String(error.params.additionalProperty)}'` : '';
  return `${where} ${error.message ?? 'is invalid'}${extra}`;
}

// ---------------------------------------------------------------- parsing

/** Parses compose YAML like compose-go: YAML merge keys (`<<:`) are resolved. */
export function parseCompose(text: string, name = 'compose file'): JsonObject {
  const doc = parseDocument(text, { merge: true, prettyErrors: true, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
  const value: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isObject(value)) throw new Error(`${name}: top level is not a mapping`);
  return value;
}

export function loadComposeFile(file: string): JsonObject {
  return parseCompose(readFileSync(path.join(REPO_ROOT, file), 'utf8'), file);
}

// ---------------------------------------------------------------- interpolation

const VAR_PATTERN = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Compose interpolation of one string: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
 * ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}. Throws for a missing required variable.
 */
export function interpolateString(value: string, env: Readonly<Record<string, string | undefined>>): string {
  return value.replace(VAR_PATTERN, (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const name = braced ?? bare ?? '';
    const current = env[name];
    const unset = current === undefined;
    const empty = unset || current === '';
    const nested = (text: string | undefined) => interpolateString(text ?? '', env);
    switch (op) {
      case undefined:
        return current ?? '';
      case ':-':
        return empty ? nested(arg) : (current as string);
      case '-':
        return unset ? nested(arg) : (current as string);
      case ':?':
        if (empty) throw new Error(`required variable ${name} is missing a value: ${nested(arg)}`);
        return current as string;
      case '?':
        if (unset) throw new Error(`required variable ${name} is missing a value: ${nested(arg)}`);
        return current as string;
      case ':+':
        return empty ? '' : nested(arg);
      case '+':
        return unset ? '' : nested(arg);
      default:
        throw new Error(`unsupported interpolation ${match}`);
    }
  });
}

/** Interpolates every string value (not keys) of a parsed compose document. */
export function interpolate(value: Json, env: Readonly<Record<string, string | undefined>>): Json {
  if (typeof value === 'string') return interpolateString(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env);
    return out;
  }
  return value;
}

/** Names of all variables referenced by ${NAME...} or $NAME in a text ($$ escapes excluded). */
export function referencedVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(VAR_PATTERN)) {
    const name = m[1] ?? m[4];
    if (name !== undefined) names.add(name);
    if (m[3] !== undefined) for (const inner of referencedVariables(m[3])) names.add(inner);
  }
  return names;
}

// ---------------------------------------------------------------- merging

/** `environment`/`labels` in list form (KEY=VALUE) or mapping form, as a mapping. */
export function toMapping(value: Json | undefined): JsonObject {
  if (value === undefined || value === null) return {};
  if (isObject(value)) return value;
  if (Array.isArray(value)) {
    const out: JsonObject = {};
    for (const item of value) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq === -1) out[text] = null;
      else out[text.slice(0, eq)] = text.slice(eq + 1);
    }
    return out;
  }
  throw new Error(`expected a mapping or a list, got ${JSON.stringify(value)}`);
}

/** Container path of a service volume (short `src:target[:mode]` or long syntax). */
export function volumeTarget(volume: Json): string {
  if (typeof volume === 'string') {
    const parts = volume.split(':');
    return parts.length === 1 ? (parts[0] as string) : (parts[1] as string);
  }
  if (isObject(volume) && typeof volume.target === 'string') return volume.target;
  throw new Error(`volume without target: ${JSON.stringify(volume)}`);
}

const REPLACED_SEQUENCES = new Set(['command', 'entrypoint']);
const MAPPING_LIKE = new Set(['environment', 'labels', 'extra_hosts', 'sysctls', 'annotations']);

function mergeService(base: JsonObject, override: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    if (current === undefined) {
      out[key] = value;
    } else if (REPLACED_SEQUENCES.has(key)) {
      out[key] = value;
    } else if (MAPPING_LIKE.has(key)) {
      out[key] = { ...toMapping(current), ...toMapping(value) };
    } else if (key === 'volumes' && Array.isArray(current) && Array.isArray(value)) {
      const byTarget = new Map<string, Json>();
      for (const v of [...current, ...value]) byTarget.set(volumeTarget(v), v);
      out[key] = [...byTarget.values()];
    } else if (key === 'healthcheck' && isObject(current) && isObject(value)) {
      out[key] = { ...current, ...value }; // healthcheck.test is replaced, not appended
    } else {
      out[key] = mergeValue(current, value);
    }
  }
  return out;
}

function mergeValue(base: Json, override: Json): Json {
  if (isObject(base) && isObject(override)) {
    const out: JsonObject = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = k in out ? mergeValue(out[k] as Json, v) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(override)) {
    const seen = new Set(base.map((v) => JSON.stringify(v)));
    return [...base, ...override.filter((v) => !seen.has(JSON.stringify(v)))];
  }
  return override;
}

/** `docker compose -f base -f override` merge of two parsed (already interpolated) documents. */
export function mergeCompose(base: JsonObject, override: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    if (key === 'services' && isObject(current) && isObject(value)) {
      const services: JsonObject = { ...current };
      for (const [name, svc] of Object.entries(value)) {
        const existing = services[name];
        services[name] = isObject(existing) && isObject(svc) ? mergeService(existing, svc) : svc;
      }
      out[key] = services;
    } else {
      out[key] = current === undefined ? value : mergeValue(current, value);
    }
  }
  return out;
}

// ---------------------------------------------------------------- accessors

export function services(doc: JsonObject): Record<string, JsonObject> {
  const svc = doc.services;
  if (!isObject(svc)) throw new Error('no services mapping');
  const out: Record<string, JsonObject> = {};
  for (const [name, value] of Object.entries(svc)) out[name] = isObject(value) ? value : {};
  return out;
}

export function commandArgs(service: JsonObject): string[] {
  const cmd = service.command;
  if (typeof cmd === 'string') return cmd.split(/\s+/).filter((s) => s !== '');
  if (Array.isArray(cmd)) return cmd.map(String);
  return [];
}

export interface PublishedPort {
  host: string;
  container: string;
}

/** Published ports of a service (short "host:container" / "ip:host:container" or long syntax). */
export function publishedPorts(service: JsonObject): PublishedPort[] {
  const ports = service.ports;
  if (!Array.isArray(ports)) return [];
  const out: PublishedPort[] = [];
  for (const p of ports) {
    if (typeof p === 'string' || typeof p === 'number') {
      const parts = String(p).split('/')[0]!.split(':');
      if (parts.length >= 2) out.push({ host: parts[parts.length - 2]!, container: parts[parts.length - 1]! });
    } else if (isObject(p) && p.published !== undefined && p.target !== undefined) {
      out.push({ host: String(p.published), container: String(p.target) });
    }
  }
  return out;
}

/** Parses compose byte values ("512M", "4G", "400mb", 1024) to bytes. */
export function parseBytes(value: Json | undefined): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(String(value ?? ''));
  if (!m) throw new Error(`not a byte value: ${JSON.stringify(value)}`);
  const exp = ['', 'k', 'm', 'g', 't'].indexOf((m[2] ?? '').toLowerCase());
  return Number(m[1]) * 1024 ** exp;
}

// ---------------------------------------------------------------- semantic checks

export const APP_SERVICES = ['stream-manager', 'paper-trader', 'api-server', 'dashboard'] as const;

/**
 * Checks the JSON schema cannot express: depends_on targets exist and have a health check when
 * `service_healthy` is required, no dependency cycles, named volumes are declared, and every
 * app service's command runs `services/<its name>/src/main.ts`, a file that exists.
 */
export function semanticProblems(doc: JsonObject, fileExists: (relPath: string) => boolean): string[] {
  const problems: string[] = [];
  const all = services(doc);
  const declaredVolumes = isObject(doc.volumes) ? Object.keys(doc.volumes) : [];

  for (const [name, svc] of Object.entries(all)) {
    const deps = svc.depends_on;
    const depEntries: [string, Json][] = Array.isArray(deps)
      ? deps.map((d) => [String(d), { condition: 'service_started' }])
      : isObject(deps)
        ? Object.entries(deps)
        : [];
    for (const [dep, spec] of depEntries) {
      const target = all[dep];
      if (target === undefined) {
        problems.push(`${name}: depends_on unknown service '${dep}'`);
        continue;
      }
      if (isObject(spec) && spec.condition === 'service_healthy') {
        const hc = target.healthcheck;
        if (!isObject(hc) || hc.disable === true || hc.test === undefined) {
          problems.push(`${name}: waits for '${dep}' to be healthy but '${dep}' has no healthcheck`);
        }
      }
    }

    if (Array.isArray(svc.volumes)) {
      for (const v of svc.volumes) {
        const source = typeof v === 'string' ? v.split(':')[0] : isObject(v) && v.type === 'volume' ? String(v.source) : undefined;
        if (source !== undefined && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source) && v !== source && !declaredVolumes.includes(source)) {
          problems.push(`${name}: named volume '${source}' is not declared under top-level volumes`);
        }
      }
    }
  }

  // dependency cycles
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (done.has(name)) return;
    if (visiting.has(name)) {
      problems.push(`depends_on cycle: ${[...trail, name].join(' -> ')}`);
      return;
    }
    visiting.add(name);
    const deps = all[name]?.depends_on;
    const names = Array.isArray(deps) ? deps.map(String) : isObject(deps) ? Object.keys(deps) : [];
    for (const dep of names) if (all[dep] !== undefined) visit(dep, [...trail, name]);
    visiting.delete(name);
    done.add(name);
  };
  for (const name of Object.keys(all)) visit(name, []);

  for (const name of APP_SERVICES) {
    const svc = all[name];
    if (svc === undefined) {
      problems.push(`service '${name}' is missing`);
      continue;
    }
    const entry = commandArgs(svc).find((arg) => /^services\/[^/]+\/src\/main\.ts$/.test(arg));
    if (entry === undefined) {
      problems.push(`${name}: command ${JSON.stringify(svc.command)} does not run services/<name>/src/main.ts`);
    } else if (entry !== `services/${name}/src/main.ts`) {
      problems.push(`${name}: command runs ${entry}, expected services/${name}/src/main.ts`);
    } else if (!fileExists(entry)) {
      problems.push(`${name}: ${entry} does not exist in the repository`);
    }
  }
  return problems;
}
