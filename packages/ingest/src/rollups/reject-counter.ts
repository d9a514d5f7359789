import type { Kysely } from 'kysely';
import { upsertRows } from './rollup-upsert.ts';
import type { IngestLog } from '../ingest-log.ts';

export interface Reject {
  at: Date;
  /** The device when it was identified, else null. */
  deviceId: number | null;
  /** The error code of the response or the parser (closed set, e.g. 'checksum', 'unauthorized'). */
  reason: string;
  /** How many (default 1). */
  count?: number;
}

/** Counts rejects per hour and reason in rollup_reject_hour (Grafana has no Prometheus here). */
export async function recordRejects(db: Kysely<any>, rejects: readonly Reject[]): Promise<void> {
  const counts = new Map<string, [Date, number, string, number]>();
  for (const r of rejects) {
    const hour = new Date(Math.floor(r.at.getTime() / 3_600_000) * 3_600_000);
    const reason = r.reason.slice(0, 64);
    const key = `${hour.getTime()}|${r.deviceId ?? 0}|${reason}`;
    const row = counts.get(key);
    if (row) row[3] += r.count ?? 1;
    else counts.set(key, [hour, r.deviceId ?? 0, reason, r.count ?? 1]);
  }
  await upsertRows(db, 'rollup_reject_hour', ['bucket_start', 'device_id', 'reason', 'rejects'], { rejects: 'add' }, [...counts.values()]);
}

/**
 * Rejects counted in memory and written to rollup_reject_hour once per interval and on close: counting is
 * cheap and synchronous, so a flood of rejects never waits on the database; memory stays bounded (one
 * entry per hour, device and reason).
 */
export class RejectCounter {
  readonly #db: Kysely<any>;
  readonly #log: IngestLog | undefined;
  #pending = new Map<string, Reject>();
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Kysely<any>, opts: { flushIntervalMs?: number; log?: IngestLog } = {}) {
    this.#db = db;
    this.#log = opts.log;
    this.#timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 60_000);
    this.#timer.unref();
  }

  /** Counts one reject (the device when it was identified). */
  count(reason: string, deviceId: number | null = null): void {
    const at = new Date();
    const key = `${Math.floor(at.getTime() / 3_600_000)}|${deviceId ?? 0}|${reason}`;
    const r = this.#pending.get(key);
    if (r) r.count = (r.count ?? 1) + 1;
    else this.#pending.set(key, { at, deviceId, reason, count: 1 });
  }

  /** Writes the counts gathered so far; a failure is logged and those counts are dropped. */
  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    try {
      await recordRejects(this.#db, batch);
    } catch (err) {
      this.#log?.warn({ err, rows: batch.length }, 'reject counts not stored');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
