import type { Kysely } from 'kysely';
import { localDate, localDateHour, localDayBounds } from '../time/local-time.ts';
import { insertionDelta, MINUTE_MS, type BucketAmounts, type GapChange, type RegisterPoint, type SpreadRule } from './register-spread.ts';
import { capturesBetween, nearestCaptures } from './mbus-neighbours.ts';
import { nearestRows, neighbourValue, newestTimes, rowsBetween, type RegisterRow } from './register-neighbours.ts';
import { MBUS_REGISTERS, QUARTER_COLUMNS, READING_REGISTERS, READING_REGISTER_SOURCES, REGISTER_COLUMNS, registerValue } from '@sem/db';
import type { RollupDelta } from './rollup-delta.ts';
import type { InsertedMbusReading, InsertedReading } from './rollup.types.ts';

/** Device -> register column -> signed amounts per bucket: minutes for the minute rollup's energy (QUARTER_COLUMNS), else quarter-hours. */
type Deltas = Map<number, Map<string, BucketAmounts>>;

function amountsOf(deltas: Deltas, deviceId: number, col: string): BucketAmounts {
  let byCol = deltas.get(deviceId);
  if (!byCol) deltas.set(deviceId, (byCol = new Map()));
  let a = byCol.get(col);
  if (!a) byCol.set(col, (a = new Map()));
  return a;
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

const present = (v: unknown) => v !== null && v !== undefined;

/**
 * Per device, the time of its oldest kept reading (readings) and M-Bus capture (mbus) after a retention cut:
 * rows before it are history (rolled up), and their next neighbour is looked for up to it only, never in the
 * cut span beyond, whose energy the rollups already hold.
 */
export interface HistoryBounds {
  readings: ReadonlyMap<number, number>;
  mbus: ReadonlyMap<number, number>;
}

/** The rows before their device's bound, and the others. */
function splitHistory<T extends { device_id: number }>(rows: readonly T[], time: (r: T) => Date, bounds: ReadonlyMap<number, number>): [T[], T[]] {
  const history: T[] = [];
  const current: T[] = [];
  for (const r of rows) (time(r).getTime() < (bounds.get(r.device_id) ?? -Infinity) ? history : current).push(r);
  return [history, current];
}

/**
 * Consumption changes of the `reading` registers, for all devices of the batch with a few statements.
 * `merged` rows hold only the columns they filled in a stored row: a register is a new point where
 * the row carries it now and did not before those columns were filled.
 */
async function readingDeltas(
  db: Kysely<any>,
  inserted: readonly InsertedReading[],
  merged: readonly InsertedReading[],
  deltas: Deltas,
  newestBefore: ReadonlyMap<number, InsertedReading> | undefined,
  rule: (deviceId: number, col: string) => SpreadRule,
  upTo?: ReadonlyMap<number, number>,
): Promise<void> {
  const bound = (id: number) => (upTo?.has(id) ? new Date(upTo.get(id)!) : undefined);
  // A row without any register (HAN list 1, voltage only) is no point of any register series.
  const carrying = [...inserted, ...merged].filter((r) => READING_REGISTER_SOURCES.some((c) => present(r[c])));
  const byDevice = [...groupBy(carrying, (r) => String(r.device_id)).values()].map((rows) =>
    rows.sort((a, b) => a.meter_time.getTime() - b.meter_time.getTime()),
  );
  if (byDevice.length === 0) return;
  const mergedDevices = new Set(merged.map((r) => r.device_id));
  const first = (rows: InsertedReading[]) => rows[0]!.meter_time;
  const last = (rows: InsertedReading[]) => rows[rows.length - 1]!.meter_time;
  // In order (live traffic): all of a device's new rows come after everything it had stored. Its newest row
  // before is then the previous neighbour, there is no next one and nothing stored in between: no look-ups.
  const inOrder = new Set<number>();
  const known = new Map<number, RegisterRow>();
  const general: InsertedReading[][] = [];
  const prevWanted: InsertedReading[][] = [];
  for (const rows of byDevice) {
    const id = rows[0]!.device_id;
    const newest = newestBefore?.get(id);
    if (!newestBefore || mergedDevices.has(id) || (newest && newest.meter_time >= first(rows))) {
      general.push(rows);
      prevWanted.push(rows);
      continue;
    }
    inOrder.add(id);
    if (!newest) continue; // nothing stored yet: no previous neighbour
    if (READING_REGISTER_SOURCES.some((c) => present(newest[c]))) known.set(id, newest);
    // Its newest row has no register (HAN list 1): the previous register row is looked up.
    else prevWanted.push(rows);
  }
  const prev = await nearestRows(db, prevWanted.map((rows) => ({ deviceId: rows[0]!.device_id, t: first(rows) })), 'prev');
  for (const [id, row] of known) prev.set(id, row);
  // Rows usually arrive in order: look for a next row only where something newer is stored.
  const newest = await newestTimes(db, general.map((rows) => rows[0]!.device_id));
  const later = general.filter((rows) => (newest.get(rows[0]!.device_id) ?? -Infinity) > last(rows).getTime());
  const next = await nearestRows(db, later.map((rows) => ({ deviceId: rows[0]!.device_id, t: last(rows), upTo: bound(rows[0]!.device_id) })), 'next');
  // Rows stored earlier between a batch's first and last time take part in the new steps too; a merged row is read back whole.
  const readBack = (rows: InsertedReading[]) => !inOrder.has(rows[0]!.device_id) && (rows.length > 1 || mergedDevices.has(rows[0]!.device_id));
  const middle = await rowsBetween(
    db,
    byDevice.filter(readBack).map((rows) => ({ deviceId: rows[0]!.device_id, from: first(rows), to: last(rows) })),
  );
  for (const rows of byDevice) {
    const deviceId = rows[0]!.device_id;
    const inside: readonly RegisterRow[] = readBack(rows) ? (middle.get(deviceId) ?? []) : (rows as RegisterRow[]);
    // Each row as it was stored before this batch (null: a row this batch inserted whole, every point of it is new).
    const before = new Map<number, RegisterRow | null>();
    if (!inOrder.has(deviceId)) {
      // Columns this batch gave each meter time; the row without them is what was stored before.
      const added = new Map<number, Set<string>>();
      for (const r of rows) {
        const cols = added.get(r.meter_time.getTime()) ?? new Set<string>();
        for (const c of READING_REGISTER_SOURCES) if (present(r[c])) cols.add(c);
        added.set(r.meter_time.getTime(), cols);
      }
      for (const row of inside) {
        const cols = added.get(row.meter_time.getTime());
        before.set(row.meter_time.getTime(), cols ? { ...row, ...Object.fromEntries([...cols].map((c) => [c, null])) } : row);
      }
    }
    for (const reg of READING_REGISTERS) {
      const points: RegisterPoint[] = [];
      for (const row of inside) {
        const v = registerValue(reg, row);
        if (v === null) continue;
        const old = before.get(row.meter_time.getTime()) ?? null;
        points.push({ t: row.meter_time.getTime(), v, isNew: old === null || registerValue(reg, old) === null });
      }
      if (!points.some((p) => p.isNew)) continue;
      const p = await neighbourValue(db, prev.get(deviceId), reg, deviceId, first(rows), 'prev');
      if (p) points.unshift({ ...p, isNew: false });
      const n = await neighbourValue(db, next.get(deviceId), reg, deviceId, last(rows), 'next', bound(deviceId));
      if (n) points.push({ ...n, isNew: false });
      insertionDelta(points, amountsOf(deltas, deviceId, reg.col), rule(deviceId, reg.col));
    }
  }
}

/** Consumption changes of the M-Bus registers, for all device channels of the batch with a few statements. */
async function mbusDeltas(
  db: Kysely<any>,
  mbus: readonly InsertedMbusReading[],
  deltas: Deltas,
  rule: (deviceId: number, col: string) => SpreadRule,
  upTo?: ReadonlyMap<number, number>,
): Promise<void> {
  const channels = [...groupBy(mbus, (r) => `${r.device_id}|${r.channel}`).values()].flatMap((batch) => {
    const reg = MBUS_REGISTERS.find((m) => m.deviceType === batch[0]!.device_type);
    if (!reg) return [];
    const sorted = [...batch].sort((a, b) => a.captured_at.getTime() - b.captured_at.getTime());
    const { device_id: deviceId, channel } = sorted[0]!;
    const bound = upTo?.get(deviceId);
    const span = { deviceId, channel, from: sorted[0]!.captured_at, to: sorted[sorted.length - 1]!.captured_at, ...(bound === undefined ? {} : { upTo: new Date(bound) }) };
    return [{ reg, sorted, key: `${deviceId}|${channel}`, span }];
  });
  if (channels.length === 0) return;
  const prev = await nearestCaptures(db, channels.map((c) => c.span), 'prev');
  const next = await nearestCaptures(db, channels.map((c) => c.span), 'next');
  const middle = await capturesBetween(db, channels.filter((c) => c.sorted.length > 1).map((c) => c.span));
  for (const { reg, sorted, key, span } of channels) {
    const inside: readonly { captured_at: Date; value: string | number }[] = sorted.length > 1 ? (middle.get(key) ?? []) : sorted;
    const isNew = new Set(sorted.map((r) => r.captured_at.getTime()));
    const around = (p: { captured_at: Date; value: string | number } | undefined) => (p ? [p] : []);
    const points: RegisterPoint[] = [...around(prev.get(key)), ...inside, ...around(next.get(key))].map((r) => {
      const t = r.captured_at.getTime();
      return { t, v: Math.round(Number(r.value) * reg.scale), isNew: isNew.has(t) };
    });
    insertionDelta(points, amountsOf(deltas, span.deviceId, reg.col), rule(span.deviceId, reg.col));
  }
}

const HOUR = 3_600_000;
const QUARTER = 900_000;

/** Every device's changes as minute energy, quarter, hour and local-day rollup rows (the day peaks are found when they are written). */
function deltaRows(zones: ReadonlyMap<number, string>, deltas: Deltas, minutes: readonly unknown[][]): Omit<RollupDelta, 'minutes'> & { minuteEnergy: unknown[][] } {
  const quarters: unknown[][] = [];
  const minuteEnergy: unknown[][] = [];
  // Every hour with statistics has a row (its statistics are merged from its minutes when written).
  const hourRows = new Map<string, { deviceId: number; at: number; registers: unknown[] }>();
  for (const m of minutes) {
    const deviceId = m[0] as number;
    const at = Math.floor((m[1] as number) / HOUR) * HOUR;
    const key = `${deviceId}|${at}`;
    if (!hourRows.has(key)) hourRows.set(key, { deviceId, at, registers: REGISTER_COLUMNS.map(() => 0) });
  }
  const days: unknown[][] = [];
  const touchedQuarters: string[] = [];
  const touchedHours: string[] = [];
  const lowered = new Set<string>();
  for (const [deviceId, byCol] of deltas) {
    const zone = zones.get(deviceId)!;
    const m = new Map<number, Record<string, number>>();
    const q = new Map<number, Record<string, number>>();
    const h = new Map<number, Record<string, number>>();
    const d = new Map<string, Record<string, number>>();
    const bump = <K>(m: Map<K, Record<string, number>>, k: K, col: string, v: number) => {
      let r = m.get(k);
      if (!r) m.set(k, (r = {}));
      r[col] = (r[col] ?? 0) + v;
    };
    for (const [col, amounts] of byCol) {
      for (const [at, v] of amounts) {
        const date = localDate(at, zone);
        // These columns come in minutes (a quarter's minutes add up to its amount), the others in quarters.
        if (QUARTER_COLUMNS.includes(col)) {
          bump(m, at, col, v);
          bump(q, Math.floor(at / QUARTER) * QUARTER, col, v);
        }
        bump(h, Math.floor(at / HOUR) * HOUR, col, v);
        bump(d, date, col, v);
        // A late row can move import between quarters: the day's peaks must then be read again.
        if (col === 'imp_wh' && v < 0) lowered.add(`${deviceId}|${date}`);
      }
    }
    for (const [at, r] of m) minuteEnergy.push([deviceId, at, ...QUARTER_COLUMNS.map((c) => r[c] ?? 0)]);
    for (const [at, r] of q) {
      quarters.push([deviceId, at, localDate(at, zone), ...QUARTER_COLUMNS.map((c) => r[c] ?? 0)]);
      if (r['imp_wh']) touchedQuarters.push(`${deviceId}|${at}`);
    }
    for (const [at, r] of h) {
      const key = `${deviceId}|${at}`;
      hourRows.set(key, { deviceId, at, registers: REGISTER_COLUMNS.map((c) => r[c] ?? 0) });
      if (r['imp_wh']) touchedHours.push(key);
    }
    for (const [date, r] of d) {
      days.push([
        deviceId,
        date,
        ...localDayBounds(date, zone),
        ...REGISTER_COLUMNS.map((c) => r[c] ?? 0),
      ]);
    }
  }
  // Every quarter-hour and local day with statistics has a row too (statistics merged from the minutes when written).
  const quarterKeys = new Set(quarters.map((r) => `${r[0]}|${r[1]}`));
  const dayKeys = new Set(days.map((r) => `${r[0]}|${r[1]}`));
  for (const m of minutes) {
    const deviceId = m[0] as number;
    const zone = zones.get(deviceId)!;
    const at = Math.floor((m[1] as number) / QUARTER) * QUARTER;
    if (quarterKeys.has(`${deviceId}|${at}`)) continue;
    quarterKeys.add(`${deviceId}|${at}`);
    const date = localDate(at, zone);
    quarters.push([deviceId, at, date, ...QUARTER_COLUMNS.map(() => 0)]);
    if (dayKeys.has(`${deviceId}|${date}`)) continue;
    dayKeys.add(`${deviceId}|${date}`);
    days.push([deviceId, date, ...localDayBounds(date, zone), ...REGISTER_COLUMNS.map(() => 0)]);
  }
  const hours = [...hourRows.values()].map((r) => {
    const local = localDateHour(r.at, zones.get(r.deviceId)!);
    return [r.deviceId, r.at, local.date, local.hour, ...r.registers];
  });
  return { minuteEnergy, quarters, hours, days, touchedQuarters, touchedHours, lowered: [...lowered] };
}

/** Gap steps that appeared (+) or disappeared (−, a late reading split them), per device. */
export type DeviceGaps = Map<number, GapChange[]>;

/**
 * Consumption rollup rows for rows just inserted or filled in (already visible in the transaction); an hour row for each hour of `minutes`.
 * Steps longer than `gapHorizonMs` are booked at their end and reported in `gaps`.
 */
export async function registerRollupRows(
  db: Kysely<any>,
  zones: ReadonlyMap<number, string>,
  readings: readonly InsertedReading[],
  merged: readonly InsertedReading[],
  mbus: readonly InsertedMbusReading[],
  minutes: readonly unknown[][],
  newestBefore: ReadonlyMap<number, InsertedReading> | undefined,
  gapHorizonMs: number,
  history: HistoryBounds = { readings: new Map(), mbus: new Map() },
): Promise<{ rows: Omit<RollupDelta, 'minutes'> & { minuteEnergy: unknown[][] }; gaps: DeviceGaps }> {
  const deltas: Deltas = new Map();
  const gaps: DeviceGaps = new Map();
  const rule = (deviceId: number, col: string): SpreadRule => {
    let list = gaps.get(deviceId);
    if (!list) gaps.set(deviceId, (list = []));
    return { horizonMs: gapHorizonMs, gaps: list, ...(QUARTER_COLUMNS.includes(col) ? { bucketMs: MINUTE_MS } : {}) };
  };
  // History (older than a retention cut) and the rows after the cut are far apart: each takes its own neighbours.
  const [oldReadings, newReadings] = splitHistory(readings, (r) => r.meter_time, history.readings);
  const [oldMerged, newMerged] = splitHistory(merged, (r) => r.meter_time, history.readings);
  const [oldMbus, newMbus] = splitHistory(mbus, (r) => r.captured_at, history.mbus);
  await readingDeltas(db, newReadings, newMerged, deltas, newestBefore, rule);
  if (oldReadings.length + oldMerged.length) await readingDeltas(db, oldReadings, oldMerged, deltas, newestBefore, rule, history.readings);
  await mbusDeltas(db, newMbus, deltas, rule);
  if (oldMbus.length) await mbusDeltas(db, oldMbus, deltas, rule, history.mbus);
  return { rows: deltaRows(zones, deltas, minutes), gaps };
}
