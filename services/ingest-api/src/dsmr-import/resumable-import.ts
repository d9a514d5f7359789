import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DsmrRowError } from './dsmr-reading-row.ts';
import type { DumpRow } from './table-dump.ts';

/** What every dump import counts: lines read, where it resumed, and the lines that are no row of its kind. */
export interface DumpProgress {
  lines: number;
  resumedAfter: number;
  /** Lines that are no row of the import's kind (bad timestamp or number), with the first five reasons. */
  unreadable: number;
  examples: string[];
}

/** The data lines an earlier run with this state file committed (0: none). */
export function linesDone(statePath: string): number {
  return existsSync(statePath) ? Number(JSON.parse(readFileSync(statePath, 'utf8')).linesDone) || 0 : 0;
}

/**
 * Reads a dump's rows after `s.resumedAfter`, parses each (a DsmrRowError counts the line as unreadable, with
 * the first five reasons), writes them `batchSize` at a time, and after each committed batch records in the
 * state file how far it got, so that a stopped import resumes there.
 */
export async function importRows<T, S extends DumpProgress>(
  rows: AsyncIterable<DumpRow>,
  s: S,
  parse: (fields: DumpRow['fields']) => T,
  write: (batch: T[]) => Promise<void>,
  options: { dumpPath: string; statePath: string; batchSize?: number; progress?: ((s: S) => void) | undefined },
): Promise<S> {
  const batchSize = options.batchSize ?? 1000;
  let batch: T[] = [];
  let last = s.resumedAfter;
  const flush = async () => {
    if (batch.length) {
      await write(batch);
      batch = [];
    }
    writeFileSync(options.statePath, JSON.stringify({ dump: options.dumpPath, linesDone: last }));
    options.progress?.(s);
  };
  for await (const row of rows) {
    s.lines = row.line;
    if (row.line <= s.resumedAfter) continue;
    try {
      batch.push(parse(row.fields));
    } catch (err) {
      if (!(err instanceof DsmrRowError)) throw err;
      s.unreadable++;
      if (s.examples.length < 5) s.examples.push(`line ${row.line}: ${err.message}`);
    }
    last = row.line;
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return s;
}
