import { buildDashboard, deviceVariable } from '../panel-builder.ts';

/** Average voltage of an hour over the phases the meter has. */
const HOUR_V = '(h.u_l1_sum + h.u_l2_sum + h.u_l3_sum) / NULLIF(h.u_l1_n + h.u_l2_n + h.u_l3_n, 0)';
const METERS = 'h.device_id IN ($device) AND $__timeFilter(h.bucket_start)';

const matrix = (value: string) => [{ id: 'groupingToMatrix', options: { columnField: 'Meter', rowField: 'Hour', valueField: value } }];

export const grid = buildDashboard({
  uid: 'sem-grid',
  title: 'SEM · Grid analysis',
  tags: ['grid'],
  from: 'now-30d',
  variables: [deviceVariable(true)],
  panels: [
    {
      title: 'Voltage by hour of day',
      type: 'barchart',
      format: 'table',
      unit: 'volt',
      decimals: 2,
      description: "Average voltage per local hour of day (the meter's zone), over the range.",
      transformations: matrix('Voltage'),
      sql: `SELECT d.name AS "Meter", h.local_hour AS "Hour",
  SUM(h.u_l1_sum + h.u_l2_sum + h.u_l3_sum) / NULLIF(SUM(h.u_l1_n + h.u_l2_n + h.u_l3_n), 0) AS "Voltage"
FROM rollup_hour h JOIN device d ON d.id = h.device_id
WHERE ${METERS}
GROUP BY d.name, h.local_hour
ORDER BY 1, 2`,
    },
    {
      title: 'Voltage by hour of day, normalized',
      type: 'barchart',
      format: 'table',
      unit: 'percent',
      decimals: 2,
      description: "Each meter's hour-of-day average as a deviation from that meter's own average over the range, so meters on different feeders compare.",
      transformations: matrix('Deviation'),
      sql: `SELECT d.name AS "Meter", h.local_hour AS "Hour",
  100 * (SUM(h.u_l1_sum + h.u_l2_sum + h.u_l3_sum) / SUM(h.u_l1_n + h.u_l2_n + h.u_l3_n))
    / (SUM(SUM(h.u_l1_sum + h.u_l2_sum + h.u_l3_sum)) OVER (PARTITION BY d.name) / SUM(SUM(h.u_l1_n + h.u_l2_n + h.u_l3_n)) OVER (PARTITION BY d.name)) - 100 AS "Deviation"
FROM rollup_hour h JOIN device d ON d.id = h.device_id
WHERE ${METERS} AND h.u_l1_n + h.u_l2_n + h.u_l3_n > 0
GROUP BY d.name, h.local_hour
ORDER BY 1, 2`,
    },
    {
      title: 'Voltage correlation between meters',
      type: 'table',
      format: 'table',
      decimals: 3,
      fieldUnits: { Hours: 'none' },
      description: 'Pearson correlation of the hourly average voltages of each pair of meters, over the hours both have.',
      sql: `WITH v AS (
  SELECT h.device_id, h.bucket_start, ${HOUR_V} AS volt
  FROM rollup_hour h
  WHERE ${METERS} AND h.u_l1_n + h.u_l2_n + h.u_l3_n > 0
)
SELECT da.name AS "Meter A", db.name AS "Meter B", COUNT(*) AS "Hours",
  (COUNT(*) * SUM(a.volt * b.volt) - SUM(a.volt) * SUM(b.volt))
    / SQRT((COUNT(*) * SUM(a.volt * a.volt) - SUM(a.volt) * SUM(a.volt)) * (COUNT(*) * SUM(b.volt * b.volt) - SUM(b.volt) * SUM(b.volt))) AS "Correlation"
FROM v a
JOIN v b ON b.bucket_start = a.bucket_start AND b.device_id > a.device_id
JOIN device da ON da.id = a.device_id
JOIN device db ON db.id = b.device_id
GROUP BY da.name, db.name
ORDER BY 1, 2`,
    },
    {
      title: 'Hourly energy',
      type: 'timeseries',
      format: 'time_series',
      unit: 'kwatth',
      decimals: 3,
      bars: true,
      interval: '1h',
      sql: `SELECT $__timeGroupAlias(h.bucket_start, $__interval), d.name AS metric, SUM(h.imp_wh) / 1000 AS value
FROM rollup_hour h JOIN device d ON d.id = h.device_id
WHERE ${METERS}
GROUP BY 1, 2
ORDER BY 1, 2`,
    },
  ],
});
