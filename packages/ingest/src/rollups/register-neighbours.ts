import { type Kysely, sql, type RawBuilder } from 'kysely';
import { sqlLiteral } from '../write/sql-literal.ts';
import { chunks } from '../write/chunks.ts';
import { READING_REGISTER_SOURCES, registerValue, type ReadingRegister } from '@sem/db';

/** A `reading` row with the register columns only. */
export type RegisterRow = Record<string, unknown> & { device_id: number; meter_time: Date };

const COLS = sql.raw(['device_id', 'meter_time', ...READING_REGISTER_SOURCES].join(', '));
const ANY_REGISTER = sql.raw(`(${READING_REGISTER_SOURCES.map((c) => `${c} IS NOT NULL`).join(' OR ')})`);
// Devices per statement: keeps each UNION / OR list small.
const CHUNK = 200;

/** ` AND <col> <= upTo`, or nothing: a next neighbour of history is looked for up to the oldest kept row only. */
export function upToCondition(col: string, upTo: Date | undefined): RawBuilder<unknown> {
  return upTo ? sql` AND ${sql.ref(col)} <= ${upTo}` : sql``;
}

function carries(reg: ReadingRegister): RawBuilder<unknown> {
  const alt = reg.sumOf ? ` OR (${reg.sumOf.map((c) => `${c} IS NOT NULL`).join(' AND ')})` : '';
  return sql.raw(`(${reg.source} IS NOT NULL${alt})`);
}

/**
 * For each device, the nearest row with any register before (or after) its time: one statement per 200
 * devices, a UNION ALL of `… ORDER BY meter_time LIMIT 1` with literal bounds, each one primary-key range dive.
 * Not a VALUES list with a correlated subquery: MariaDB then uses `ref` on device_id alone and walks every
 * row of the device on the far side of t (EXPLAIN type ref, key_len 2; Handler_read_next = those rows).
 */
export async function nearestRows(db: Kysely<any>, at: readonly { deviceId: number; t: Date; upTo?: Date }[], side: 'prev' | 'next'): Promise<Map<number, RegisterRow>> {
  const out = new Map<number, RegisterRow>();
  for (const part of chunks(at, CHUNK)) {
    const selects = part.map(({ deviceId, t, upTo }) =>
      side === 'prev'
        ? sql`(SELECT ${COLS} FROM reading WHERE device_id = ${deviceId} AND meter_time < ${t} AND ${ANY_REGISTER} ORDER BY meter_time DESC LIMIT 1)`
        : sql`(SELECT ${COLS} FROM reading WHERE device_id = ${deviceId} AND meter_time > ${t}${upToCondition('meter_time', upTo)} AND ${ANY_REGISTER} ORDER BY meter_time ASC LIMIT 1)`,
    );
    const r = await sql<RegisterRow>`${sql.join(selects, sql` UNION ALL `)}`.execute(db);
    for (const row of r.rows) out.set(row.device_id, row);
  }
  return out;
}

/**
 * The newest stored meter time of each device: a correlated `ORDER BY … DESC LIMIT 1` is one primary-key
 * dive per device (Handler_read_key only). `MAX … IN (…) GROUP BY` fell back from a loose index scan to
 * reading every row of 200 devices on a large table (~1 s), and a correlated MAX reads every row too.
 */
export async function newestTimes(db: Kysely<any>, deviceIds: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const part of chunks(deviceIds, CHUNK)) {
    const r = await sql<{ device_id: number; newest: Date | null }>`
      SELECT d.id AS device_id, (SELECT r.meter_time FROM reading r WHERE r.device_id = d.id ORDER BY r.meter_time DESC LIMIT 1) AS newest
      FROM device d WHERE d.id IN (${sql.raw(part.map(sqlLiteral).join(', '))})`.execute(db);
    for (const row of r.rows) if (row.newest) out.set(row.device_id, row.newest.getTime());
  }
  return out;
}

/** Rows with any register inside each device's [from, to], sorted by time. */
export async function rowsBetween(db: Kysely<any>, spans: readonly { deviceId: number; from: Date; to: Date }[]): Promise<Map<number, RegisterRow[]>> {
  const out = new Map<number, RegisterRow[]>();
  for (const part of chunks(spans, CHUNK)) {
    const ranges = part.map(({ deviceId, from, to }) => sql`(device_id = ${deviceId} AND meter_time BETWEEN ${from} AND ${to})`);
    const r = await sql<RegisterRow>`SELECT ${COLS} FROM reading WHERE (${sql.join(ranges, sql` OR `)}) AND ${ANY_REGISTER} ORDER BY device_id, meter_time`.execute(db);
    for (const row of r.rows) {
      const list = out.get(row.device_id);
      if (list) list.push(row);
      else out.set(row.device_id, [row]);
    }
  }
  return out;
}

/**
 * The nearest point of one register next to `t`. The nearest row with any register usually
 * carries it; when it does not (a register the meter only started to send), look further.
 */
export async function neighbourValue(
  db: Kysely<any>,
  nearest: RegisterRow | undefined,
  reg: ReadingRegister,
  deviceId: number,
  t: Date,
  side: 'prev' | 'next',
  upTo?: Date,
): Promise<{ t: number; v: number } | undefined> {
  if (!nearest) return undefined;
  let row: RegisterRow | undefined = nearest;
  let v = registerValue(reg, row);
  if (v === null) {
    const q =
      side === 'prev'
        ? sql<RegisterRow>`SELECT ${COLS} FROM reading WHERE device_id = ${deviceId} AND meter_time < ${t} AND ${carries(reg)} ORDER BY meter_time DESC LIMIT 1`
        : sql<RegisterRow>`SELECT ${COLS} FROM reading WHERE device_id = ${deviceId} AND meter_time > ${t}${upToCondition('meter_time', upTo)} AND ${carries(reg)} ORDER BY meter_time ASC LIMIT 1`;
    row = (await q.execute(db)).rows[0];
    v = row ? registerValue(reg, row) : null;
  }
  return row && v !== null ? { t: row.meter_time.getTime(), v } : undefined;
}
