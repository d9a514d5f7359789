import type { Kysely } from 'kysely';
import { localDateHour } from './local-time.ts';
import { STAT_COLUMNS } from './rollup-columns.ts';
import { upsertRows, type Merge } from './rollup-upsert.ts';
import type { InsertedReading } from './rollup.types.ts';

interface Agg {
  deviceId: number;
  bucket: number;
  sum: number[];
  n: number[];
  min: (number | null)[];
  max: (number | null)[];
}

function aggregate(readings: readonly InsertedReading[], bucketMs: number): Map<string, Agg> {
  const out = new Map<string, Agg>();
  for (const r of readings) {
    const bucket = Math.floor(r.meter_time.getTime() / bucketMs) * bucketMs;
    const key = `${r.device_id}|${bucket}`;
    let a = out.get(key);
    if (!a) {
      const k = STAT_COLUMNS.length;
      a = { deviceId: r.device_id, bucket, sum: Array(k).fill(0), n: Array(k).fill(0), min: Array(k).fill(null), max: Array(k).fill(null) };
      out.set(key, a);
    }
    STAT_COLUMNS.forEach((s, i) => {
      const raw = (r as Record<string, unknown>)[s.source];
      if (raw === null || raw === undefined) return;
      const v = Number(raw) / s.scale;
      a.sum[i]! += v;
      a.n[i]! += 1;
      a.min[i] = a.min[i] === null ? v : Math.min(a.min[i]!, v);
      a.max[i] = a.max[i] === null ? v : Math.max(a.max[i]!, v);
    });
  }
  return out;
}

const STAT_COLS = STAT_COLUMNS.flatMap((s) => [`${s.col}_sum`, `${s.col}_n`, `${s.col}_min`, `${s.col}_max`]);
const STAT_MERGE: Record<string, Merge> = Object.fromEntries(
  STAT_COLUMNS.flatMap((s) => [
    [`${s.col}_sum`, 'add'],
    [`${s.col}_n`, 'add'],
    [`${s.col}_min`, 'min'],
    [`${s.col}_max`, 'max'],
  ]),
);

function statValues(a: Agg): unknown[] {
  return STAT_COLUMNS.flatMap((_, i) => [a.sum[i], a.n[i], a.min[i], a.max[i]]);
}

/** Adds the readings to the per-minute and per-hour average/minimum/maximum rows. */
export async function applyStatRollups(db: Kysely<any>, zones: ReadonlyMap<number, string>, readings: readonly InsertedReading[]): Promise<void> {
  const minutes = [...aggregate(readings, 60_000).values()];
  await upsertRows(
    db,
    'rollup_minute',
    ['device_id', 'bucket_start', ...STAT_COLS],
    STAT_MERGE,
    minutes.map((a) => [a.deviceId, new Date(a.bucket), ...statValues(a)]),
  );
  const hours = [...aggregate(readings, 3_600_000).values()];
  await upsertRows(
    db,
    'rollup_hour',
    ['device_id', 'bucket_start', 'local_date', 'local_hour', ...STAT_COLS],
    STAT_MERGE,
    hours.map((a) => {
      const local = localDateHour(a.bucket, zones.get(a.deviceId)!);
      return [a.deviceId, new Date(a.bucket), local.date, local.hour, ...statValues(a)];
    }),
  );
}
