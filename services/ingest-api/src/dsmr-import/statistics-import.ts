/**
 * Imports dsmr-reader's hour or day statistics (table dump or web export) into a device's hour and day
 * rollups (`fillRollupsFromStatistics`: only buckets before the device's first reading and without a row;
 * readings win, a second import fills nothing). Progress is kept in a state file after each committed batch, so a stopped import resumes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { fillRollupsFromStatistics, type RollupStatistic } from '@sem/ingest';
import { DsmrRowError } from './dsmr-reading-row.ts';
import { dsmrStatistic } from './dsmr-statistic-row.ts';
import { readDump } from './table-dump.ts';

export interface StatisticsSummary {
  kind: 'hour-statistics' | 'day-statistics';
  lines: number;
  resumedAfter: number;
  /** Hours or days filled from the statistics. */
  filled: number;
  /** Hours or days that already had a rollup row (the same statistics before): left alone. */
  kept: number;
  /** Hours or days that end after the device's first reading: the readings cover them. */
  afterReadings: number;
  /** Hours that do not start on a UTC hour (the device's zone has a half-hour offset): not stored. */
  offHour: number;
  unreadable: number;
  examples: string[];
}

export async function importDsmrStatistics(
  db: Kysely<any>,
  device: { id: number; timeZone: string },
  path: string,
  kind: 'hour-statistics' | 'day-statistics',
  columns: readonly string[],
  options: { statePath: string; batchSize?: number; progress?: (s: StatisticsSummary) => void },
): Promise<StatisticsSummary> {
  const resumedAfter = existsSync(options.statePath) ? Number(JSON.parse(readFileSync(options.statePath, 'utf8')).linesDone) || 0 : 0;
  const s: StatisticsSummary = { kind, lines: 0, resumedAfter, filled: 0, kept: 0, afterReadings: 0, offHour: 0, unreadable: 0, examples: [] };
  const batchSize = options.batchSize ?? 1000;
  let batch: RollupStatistic[] = [];
  let last = resumedAfter;
  const flush = async () => {
    if (batch.length) {
      const r = await fillRollupsFromStatistics(db, device, batch);
      s.filled += r.filled;
      s.kept += r.kept;
      s.afterReadings += r.afterReadings;
      s.offHour += r.offHour;
      batch = [];
    }
    writeFileSync(options.statePath, JSON.stringify({ dump: path, linesDone: last }));
    options.progress?.(s);
  };
  for await (const row of readDump(path, columns)) {
    s.lines = row.line;
    if (row.line <= resumedAfter) continue;
    try {
      batch.push(dsmrStatistic(kind, row.fields));
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
