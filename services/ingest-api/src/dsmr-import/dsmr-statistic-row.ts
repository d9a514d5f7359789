/**
 * dsmr-reader's hour and day statistics as rollup statistics. Two forms of each:
 * - its tables `dsmr_stats_hourstatistics` (hour_start: an instant) and `dsmr_stats_daystatistics` (day: a
 *   local date), dumped with their column names;
 * - its web export (Export → CSV, "hour" or "day"): the header holds translated field names, the first six
 *   columns are always the period, electricity1, electricity2, electricity1_returned, electricity2_returned
 *   and gas; hours as ISO 8601 with offset, days as YYYY-MM-DD (English) or DD-MM-YYYY (Dutch).
 * Amounts are what the period used, in kWh and m³.
 */
import type { RollupStatistic, StatisticAmounts } from '@sem/ingest';
import { DsmrRowError, dsmrTime } from './dsmr-reading-row.ts';

export type DsmrFileKind = 'readings' | 'hour-statistics' | 'day-statistics';

const AMOUNTS = ['electricity1', 'electricity2', 'electricity1_returned', 'electricity2_returned', 'gas'] as const;
const TARGET: Record<(typeof AMOUNTS)[number], keyof StatisticAmounts> = {
  electricity1: 'imp_t1_wh',
  electricity2: 'imp_t2_wh',
  electricity1_returned: 'exp_t1_wh',
  electricity2_returned: 'exp_t2_wh',
  gas: 'gas_l',
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$|^(\d{2})-(\d{2})-(\d{4})$/;

/** What a file holds, from its header (tables) or its first data row (web export: translated header). */
export function dsmrFileKind(header: readonly string[], firstRow: readonly string[] | undefined): { kind: DsmrFileKind; columns: string[] } | undefined {
  if (header.includes('timestamp') && header.includes('electricity_delivered_1')) return { kind: 'readings', columns: [...header] };
  const hasAmounts = AMOUNTS.slice(0, 4).every((c) => header.includes(c));
  if (hasAmounts && header.includes('hour_start')) return { kind: 'hour-statistics', columns: [...header] };
  if (hasAmounts && header.includes('day')) return { kind: 'day-statistics', columns: [...header] };
  // The web export: its first six columns by position.
  const first = firstRow?.[0]?.trim() ?? '';
  if (header.length < 6 || !first) return undefined;
  const named = (period: string) => [period, ...AMOUNTS, ...header.slice(6)];
  if (ISO_INSTANT.test(first)) return { kind: 'hour-statistics', columns: named('hour_start') };
  if (DATE.test(first)) return { kind: 'day-statistics', columns: named('day') };
  return undefined;
}

/** YYYY-MM-DD from YYYY-MM-DD or DD-MM-YYYY, checked against the calendar. */
export function dsmrDate(text: string): string {
  const m = DATE.exec(text.trim());
  if (!m) throw new DsmrRowError(`date "${text.slice(0, 20)}" is not YYYY-MM-DD or DD-MM-YYYY`);
  const [y, mo, d] = m[1] ? [m[1], m[2]!, m[3]!] : [m[6]!, m[5]!, m[4]!];
  const iso = `${y}-${mo}-${d}`;
  const at = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== iso) throw new DsmrRowError(`date "${text.slice(0, 20)}" is not a calendar date`);
  return iso;
}

function amount(row: Readonly<Record<string, string>>, col: string): number | undefined {
  const v = row[col]?.trim();
  if (v === undefined || v === '' || v === '\\N' || v === 'NULL' || v === 'None') return undefined;
  const n = Number(v);
  // A period's use: never negative; a register holds at most 999 999.999 (kWh or m³).
  if (!Number.isFinite(n) || n < 0 || n > 999_999.999) throw new DsmrRowError(`${col} "${v.slice(0, 20)}" is not an amount of 0 to 999999.999`);
  return Math.round(n * 1000);
}

/** A period from 2000 (an unset clock before) to a day after now (a clock in the future), as for readings. */
function plausible(ms: number, what: string): void {
  if (ms < Date.UTC(2000, 0, 1) || ms > Date.now() + 86_400_000) throw new DsmrRowError(`${what} is before 2000 or in the future`);
}

/** One statistics row (keyed by dsmrFileKind's column names) as a rollup statistic. */
export function dsmrStatistic(kind: 'hour-statistics' | 'day-statistics', row: Readonly<Record<string, string>>): RollupStatistic {
  const amounts: StatisticAmounts = {};
  for (const col of AMOUNTS) {
    const v = amount(row, col);
    if (v !== undefined) amounts[TARGET[col]] = v;
  }
  if (kind === 'day-statistics') {
    const date = dsmrDate(row['day'] ?? '');
    plausible(Date.parse(`${date}T00:00:00Z`), `day "${date}"`);
    return { level: 'day', date, amounts };
  }
  const at = new Date(dsmrTime(row['hour_start'] ?? ''));
  plausible(at.getTime(), `hour_start "${row['hour_start']?.slice(0, 40)}"`);
  return { level: 'hour', hourStart: at, amounts };
}
