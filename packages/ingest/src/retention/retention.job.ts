import type { Kysely } from 'kysely';
import { purgeRawReadings, type PurgeResult } from './raw-retention.ts';

export interface RetentionJobOptions {
  /** Days of raw rows to keep; 0 keeps them forever (the job does nothing). */
  rawRetentionDays: number;
  /** Time between runs; the first run starts after `firstRunDelayMs`. */
  intervalMs?: number;
  firstRunDelayMs?: number;
  batchSize?: number;
  onRun?: (result: PurgeResult, ms: number) => void;
  onError?: (err: unknown) => void;
}

export interface RetentionJob {
  /** One purge now (also what the timer calls); runs never overlap. */
  runOnce(now?: Date): Promise<PurgeResult>;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** Raw rows are kept this long unless configured otherwise (rollups are kept for good). */
export const DEFAULT_RAW_RETENTION_DAYS = 90;

/** Purges raw rows past the retention period on a timer; stop() waits for a run in progress. */
export function startRetentionJob(db: Kysely<any>, opts: RetentionJobOptions): RetentionJob {
  let running: Promise<PurgeResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runOnce = (now = new Date()): Promise<PurgeResult> => {
    if (running) return running;
    if (opts.rawRetentionDays <= 0) return Promise.resolve({ readings: 0, mbus: 0 });
    const started = Date.now();
    running = purgeRawReadings(db, { before: new Date(now.getTime() - opts.rawRetentionDays * DAY_MS), batchSize: opts.batchSize })
      .then((r) => {
        opts.onRun?.(r, Date.now() - started);
        return r;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (delay: number) => {
    if (stopped || opts.rawRetentionDays <= 0) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((err: unknown) => opts.onError?.(err))
        .finally(() => schedule(opts.intervalMs ?? 3_600_000));
    }, delay);
    timer.unref();
  };
  schedule(opts.firstRunDelayMs ?? 60_000);

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
