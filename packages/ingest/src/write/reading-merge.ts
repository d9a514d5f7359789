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
  const state = new Map<string, { columns: Columns; write: ReadingWrite | null }>();
  const outcomes: RowOutcome[] = [];
  const written: WrittenReading[] = [];
  for (const r of rows) {
    const k = readingKey(r.deviceId, r.meterTime);
    let s = state.get(k);
    if (!s) {
      const before = stored.get(k);
      if (!before) {
        state.set(k, { columns: { ...r.columns }, write: { row: { ...r, columns: { ...r.columns } }, isNew: true } });
        outcomes.push('stored');
        written.push({ ...r, outcome: 'stored' });
        continue;
      }
      state.set(k, (s = { columns: { ...before }, write: null }));
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
