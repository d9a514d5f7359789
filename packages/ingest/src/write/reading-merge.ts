import type { PreparedReading } from './prepared-reading.ts';

/** stored: a new (device, meter time); merged: filled NULL columns of a stored one; duplicate: added nothing. */
export type RowOutcome = 'stored' | 'merged' | 'duplicate';
/** What the write queue answers for a row: its outcome, or why the database refused this row alone. */
export type QueueOutcome = RowOutcome | { refused: string };

type Columns = PreparedReading['columns'];

/** A reading as the write steps see it: `columns` holds only what it added to `reading` (all of them when stored). */
export interface WrittenReading extends PreparedReading {
  outcome: 'stored' | 'merged';
}

/** One `reading` row to write: a new key with every column of the batch, or a stored key with the columns to fill. */
export interface ReadingWrite {
  row: PreparedReading;
  isNew: boolean;
}

export interface MergePlan {
  outcomes: RowOutcome[];
  writes: ReadingWrite[];
  written: WrittenReading[];
}

export function readingKey(deviceId: number, t: Date): string {
  return `${deviceId}:${t.getTime()}`;
}

const present = (v: unknown) => v !== null && v !== undefined;

/**
 * Decides, in batch order, what each reading adds. A reading whose key is stored (or came earlier in the
 * batch) only fills columns that are still NULL: a stored value is never overwritten.
 */
export function planMerge(rows: readonly PreparedReading[], stored: ReadonlyMap<string, Columns>): MergePlan {
  // `shared`: columns and row are still the first reading's own objects, copied only when a later reading of the key fills some.
  const state = new Map<string, { columns: Columns; write: ReadingWrite | null; shared: boolean }>();
  const outcomes: RowOutcome[] = [];
  const written: WrittenReading[] = [];
  for (const r of rows) {
    const k = readingKey(r.deviceId, r.meterTime);
    let s = state.get(k);
    if (!s) {
      const before = stored.get(k);
      if (!before) {
        state.set(k, { columns: r.columns, write: { row: r, isNew: true }, shared: true });
        outcomes.push('stored');
        written.push({ ...r, outcome: 'stored' });
        continue;
      }
      state.set(k, (s = { columns: { ...before }, write: null, shared: false }));
    }
    if (s.shared) {
      // Copy before the first fill: the stored reading's written entry keeps the columns it inserted.
      const columns = { ...s.columns };
      s.columns = columns;
      s.write = { row: { ...s.write!.row, columns: { ...columns } }, isNew: true };
      s.shared = false;
    }
    const filled: Columns = {};
    for (const [c, v] of Object.entries(r.columns) as [keyof Columns, number | undefined][]) {
      if (present(v) && !present(s.columns[c])) filled[c] = s.columns[c] = v;
    }
    if (Object.keys(filled).length === 0) {
      outcomes.push('duplicate');
      continue;
    }
    // One row per key: a key new in this batch inserts everything at once, a stored key gets one fill.
    if (s.write) Object.assign(s.write.row.columns, filled);
    else s.write = { row: { ...r, columns: { ...filled } }, isNew: false };
    outcomes.push('merged');
    written.push({ ...r, columns: filled, outcome: 'merged' });
  }
  const writes = [...state.values()].flatMap((s) => (s.write ? [s.write] : []));
  return { outcomes, writes, written };
}
