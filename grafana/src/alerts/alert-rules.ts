/**
 * The household alert rules (provisioned from grafana/provisioning/alerting). Each query returns one
 * row per device (and phase) with one number; the threshold fires per row, labelled by its text columns.
 */
import { runningDemandKw } from '../cost-fragments.ts';
import { sqlRule, type AlertRuleFile } from './alert-model.ts';

/** Minutes without a reading before a device counts as silent. */
export const SILENT_MINUTES = 10;
/** Share of this month's billed quarter-hour peak at which the running demand warns. */
export const PEAK_WARN_SHARE = 0.9;
/** Flemish capacity tariff: a month is billed at least this peak (kW). */
const BE_MINIMUM_KW = 2.5;
/** EN 50160: the 10-minute mean of the supply voltage within 230 V ± 10 %. */
export const VOLTAGE_RANGE: [number, number] = [207, 253];

const deviceSilent = sqlRule({
  uid: 'sem-device-silent',
  title: 'Device silent',
  seconds: 600,
  evaluator: { type: 'gt', params: [SILENT_MINUTES] },
  summary: `{{ $labels.device }} sent nothing for more than ${SILENT_MINUTES} minutes`,
  description: 'Minutes since the newest reading (or since the device was added, if it never sent one).',
  sql: `SELECT d.name AS device,
  TIMESTAMPDIFF(SECOND, COALESCE((SELECT MAX(r.meter_time) FROM reading r WHERE r.device_id = d.id), d.created_at), $__timeTo()) / 60 AS minutes_silent
FROM device d`,
});

const powerFailure = sqlRule({
  uid: 'sem-power-failure',
  title: 'Power failure',
  seconds: 600,
  evaluator: { type: 'gt', params: [0] },
  summary: '{{ $labels.device }}: the meter counted a power failure',
  description: "Increase of the meter's power failure counters (0-0:96.7.21 short, 0-0:96.7.9 long) in the last 10 minutes.",
  sql: `SELECT d.name AS device,
  (SELECT COALESCE(MAX(r.power_failures) - MIN(r.power_failures), 0) + COALESCE(MAX(r.long_power_failures) - MIN(r.long_power_failures), 0)
   FROM reading r WHERE r.device_id = d.id AND $__timeFilter(r.meter_time)) AS failures
FROM device d`,
});

const MONTH_PEAK_KW = `(SELECT MAX(r.peak_quarter_wh) * 4 / 1000 FROM rollup_day r
    WHERE r.device_id = d.id AND r.day_start <= $__timeTo()
      AND r.month_start = (SELECT c.month_start FROM rollup_day c WHERE c.device_id = d.id AND c.day_start <= $__timeTo() ORDER BY c.day_start DESC LIMIT 1))`;

const peakNear = sqlRule({
  uid: 'sem-quarter-peak-near',
  title: "This month's quarter-hour peak about to be exceeded (BE)",
  seconds: 900,
  evaluator: { type: 'gt', params: [PEAK_WARN_SHARE] },
  summary: "{{ $labels.device }}: the running 15-minute demand is near this month's capacity peak",
  description: `Running 15-minute demand (average import power of the last 15 minutes) as a share of this month's highest quarter-hour (at least ${BE_MINIMUM_KW} kW); fires above ${PEAK_WARN_SHARE}.`,
  sql: `SELECT x.device, x.share_of_peak FROM (
  SELECT d.name AS device,
    ${runningDemandKw('d.id', 15)} / GREATEST(COALESCE(${MONTH_PEAK_KW}, 0), ${BE_MINIMUM_KW}) AS share_of_peak
  FROM device d
  WHERE d.country = 'BE'
) x
WHERE x.share_of_peak IS NOT NULL`,
});

const PHASES = `(SELECT 1 AS n, 'L1' AS phase UNION ALL SELECT 2, 'L2' UNION ALL SELECT 3, 'L3')`;

const voltage = sqlRule({
  uid: 'sem-voltage-en50160',
  title: 'Voltage outside EN 50160',
  seconds: 600,
  evaluator: { type: 'outside_range', params: VOLTAGE_RANGE },
  summary: '{{ $labels.device }} {{ $labels.phase }}: 10-minute mean voltage outside 230 V ± 10 %',
  description: `Mean voltage per phase over the last 10 minutes (minute rollup); fires outside ${VOLTAGE_RANGE[0]}–${VOLTAGE_RANGE[1]} V.`,
  sql: `SELECT x.device, x.phase, x.volts FROM (
  SELECT d.name AS device, p.phase,
    (SELECT CASE p.n WHEN 1 THEN SUM(m.u_l1_sum) / NULLIF(SUM(m.u_l1_n), 0) WHEN 2 THEN SUM(m.u_l2_sum) / NULLIF(SUM(m.u_l2_n), 0) ELSE SUM(m.u_l3_sum) / NULLIF(SUM(m.u_l3_n), 0) END
     FROM rollup_minute m WHERE m.device_id = d.id AND m.bucket_start >= $__timeFrom() AND m.bucket_start < $__timeTo()) AS volts
  FROM device d JOIN ${PHASES} p
) x
WHERE x.volts IS NOT NULL`,
});

export const ALERT_RULES: AlertRuleFile = {
  apiVersion: 1,
  groups: [{ orgId: 1, name: 'SEM household', folder: 'SEM', interval: '1m', rules: [deviceSilent, powerFailure, peakNear, voltage] }],
};
