import { buildDashboard, deviceVariable } from '../panel-builder.ts';
import { capacityStepCase, CURRENT_MONTH } from '../sql-fragments.ts';

const MONTH_DAYS = `r.device_id = $device AND r.month_start = ${CURRENT_MONTH} AND r.day_start <= $__timeTo()`;

export const capacity = buildDashboard({
  uid: 'sem-capacity',
  title: 'SEM · Capacity tariff',
  tags: ['capacity'],
  from: 'now-7d',
  variables: [deviceVariable(false)],
  panels: [
    {
      title: '15-minute average demand (BE)',
      type: 'timeseries',
      format: 'time_series',
      unit: 'kwatt',
      decimals: 3,
      interval: '15m',
      w: 24,
      description: 'Import energy of each quarter-hour × 4, from register differences. Wider buckets show their highest quarter-hour.',
      sql: `SELECT $__timeGroupAlias(bucket_start, $__interval), MAX(imp_wh) * 4 / 1000 AS "Demand"
FROM rollup_quarter
WHERE device_id = $device AND $__timeFilter(bucket_start)
GROUP BY 1
ORDER BY 1`,
    },
    {
      title: "This month's peak (BE)",
      type: 'stat',
      format: 'table',
      unit: 'kwatt',
      decimals: 3,
      w: 6,
      description: 'Highest quarter-hour of the local month of the latest data up to the end of the range.',
      sql: `SELECT r.peak_quarter_start AS "time", r.peak_quarter_wh * 4 / 1000 AS "Peak"
FROM rollup_day r
WHERE ${MONTH_DAYS}
ORDER BY r.peak_quarter_wh DESC, r.peak_quarter_start
LIMIT 1`,
    },
    {
      title: 'Rolling 12-month average peak (BE)',
      type: 'stat',
      format: 'table',
      unit: 'kwatt',
      decimals: 3,
      w: 6,
      fieldUnits: { Months: 'none' },
      description: 'Average of the monthly peaks of the last 12 local months (this one included); a month below 2.5 kW counts as 2.5 kW. Months without data are left out.',
      sql: `SELECT AVG(GREATEST(m.peak_kw, 2.5)) AS "Rolling average", COUNT(*) AS "Months"
FROM (
  SELECT r.month_start, MAX(r.peak_quarter_wh) * 4 / 1000 AS peak_kw
  FROM rollup_day r
  WHERE r.device_id = $device AND r.day_start <= $__timeTo()
    AND r.month_start > DATE_SUB(${CURRENT_MONTH}, INTERVAL 12 MONTH)
  GROUP BY r.month_start
) m`,
    },
    {
      title: 'Monthly peaks: computed and reported by the meter (BE)',
      type: 'timeseries',
      format: 'time_series',
      unit: 'kwatt',
      decimals: 3,
      bars: true,
      w: 12,
      description:
        "Computed: the month's highest quarter-hour from register differences. Meter: the month's peak in the meter's own 0-0:98.1.0 history (also months before SEM had data, and months without a peak as 0), and for a month not closed yet its running 1-0:1.6.0 peak.",
      // A closed month is the one ending at its 98.1.0 boundary: its month_start from rollup_day where SEM has that
      // day, else the boundary one calendar month earlier (UTC: off by the DST hour where the offset changed in between).
      sql: `SELECT x.time, x.metric, x.value FROM (
  SELECT r.month_start AS "time", 'Computed' AS metric, MAX(r.peak_quarter_wh) * 4 / 1000 AS value
  FROM rollup_day r
  WHERE r.device_id = $device AND $__timeFilter(r.month_start)
  GROUP BY r.month_start
  UNION ALL
  SELECT m.time, 'Meter', MAX(m.demand_w) / 1000 FROM (
    SELECT COALESCE((SELECT r.month_start FROM rollup_day r WHERE r.device_id = h.device_id AND r.day_end = h.period_end),
                    h.period_end - INTERVAL 1 MONTH) AS time, h.demand_w
    FROM demand_peak_month h
    WHERE h.device_id = $device
    UNION ALL
    SELECT r.month_start, p.demand_w
    FROM demand_peak p JOIN rollup_day r ON r.device_id = p.device_id AND p.peak_at >= r.day_start AND p.peak_at < r.day_end
    WHERE p.device_id = $device AND p.period_end IS NULL
  ) m
  WHERE $__timeFilter(m.time)
  GROUP BY m.time
) x
ORDER BY 1, 2`,
    },
    {
      title: 'Peaks reported by the meter beside ours (BE)',
      type: 'table',
      format: 'table',
      w: 24,
      h: 7,
      fieldUnits: { 'Meter peak': 'kwatt', 'Computed for that quarter': 'kwatt', 'Peak time': 'dateTimeAsIso', 'Period end': 'dateTimeAsIso' },
      sql: `SELECT p.peak_at AS "Peak time", p.demand_w / 1000 AS "Meter peak",
  (SELECT q.imp_wh * 4 / 1000 FROM rollup_quarter q
   WHERE q.device_id = p.device_id AND q.bucket_start = FROM_UNIXTIME(UNIX_TIMESTAMP(p.peak_at) DIV 900 * 900)) AS "Computed for that quarter",
  p.period_end AS "Period end"
FROM demand_peak p
WHERE p.device_id = $device AND $__timeFilter(p.peak_at)
ORDER BY p.peak_at DESC`,
    },
    {
      title: 'Capacity step this month (NO)',
      type: 'table',
      format: 'table',
      w: 12,
      h: 5,
      fieldUnits: { 'Average of 3 highest daily peaks': 'kwatt' },
      description: "Average of the three highest hourly imports of the local month, each on a different day (kWh in one hour = average kW), and the step it falls in.",
      sql: `SELECT a.kw AS "Average of 3 highest daily peaks", ${capacityStepCase('a.kw')} AS "Step", a.days AS "Days"
FROM (
  SELECT AVG(t.kw) AS kw, COUNT(*) AS days
  FROM (
    SELECT r.peak_hour_wh / 1000 AS kw
    FROM rollup_day r
    WHERE ${MONTH_DAYS}
    ORDER BY r.peak_hour_wh DESC
    LIMIT 3
  ) t
) a`,
    },
    {
      title: 'Daily peak hour (NO)',
      type: 'timeseries',
      format: 'time_series',
      unit: 'kwatt',
      decimals: 3,
      bars: true,
      w: 12,
      sql: `SELECT r.day_start AS "time", r.peak_hour_wh / 1000 AS "Highest hour"
FROM rollup_day r
WHERE r.device_id = $device AND $__timeFilter(r.day_start)
ORDER BY 1`,
    },
  ],
});
