import fp from 'fastify-plugin';
import { DeferredRollups } from '../rollups/deferred-rollups.ts';
import { rollupWriteStep } from '../rollups/rollup-write-step.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The deferred rollups; undefined when they are kept in each write transaction (flushMs 0). */
    rollups: DeferredRollups | undefined;
  }
}

/**
 * The rollups for the dashboards: with `flushMs` > 0 held in memory (journalled in each write transaction)
 * and written every `flushMs`; with 0 written in each write transaction.
 */
export const rollupsPlugin = fp<{ flushMs: number }>(
  async (app, opts) => {
    if (opts.flushMs === 0) {
      app.decorate('rollups', undefined);
      app.writeQueue.addStep(rollupWriteStep);
      return;
    }
    const m = app.metrics;
    const rollups = new DeferredRollups(
      app.db,
      // A journal row a minute old (and 20 flushes) has no live writer: another process's rows are flushed within flushMs.
      { flushMs: opts.flushMs, orphanAfterMs: Math.max(60_000, 20 * opts.flushMs), orphanCheckMs: 30_000, maxHeldRows: 50_000 },
      {
        onFlush(outcome, _rows, seconds) {
          m.rollupFlushes.inc({ outcome });
          m.rollupFlushDuration.observe(seconds);
        },
        held(rows) {
          m.rollupHeldRows.set(rows);
        },
      },
      app.log,
    );
    app.decorate('rollups', rollups);
    app.writeQueue.addStep(rollups.step);
    rollups.start();
    // Registered after the write queue, so this hook runs first: drain the queue, then write what is held.
    app.addHook('onClose', async () => {
      await app.writeQueue.close();
      await rollups.close();
    });
  },
  { name: 'sem-rollups', dependencies: ['sem-write-queue'] },
);
