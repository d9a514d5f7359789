import { sql, type Kysely } from 'kysely';
import { fromStored, QUANTITY_COLUMNS, type Database } from '@sem/db';
import type { QuantityName } from '@sem/meter-protocol';
import { localDayStartAt, QUANTITY_NAMES } from '@sem/ingest';
import { RESOLUTIONS, type Resolution } from './readings.schemas.ts';

/** Rows per answer at most; a longer range is cut and flagged `truncated`. */
export const MAX_ROWS = 10_000;

export type ReadingOut = { time: string; samples?: number } & Partial<Record<QuantityName, number>>;

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

async function rawReadings(db: Kysely<Database>, deviceId: number, from: Date, to: Date): Promise<ReadingOut[]> {
  const rows = await db
    .selectFrom('reading')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('meter_time', '>=', from)
    .where('meter_time', '<', to)
    .orderBy('meter_time')
    .limit(MAX_ROWS + 1)
    .execute();
  return rows.map((row) => {
    const out: ReadingOut = { time: row.meter_time.toISOString() };
    for (const name of QUANTITY_NAMES) {
      const v = row[QUANTITY_COLUMNS[name].column];
      if (v !== null && v !== undefined) out[name] = fromStored(name, Number(v));
    }
    return out;
  });
}

interface Bucket {
  start: number;
  samples: number;
  sums: Partial<Record<QuantityName, number>>;
  counts: Partial<Record<QuantityName, number>>;
  maxes: Partial<Record<QuantityName, number>>;
}

/** Per bucket: sample count; sum and count of gauges (for weighted averages); max of counters and states. */
async function bucketRows(db: Kysely<Database>, deviceId: number, from: Date, to: Date, seconds: number): Promise<Bucket[]> {
  const selects: unknown[] = [
    sql`FLOOR(UNIX_TIMESTAMP(meter_time) / ${seconds}) * ${seconds}`.as('bucket'),
    sql`COUNT(*)`.as('samples'),
  ];
  for (const name of QUANTITY_NAMES) {
    const spec = QUANTITY_COLUMNS[name];
    const col = sql.ref(spec.column);
    if (spec.kind === 'gauge') {
      selects.push(sql`SUM(${col})`.as(`s_${name}`));
      selects.push(sql`COUNT(${col})`.as(`c_${name}`));
    } else selects.push(sql`MAX(${col})`.as(`m_${name}`));
  }
  const result = await sql<Record<string, unknown>>`
    SELECT ${sql.join(selects)} FROM reading
    WHERE device_id = ${deviceId} AND meter_time >= ${from} AND meter_time < ${to}
    GROUP BY bucket ORDER BY bucket LIMIT ${MAX_ROWS * 96 + 1}`.execute(db);
  return result.rows.map((r) => {
    const b: Bucket = { start: Number(r.bucket) * 1000, samples: Number(r.samples), sums: {}, counts: {}, maxes: {} };
    for (const name of QUANTITY_NAMES) {
      if (r[`s_${name}`] !== null && r[`s_${name}`] !== undefined) {
        b.sums[name] = Number(r[`s_${name}`]);
        b.counts[name] = Number(r[`c_${name}`]);
      }
      if (r[`m_${name}`] !== null && r[`m_${name}`] !== undefined) b.maxes[name] = Number(r[`m_${name}`]);
    }
    return b;
  });
}

function merge(into: Bucket, b: Bucket): void {
  into.samples += b.samples;
  for (const [k, v] of Object.entries(b.sums) as [QuantityName, number][]) {
    into.sums[k] = (into.sums[k] ?? 0) + v;
    into.counts[k] = (into.counts[k] ?? 0) + (b.counts[k] ?? 0);
  }
  for (const [k, v] of Object.entries(b.maxes) as [QuantityName, number][]) into.maxes[k] = Math.max(into.maxes[k] ?? v, v);
}

function toOut(b: Bucket): ReadingOut {
  const out: ReadingOut = { time: new Date(b.start).toISOString(), samples: b.samples };
  for (const name of QUANTITY_NAMES) {
    const c = b.counts[name];
    if (c) out[name] = round(fromStored(name, b.sums[name]! / c));
    if (b.maxes[name] !== undefined) out[name] = fromStored(name, b.maxes[name]!);
  }
  return out;
}

/** The device's readings in [from, to): raw rows or buckets; 1d buckets follow the device's local day. */
export async function queryReadings(
  db: Kysely<Database>,
  device: { id: number; timeZone: string },
  from: Date,
  to: Date,
  resolution: Resolution,
): Promise<{ readings: ReadingOut[]; truncated: boolean }> {
  let out: ReadingOut[];
  if (resolution === 'raw') out = await rawReadings(db, device.id, from, to);
  else if (resolution === '1d') {
    // Quarter hours aggregate cleanly into local days for every zone with a whole-quarter offset.
    const days = new Map<number, Bucket>();
    for (const b of await bucketRows(db, device.id, from, to, 900)) {
      const start = localDayStartAt(b.start, device.timeZone);
      const day = days.get(start);
      if (day) merge(day, b);
      else days.set(start, { ...b, start, sums: { ...b.sums }, counts: { ...b.counts }, maxes: { ...b.maxes } });
    }
    out = [...days.values()].sort((a, b) => a.start - b.start).map(toOut);
  } else out = (await bucketRows(db, device.id, from, to, RESOLUTIONS[resolution])).map(toOut);
  return { readings: out.slice(0, MAX_ROWS), truncated: out.length > MAX_ROWS };
}
