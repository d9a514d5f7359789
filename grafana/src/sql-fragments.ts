/** SQL pieces shared by the dashboards. Every panel filters on a plain column so $__timeFilter stays a valid macro call. */
import { STAT_COLUMNS } from '@sem/db';

function stat(col: string) {
  const s = STAT_COLUMNS.find((x) => x.col === col);
  if (!s) throw new Error(`no stat column ${col}`);
  return s;
}

/** One value of an instantaneous quantity per time bucket, as raw SQL and as rollup SQL. */
export interface TierExpr {
  alias: string;
  raw: string;
  rollup: string;
}

export const avg = (col: string, alias: string): TierExpr => {
  const s = stat(col);
  return { alias, raw: `AVG(${s.source}) / ${s.scale}`, rollup: `SUM(${col}_sum) / NULLIF(SUM(${col}_n), 0)` };
};
export const min = (col: string, alias: string): TierExpr => {
  const s = stat(col);
  return { alias, raw: `MIN(${s.source}) / ${s.scale}`, rollup: `MIN(${col}_min)` };
};
export const max = (col: string, alias: string): TierExpr => {
  const s = stat(col);
  return { alias, raw: `MAX(${s.source}) / ${s.scale}`, rollup: `MAX(${col}_max)` };
};
/** Net power of a phase: import minus export (a phase that only imports reports no export). */
export const netPhase = (phase: 1 | 2 | 3, alias: string): TierExpr => {
  const i = avg(`p_imp_l${phase}`, alias);
  const e = avg(`p_exp_l${phase}`, alias);
  return { alias, raw: `${i.raw} - COALESCE(${e.raw}, 0)`, rollup: `${i.rollup} - COALESCE(${e.rollup}, 0)` };
};
/** Voltage unbalance in %: largest deviation of a phase average from the mean of the three, over that mean. */
export const unbalance = (alias: string): TierExpr => {
  const form = (a: string, b: string, c: string) => {
    const m = `((${a}) + (${b}) + (${c})) / 3`;
    return `100 * GREATEST(ABS((${a}) - ${m}), ABS((${b}) - ${m}), ABS((${c}) - ${m})) / (${m})`;
  };
  const [a, b, c] = [avg('u_l1', ''), avg('u_l2', ''), avg('u_l3', '')];
  return { alias, raw: form(a.raw, b.raw, c.raw), rollup: form(a.rollup, b.rollup, c.rollup) };
};

/**
 * A time series from the finest source that fits the interval: raw rows below one minute, the
 * minute rollup below one hour, the hour rollup above. MariaDB drops the branches whose constant
 * condition is false before reading any row, so only one table is scanned.
 */
export function tiered(exprs: readonly TierExpr[], where = 'device_id = $device'): string {
  const cols = (kind: 'raw' | 'rollup') => exprs.map((e) => `${e[kind]} AS "${e.alias}"`).join(',\n  ');
  return [
    `SELECT $__timeGroupAlias(meter_time, $__interval),\n  ${cols('raw')}\nFROM reading\nWHERE ${where} AND $__timeFilter(meter_time) AND $__interval_ms < 60000\nGROUP BY 1`,
    `SELECT $__timeGroupAlias(bucket_start, $__interval),\n  ${cols('rollup')}\nFROM rollup_minute\nWHERE ${where} AND $__timeFilter(bucket_start) AND $__interval_ms >= 60000 AND $__interval_ms < 3600000\nGROUP BY 1`,
    `SELECT $__timeGroupAlias(bucket_start, $__interval),\n  ${cols('rollup')}\nFROM rollup_hour\nWHERE ${where} AND $__timeFilter(bucket_start) AND $__interval_ms >= 3600000\nGROUP BY 1`,
  ]
    .join('\nUNION ALL\n')
    .concat('\nORDER BY 1');
}

/** Countries whose meters split energy over two tariffs, and the names of tariff 1 and 2 there. */
const TARIFF_NAMES: Record<string, [string, string]> = {
  BE: ['day', 'night'], // e-MUCS: 1-0:1.8.1 is the day (high) tariff, 0-0:96.14.0 = 1 by day
  NL: ['low', 'normal'], // DSMR: 1-0:1.8.1 is the low tariff
};

/**
 * Rows of one energy direction split by tariff, labelled by the device's country profile.
 * Needs `r` (a rollup_day/rollup_hour row) and `d` (its device); yields columns `label` and `wh`.
 * Countries without tariffs get one row with the register total.
 */
export function tariffSplit(direction: 'imp' | 'exp'): { join: string; label: string; wh: string; where: string } {
  const word = direction === 'imp' ? 'Import' : 'Export';
  const countries = Object.keys(TARIFF_NAMES).map((c) => `'${c}'`).join(', ');
  const names = Object.entries(TARIFF_NAMES)
    .map(([c, [t1, t2]]) => `WHEN '${c}' THEN IF(k.tariff = 1, ' ${t1} (T1)', ' ${t2} (T2)')`)
    .join(' ');
  return {
    join: 'JOIN (SELECT 0 AS tariff UNION ALL SELECT 1 UNION ALL SELECT 2) k',
    where: `(k.tariff = 0) = (d.country NOT IN (${countries}))`,
    label: `CONCAT('${word}', CASE WHEN k.tariff = 0 THEN '' ELSE CASE d.country ${names} END END)`,
    wh: `CASE k.tariff WHEN 0 THEN r.${direction}_wh WHEN 1 THEN r.${direction}_t1_wh ELSE r.${direction}_t2_wh END`,
  };
}

/** The local month (rollup_day.month_start) of the latest day with data up to the range end. */
export const CURRENT_MONTH = `(SELECT c.month_start FROM rollup_day c WHERE c.device_id = $device AND c.day_start <= $__timeTo() ORDER BY c.day_start DESC LIMIT 1)`;

/** Common Norwegian capacity steps (kW), as most grid companies publish them; prices differ per company. */
export const NO_CAPACITY_STEPS = [2, 5, 10, 15, 20, 25, 50, 75, 100];

export function capacityStepCase(kw: string): string {
  const whens = NO_CAPACITY_STEPS.map((top, i) => `WHEN ${kw} < ${top} THEN '${i + 1}: ${i === 0 ? 0 : NO_CAPACITY_STEPS[i - 1]}–${top} kW'`).join(' ');
  return `CASE ${whens} ELSE '${NO_CAPACITY_STEPS.length + 1}: ≥ ${NO_CAPACITY_STEPS.at(-1)} kW' END`;
}
