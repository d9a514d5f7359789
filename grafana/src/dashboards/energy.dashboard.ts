import { buildDashboard, customVariable, deviceVariable } from '../panel-builder.ts';
import { tariffSplit } from '../sql-fragments.ts';

/** Bars per local day, ISO week or month: rollup_day keeps the UTC start of each, computed in the device's zone. */
function bars(direction: 'imp' | 'exp'): string {
  const s = tariffSplit(direction);
  return `SELECT r.\${period}_start AS "time", ${s.label} AS metric, SUM(${s.wh}) / 1000 AS value
FROM rollup_day r JOIN device d ON d.id = r.device_id ${s.join}
WHERE r.device_id = $device AND $__timeFilter(r.\${period}_start) AND ${s.where}
GROUP BY 1, 2
ORDER BY 1, 2`;
}

function volume(col: 'gas_l' | 'water_l', name: string): string {
  return `SELECT r.\${period}_start AS "time", SUM(r.${col}) / 1000 AS "${name}"
FROM rollup_day r
WHERE r.device_id = $device AND $__timeFilter(r.\${period}_start)
GROUP BY 1
ORDER BY 1`;
}

const about =
  'Consumption from register differences (never raw register values), per local day of the device. A bar is shown when its day, week or month starts inside the range.';

export const energy = buildDashboard({
  uid: 'sem-energy',
  title: 'SEM · Energy',
  tags: ['energy'],
  from: 'now-30d',
  variables: [deviceVariable(false), customVariable('period', 'Bars per', ['day', 'week', 'month'])],
  panels: [
    { title: 'Import by tariff per ${period}', type: 'timeseries', format: 'time_series', unit: 'kwatth', bars: true, stacked: true, w: 24, description: about, sql: bars('imp') },
    { title: 'Export by tariff per ${period}', type: 'timeseries', format: 'time_series', unit: 'kwatth', bars: true, stacked: true, w: 24, description: about, sql: bars('exp') },
    { title: 'Gas per ${period}', type: 'timeseries', format: 'time_series', unit: 'm3', decimals: 3, bars: true, description: about, sql: volume('gas_l', 'Gas') },
    { title: 'Water per ${period}', type: 'timeseries', format: 'time_series', unit: 'm3', decimals: 3, bars: true, description: about, sql: volume('water_l', 'Water') },
  ],
});
