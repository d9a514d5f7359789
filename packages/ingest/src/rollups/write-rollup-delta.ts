import { CompiledQuery, type Kysely, sql } from 'kysely';
import { QUARTER_COLUMNS } from '@sem/db';
import { chunks } from '../write/chunks.ts';
import { sqlLiteral } from '../write/sql-literal.ts';
import {
  bucketStats,
  DATE_COLUMNS,
  DAY_TABLE_COLS,
  DAY_TABLE_MERGE,
  HOUR_TABLE_COLS,
  HOUR_TABLE_MERGE,
  hourStats,
  MINUTE_COLS,
  MINUTE_MERGE,
  QUARTER_MS,
  QUARTER_TABLE_COLS,
  QUARTER_TABLE_MERGE,
  type RollupDelta,
} from './rollup-delta.ts';
import { NO_STATS } from './stats-rollup.ts';
import { upsertRows } from './rollup-upsert.ts';

interface DayPeak {
  quarterWh: number;
  quarterStart: Date | null;
  hourWh: number;
  hourStart: Date | null;
}

/** A quarter or hour row as stored after the upsert. */
type BucketValue = { device_id: number; bucket_start: Date; local_date: Date | string; imp_wh: number | string };

const RETURNED = ['device_id', 'bucket_start', 'local_date', 'imp_wh'];

/** A day's peak columns take a candidate when it is higher (or as high and earlier). */
const PEAK_MERGE = ['quarter', 'hour']
  .map((k) => {
    const better = `(VALUES(peak_${k}_wh) > peak_${k}_wh OR (VALUES(peak_${k}_wh) = peak_${k}_wh AND VALUES(peak_${k}_start) < peak_${k}_start))`;
    // Start first: MariaDB applies the assignments left to right.
    return `peak_${k}_start = IF(${better}, VALUES(peak_${k}_start), peak_${k}_start), peak_${k}_wh = GREATEST(peak_${k}_wh, VALUES(peak_${k}_wh))`;
  })
  .join(', ');

const dateText = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d));

/** The highest touched bucket of each day, as stored after the upsert. */
function peakCandidates(stored: readonly BucketValue[], touched: readonly string[], peaks: Map<string, DayPeak>, kind: 'quarter' | 'hour'): void {
  const which = new Set(touched);
  for (const x of stored) {
    if (!which.has(`${x.device_id}|${x.bucket_start.getTime()}`)) continue;
    const key = `${x.device_id}|${dateText(x.local_date)}`;
    let p = peaks.get(key);
    if (!p) peaks.set(key, (p = { quarterWh: 0, quarterStart: null, hourWh: 0, hourStart: null }));
    const wh = Number(x.imp_wh);
    const start = kind === 'quarter' ? p.quarterStart : p.hourStart;
    const best = kind === 'quarter' ? p.quarterWh : p.hourWh;
    if (start === null || wh > best || (wh === best && x.bucket_start < start)) {
      if (kind === 'quarter') Object.assign(p, { quarterWh: wh, quarterStart: x.bucket_start });
      else Object.assign(p, { hourWh: wh, hourStart: x.bucket_start });
    }
  }
}

/** Reads a day's highest quarter-hour and hour of import again (after a late row lowered a bucket). */
async function refreshDayPeaks(db: Kysely<any>, days: readonly string[]): Promise<void> {
  if (days.length === 0) return;
  const q = sql`FROM rollup_quarter q WHERE q.device_id = d.device_id AND q.local_date = d.local_date`;
  const h = sql`FROM rollup_hour h WHERE h.device_id = d.device_id AND h.local_date = d.local_date`;
  const which = days.map((k) => k.split('|')).map(([id, date]) => sql`(d.device_id = ${Number(id)} AND d.local_date = ${date})`);
  await sql`
    UPDATE rollup_day d SET
      peak_quarter_wh = COALESCE((SELECT MAX(q.imp_wh) ${q}), 0),
      peak_quarter_start = (SELECT q.bucket_start ${q} ORDER BY q.imp_wh DESC, q.bucket_start LIMIT 1),
      peak_hour_wh = COALESCE((SELECT MAX(h.imp_wh) ${h}), 0),
      peak_hour_start = (SELECT h.bucket_start ${h} ORDER BY h.imp_wh DESC, h.bucket_start LIMIT 1)
    WHERE ${sql.join(which, sql` OR `)}`.execute(db);
}

/** The rows with their epoch-ms columns as dates (DATETIME literals). */
function withDates(rows: readonly unknown[][], at: readonly number[]): unknown[][] {
  return rows.map((row) => {
    const out = [...row];
    for (const i of at) out[i] = new Date(out[i] as number);
    return out;
  });
}

const ENERGY_AT = QUARTER_COLUMNS.map((c) => MINUTE_COLS.indexOf(c));
const COUNTS_AT = MINUTE_COLS.flatMap((c, i) => (c.endsWith('_n') ? [i] : []));

/**
 * Removes minute rows left with nothing (no energy, no statistics): a late reading moved a minute's energy to a
 * neighbour. Only a delta row without statistics and without added energy can leave its row empty (a stored
 * amount is never negative), so live traffic in order never gets here; the rows kept do not depend on the order.
 */
async function dropEmptyMinutes(db: Kysely<any>, minutes: readonly unknown[][]): Promise<void> {
  const candidates = minutes.filter((m) => ENERGY_AT.every((i) => (m[i] as number) <= 0) && COUNTS_AT.every((i) => m[i] === 0));
  if (candidates.length === 0) return;
  const empty = [...QUARTER_COLUMNS.map((c) => `\`${c}\` = 0`), ...COUNTS_AT.map((i) => `\`${MINUTE_COLS[i]}\` = 0`)].join(' AND ');
  for (const part of chunks(candidates, 500)) {
    const keys = part.map((m) => `(${sqlLiteral(m[0])}, ${sqlLiteral(new Date(m[1] as number))})`).join(', ');
    await db.executeQuery(CompiledQuery.raw(`DELETE FROM rollup_minute WHERE (device_id, bucket_start) IN (${keys}) AND ${empty}`));
  }
}

/**
 * Adds a delta to the rollup tables: minute, quarter and hour rows, then the local days with their peaks
 * (import only grew in the touched buckets, else the day is in `lowered`: the new peak is the old one or
 * one of them).
 */
export async function writeRollupDelta(db: Kysely<any>, delta: RollupDelta): Promise<void> {
  const dated = (table: keyof typeof DATE_COLUMNS) => withDates(delta[table], DATE_COLUMNS[table]);
  await upsertRows(db, 'rollup_minute', MINUTE_COLS, MINUTE_MERGE, dated('minutes'));
  await dropEmptyMinutes(db, delta.minutes);
  // A quarter's, an hour's and a local day's statistics are those of their minutes (in this delta), merged;
  // every minute's quarter has a row in the delta, which gives the minute's local date.
  const quarterOf = (ms: number) => Math.floor(ms / QUARTER_MS) * QUARTER_MS;
  const quarterStats = bucketStats(delta.minutes, (_, ms) => quarterOf(ms));
  const quarterDates = new Map(delta.quarters.map((q) => [`${q[0]}|${q[1]}`, q[2] as string]));
  const dayStats = bucketStats(delta.minutes, (id, ms) => quarterDates.get(`${id}|${quarterOf(ms)}`));
  const quarterRows = dated('quarters').map((row) => [...row, ...(quarterStats.get(`${row[0]}|${(row[1] as Date).getTime()}`) ?? NO_STATS)]);
  const quarters = await upsertRows<BucketValue>(db, 'rollup_quarter', QUARTER_TABLE_COLS, QUARTER_TABLE_MERGE, quarterRows, RETURNED);
  const stats = hourStats(delta.minutes);
  const hourRows = dated('hours').map((row) => [...row, ...(stats.get(`${row[0]}|${(row[1] as Date).getTime()}`) ?? NO_STATS)]);
  const hours = await upsertRows<BucketValue>(db, 'rollup_hour', HOUR_TABLE_COLS, HOUR_TABLE_MERGE, hourRows, RETURNED);
  const peaks = new Map<string, DayPeak>();
  peakCandidates(quarters, delta.touchedQuarters, peaks, 'quarter');
  peakCandidates(hours, delta.touchedHours, peaks, 'hour');
  const none: DayPeak = { quarterWh: 0, quarterStart: null, hourWh: 0, hourStart: null };
  const days = dated('days').map((row) => {
    const p = peaks.get(`${row[0]}|${row[1]}`) ?? none;
    return [...row, ...(dayStats.get(`${row[0]}|${row[1]}`) ?? NO_STATS), p.quarterWh, p.quarterStart, p.hourWh, p.hourStart];
  });
  await upsertRows(db, 'rollup_day', [...DAY_TABLE_COLS, 'peak_quarter_wh', 'peak_quarter_start', 'peak_hour_wh', 'peak_hour_start'], DAY_TABLE_MERGE, days, undefined, PEAK_MERGE);
  await refreshDayPeaks(db, delta.lowered);
}
