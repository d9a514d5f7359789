import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpDuration: Histogram<'method' | 'route'>;
  rejects: Counter<'reason' | 'route'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  return {
    registry,
    httpRequests: new Counter({ name: 'sem_http_requests_total', help: 'HTTP requests answered.', labelNames: ['method', 'route', 'status_code'], registers: r }),
    httpDuration: new Histogram({ name: 'sem_http_request_duration_seconds', help: 'Time to answer an HTTP request.', labelNames: ['method', 'route'], registers: r }),
    rejects: new Counter({ name: 'sem_http_rejects_total', help: 'Requests answered with an error, by error code.', labelNames: ['reason', 'route'], registers: r }),
  };
}

/** prom-client on a private registry (one per app, so tests can build many; the engine adds its series) and GET /metrics. */
export const metricsPlugin = fp(
  async (app) => {
    const metrics = createMetrics();
    app.decorate('metrics', metrics);
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unknown';
      metrics.httpRequests.inc({ method: request.method, route, status_code: String(reply.statusCode) });
      metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });
    app.get(
      '/metrics',
      {
        config: { rateLimit: false },
        schema: {
          summary: 'Prometheus metrics',
          tags: ['operations'],
          response: { 200: { type: 'string', description: 'Prometheus text exposition' } },
        },
      },
      async (_request, reply) => {
        reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    );
    app.addHook('onClose', async () => {
      metrics.registry.clear();
    });
  },
  { name: 'sem-metrics' },
);
