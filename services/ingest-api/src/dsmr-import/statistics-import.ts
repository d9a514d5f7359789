/**
 * Imports dsmr-reader's hour or day statistics (table dump or web export) into a device's hour and day
 * rollups (`fillRollupsFromStatistics`: only buckets before the device's first reading and without a row;
 * readings win, a second import fills nothing). Progress is kept in a state file after each committed batch, so a stopped import resumes.
 */
import type { Kysely } from 'kysely';
import { fillRollupsFromStatistics, type RollupStatistic } from '@sem/ingest';
import { importRows, linesDone, type DumpProgress } from './resumable-import.ts';
import { dsmrStatistic } from './dsmr-statistic-row.ts';
import { readDump } from './table-dump.ts';

export interface StatisticsSummary extends DumpProgress {
  kind: 'hour-statistics' | 'day-statistics';
  /** Hours or days filled from the statistics. */
  filled: number;
  /** Hours or days that already had a rollup row (the same statistics before): left alone. */
  kept: number;
  /** Hours or days that end after the device's first reading: the readings cover them. */
  afterReadings: number;
  /** Hours that do not start on a UTC hour (the device's zone has a half-hour offset): not stored. */
  offHour: number;
}

export async function importDsmrStatistics(
  db: Kysely<any>,
  device: { id: number; timeZone: string },
  path: string,
  kind: 'hour-statistics' | 'day-statistics',
  columns: readonly string[],
  options: { statePath: string; batchSize?: number; progress?: (s: StatisticsSummary) => void },
): Promise<StatisticsSummary> {
  const s: StatisticsSummary = { kind, lines: 0, resumedAfter: linesDone(options.statePath), filled: 0, kept: 0, afterReadings: 0, offHour: 0, unreadable: 0, examples: [] };
  const write = async (batch: RollupStatistic[]) => {
    const r = await fillRollupsFromStatistics(db, device, batch);
    s.filled += r.filled;
    s.kept += r.kept;
    s.afterReadings += r.afterReadings;
    s.offHour += r.offHour;
  };
  return importRows(readDump(path, columns), s, (fields) => dsmrStatistic(kind, fields), write, { dumpPath: path, ...options });
}
