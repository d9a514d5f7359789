import { QUARTER_COLUMNS, REGISTER_COLUMNS } from '@sem/db';
import { addAtResolution, sumScale, type Merge } from './rollup-upsert.ts';
import { NO_STATS, STAT_COLS, STAT_MERGE } from './stats-rollup.ts';

/**
 * What a batch adds to the rollup tables: rows in the column order below (times as epoch ms, see
 * DATE_COLUMNS), merged into stored rows by
 * each column's rule. Deltas of several batches merge into one (adding, minimum and maximum commute),
 * which lets the deferred rollups write a device's bucket once for many batches.
 */
export interface RollupDelta {
  minutes: unknown[][];
  quarters: unknown[][];
  hours: unknown[][];
  /** Without the peak columns: the peaks are read from the quarter and hour rows as written. */
  days: unknown[][];
  /** `device|bucket ms` of quarters and hours whose import grew: candidates for the day's peaks. */
  touchedQuarters: string[];
  touchedHours: string[];
  /** `device|local date` of days whose import fell somewhere (late data): peaks read again. */
  lowered: string[];
}

const ADD_REGISTERS: Record<string, Merge> = Object.fromEntries(REGISTER_COLUMNS.map((c) => [c, 'add']));

/** A minute's statistics, then its energy (last: journal rows written before the energy columns are padded with 0). */
export const MINUTE_COLS = ['device_id', 'bucket_start', ...STAT_COLS, ...QUARTER_COLUMNS];
const MINUTE_STAT_COLS = ['device_id', 'bucket_start', ...STAT_COLS];
export const QUARTER_COLS = ['device_id', 'bucket_start', 'local_date', ...QUARTER_COLUMNS];
/** An hour's registers; its statistics are merged from the delta's minutes when written (HOUR_TABLE_COLS). */
export const HOUR_COLS = ['device_id', 'bucket_start', 'local_date', 'local_hour', ...REGISTER_COLUMNS];
export const HOUR_TABLE_COLS = [...HOUR_COLS, ...STAT_COLS];
export const DAY_COLS = ['device_id', 'local_date', 'day_start', 'day_end', 'week_start', 'month_start', ...REGISTER_COLUMNS];
/** Quarter and day rows as stored: their statistics are merged from the delta's minutes when written. */
export const QUARTER_TABLE_COLS = [...QUARTER_COLS, ...STAT_COLS];
export const DAY_TABLE_COLS = [...DAY_COLS, ...STAT_COLS];

/** Columns that hold epoch ms in a delta and DATETIME in the table, by index. */
export const DATE_COLUMNS = { minutes: [1], quarters: [1], hours: [1], days: [2, 3, 4, 5] } as const;

export const MINUTE_MERGE: Record<string, Merge> = { ...STAT_MERGE, ...Object.fromEntries(QUARTER_COLUMNS.map((c) => [c, 'add'])) };
export const QUARTER_MERGE: Record<string, Merge> = Object.fromEntries(QUARTER_COLUMNS.map((c) => [c, 'add']));
export const HOUR_MERGE: Record<string, Merge> = ADD_REGISTERS;
export const HOUR_TABLE_MERGE: Record<string, Merge> = { ...ADD_REGISTERS, ...STAT_MERGE };
export const DAY_MERGE: Record<string, Merge> = ADD_REGISTERS;
export const QUARTER_TABLE_MERGE: Record<string, Merge> = { ...QUARTER_MERGE, ...STAT_MERGE };
export const DAY_TABLE_MERGE: Record<string, Merge> = { ...ADD_REGISTERS, ...STAT_MERGE };

export function emptyDelta(): RollupDelta {
  return { minutes: [], quarters: [], hours: [], days: [], touchedQuarters: [], touchedHours: [], lowered: [] };
}

export function isEmptyDelta(d: RollupDelta): boolean {
  return d.minutes.length + d.quarters.length + d.hours.length + d.days.length === 0;
}

/** Key of a rollup row: device and bucket (its first two columns: epoch ms or a local date). */
function rowKey(row: readonly unknown[]): string {
  return `${row[0]}|${row[1]}`;
}

function mergeValue(how: Merge | undefined, a: unknown, b: unknown): unknown {
  if (how === 'add') return (a as number) + (b as number);
  const scale = sumScale(how);
  if (scale !== undefined) return addAtResolution(a as number, b as number, scale);
  if (how === 'min' || how === 'max') {
    if (a === null || a === undefined) return b;
    if (b === null || b === undefined) return a;
    return how === 'min' ? Math.min(a as number, b as number) : Math.max(a as number, b as number);
  }
  return a; // keys and descriptive columns (local date, hour, day bounds) are the same for a key
}

/** Rows of one table, merged per key. */
class MergedRows {
  readonly #rules: (Merge | undefined)[];
  readonly rows = new Map<string, unknown[]>();

  constructor(columns: readonly string[], merge: Readonly<Record<string, Merge>>) {
    this.#rules = columns.map((c) => merge[c]);
  }

  /** By device, then bucket: writers that lock rollup rows in the same order do not deadlock each other. */
  sorted(): unknown[][] {
    const at = (row: unknown[]) => row[1] as number | string;
    return [...this.rows.values()].sort((a, b) => (a[0] as number) - (b[0] as number) || (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
  }

  add(rows: readonly (readonly unknown[])[]): void {
    for (const row of rows) {
      const key = rowKey(row);
      const have = this.rows.get(key);
      if (!have) this.rows.set(key, [...row]);
      else for (let i = 0; i < have.length; i++) have[i] = mergeValue(this.#rules[i], have[i], row[i]);
    }
  }
}

export const HOUR_MS = 3_600_000;
export const QUARTER_MS = 900_000;

/** Statistics per bucket (`device|bucket` → STAT_COLS values), merged from minute rows; `bucketOf` maps a minute's device and ms to its bucket. */
export function bucketStats(minutes: readonly (readonly unknown[])[], bucketOf: (deviceId: number, ms: number) => number | string | undefined): Map<string, unknown[]> {
  const buckets = new MergedRows(MINUTE_STAT_COLS, MINUTE_MERGE);
  for (const m of minutes) {
    const bucket = bucketOf(m[0] as number, m[1] as number);
    if (bucket !== undefined) buckets.add([[m[0], bucket, ...m.slice(2, MINUTE_STAT_COLS.length)]]);
  }
  return new Map([...buckets.rows].map(([key, row]) => [key, row.slice(2)]));
}

/** Statistics of each hour (`device|hour ms` → STAT_COLS values), merged from minute rows. */
export function hourStats(minutes: readonly (readonly unknown[])[]): Map<string, unknown[]> {
  return bucketStats(minutes, (_, ms) => Math.floor(ms / HOUR_MS) * HOUR_MS);
}

/**
 * Minute rows (MINUTE_COLS) from the statistics rows ([device, minute, ...STAT_COLS]) and the energy rows
 * ([device, minute, ...QUARTER_COLUMNS]) of the same readings, one row per device and minute.
 */
export function minuteRows(stats: readonly (readonly unknown[])[], energy: readonly (readonly unknown[])[]): unknown[][] {
  const rows = new MergedRows(MINUTE_COLS, MINUTE_MERGE);
  const noEnergy = QUARTER_COLUMNS.map(() => 0);
  rows.add(stats.map((r) => [...r, ...noEnergy]));
  rows.add(energy.map((r) => [r[0], r[1], ...NO_STATS, ...r.slice(2)]));
  return rows.sorted();
}

/** Many deltas folded into one. */
export class DeltaAccumulator {
  readonly #minutes = new MergedRows(MINUTE_COLS, MINUTE_MERGE);
  readonly #quarters = new MergedRows(QUARTER_COLS, QUARTER_MERGE);
  readonly #hours = new MergedRows(HOUR_COLS, HOUR_MERGE);
  readonly #days = new MergedRows(DAY_COLS, DAY_MERGE);
  readonly #touchedQuarters = new Set<string>();
  readonly #touchedHours = new Set<string>();
  readonly #lowered = new Set<string>();

  add(d: RollupDelta): void {
    this.#minutes.add(d.minutes);
    this.#quarters.add(d.quarters);
    this.#hours.add(d.hours);
    this.#days.add(d.days);
    for (const k of d.touchedQuarters) this.#touchedQuarters.add(k);
    for (const k of d.touchedHours) this.#touchedHours.add(k);
    for (const k of d.lowered) this.#lowered.add(k);
  }

  /** Rows held (one per device and bucket). */
  get size(): number {
    return this.#minutes.rows.size + this.#quarters.rows.size + this.#hours.rows.size + this.#days.rows.size;
  }

  delta(): RollupDelta {
    return {
      minutes: this.#minutes.sorted(),
      quarters: this.#quarters.sorted(),
      hours: this.#hours.sorted(),
      days: this.#days.sorted(),
      touchedQuarters: [...this.#touchedQuarters],
      touchedHours: [...this.#touchedHours],
      lowered: [...this.#lowered],
    };
  }
}

/** Text for the journal (numbers, local-date strings and nulls only: plain JSON). */
export function encodeDelta(d: RollupDelta): string {
  return JSON.stringify(d);
}

export function decodeDelta(text: string): RollupDelta {
  const d = JSON.parse(text) as RollupDelta;
  // Written before the minute rows carried energy: no energy in them (their quarters have it).
  for (const m of d.minutes) while (m.length < MINUTE_COLS.length) m.push(0);
  return d;
}
