import type { Kysely } from 'kysely';
import { upsertRows } from './rollup-upsert.ts';

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
