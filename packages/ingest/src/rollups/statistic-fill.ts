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
import { localDate, localDateHour, localDayBounds, localDayStartAt } from '../time/local-time.ts';
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
    // Buckets with a row keep it (readings win; the same statistics again add nothing); the others are filled and
    // marked with what they got, so that readings imported later can take it back out (withdrawStatisticFills).
    const fill = async (table: string, key: string, at: number, columns: string[], rows: unknown[][], level: number, marker: (row: unknown[]) => unknown[]) => {
      if (rows.length === 0) return;
      const have = await trx.executeQuery<{ k: unknown }>(
        CompiledQuery.raw(`SELECT ${key} AS k FROM ${table} WHERE device_id = ${sqlLiteral(device.id)} AND ${key} IN (${rows.map((r) => sqlLiteral(r[at])).join(', ')}) FOR UPDATE`),
      );
      const keyOf = (v: unknown) => (v instanceof Date ? v.getTime() : String(v));
      const taken = new Set(have.rows.map((r) => keyOf(r.k)));
      const fresh = rows.filter((r) => !taken.has(keyOf(r[at])));
      result.kept += rows.length - fresh.length;
      if (fresh.length === 0) return;
      await trx.executeQuery(CompiledQuery.raw(insertText(table, columns, fresh)));
      await trx.executeQuery(CompiledQuery.raw(insertText('rollup_statistic_fill', ['device_id', 'level', 'bucket_start', 'local_date', ...COLUMNS], fresh.map((r) => [device.id, level, ...marker(r)]))));
      result.filled += fresh.length;
    };
    await fill('rollup_hour', 'bucket_start', 1, ['device_id', 'bucket_start', 'local_date', 'local_hour', ...COLUMNS], hours, 1, (r) => [r[1], r[2], ...r.slice(4)]);
    await fill('rollup_day', "DATE_FORMAT(local_date, '%Y-%m-%d')", 1, ['device_id', 'local_date', 'day_start', 'day_end', 'week_start', 'month_start', ...COLUMNS], days, 2, (r) => [r[2], r[1], ...r.slice(6)]);
  });
  return result;
}

const TAKE_BACK = COLUMNS.map((c) => `x.\`${c}\` = x.\`${c}\` - f.\`${c}\``).join(', ');

/**
 * Takes back what statistics filled into the device's hours and local days from the local day holding `from` to
 * the one holding `to`: readings about to be imported there (with their neighbours at `from` and `to`) win, and
 * whole days keep their hours and day equal. Returns the buckets taken back.
 */
export async function withdrawStatisticFills(db: Kysely<any>, device: { id: number; timeZone: string }, from: Date, to: Date): Promise<number> {
  const start = localDayStartAt(from.getTime(), device.timeZone);
  const end = localDayBounds(localDate(to.getTime(), device.timeZone), device.timeZone)[1];
  return db.transaction().execute(async (trx) => {
    const where = `f.device_id = ${sqlLiteral(device.id)} AND f.bucket_start >= ${sqlLiteral(new Date(start))} AND f.bucket_start < ${sqlLiteral(new Date(end))}`;
    const hourJoin = 'rollup_hour x JOIN rollup_statistic_fill f ON f.device_id = x.device_id AND f.level = 1 AND f.bucket_start = x.bucket_start';
    const dayJoin = 'rollup_day x JOIN rollup_statistic_fill f ON f.device_id = x.device_id AND f.level = 2 AND f.local_date = x.local_date';
    await trx.executeQuery(CompiledQuery.raw(`UPDATE ${hourJoin} SET ${TAKE_BACK} WHERE ${where}`));
    await trx.executeQuery(CompiledQuery.raw(`UPDATE ${dayJoin} SET ${TAKE_BACK} WHERE ${where}`));
    const r = await trx.executeQuery(CompiledQuery.raw(`DELETE f FROM rollup_statistic_fill f WHERE ${where}`));
    return Number(r.numAffectedRows ?? 0n);
  });
}
