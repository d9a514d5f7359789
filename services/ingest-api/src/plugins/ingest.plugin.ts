import fp from 'fastify-plugin';
import { createIngest, type DeferredRollups, type IngestEngine, type RejectCounter, type WriteQueue, type WriteStep } from '@sem/ingest';
import type { AppConfig } from '../config.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The write engine (@sem/ingest): device look-up, group-commit writes, rollups. */
    ingest: IngestEngine;
    writeQueue: WriteQueue;
    /** The deferred rollups; undefined when they are kept in each write transaction (flushMs 0). */
    rollups: DeferredRollups | undefined;
    /** Rejects by reason for the fleet dashboard (Grafana reads MariaDB, not Prometheus). */
    rejectCounter: RejectCounter;
  }
}

/**
 * The write engine of this process on the app's pool and metrics registry. On close it refuses new
 * rows, drains the accepted ones and writes the held rollups and rejects, before the db plugin closes the pool.
 */
export const ingestPlugin = fp<{ config: Pick<AppConfig, 'writeQueue' | 'rollupFlushMs' | 'rollupOrphanAfterMs' | 'deviceCacheTtlMs'> & Partial<Pick<AppConfig, 'timeWindow' | 'rollupGapHorizonMs' | 'idempotency'>>; writeSteps?: readonly WriteStep[] | undefined }>(
  async (app, opts) => {
    const engine = createIngest({ db: app.db, config: opts.config, log: app.log, metrics: app.metrics.registry, writeSteps: opts.writeSteps });
    app.decorate('ingest', engine);
    app.decorate('writeQueue', engine.writeQueue);
    app.decorate('rollups', engine.rollups);
    app.decorate('rejectCounter', engine.rejects);
    // The excess of an overload is answered before its body is read or parsed: 503 + Retry-After in microseconds.
    app.addHook('onRequest', async (request) => {
      if (request.method !== 'POST' || request.url.startsWith('/api/v1/admin')) return;
      const refused = engine.admission();
      if (refused) throw refused;
    });
    // onClose hooks run in reverse registration order: the engine drains before the db plugin closes the pool.
    app.addHook('onClose', async () => engine.close());
  },
  { name: 'sem-ingest', dependencies: ['sem-db', 'sem-metrics'] },
);
