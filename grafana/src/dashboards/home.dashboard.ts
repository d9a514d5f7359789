import { buildDashboard, deviceVariable } from '../panel-builder.ts';
import { avg, netPhase, tariffSplit, tiered } from '../sql-fragments.ts';

const imp = tariffSplit('imp');
const exp = tariffSplit('exp');

/** The local day holding the range end (today, for a range ending now). */
const TODAY = 'r.device_id = $device AND r.day_start <= $__timeTo() AND r.day_end > $__timeTo()';

export const home = buildDashboard({
  uid: 'sem-home',
  title: 'SEM · Home',
  tags: ['home'],
  variables: [deviceVariable(false)],
  panels: [
    {
      title: 'Power now',
      type: 'stat',
      format: 'table',
      unit: 'watt',
      w: 6,
      description: 'The latest reading, whatever the time range.',
      sql: `SELECT meter_time AS "time", power_import_w AS "Import", power_export_w AS "Export"
FROM reading
WHERE device_id = $device
ORDER BY meter_time DESC
LIMIT 1`,
    },
    {
      title: 'Power',
      type: 'timeseries',
      format: 'time_series',
      unit: 'watt',
      w: 18,
      sql: tiered([avg('p_imp', 'Import'), avg('p_exp', 'Export')]),
    },
    {
      title: 'Power per phase (import − export)',
      type: 'timeseries',
      format: 'time_series',
      unit: 'watt',
      sql: tiered([netPhase(1, 'L1'), netPhase(2, 'L2'), netPhase(3, 'L3')]),
    },
    {
      title: 'Energy today by tariff',
      type: 'bargauge',
      format: 'table',
      unit: 'kwatth',
      decimals: 3,
      w: 6,
      description: "The device's local day that holds the end of the range. Tariff names follow the device's country.",
      sql: `SELECT x.label AS "Tariff", x.kwh AS "Energy"
FROM (
  SELECT ${imp.label} AS label, ${imp.wh} / 1000 AS kwh, 1 AS dir, k.tariff
  FROM rollup_day r JOIN device d ON d.id = r.device_id ${imp.join}
  WHERE ${TODAY} AND ${imp.where}
  UNION ALL
  SELECT ${exp.label}, ${exp.wh} / 1000, 2, k.tariff
  FROM rollup_day r JOIN device d ON d.id = r.device_id ${exp.join}
  WHERE ${TODAY} AND ${exp.where}
) x
ORDER BY x.dir, x.tariff`,
    },
    {
      title: 'Gas and water today',
      type: 'stat',
      format: 'table',
      unit: 'm3',
      decimals: 3,
      w: 6,
      sql: `SELECT r.gas_l / 1000 AS "Gas", r.water_l / 1000 AS "Water"
FROM rollup_day r
WHERE ${TODAY}`,
    },
    {
      title: 'Last seen',
      type: 'table',
      format: 'table',
      w: 24,
      h: 6,
      fieldUnits: { 'Last reading': 'dateTimeAsIso', 'Age': 's' },
      sql: `SELECT d.name AS "Device", l.last AS "Last reading", TIMESTAMPDIFF(SECOND, l.last, UTC_TIMESTAMP()) AS "Age"
FROM device d
LEFT JOIN (SELECT device_id, MAX(meter_time) AS last FROM reading GROUP BY device_id) l ON l.device_id = d.id
ORDER BY d.name`,
    },
  ],
});
