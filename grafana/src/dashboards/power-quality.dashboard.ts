import { buildDashboard, deviceVariable } from '../panel-builder.ts';
import { avg, max, min, tiered, unbalance } from '../sql-fragments.ts';

const phases = [1, 2, 3] as const;

/** Counter increments per bucket from rollup_hour (register differences of the meter's counters). */
function counters(cols: readonly [string, string][]): string {
  return `SELECT $__timeGroupAlias(bucket_start, $__interval),
  ${cols.map(([c, alias]) => `SUM(${c}) AS "${alias}"`).join(',\n  ')}
FROM rollup_hour
WHERE device_id = $device AND $__timeFilter(bucket_start)
GROUP BY 1
ORDER BY 1`;
}

export const powerQuality = buildDashboard({
  uid: 'sem-power-quality',
  title: 'SEM · Power quality',
  tags: ['power-quality'],
  variables: [deviceVariable(false)],
  panels: [
    {
      title: 'Voltage per phase: average, minimum, maximum',
      type: 'timeseries',
      format: 'time_series',
      unit: 'volt',
      decimals: 1,
      w: 24,
      sql: tiered(phases.flatMap((p) => [avg(`u_l${p}`, `L${p} avg`), min(`u_l${p}`, `L${p} min`), max(`u_l${p}`, `L${p} max`)])),
    },
    {
      title: 'Current per phase: average and maximum',
      type: 'timeseries',
      format: 'time_series',
      unit: 'amp',
      decimals: 2,
      sql: tiered(phases.flatMap((p) => [avg(`i_l${p}`, `L${p} avg`), max(`i_l${p}`, `L${p} max`)])),
    },
    {
      title: 'Voltage unbalance',
      type: 'timeseries',
      format: 'time_series',
      unit: 'percent',
      decimals: 2,
      min: 0,
      description: 'Largest deviation of a phase voltage from the mean of the three, in % of that mean, per interval (three-phase meters only).',
      sql: tiered([unbalance('Unbalance')]),
    },
    {
      title: 'Voltage sags and swells',
      type: 'timeseries',
      format: 'time_series',
      unit: 'none',
      bars: true,
      stacked: true,
      interval: '1h',
      description: "Increments of the meter's sag and swell counters (0-0:32.32.x / 0-0:32.36.x).",
      sql: counters(phases.flatMap((p) => [[`sags_l${p}`, `Sags L${p}`], [`swells_l${p}`, `Swells L${p}`]] as [string, string][])),
    },
    {
      title: 'Power failures',
      type: 'timeseries',
      format: 'time_series',
      unit: 'none',
      bars: true,
      interval: '1h',
      sql: counters([
        ['failures', 'Short failures'],
        ['long_failures', 'Long failures'],
      ]),
    },
    {
      title: 'Power-failure log',
      type: 'table',
      format: 'table',
      fieldUnits: { Started: 'dateTimeAsIso', Ended: 'dateTimeAsIso', Duration: 's' },
      description: 'The long power failure log 1-0:99.97.0 as the meter reports it.',
      sql: `SELECT ended_at - INTERVAL duration_s SECOND AS "Started", ended_at AS "Ended", duration_s AS "Duration"
FROM power_failure_event
WHERE device_id = $device AND $__timeFilter(ended_at)
ORDER BY ended_at DESC`,
    },
  ],
});
