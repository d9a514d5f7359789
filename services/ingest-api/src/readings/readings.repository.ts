import { sql, type Kysely } from 'kysely';
import { fromStored, QUANTITY_COLUMNS, type Database, type QuantityColumn, type ReadingValueColumn } from '@sem/db';
import type { QuantityName } from '@sem/meter-protocol';
import { localDate, localDayStart, localDayStartAt, nextDate, QUANTITY_NAMES } from '@sem/ingest';
import { RESOLUTIONS, type Resolution } from './readings.schemas.ts';
import { rollupReadings } from './history-rollups.ts';
import type { ReadingOut } from './reading-out.ts';

/** Rows per page at most (the `limit` query parameter's ceiling); the rest follows through `next`. */
export const MAX_ROWS = 10_000;

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

async function rawReadings(db: Kysely<Database>, deviceId: number, from: Date, to: Date, limit: number): Promise<ReadingOut[]> {
  const rows = await db
    .selectFrom('reading')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('meter_time', '>=', from)
    .where('meter_time', '<', to)
    .orderBy('meter_time')
    .limit(limit)
    .execute();
  return rows.map((row) => {
    const out: ReadingOut = { time: row.meter_time.toISOString() };
    for (const name of QUANTITY_NAMES) {
      const spec: QuantityColumn = QUANTITY_COLUMNS[name];
      const v = row[spec.column as ReadingValueColumn];
      // the rest column carries the digits a meter sent beyond the base column's resolution
      const rest = spec.rest ? row[spec.rest.column as ReadingValueColumn] : null;
      if (v !== null && v !== undefined) out[name] = fromStored(name, Number(v), rest === null || rest === undefined ? null : Number(rest));
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
async function bucketRows(db: Kysely<Database>, deviceId: number, from: Date, to: Date, seconds: number, limit: number): Promise<Bucket[]> {
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
    GROUP BY bucket ORDER BY bucket LIMIT ${limit}`.execute(db);
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

/** Raw rows or buckets from `reading` in [from, to), at most `limit`; 1d buckets follow the device's local day. */
async function fromRaw(db: Kysely<Database>, device: { id: number; timeZone: string }, from: Date, to: Date, resolution: Resolution, limit: number): Promise<ReadingOut[]> {
  if (resolution === 'raw') return rawReadings(db, device.id, from, to, limit);
  if (resolution !== '1d') return (await bucketRows(db, device.id, from, to, RESOLUTIONS[resolution], limit)).map(toOut);
  // Quarter hours aggregate cleanly into local days for every zone with a whole-quarter offset (25 h days: 100 quarters).
  const days = new Map<number, Bucket>();
  for (const b of await bucketRows(db, device.id, from, to, 900, limit * 100)) {
    const start = localDayStartAt(b.start, device.timeZone);
    const day = days.get(start);
    if (day) merge(day, b);
    else days.set(start, { ...b, start, sums: { ...b.sums }, counts: { ...b.counts }, maxes: { ...b.maxes } });
  }
  return [...days.values()].sort((a, b) => a.start - b.start).slice(0, limit).map(toOut);
}

/** The first bucket start at or after `ms`: where raw rows take over from the rollups. */
function alignUp(ms: number, resolution: Resolution, zone: string): number {
  if (resolution === '1d') {
    const start = localDayStartAt(ms, zone);
    return start === ms ? ms : localDayStart(nextDate(localDate(ms, zone)), zone);
  }
  const step = (RESOLUTIONS[resolution] || 60) * 1000;
  return Math.ceil(ms / step) * step;
}

/** The start of the bucket holding `ms`. */
function alignDown(ms: number, resolution: Resolution, zone: string): number {
  if (resolution === '1d') return localDayStartAt(ms, zone);
  const step = (RESOLUTIONS[resolution] || 60) * 1000;
  return Math.floor(ms / step) * step;
}

/** Where the retention job cut the device's raw rows (ms), or null when it never did. */
export async function purgedBefore(db: Kysely<Database>, deviceId: number): Promise<number | null> {
  const r = await sql<{ purged_before: Date }>`SELECT purged_before FROM rollup_purge WHERE device_id = ${deviceId}`.execute(db);
  return r.rows[0] ? r.rows[0].purged_before.getTime() : null;
}

/** The time of the device's oldest raw reading (ms), or null when it has none. */
async function oldestRaw(db: Kysely<Database>, deviceId: number): Promise<number | null> {
  const r = await sql<{ t: Date }>`SELECT meter_time AS t FROM reading WHERE device_id = ${deviceId} ORDER BY meter_time LIMIT 1`.execute(db);
  return r.rows[0] ? r.rows[0].t.getTime() : null;
}

/** The span of the device's raw rows the retention job cut: (keptFrom, purgedBefore) in ms; null when it never cut. */
export async function cutSpan(db: Kysely<Database>, deviceId: number): Promise<{ keptFrom: number | null; purgedBefore: number } | null> {
  const r = await sql<{ purged_before: Date; kept_from: Date | null }>`SELECT purged_before, kept_from FROM rollup_purge WHERE device_id = ${deviceId}`.execute(db);
  const row = r.rows[0];
  return row ? { keptFrom: row.kept_from?.getTime() ?? null, purgedBefore: row.purged_before.getTime() } : null;
}

/**
 * One page of the device's readings in [from, to): before the raw retention's cut (or the bucket of the
 * device's oldest raw row) from the rollups
 * (raw asks for the finest kept, minutes), after it from the raw rows. `next` is where the next page
 * starts (use it as `from`), or null on the last page.
 */
export async function queryReadings(
  db: Kysely<Database>,
  device: { id: number; timeZone: string },
  from: Date,
  to: Date,
  resolution: Resolution,
  limit = MAX_ROWS,
): Promise<{ readings: ReadingOut[]; next: Date | null }> {
  // Before the cut, and before the device's oldest raw row (history filled from statistics), only the rollups hold data.
  // The bucket holding the oldest raw row comes from the raw rows.
  const cut = await purgedBefore(db, device.id);
  const oldest = await oldestRaw(db, device.id);
  const rawFrom = Math.max(cut === null ? -Infinity : alignUp(cut, resolution, device.timeZone), oldest === null ? -Infinity : alignDown(oldest, resolution, device.timeZone));
  const split = rawFrom === -Infinity ? from.getTime() : Math.min(Math.max(rawFrom, from.getTime()), to.getTime());
  // One more than asked tells whether there is a next page and where it starts.
  let out: ReadingOut[] = split > from.getTime() ? await rollupReadings(db, device, from, new Date(split), resolution, limit + 1) : [];
  if (out.length <= limit && split < to.getTime()) out = out.concat(await fromRaw(db, device, new Date(split), to, resolution, limit + 1 - out.length));
  const next = out.length > limit ? new Date(out[limit]!.time) : null;
  return { readings: out.slice(0, limit), next };
}
