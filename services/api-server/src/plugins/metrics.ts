import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  liveClients: Gauge<'transport'>;
  liveEventsSent: Counter<'kind'>;
  commandsSent: Counter<'type' | 'outcome'>;
}

const registries = new WeakMap<FastifyInstance, Registry>();

/** The app's metrics registry (for a separate metrics listener). */
export function metricsRegistryOf(app: FastifyInstance): Registry | undefined {
  return registries.get(app);
}

/** Prometheus metrics at /metrics: request counts and latencies by route template (low cardinality). */
export function registerMetrics(app: FastifyInstance, options: { collectDefault: boolean; isPublic: boolean }): ApiMetrics {
  const registry = new Registry();
  registries.set(app, registry);
  if (options.collectDefault) collectDefaultMetrics({ register: registry, prefix: 'api_server_' });
  const requests = new Counter({
    name: 'api_http_requests_total',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'api_http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const liveClients = new Gauge({ name: 'api_live_clients', help: 'connected live-event clients', labelNames: ['transport'] as const, registers: [registry] });
  const liveEventsSent = new Counter({ name: 'api_live_events_sent_total', help: 'live events written to clients', labelNames: ['kind'] as const, registers: [registry] });
  const commandsSent = new Counter({ name: 'api_commands_total', help: 'commands published to the paper-trader', labelNames: ['type', 'outcome'] as const, registers: [registry] });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { tags: ['health'], operationId: 'metrics', summary: 'Prometheus metrics (text exposition format)', response: { 200: z.string() } }, config: { scope: options.isPublic ? 'public' : 'read' } }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
  return { registry, liveClients, liveEventsSent, commandsSent };
}
