/**
 * Hour and day rollups filled from another system's statistics (dsmr-reader's hour and day statistics):
 * what each register used in a UTC hour or a local day of the device. A statistic fills only a bucket that
 * ends before the device's first reading (its oldest raw row or rolled-up quarter-hour) and has no row yet:
 * where readings exist they win (they are exact at the meter's resolution and spread by our rules; a statistic
 * is the other system's difference of its first and last reading of the period, which puts the step across
 * the boundary on one side), a gap between readings is never filled twice (its energy is spread or booked at
 * its end), and the same statistics again fill nothing. Quarter-hours and minutes are not filled.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { localDateHour, localDayBounds } from '../time/local-time.ts';
import { insertText, sqlLiteral } from '../write/sql-literal.ts';

/** Integer amounts of the register columns of rollup_hour and rollup_day (Wh, litres); absent: 0. */
export type StatisticAmounts = Partial<Record<'imp_t1_wh' | 'imp_t2_wh' | 'exp_t1_wh' | 'exp_t2_wh' | 'gas_l', number>>;

export type RollupStatistic = { level: 'hour'; hourStart: Date; amounts: StatisticAmounts } | { level: 'day'; date: string; amounts: StatisticAmounts };

export interface StatisticFillResult {
  /** Buckets filled by this call. */
  filled: number;
  /** Buckets that already had a row (the same statistic before): left as they were. */
  kept: number;
  /** Buckets that end after the device's first reading: the readings cover that time. */
  afterReadings: number;
  /** Hour statistics that do not start on a UTC hour (a zone with a half-hour offset): not stored. */
  offHour: number;
}

const COLUMNS = ['imp_wh', 'imp_t1_wh', 'imp_t2_wh', 'exp_wh', 'exp_t1_wh', 'exp_t2_wh', 'gas_l'] as const;

function amounts(a: StatisticAmounts): number[] {
  const t1 = a.imp_t1_wh ?? 0;
  const t2 = a.imp_t2_wh ?? 0;
  const e1 = a.exp_t1_wh ?? 0;
  const e2 = a.exp_t2_wh ?? 0;
  return [t1 + t2, t1, t2, e1 + e2, e1, e2, a.gas_l ?? 0];
}

/** The time of the device's first reading: its oldest raw row or rolled-up quarter-hour (a cut kept no older row); +∞ without any. */
async function firstReading(db: Kysely<any>, deviceId: number): Promise<number> {
  let first = Infinity;
  for (const [table, col] of [['reading', 'meter_time'], ['rollup_quarter', 'bucket_start']] as const) {
    const r = await db.executeQuery<{ t: Date }>(CompiledQuery.raw(`SELECT ${col} AS t FROM ${table} WHERE device_id = ${sqlLiteral(deviceId)} ORDER BY ${col} LIMIT 1`));
    if (r.rows[0]) first = Math.min(first, r.rows[0].t.getTime());
  }
  return first;
}

/** Fills the device's empty hour and day rollups from statistics, in one transaction per call. */
export async function fillRollupsFromStatistics(
  db: Kysely<any>,
  device: { id: number; timeZone: string },
  statistics: readonly RollupStatistic[],
): Promise<StatisticFillResult> {
  const result: StatisticFillResult = { filled: 0, kept: 0, afterReadings: 0, offHour: 0 };
  const first = await firstReading(db, device.id);
  const hours: unknown[][] = [];
  const days: unknown[][] = [];
  for (const s of statistics) {
    if (s.level === 'hour') {
      if (s.hourStart.getTime() % 3_600_000 !== 0) {
        result.offHour++;
        continue;
      }
      if (s.hourStart.getTime() + 3_600_000 > first) {
        result.afterReadings++;
        continue;
      }
      const local = localDateHour(s.hourStart.getTime(), device.timeZone);
      hours.push([device.id, s.hourStart, local.date, local.hour, ...amounts(s.amounts)]);
    } else {
      const bounds = localDayBounds(s.date, device.timeZone);
      if (bounds[1] > first) {
        result.afterReadings++;
        continue;
      }
      days.push([device.id, s.date, ...bounds.map((ms) => new Date(ms)), ...amounts(s.amounts)]);
    }
  }
  await db.transaction().execute(async (trx) => {
    // INSERT IGNORE on the primary key: a bucket with a row keeps it (readings win; a second import adds nothing).
    const insert = async (table: string, columns: string[], rows: unknown[][]) => {
      if (rows.length === 0) return;
      const r = await trx.executeQuery(CompiledQuery.raw(insertText(table, columns, rows, { ignore: true })));
      const n = Number(r.numAffectedRows ?? 0n);
      result.filled += n;
      result.kept += rows.length - n;
    };
    await insert('rollup_hour', ['device_id', 'bucket_start', 'local_date', 'local_hour', ...COLUMNS], hours);
    await insert('rollup_day', ['device_id', 'local_date', 'day_start', 'day_end', 'week_start', 'month_start', ...COLUMNS], days);
  });
  return result;
}
