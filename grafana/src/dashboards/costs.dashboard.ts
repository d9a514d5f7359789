import { buildDashboard, deviceVariable } from '../panel-builder.ts';
import {
  CURRENT_VERSION,
  DAY_TOTAL,
  dayCosts,
  HOUR_EXPORT_CREDIT,
  HOUR_IMPORT_COST,
  inVersion,
  MONTHS_OF_RANGE,
  runningDemandKw,
  TARIFF_VERSIONS,
  THIS_YEAR,
} from '../cost-fragments.ts';
import { CURRENT_MONTH } from '../sql-fragments.ts';

const LATEST_DAY = '(SELECT MAX(local_date) FROM d)';
const LATEST_MONTH = '(SELECT MAX(month_start) FROM d)';
const THIS_MONTH_DAYS = `r.month_start = ${CURRENT_MONTH}`;

/** The billed quarter-hour peak (kW) of the current BE version: the month's peak so far, at least the minimum. */
const BILLED_PEAK = 'GREATEST(mp.peak_kw, cur.capacity_min_kw)';

/** Mean of the three highest daily peak hours if today's peak hour became `kw` (NO). */
const meanWithToday = (kw: string) => `(SELECT AVG(v.kw) FROM (
    SELECT u.kw, ROW_NUMBER() OVER (ORDER BY u.kw DESC) AS n FROM (
      SELECT d.peak_hour_wh / 1000 AS kw FROM d WHERE d.local_date < ${LATEST_DAY}
      UNION ALL
      SELECT GREATEST(COALESCE((SELECT t.peak_hour_wh FROM d t WHERE t.local_date = ${LATEST_DAY}), 0) / 1000, COALESCE(${kw}, 0))
    ) u
  ) v WHERE v.n <= 3)`;

const stepPrice = (kw: string) => `(SELECT s.monthly_price FROM tariff_capacity_step s WHERE s.tariff_id = cur.id AND s.from_kw <= ${kw} ORDER BY s.from_kw DESC LIMIT 1)`;

export const costs = buildDashboard({
  uid: 'sem-costs',
  title: 'SEM · Costs',
  tags: ['costs'],
  from: 'now-7d',
  variables: [deviceVariable(false)],
  panels: [
    {
      title: 'Cost today, this month, this year',
      type: 'stat',
      format: 'table',
      decimals: 2,
      w: 12,
      h: 5,
      description: "Energy import − export compensation + fixed fees + capacity charge, by the device's tariff versions; whole local days up to the day of the range end, in the tariff's currency.",
      sql: `${dayCosts(THIS_YEAR)}
SELECT
  SUM(CASE WHEN dc.local_date = ${LATEST_DAY} THEN ${DAY_TOTAL} END) AS "Today",
  SUM(CASE WHEN dc.month_start = ${LATEST_MONTH} THEN ${DAY_TOTAL} END) AS "This month",
  SUM(${DAY_TOTAL}) AS "This year"
FROM dc`,
    },
    {
      title: 'Costs by component',
      type: 'table',
      format: 'table',
      decimals: 2,
      w: 12,
      h: 5,
      sql: `${dayCosts(THIS_YEAR)}
SELECT p.period AS "Period", SUM(dc.import_cost) AS "Import", SUM(dc.export_credit) AS "Export compensation",
  SUM(dc.fixed_fee) AS "Fixed fees", SUM(dc.capacity) AS "Capacity", SUM(${DAY_TOTAL}) AS "Total", MAX(dc.currency) AS "Currency"
FROM dc
JOIN (SELECT 1 AS k, 'Today' AS period UNION ALL SELECT 2, 'This month' UNION ALL SELECT 3, 'This year') p
  ON p.k = 3 OR (p.k = 2 AND dc.month_start = ${LATEST_MONTH}) OR (p.k = 1 AND dc.local_date = ${LATEST_DAY})
GROUP BY p.k, p.period
ORDER BY p.k`,
    },
    {
      title: 'Cost per hour',
      type: 'timeseries',
      format: 'time_series',
      decimals: 2,
      bars: true,
      interval: '1h',
      w: 24,
      description: 'Energy only: import cost − export compensation of each hour (dynamic prices per quarter-hour where the tariff follows a series).',
      sql: `WITH ${TARIFF_VERSIONS}
SELECT $__timeGroupAlias(h.bucket_start, $__interval), SUM(${HOUR_IMPORT_COST}) - SUM(${HOUR_EXPORT_CREDIT}) AS "Energy cost"
FROM rollup_hour h
JOIN tv ON ${inVersion('h.local_date')}
WHERE h.device_id = $device AND $__timeFilter(h.bucket_start)
GROUP BY 1
ORDER BY 1`,
    },
    {
      title: 'Cost per day',
      type: 'timeseries',
      format: 'time_series',
      decimals: 2,
      bars: true,
      stacked: true,
      interval: '1d',
      w: 24,
      description: "Each local day's import cost, fixed fee and capacity charge (the month's peak so far), less the export compensation.",
      sql: `${dayCosts(MONTHS_OF_RANGE)}
SELECT dc.day_start AS "time", dc.import_cost - dc.export_credit AS "Energy", dc.fixed_fee AS "Fixed fees", dc.capacity AS "Capacity"
FROM dc
WHERE $__timeFilter(dc.day_start)
ORDER BY 1`,
    },
    {
      title: "This month's capacity cost (BE)",
      type: 'table',
      format: 'table',
      decimals: 2,
      w: 12,
      h: 5,
      fieldUnits: { 'Peak so far': 'kwatt', 'Billed peak': 'kwatt' },
      description: "€/kW/year ÷ 12 × the month's highest quarter-hour (at least 2.5 kW); so far: the days of this month up to the range end.",
      sql: `${dayCosts(THIS_MONTH_DAYS)},
${CURRENT_VERSION}
SELECT mp.peak_kw AS "Peak so far", ${BILLED_PEAK} AS "Billed peak", (SELECT SUM(dc.capacity) FROM dc) AS "Cost so far",
  cur.capacity_price_kw_year / 12 * ${BILLED_PEAK} AS "Month at this peak", cur.currency AS "Currency"
FROM mp JOIN cur ON cur.capacity_kind = 'be'`,
    },
    {
      title: 'What a new peak now would add (BE)',
      type: 'table',
      format: 'table',
      decimals: 2,
      w: 12,
      h: 5,
      fieldUnits: { 'Running 15-minute demand': 'kwatt', 'Billed peak': 'kwatt' },
      description: "If the running 15-minute demand (average import power of the last 15 minutes) became the month's peak: what it adds to this month's capacity charge.",
      sql: `${dayCosts(THIS_MONTH_DAYS)},
${CURRENT_VERSION},
run AS (SELECT ${runningDemandKw('$device', 15)} AS kw)
SELECT run.kw AS "Running 15-minute demand", ${BILLED_PEAK} AS "Billed peak",
  GREATEST(run.kw - ${BILLED_PEAK}, 0) * cur.capacity_price_kw_year / 12 AS "Would add this month",
  cur.capacity_price_kw_year / 12 AS "Per kW above the peak", cur.currency AS "Currency"
FROM mp JOIN cur ON cur.capacity_kind = 'be' JOIN run`,
    },
    {
      title: "This month's capacity step (NO)",
      type: 'table',
      format: 'table',
      decimals: 2,
      w: 12,
      h: 5,
      fieldUnits: { 'Mean of 3 highest daily peaks': 'kwatt', 'Step from': 'kwatt', 'Next step at': 'kwatt' },
      sql: `${dayCosts(THIS_MONTH_DAYS)},
${CURRENT_VERSION}
SELECT mp.top3_kw AS "Mean of 3 highest daily peaks",
  (SELECT MAX(s.from_kw) FROM tariff_capacity_step s WHERE s.tariff_id = cur.id AND s.from_kw <= mp.top3_kw) AS "Step from",
  ${stepPrice('mp.top3_kw')} AS "Step price per month",
  (SELECT SUM(dc.capacity) FROM dc) AS "Cost so far",
  (SELECT MIN(s.from_kw) FROM tariff_capacity_step s WHERE s.tariff_id = cur.id AND s.from_kw > mp.top3_kw) AS "Next step at",
  (SELECT s.monthly_price FROM tariff_capacity_step s WHERE s.tariff_id = cur.id AND s.from_kw > mp.top3_kw ORDER BY s.from_kw LIMIT 1) - ${stepPrice('mp.top3_kw')} AS "Next step adds",
  cur.currency AS "Currency"
FROM mp JOIN cur ON cur.capacity_kind = 'no'`,
    },
    {
      title: 'What a new peak now would add (NO)',
      type: 'table',
      format: 'table',
      decimals: 2,
      w: 12,
      h: 5,
      fieldUnits: { 'Running hour': 'kwatt', 'Mean now': 'kwatt', 'Mean with this hour': 'kwatt' },
      description: "If this hour used the running hour's average power (the last 60 minutes) and became today's peak hour: the new mean of the 3 highest daily peaks and what its step adds per month.",
      sql: `${dayCosts(THIS_MONTH_DAYS)},
${CURRENT_VERSION},
run AS (SELECT ${runningDemandKw('$device', 60)} AS kw),
nw AS (SELECT ${meanWithToday('(SELECT kw FROM run)')} AS kw)
SELECT run.kw AS "Running hour", mp.top3_kw AS "Mean now", nw.kw AS "Mean with this hour",
  ${stepPrice('nw.kw')} - ${stepPrice('mp.top3_kw')} AS "Would add this month", cur.currency AS "Currency"
FROM mp JOIN cur ON cur.capacity_kind = 'no' JOIN run JOIN nw`,
    },
  ],
});
