import { type Kysely, sql } from 'kysely';
import { isoWeekMonday, localDate, localDateHour, localDayStart, monthFirst, nextDate } from './local-time.ts';
import { insertionDelta, type BucketAmounts, type RegisterPoint } from './register-spread.ts';
import {
  MBUS_REGISTERS,
  QUARTER_COLUMNS,
  READING_REGISTERS,
  READING_REGISTER_SOURCES,
  REGISTER_COLUMNS,
  registerValue,
  type ReadingRegister,
} from './rollup-columns.ts';
import { upsertRows, type Merge } from './rollup-upsert.ts';
import type { InsertedMbusReading, InsertedReading } from './rollup.types.ts';

type Row = Record<string, unknown> & { meter_time: Date };

const SOURCES = sql.raw(['meter_time', ...READING_REGISTER_SOURCES].join(', '));
const ANY_REGISTER = sql.raw(`(${READING_REGISTER_SOURCES.map((c) => `${c} IS NOT NULL`).join(' OR ')})`);

function carries(reg: ReadingRegister) {
  const alt = reg.sumOf ? ` OR (${reg.sumOf.map((c) => `${c} IS NOT NULL`).join(' AND ')})` : '';
  return sql.raw(`(${reg.source} IS NOT NULL${alt})`);
}

async function neighbour(db: Kysely<any>, deviceId: number, t: Date, side: 'prev' | 'next', where: ReturnType<typeof sql.raw>): Promise<Row | undefined> {
  const q =
    side === 'prev'
      ? sql<Row>`SELECT ${SOURCES} FROM reading WHERE device_id = ${deviceId} AND meter_time < ${t} AND ${where} ORDER BY meter_time DESC LIMIT 1`
      : sql<Row>`SELECT ${SOURCES} FROM reading WHERE device_id = ${deviceId} AND meter_time > ${t} AND ${where} ORDER BY meter_time ASC LIMIT 1`;
  return (await q.execute(db)).rows[0];
}

/** The neighbour that carries this register: the nearest row with any register usually does. */
async function neighbourPoint(db: Kysely<any>, deviceId: number, t: Date, side: 'prev' | 'next', any: Row | undefined, reg: ReadingRegister): Promise<RegisterPoint | undefined> {
  if (!any) return undefined;
  let row: Row | undefined = any;
  let v = registerValue(reg, row);
  if (v === null) {
    row = await neighbour(db, deviceId, t, side, carries(reg));
    v = row ? registerValue(reg, row) : null;
  }
  return row && v !== null ? { t: row.meter_time.getTime(), v, isNew: false } : undefined;
}

/** Consumption changes per register for one device's inserted `reading` rows. */
async function readingDeltas(db: Kysely<any>, deviceId: number, batch: readonly InsertedReading[], out: Map<string, BucketAmounts>): Promise<void> {
  const sorted = [...batch].sort((a, b) => a.meter_time.getTime() - b.meter_time.getTime());
  const first = sorted[0]!.meter_time;
  const last = sorted[sorted.length - 1]!.meter_time;
  const prev = await neighbour(db, deviceId, first, 'prev', ANY_REGISTER);
  const next = await neighbour(db, deviceId, last, 'next', ANY_REGISTER);
  // Rows stored earlier between the batch's first and last time take part in the new steps too.
  const middle: readonly Row[] =
    sorted.length > 1
      ? (await sql<Row>`SELECT ${SOURCES} FROM reading WHERE device_id = ${deviceId} AND meter_time BETWEEN ${first} AND ${last} AND ${ANY_REGISTER} ORDER BY meter_time`.execute(db)).rows
      : (sorted as readonly Row[]);
  const isNew = new Set(sorted.map((r) => r.meter_time.getTime()));
  for (const reg of READING_REGISTERS) {
    const points: RegisterPoint[] = [];
    const p = await neighbourPoint(db, deviceId, first, 'prev', prev, reg);
    if (p) points.push(p);
    for (const row of middle) {
      const v = registerValue(reg, row);
      const t = row.meter_time.getTime();
      if (v !== null) points.push({ t, v, isNew: isNew.has(t) });
    }
    const n = await neighbourPoint(db, deviceId, last, 'next', next, reg);
    if (n) points.push(n);
    if (!points.some((x) => x.isNew)) continue;
    let amounts = out.get(reg.col);
    if (!amounts) out.set(reg.col, (amounts = new Map()));
    insertionDelta(points, amounts);
  }
}

type MbusRow = { captured_at: Date; value: string | number };

/** Consumption changes for one device's inserted rows of one M-Bus channel. */
async function mbusDeltas(db: Kysely<any>, deviceId: number, channel: number, col: string, scale: number, batch: readonly InsertedMbusReading[], out: Map<string, BucketAmounts>): Promise<void> {
  const sorted = [...batch].sort((a, b) => a.captured_at.getTime() - b.captured_at.getTime());
  const first = sorted[0]!.captured_at;
  const last = sorted[sorted.length - 1]!.captured_at;
  const base = sql`FROM mbus_reading WHERE device_id = ${deviceId} AND channel = ${channel}`;
  const prev = (await sql<MbusRow>`SELECT captured_at, value ${base} AND captured_at < ${first} ORDER BY captured_at DESC LIMIT 1`.execute(db)).rows;
  const next = (await sql<MbusRow>`SELECT captured_at, value ${base} AND captured_at > ${last} ORDER BY captured_at ASC LIMIT 1`.execute(db)).rows;
  const middle: readonly MbusRow[] =
    sorted.length > 1
      ? (await sql<MbusRow>`SELECT captured_at, value ${base} AND captured_at BETWEEN ${first} AND ${last} ORDER BY captured_at`.execute(db)).rows
      : sorted;
  const isNew = new Set(sorted.map((r) => r.captured_at.getTime()));
  const points: RegisterPoint[] = [...prev, ...middle, ...next].map((r) => {
    const t = r.captured_at.getTime();
    return { t, v: Math.round(Number(r.value) * scale), isNew: isNew.has(t) };
  });
  let amounts = out.get(col);
  if (!amounts) out.set(col, (amounts = new Map()));
  insertionDelta(points, amounts);
}

const ADD: Record<string, Merge> = Object.fromEntries(REGISTER_COLUMNS.map((c) => [c, 'add']));

/** Writes one device's consumption changes to the quarter, hour and local-day rollups. */
async function writeDeltas(db: Kysely<any>, deviceId: number, zone: string, deltas: ReadonlyMap<string, BucketAmounts>): Promise<void> {
  const quarters = new Map<number, Record<string, number>>();
  const hours = new Map<number, Record<string, number>>();
  const days = new Map<string, Record<string, number>>();
  const importChanged = new Set<string>();
  const bump = <K>(m: Map<K, Record<string, number>>, k: K, col: string, v: number) => {
    let r = m.get(k);
    if (!r) m.set(k, (r = {}));
    r[col] = (r[col] ?? 0) + v;
  };
  for (const [col, amounts] of deltas) {
    for (const [q, v] of amounts) {
      if (QUARTER_COLUMNS.includes(col)) bump(quarters, q, col, v);
      bump(hours, Math.floor(q / 3_600_000) * 3_600_000, col, v);
      bump(days, localDate(q, zone), col, v);
      if (col === 'imp_wh') importChanged.add(localDate(q, zone));
    }
  }
  await upsertRows(
    db,
    'rollup_quarter',
    ['device_id', 'bucket_start', 'local_date', ...QUARTER_COLUMNS],
    ADD,
    [...quarters].map(([q, r]) => [deviceId, new Date(q), localDate(q, zone), ...QUARTER_COLUMNS.map((c) => r[c] ?? 0)]),
  );
  await upsertRows(
    db,
    'rollup_hour',
    ['device_id', 'bucket_start', 'local_date', 'local_hour', ...REGISTER_COLUMNS],
    ADD,
    [...hours].map(([h, r]) => {
      const local = localDateHour(h, zone);
      return [deviceId, new Date(h), local.date, local.hour, ...REGISTER_COLUMNS.map((c) => r[c] ?? 0)];
    }),
  );
  await upsertRows(
    db,
    'rollup_day',
    ['device_id', 'local_date', 'day_start', 'day_end', 'week_start', 'month_start', ...REGISTER_COLUMNS],
    ADD,
    [...days].map(([d, r]) => [
      deviceId,
      d,
      new Date(localDayStart(d, zone)),
      new Date(localDayStart(nextDate(d), zone)),
      new Date(localDayStart(isoWeekMonday(d), zone)),
      new Date(localDayStart(monthFirst(d), zone)),
      ...REGISTER_COLUMNS.map((c) => r[c] ?? 0),
    ]),
  );
  // A late row can move import between quarters of one day without changing the day's total.
  await refreshDayPeaks(db, deviceId, [...importChanged]);
}

/** Re-reads the day's highest quarter-hour and hour of import after their import changed (they can also go down). */
async function refreshDayPeaks(db: Kysely<any>, deviceId: number, dates: readonly string[]): Promise<void> {
  if (dates.length === 0) return;
  const q = sql`FROM rollup_quarter q WHERE q.device_id = d.device_id AND q.local_date = d.local_date`;
  const h = sql`FROM rollup_hour h WHERE h.device_id = d.device_id AND h.local_date = d.local_date`;
  await sql`
    UPDATE rollup_day d SET
      peak_quarter_wh = COALESCE((SELECT MAX(q.imp_wh) ${q}), 0),
      peak_quarter_start = (SELECT q.bucket_start ${q} ORDER BY q.imp_wh DESC, q.bucket_start LIMIT 1),
      peak_hour_wh = COALESCE((SELECT MAX(h.imp_wh) ${h}), 0),
      peak_hour_start = (SELECT h.bucket_start ${h} ORDER BY h.imp_wh DESC, h.bucket_start LIMIT 1)
    WHERE d.device_id = ${deviceId} AND d.local_date IN (${sql.join(dates)})`.execute(db);
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** Consumption rollups for rows just inserted (they are already visible in the transaction). */
export async function applyRegisterRollups(
  db: Kysely<any>,
  zones: ReadonlyMap<number, string>,
  readings: readonly InsertedReading[],
  mbus: readonly InsertedMbusReading[],
): Promise<void> {
  const perDevice = new Map<number, Map<string, BucketAmounts>>();
  const deltasOf = (id: number) => {
    let d = perDevice.get(id);
    if (!d) perDevice.set(id, (d = new Map()));
    return d;
  };
  for (const batch of groupBy(readings, (r) => String(r.device_id)).values()) {
    await readingDeltas(db, batch[0]!.device_id, batch, deltasOf(batch[0]!.device_id));
  }
  for (const batch of groupBy(mbus, (r) => `${r.device_id}|${r.channel}`).values()) {
    const reg = MBUS_REGISTERS.find((m) => m.deviceType === batch[0]!.device_type);
    if (!reg) continue;
    await mbusDeltas(db, batch[0]!.device_id, batch[0]!.channel, reg.col, reg.scale, batch, deltasOf(batch[0]!.device_id));
  }
  for (const [deviceId, deltas] of perDevice) await writeDeltas(db, deviceId, zones.get(deviceId)!, deltas);
}
