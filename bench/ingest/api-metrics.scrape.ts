import { randomBytes } from 'node:crypto';

/** The API's SEM_ADMIN_TOKEN in the bench: /metrics answers only the ops port or the admin token. */
export const BENCH_ADMIN_TOKEN = randomBytes(24).toString('base64url');

/** The ingest API's own view of its write path, from GET /metrics (prom-client text), over the process life. */
export interface ApiMetrics {
  transactions: number;
  meanTransactionMs: number;
  meanBatchRows: number;
  shed: number;
  eventLoopLagP99Ms: number;
  /** V8 heap in use when scraped (after the load), MiB. */
  heapUsedMiB: number;
}

function value(text: string, name: string): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      found = true;
    }
  }
  return found ? sum : Number.NaN;
}

export async function scrapeApiMetrics(port: number): Promise<ApiMetrics | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` }, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    const count = value(text, 'sem_write_transaction_duration_seconds_count');
    return {
      transactions: count,
      meanTransactionMs: (value(text, 'sem_write_transaction_duration_seconds_sum') / count) * 1000,
      meanBatchRows: value(text, 'sem_write_batch_rows_sum') / value(text, 'sem_write_batch_rows_count'),
      shed: value(text, 'sem_write_queue_shed_total'),
      eventLoopLagP99Ms: value(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
      heapUsedMiB: value(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
    };
  } catch {
    return undefined;
  }
}
