import { buildDashboard, deviceVariable } from '../panel-builder.ts';

export const fleet = buildDashboard({
  uid: 'sem-fleet',
  title: 'SEM · Fleet health',
  tags: ['fleet'],
  variables: [deviceVariable(true)],
  panels: [
    {
      title: 'Devices',
      type: 'table',
      format: 'table',
      w: 24,
      fieldUnits: { 'Last reading': 'dateTimeAsIso', 'Age of last reading': 's', 'Send interval': 's' },
      sql: `SELECT d.name AS "Device", d.country AS "Country", d.time_zone AS "Time zone", d.send_interval_s AS "Send interval",
  m.meter_id AS "Meter", m.vendor AS "Vendor",
  l.last AS "Last reading", TIMESTAMPDIFF(SECOND, l.last, UTC_TIMESTAMP()) AS "Age of last reading"
FROM device d
LEFT JOIN (SELECT device_id, MAX(meter_time) AS last FROM reading GROUP BY device_id) l ON l.device_id = d.id
LEFT JOIN device_meter m ON m.device_id = d.id
  AND m.last_seen_at = (SELECT MAX(m2.last_seen_at) FROM device_meter m2 WHERE m2.device_id = d.id)
WHERE d.id IN ($device)
ORDER BY d.name`,
    },
    {
      title: 'Age of last reading',
      type: 'bargauge',
      format: 'table',
      unit: 's',
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '/^Age$/', values: true } },
      // MAX per device from the primary key (a loose index scan), never a scan of the raw rows.
      sql: `SELECT d.name AS "Device", TIMESTAMPDIFF(SECOND, l.last, UTC_TIMESTAMP()) AS "Age"
FROM device d
JOIN (SELECT device_id, MAX(meter_time) AS last FROM reading GROUP BY device_id) l ON l.device_id = d.id
WHERE d.id IN ($device)
ORDER BY 2 DESC`,
    },
    {
      title: 'Rejects by reason',
      type: 'timeseries',
      format: 'time_series',
      unit: 'none',
      bars: true,
      stacked: true,
      interval: '1h',
      description: 'Requests and telegrams the API refused, per reason (all devices, unidentified ones included).',
      sql: `SELECT $__timeGroupAlias(bucket_start, $__interval), reason AS metric, SUM(rejects) AS value
FROM rollup_reject_hour
WHERE $__timeFilter(bucket_start)
GROUP BY 1, 2
ORDER BY 1, 2`,
    },
    {
      title: 'Rejects in range by device and reason',
      type: 'table',
      format: 'table',
      fieldUnits: { Rejects: 'none' },
      sql: `SELECT COALESCE(d.name, '(unidentified)') AS "Device", j.reason AS "Reason", SUM(j.rejects) AS "Rejects"
FROM rollup_reject_hour j LEFT JOIN device d ON d.id = j.device_id
WHERE $__timeFilter(j.bucket_start)
GROUP BY 1, 2
ORDER BY 3 DESC, 1, 2`,
    },
  ],
});
