import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

/** Plain HTML form posts (application/x-www-form-urlencoded) become `request.body` objects. */
export async function registerFormBodies(app: FastifyInstance): Promise<void> {
  await app.register(fastifyFormbody, { bodyLimit: 512 * 1024 });
}

/** One text field of a parsed form body or query string; undefined when absent, repeated or not text. */
export function field(source: unknown, name: string): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Like field(), but blank text counts as absent and the value is trimmed. */
export function filledField(source: unknown, name: string): string | undefined {
  const value = field(source, name)?.trim();
  return value ? value : undefined;
}
