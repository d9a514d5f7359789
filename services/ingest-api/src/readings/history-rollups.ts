/**
 * History older than the raw retention, from the rollups (kept for good): per bucket the average,
 * minimum and maximum of each instantaneous quantity, and what each register used in the bucket.
 * raw and 1m read rollup_minute (with its energy), 15m adds rollup_quarter's energy, 1h reads rollup_hour, 1d groups
 * rollup_hour by local date and takes the registers from rollup_day.
 */
import { sql, type Kysely } from 'kysely';
import { MBUS_REGISTERS, QUANTITY_COLUMNS, QUARTER_COLUMNS, READING_REGISTERS, STAT_COLUMNS, type Database } from '@sem/db';
import { localDayStart, QUANTITY_NAMES } from '@sem/ingest';
import type { QuantityName } from '@sem/meter-protocol';
import type { Resolution } from './readings.schemas.ts';
import type { ReadingOut } from './reading-out.ts';

const quantityOf = (column: string): QuantityName => QUANTITY_NAMES.find((n) => QUANTITY_COLUMNS[n].column === column)!;

/** Rollup stat prefix -> the quantity it averages (powerImportW, voltageL1V, ...). */
export const STAT_QUANTITIES: readonly { col: string; name: QuantityName }[] = STAT_COLUMNS.map((s) => ({ col: s.col, name: quantityOf(s.source) }));

/** Rollup register column -> the name of what it used per bucket, and the divisor to that unit. */
export const USED_FIELDS: readonly { col: string; name: string; divisor: number }[] = [
  ...READING_REGISTERS.map((r) => ({ col: r.col, name: quantityOf(r.source), divisor: QUANTITY_COLUMNS[quantityOf(r.source)].scale })),
  ...MBUS_REGISTERS.map((m) => ({ col: m.col, name: m.col === 'gas_l' ? 'gasM3' : 'waterM3', divisor: m.scale })),
];

const round = (v: number) => Math.round(v * 1e6) / 1e6;

const STATS_SELECT = sql.raw(
  STAT_COLUMNS.map((s) => `SUM(${s.col}_sum) AS s_${s.col}, SUM(${s.col}_n) AS n_${s.col}, MIN(${s.col}_min) AS lo_${s.col}, MAX(${s.col}_max) AS hi_${s.col}`).join(', '),
);

type Row = Record<string, unknown>;

function statsOf(out: ReadingOut, r: Row): void {
  for (const { col, name } of STAT_QUANTITIES) {
    const n = Number(r[`n_${col}`] ?? 0);
    if (!n) continue;
    out[name] = round(Number(r[`s_${col}`]) / n);
    (out.min ??= {})[name] = round(Number(r[`lo_${col}`]));
    (out.max ??= {})[name] = round(Number(r[`hi_${col}`]));
  }
}

/** Non-zero consumption of the row's register columns (a rollup cannot tell "no register" from 0). */
function usedOf(out: ReadingOut, r: Row): void {
  for (const { col, name, divisor } of USED_FIELDS) {
    const v = r[col];
    if (v === undefined || v === null || Number(v) === 0) continue;
    (out.used ??= {})[name] = round(Number(v) / divisor);
  }
}

function bucket(map: Map<number, ReadingOut>, ms: number): ReadingOut {
  let out = map.get(ms);
  if (!out) map.set(ms, (out = { time: new Date(ms).toISOString(), source: 'rollup' }));
  return out;
}

async function statBuckets(db: Kysely<Database>, table: 'rollup_minute' | 'rollup_hour', deviceId: number, from: Date, to: Date, seconds: number, limit: number, into: Map<number, ReadingOut>): Promise<void> {
  const t = sql.raw(`FLOOR(UNIX_TIMESTAMP(bucket_start) / ${seconds}) * ${seconds}`);
  // An hour carries every register; a minute the energy (QUARTER_COLUMNS); 15-minute buckets take theirs from rollup_quarter.
  const used = table === 'rollup_hour' ? USED_FIELDS.map((u) => u.col) : seconds === 60 ? QUARTER_COLUMNS : [];
  const extra = used.length ? sql.raw(`, ${used.map((c) => `SUM(${c}) AS ${c}`).join(', ')}`) : sql``;
  const rows = await sql<Row>`
    SELECT ${t} AS t, ${STATS_SELECT}${extra} FROM ${sql.table(table)}
    WHERE device_id = ${deviceId} AND bucket_start >= ${from} AND bucket_start < ${to}
    GROUP BY t ORDER BY t LIMIT ${limit}`.execute(db);
  for (const r of rows.rows) {
    const out = bucket(into, Number(r.t) * 1000);
    statsOf(out, r);
    usedOf(out, r);
  }
}

async function quarterEnergy(db: Kysely<Database>, deviceId: number, from: Date, to: Date, limit: number, into: Map<number, ReadingOut>): Promise<void> {
  const rows = await sql<Row>`
    SELECT UNIX_TIMESTAMP(bucket_start) AS t, imp_wh, exp_wh FROM rollup_quarter
    WHERE device_id = ${deviceId} AND bucket_start >= ${from} AND bucket_start < ${to}
    ORDER BY bucket_start LIMIT ${limit}`.execute(db);
  for (const r of rows.rows) usedOf(bucket(into, Number(r.t) * 1000), r);
}

async function dayBuckets(db: Kysely<Database>, device: { id: number; timeZone: string }, from: Date, to: Date, into: Map<number, ReadingOut>): Promise<void> {
  const days = await sql<Row>`
    SELECT DATE_FORMAT(local_date, '%Y-%m-%d') AS d, ${sql.raw(USED_FIELDS.map((u) => u.col).join(', '))} FROM rollup_day
    WHERE device_id = ${device.id} AND day_start >= ${from} AND day_start < ${to}`.execute(db);
  // Hours of the local days that start in [from, to): up to a day before `from` and after `to`.
  const stats = await sql<Row>`
    SELECT DATE_FORMAT(local_date, '%Y-%m-%d') AS d, ${STATS_SELECT} FROM rollup_hour
    WHERE device_id = ${device.id} AND bucket_start >= ${new Date(from.getTime() - 86_400_000)} AND bucket_start < ${new Date(to.getTime() + 86_400_000)}
    GROUP BY local_date`.execute(db);
  const start = (d: unknown) => localDayStart(String(d), device.timeZone);
  const inRange = (ms: number) => ms >= from.getTime() && ms < to.getTime();
  for (const r of stats.rows) if (inRange(start(r.d))) statsOf(bucket(into, start(r.d)), r);
  for (const r of days.rows) if (inRange(start(r.d))) usedOf(bucket(into, start(r.d)), r);
}

/** Rollup buckets of [from, to) at the resolution (raw answers in minutes), oldest first, at most `limit`. */
export async function rollupReadings(
  db: Kysely<Database>,
  device: { id: number; timeZone: string },
  from: Date,
  to: Date,
  resolution: Resolution,
  limit: number,
): Promise<ReadingOut[]> {
  const into = new Map<number, ReadingOut>();
  if (resolution === 'raw' || resolution === '1m') await statBuckets(db, 'rollup_minute', device.id, from, to, 60, limit, into);
  else if (resolution === '15m') {
    await statBuckets(db, 'rollup_minute', device.id, from, to, 900, limit, into);
    await quarterEnergy(db, device.id, from, to, limit, into);
  } else if (resolution === '1h') await statBuckets(db, 'rollup_hour', device.id, from, to, 3600, limit, into);
  else await dayBuckets(db, device, from, to, into);
  return [...into.entries()].sort((a, b) => a[0] - b[0]).slice(0, limit).map(([, v]) => v);
}
