import fp from 'fastify-plugin';
import { WriteQueue, type WriteQueueOptions } from '../write/write-queue.ts';

declare module 'fastify' {
  interface FastifyInstance {
    writeQueue: WriteQueue;
  }
}

/** The group-commit queue; on close it refuses new rows and drains the accepted ones before the pool closes. */
export const writeQueuePlugin = fp<WriteQueueOptions>(
  async (app, opts) => {
    const m = app.metrics;
    const queue = new WriteQueue(
      app.db,
      opts,
      {
        onTransaction(rows, requests, outcome, seconds) {
          m.writeTransactions.inc({ outcome });
          m.writeDuration.observe(seconds);
          if (outcome === 'committed') {
            m.writeRows.inc(rows);
            m.writeRequests.inc(requests);
            m.writeBatchRows.observe(rows);
          }
        },
        onRows() {},
        onShed() {
          m.writeQueueShed.inc();
        },
        depth(rows) {
          m.writeQueueDepth.set(rows);
        },
      },
      app.log,
    );
    app.decorate('writeQueue', queue);
    // onClose hooks run in reverse registration order: the queue drains before the db plugin closes the pool.
    app.addHook('onClose', async () => queue.close());
  },
  { name: 'sem-write-queue', dependencies: ['sem-db', 'sem-metrics'] },
);
