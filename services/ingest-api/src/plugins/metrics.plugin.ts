import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { errorResponses } from '../errors/api-error.ts';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpDuration: Histogram<'method' | 'route'>;
  rejects: Counter<'reason' | 'route'>;
  readings: Counter<'source' | 'outcome'>;
  readingRejects: Counter<'reason'>;
  writeTransactions: Counter<'outcome'>;
  writeRows: Counter;
  writeRequests: Counter;
  writeBatchRows: Histogram;
  writeDuration: Histogram;
  writeQueueDepth: Gauge;
  writeQueueShed: Counter;
  rollupFlushes: Counter<'outcome'>;
  rollupFlushDuration: Histogram;
  rollupHeldRows: Gauge;
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
    readings: new Counter({ name: 'sem_readings_total', help: 'Readings received, by source and outcome (stored, merged, duplicate, rejected).', labelNames: ['source', 'outcome'], registers: r }),
    readingRejects: new Counter({ name: 'sem_reading_rejects_total', help: 'Readings refused inside an accepted request, by reason.', labelNames: ['reason'], registers: r }),
    writeTransactions: new Counter({ name: 'sem_write_transactions_total', help: 'Write transactions (group commits), by outcome.', labelNames: ['outcome'], registers: r }),
    writeRows: new Counter({ name: 'sem_write_rows_total', help: 'Reading rows committed (stored or found duplicate).', registers: r }),
    writeRequests: new Counter({ name: 'sem_write_requests_total', help: 'Requests whose rows were committed.', registers: r }),
    writeBatchRows: new Histogram({ name: 'sem_write_batch_rows', help: 'Reading rows per write transaction.', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000], registers: r }),
    writeDuration: new Histogram({ name: 'sem_write_transaction_duration_seconds', help: 'Time per write transaction.', registers: r }),
    writeQueueDepth: new Gauge({ name: 'sem_write_queue_depth_rows', help: 'Reading rows waiting or in flight.', registers: r }),
    writeQueueShed: new Counter({ name: 'sem_write_queue_shed_total', help: 'Requests refused with 503 because the write queue was full or behind (SEM_WRITE_QUEUE_MAX_WAIT_MS).', registers: r }),
    rollupFlushes: new Counter({ name: 'sem_rollup_flushes_total', help: 'Writes of the deferred rollups, by outcome (written, replayed from the journal, failed).', labelNames: ['outcome'], registers: r }),
    rollupFlushDuration: new Histogram({ name: 'sem_rollup_flush_duration_seconds', help: 'Time per write of the deferred rollups.', registers: r }),
    rollupHeldRows: new Gauge({ name: 'sem_rollup_held_rows', help: 'Rollup rows held in memory, not yet written (SEM_ROLLUP_FLUSH_MS).', registers: r }),
  };
}

/** prom-client on a private registry (one per app, so tests can build many) and GET /metrics. */
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
        // Not on the device ports without the admin token: the ops port (SEM_OPS_PORT) is for scrapers.
        preValidation: (request, reply) => app.requireOps.call(app, request, reply),
        schema: {
          summary: 'Prometheus metrics (internal ops port, or the admin token)',
          tags: ['operations'],
          security: [{ adminBearer: [] }],
          response: { 200: { type: 'string', description: 'Prometheus text exposition' }, ...errorResponses(401) },
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
