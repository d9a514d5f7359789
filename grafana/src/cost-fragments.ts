/**
 * Costs from the tariff tables and the rollups, as SQL for the dashboards (docs/dashboards.md, "Costs").
 * Energy is priced per hour (rollup_hour: local date and hour give the period), or per quarter-hour where
 * the version follows a dynamic series (rollup_quarter joined to energy_price). Fixed fees and capacity
 * charges accrue per local day with data: the month's amount divided by the days of that month, under
 * the version of that day, so a tariff change in the middle of a month splits them by days.
 */

/** CTE `tv`: the device's tariff versions, each with the first date it no longer applies. */
export const TARIFF_VERSIONS = `tv AS (
  SELECT t.*, LEAD(t.valid_from) OVER (ORDER BY t.valid_from) AS valid_until
  FROM tariff t
  WHERE t.device_id = $device
)`;

/** The version `tv` applies on the local date `date`. */
export const inVersion = (date: string) => `${date} >= tv.valid_from AND (tv.valid_until IS NULL OR ${date} < tv.valid_until)`;

/** Import price per kWh of hour row `h` by period: weekend (Saturday, Sunday), day hours on weekdays, else night. */
const PERIOD_PRICE = `CASE WHEN DAYOFWEEK(h.local_date) IN (1, 7) THEN COALESCE(tv.import_weekend_price, tv.import_night_price, tv.import_day_price)
    WHEN h.local_hour >= tv.day_start_hour AND h.local_hour < tv.day_end_hour THEN tv.import_day_price
    ELSE COALESCE(tv.import_night_price, tv.import_day_price) END`;

/** Import cost of hour row `h` under version `tv`: a dynamic version prices each quarter-hour that has a price, the others at the period price. */
export const HOUR_IMPORT_COST = `(CASE WHEN tv.price_series IS NULL THEN h.imp_wh * ${PERIOD_PRICE}
    ELSE (SELECT SUM(q.imp_wh * COALESCE(tv.dynamic_factor * p.price + tv.dynamic_markup, ${PERIOD_PRICE}))
      FROM rollup_quarter q LEFT JOIN energy_price p ON p.series = tv.price_series AND p.starts_at = q.bucket_start
      WHERE q.device_id = h.device_id AND q.bucket_start >= h.bucket_start AND q.bucket_start < h.bucket_start + INTERVAL 1 HOUR)
  END / 1000)`;

export const HOUR_EXPORT_CREDIT = '(h.exp_wh * tv.export_price / 1000)';

/** The latest local day with data up to the range end ("today" of the dashboard). */
export const TODAY = `(SELECT c.local_date FROM rollup_day c WHERE c.device_id = $device AND c.day_start <= $__timeTo() ORDER BY c.day_start DESC LIMIT 1)`;

/**
 * CTEs `tv`, `d` (days with data of `daysWhere`, up to the range end), `mp` (per month of those days:
 * the highest quarter-hour so far in kW and the mean of the three highest daily peak hours in kW),
 * `hc` (energy cost per day) and `dc`: per day its import cost, export credit, fixed fee and capacity
 * charge. `daysWhere` must cover whole months for the month peaks to be right.
 */
export function dayCosts(daysWhere: string): string {
  return `WITH ${TARIFF_VERSIONS},
d AS (
  SELECT r.local_date, r.day_start, r.month_start, r.peak_quarter_wh, r.peak_hour_wh
  FROM rollup_day r
  WHERE r.device_id = $device AND r.day_start <= $__timeTo() AND ${daysWhere}
),
mp AS (
  SELECT x.month_start, MAX(x.peak_quarter_wh) * 4 / 1000 AS peak_kw, AVG(CASE WHEN x.n <= 3 THEN x.peak_hour_wh END) / 1000 AS top3_kw
  FROM (SELECT d.*, ROW_NUMBER() OVER (PARTITION BY d.month_start ORDER BY d.peak_hour_wh DESC) AS n FROM d) x
  GROUP BY x.month_start
),
hc AS (
  SELECT h.local_date, SUM(${HOUR_IMPORT_COST}) AS import_cost, SUM(${HOUR_EXPORT_CREDIT}) AS export_credit
  FROM rollup_hour h JOIN tv ON ${inVersion('h.local_date')}
  WHERE h.device_id = $device AND h.local_date IN (SELECT local_date FROM d)
  GROUP BY h.local_date
),
dc AS (
  SELECT d.local_date, d.day_start, d.month_start, tv.currency,
    COALESCE(hc.import_cost, 0) AS import_cost,
    COALESCE(hc.export_credit, 0) AS export_credit,
    tv.fixed_monthly_fee / CAST(DAY(LAST_DAY(d.local_date)) AS DOUBLE) AS fixed_fee,
    COALESCE(CASE tv.capacity_kind
      WHEN 'be' THEN tv.capacity_price_kw_year / 12 * GREATEST(mp.peak_kw, tv.capacity_min_kw)
      WHEN 'no' THEN (SELECT s.monthly_price FROM tariff_capacity_step s WHERE s.tariff_id = tv.id AND s.from_kw <= mp.top3_kw ORDER BY s.from_kw DESC LIMIT 1)
    END, 0) / CAST(DAY(LAST_DAY(d.local_date)) AS DOUBLE) AS capacity
  FROM d
  JOIN tv ON ${inVersion('d.local_date')}
  JOIN mp ON mp.month_start = d.month_start
  LEFT JOIN hc ON hc.local_date = d.local_date
)`;
}

/** Days of the local year of TODAY, up to the range end: covers today, this month and this year. */
export const THIS_YEAR = `r.local_date >= MAKEDATE(YEAR(${TODAY}), 1)`;

/** Whole local months from the one holding the range start. */
export const MONTHS_OF_RANGE = `r.month_start >= (SELECT MIN(c.month_start) FROM rollup_day c WHERE c.device_id = $device AND c.day_end > $__timeFrom())`;

/** CTE `cur`: the version of the latest day in `d`. */
export const CURRENT_VERSION = `cur AS (SELECT tv.* FROM tv WHERE ${inVersion('(SELECT MAX(local_date) FROM d)')})`;

/** A day's total: import cost − export credit + fixed fee + capacity. */
export const DAY_TOTAL = '(dc.import_cost - dc.export_credit + dc.fixed_fee + dc.capacity)';

/** Average import power (kW) over the `minutes` up to the range end, from the minute rollup. */
export const runningDemandKw = (device: string, minutes: number) => `(SELECT SUM(m.p_imp_sum) / NULLIF(SUM(m.p_imp_n), 0) / 1000
  FROM rollup_minute m
  WHERE m.device_id = ${device} AND m.bucket_start >= $__timeTo() - INTERVAL ${minutes} MINUTE AND m.bucket_start < $__timeTo())`;
