import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IngestObserver } from '../write/ingest.ts';
import type { WriteQueueObserver } from '../write/write-queue.ts';
import type { DeferredRollupsObserver } from '../rollups/deferred-rollups.ts';

/** The engine's Prometheus series, registered on the caller's registry (one per process, or per test app). */
export function engineMetrics(registry: Registry): { ingest: IngestObserver; writeQueue: WriteQueueObserver; rollups: DeferredRollupsObserver } {
  const r = [registry];
  const readings = new Counter({ name: 'sem_readings_total', help: 'Readings received, by source and outcome (stored, merged, duplicate, rejected).', labelNames: ['source', 'outcome'], registers: r });
  const readingRejects = new Counter({ name: 'sem_reading_rejects_total', help: 'Readings refused inside an accepted request, by reason.', labelNames: ['reason'], registers: r });
  const meterClockUnset = new Counter({
    name: 'sem_readings_meter_clock_unset_total',
    help: 'Readings stored at their receive time because the clock they carried is unset or not a date, by source.',
    labelNames: ['source'],
    registers: r,
  });
  const writeTransactions = new Counter({ name: 'sem_write_transactions_total', help: 'Write transactions (group commits), by outcome.', labelNames: ['outcome'], registers: r });
  const writeRows = new Counter({ name: 'sem_write_rows_total', help: 'Reading rows committed (stored or found duplicate).', registers: r });
  const writeRequests = new Counter({ name: 'sem_write_requests_total', help: 'Requests whose rows were committed.', registers: r });
  const writeBatchRows = new Histogram({ name: 'sem_write_batch_rows', help: 'Reading rows per write transaction.', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000], registers: r });
  const writeDuration = new Histogram({ name: 'sem_write_transaction_duration_seconds', help: 'Time per write transaction.', registers: r });
  const writeQueueDepth = new Gauge({ name: 'sem_write_queue_depth_rows', help: 'Reading rows waiting or in flight.', registers: r });
  const writeQueueShed = new Counter({ name: 'sem_write_queue_shed_total', help: 'Requests shed because the write queue was full or behind (SEM_WRITE_QUEUE_MAX_WAIT_MS); HTTP answers 503, MQTT leaves them unacknowledged.', registers: r });
  const rollupFlushes = new Counter({ name: 'sem_rollup_flushes_total', help: 'Writes of the deferred rollups, by outcome (written, replayed from the journal, failed).', labelNames: ['outcome'], registers: r });
  const rollupFlushDuration = new Histogram({ name: 'sem_rollup_flush_duration_seconds', help: 'Time per write of the deferred rollups.', registers: r });
  const rollupHeldRows = new Gauge({ name: 'sem_rollup_held_rows', help: 'Rollup rows held in memory, not yet written (SEM_ROLLUP_FLUSH_MS).', registers: r });
  return {
    ingest: {
      readings: (source, outcome, count) => readings.inc({ source, outcome }, count),
      rejected: (code) => readingRejects.inc({ reason: code }),
      meterClockUnset: (source, count) => meterClockUnset.inc({ source }, count),
    },
    writeQueue: {
      onTransaction(rows, requests, outcome, seconds) {
        writeTransactions.inc({ outcome });
        writeDuration.observe(seconds);
        if (outcome === 'committed') {
          writeRows.inc(rows);
          writeRequests.inc(requests);
          writeBatchRows.observe(rows);
        }
      },
      onRows() {},
      onShed: () => writeQueueShed.inc(),
      depth: (rows) => writeQueueDepth.set(rows),
    },
    rollups: {
      onFlush(outcome, _rows, seconds) {
        rollupFlushes.inc({ outcome });
        rollupFlushDuration.observe(seconds);
      },
      held: (rows) => rollupHeldRows.set(rows),
    },
  };
}
