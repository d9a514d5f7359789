import fp from 'fastify-plugin';
import { startRetentionJob, type RetentionJob } from '@sem/ingest';
import type {} from './db.plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    retention: RetentionJob;
  }
}

/** Runs the raw-row retention in the API process; stopped (and awaited) on close, before the pool closes. */
export const retentionPlugin = fp<{ rawRetentionDays: number; intervalMs?: number }>(
  async (app, opts) => {
    const job = startRetentionJob(app.db, {
      rawRetentionDays: opts.rawRetentionDays,
      intervalMs: opts.intervalMs,
      onRun: (r, ms) => app.log.info({ purged: r, ms }, 'raw retention run'),
      onError: (err) => app.log.error({ err }, 'raw retention failed'),
    });
    app.decorate('retention', job);
    app.addHook('onClose', async () => job.stop());
  },
  { name: 'sem-retention', dependencies: ['sem-db'] },
);
