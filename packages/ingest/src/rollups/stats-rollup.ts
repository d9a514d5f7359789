import { STAT_COLUMNS } from '@sem/db';
import type { Merge } from './rollup-upsert.ts';
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
    // Rows with registers only (HAN list 3) leave the statistics alone.
    if (!STAT_COLUMNS.some((s) => r[s.source] !== null && r[s.source] !== undefined)) continue;
    const bucket = Math.floor(r.meter_time.getTime() / bucketMs) * bucketMs;
    const key = `${r.device_id}|${bucket}`;
    let a = out.get(key);
    if (!a) {
      const k = STAT_COLUMNS.length;
      a = { deviceId: r.device_id, bucket, sum: Array(k).fill(0), n: Array(k).fill(0), min: Array(k).fill(null), max: Array(k).fill(null) };
      out.set(key, a);
    }
    STAT_COLUMNS.forEach((s, i) => {
      const raw = r[s.source];
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

export const STAT_COLS = STAT_COLUMNS.flatMap((s) => [`${s.col}_sum`, `${s.col}_n`, `${s.col}_min`, `${s.col}_max`]);
export const STAT_MERGE: Record<string, Merge> = Object.fromEntries(
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

/** The readings' per-minute rollup rows (columns as MINUTE_COLS); an hour's statistics are merged from its minutes when written. */
export function statRollups(readings: readonly InsertedReading[]): unknown[][] {
  return [...aggregate(readings, 60_000).values()].map((a) => [a.deviceId, a.bucket, ...statValues(a)]);
}

/** Values of the statistics columns for an hour without readings of its own (merged as no-ops). */
export const NO_STATS: readonly unknown[] = STAT_COLUMNS.flatMap(() => [0, 0, null, null]);
