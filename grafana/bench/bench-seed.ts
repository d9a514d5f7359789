/**
 * A year of one meter for the dashboard benchmark, generated inside MariaDB from SEQUENCE tables.
 *
 * The rollups (minute, quarter, hour, day) are generated for the whole year directly, because they
 * are what the write path would have left behind: the dashboards never read raw rows over long
 * ranges. Raw per-second rows are generated for the last `rawDays` days only, as the retention job
 * leaves them; over 30 days and a year only the "latest reading" panels touch them, through the
 * primary key. Local dates use a fixed UTC+1 here: it changes nothing in the timings.
 */
import type { Connection } from 'mysql2/promise';

const STATS = ['p_imp', 'p_exp', 'p_imp_l1', 'p_imp_l2', 'p_imp_l3', 'p_exp_l1', 'p_exp_l2', 'p_exp_l3', 'u_l1', 'u_l2', 'u_l3', 'i_l1', 'i_l2', 'i_l3'];

export interface BenchSeed {
  /** End of the data (UTC), a whole hour. */
  end: Date;
  days: number;
  rawDays: number;
}

const fmt = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

async function timed(label: string, f: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await f();
  console.log(`  seeded ${label} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

export async function seedYear(conn: Connection, s: BenchSeed): Promise<void> {
  const minutes = s.days * 1440;
  const start = new Date(s.end.getTime() - minutes * 60_000);
  const st = fmt(start);
  await conn.query(`INSERT INTO device (id, name, time_zone, country, send_interval_s, created_at, updated_at) VALUES (1, 'bench-be', 'Europe/Brussels', 'BE', 1, NOW(), NOW())`);

  // Minute statistics: a daily wave of load with noise; export around midday; three phases.
  const cols = STATS.flatMap((c) => [`${c}_sum`, `${c}_n`, `${c}_min`, `${c}_max`]);
  const stat = (expr: string, lo = 0.8, hi = 1.3) => [`60 * (${expr})`, '60', `${lo} * (${expr})`, `${hi} * (${expr})`];
  const values = [
    ...stat('g.p'),
    ...stat('g.e'),
    ...stat('g.p * 0.5'),
    ...stat('g.p * 0.3'),
    ...stat('g.p * 0.2'),
    ...stat('g.e / 3'),
    ...stat('g.e / 3'),
    ...stat('g.e / 3'),
    ...stat('g.v', 0.99, 1.01),
    ...stat('g.v + 0.7', 0.99, 1.01),
    ...stat('g.v - 0.5', 0.99, 1.01),
    ...stat('g.p * 0.5 / g.v'),
    ...stat('g.p * 0.3 / g.v'),
    ...stat('g.p * 0.2 / g.v'),
  ];
  await timed(`rollup_minute (${minutes} rows)`, () =>
    conn.query(`
      INSERT INTO rollup_minute (device_id, bucket_start, ${cols.join(', ')})
      SELECT 1, '${st}' + INTERVAL g.seq MINUTE, ${values.join(', ')}
      FROM (
        SELECT seq,
          350 + 250 * SIN(seq / 229.18) + 400 * RAND(seq) AS p,
          GREATEST(0, 900 * SIN((CAST(seq % 1440 AS SIGNED) - 420) / 229.18)) AS e,
          230 + 2 * SIN(seq / 229.18 + 1) + RAND(seq + 7) AS v
        FROM seq_0_to_${minutes - 1}
      ) g`),
  );
  const sums = STATS.flatMap((c) => [`SUM(${c}_sum)`, `SUM(${c}_n)`, `MIN(${c}_min)`, `MAX(${c}_max)`]);
  await timed('rollup_quarter', () =>
    conn.query(`
      INSERT INTO rollup_quarter (device_id, bucket_start, local_date, imp_wh, exp_wh)
      SELECT 1, FROM_UNIXTIME(UNIX_TIMESTAMP(bucket_start) DIV 900 * 900) AS q, DATE(MIN(bucket_start) + INTERVAL 1 HOUR),
        ROUND(SUM(p_imp_sum) / 3600), ROUND(SUM(p_exp_sum) / 3600)
      FROM rollup_minute WHERE device_id = 1 GROUP BY q`),
  );
  await timed('rollup_hour', () =>
    conn.query(`
      INSERT INTO rollup_hour (device_id, bucket_start, local_date, local_hour, ${cols.join(', ')}, imp_wh, imp_t1_wh, imp_t2_wh, exp_wh, exp_t1_wh, gas_l, water_l, sags_l1)
      SELECT 1, FROM_UNIXTIME(UNIX_TIMESTAMP(bucket_start) DIV 3600 * 3600) AS h, DATE(MIN(bucket_start) + INTERVAL 1 HOUR), HOUR(MIN(bucket_start) + INTERVAL 1 HOUR),
        ${sums.join(', ')},
        ROUND(SUM(p_imp_sum) / 3600), ROUND(SUM(p_imp_sum) / 3600 * 0.6), ROUND(SUM(p_imp_sum) / 3600 * 0.4),
        ROUND(SUM(p_exp_sum) / 3600), ROUND(SUM(p_exp_sum) / 3600), 40, 12, IF(RAND() < 0.01, 1, 0)
      FROM rollup_minute WHERE device_id = 1 GROUP BY h`),
  );
  await timed('rollup_day', () =>
    conn.query(`
      INSERT INTO rollup_day (device_id, local_date, day_start, day_end, week_start, month_start, imp_wh, imp_t1_wh, imp_t2_wh, exp_wh, exp_t1_wh, gas_l, water_l, sags_l1,
        peak_quarter_wh, peak_quarter_start, peak_hour_wh, peak_hour_start)
      SELECT 1, h.local_date, TIMESTAMP(h.local_date) - INTERVAL 1 HOUR, TIMESTAMP(h.local_date) + INTERVAL 23 HOUR,
        TIMESTAMP(h.local_date - INTERVAL WEEKDAY(h.local_date) DAY) - INTERVAL 1 HOUR,
        TIMESTAMP(DATE_FORMAT(h.local_date, '%Y-%m-01')) - INTERVAL 1 HOUR,
        SUM(imp_wh), SUM(imp_t1_wh), SUM(imp_t2_wh), SUM(exp_wh), SUM(exp_t1_wh), SUM(gas_l), SUM(water_l), SUM(sags_l1),
        (SELECT MAX(q.imp_wh) FROM rollup_quarter q WHERE q.device_id = 1 AND q.local_date = h.local_date),
        (SELECT q.bucket_start FROM rollup_quarter q WHERE q.device_id = 1 AND q.local_date = h.local_date ORDER BY q.imp_wh DESC LIMIT 1),
        MAX(imp_wh), (SELECT x.bucket_start FROM rollup_hour x WHERE x.device_id = 1 AND x.local_date = h.local_date ORDER BY x.imp_wh DESC LIMIT 1)
      FROM rollup_hour h WHERE h.device_id = 1 GROUP BY h.local_date`),
  );

  // Raw per-second rows for the retention window, with cumulative registers.
  const rawSeconds = s.rawDays * 86_400;
  const rawStart = fmt(new Date(s.end.getTime() - rawSeconds * 1000));
  await timed(`reading (${rawSeconds} per-second rows)`, () =>
    conn.query(`
      INSERT INTO reading (device_id, meter_time, received_at, source, energy_import_t1_wh, energy_import_t2_wh, energy_export_t1_wh, energy_export_t2_wh,
        power_import_w, power_export_w, power_import_l1_w, power_import_l2_w, power_import_l3_w, voltage_l1_dv, voltage_l2_dv, voltage_l3_dv,
        current_l1_ca, current_l2_ca, current_l3_ca, tariff)
      SELECT 1, '${rawStart}' + INTERVAL seq SECOND, '${rawStart}' + INTERVAL seq SECOND, 2,
        5000000 + seq DIV 6, 3000000 + seq DIV 9, 100000 + seq DIV 30, 50000,
        500 + seq % 700, 0, 250 + seq % 300, 150 + seq % 200, 100 + seq % 200, 2290 + seq % 30, 2300 + seq % 20, 2295 + seq % 25,
        220 + seq % 90, 130 + seq % 60, 90 + seq % 50, 1 + (seq DIV 43200) % 2
      FROM seq_0_to_${rawSeconds - 1}`),
  );
  await timed('events, peaks, rejects', async () => {
    await conn.query(`
      INSERT INTO demand_peak (device_id, peak_at, demand_w, period_end, first_seen_at)
      SELECT 1, peak_quarter_start, peak_quarter_wh * 4, month_start, NOW() FROM rollup_day r
      WHERE device_id = 1 AND peak_quarter_wh = (SELECT MAX(peak_quarter_wh) FROM rollup_day x WHERE x.device_id = 1 AND x.month_start = r.month_start)
      GROUP BY month_start`);
    await conn.query(`
      INSERT INTO power_failure_event (device_id, ended_at, duration_s, first_seen_at)
      SELECT 1, '${st}' + INTERVAL seq * 7 DAY, 60 + seq * 13, NOW() FROM seq_0_to_${Math.floor(s.days / 7) - 1}`);
    await conn.query(`
      INSERT INTO rollup_reject_hour (bucket_start, device_id, reason, rejects)
      SELECT '${st}' + INTERVAL seq HOUR, IF(seq % 5 = 0, 0, 1), ELT(1 + seq % 3, 'checksum', 'unauthorized', 'rate_limited'), 1 + seq % 4
      FROM seq_0_to_${s.days * 24 - 1}`);
  });
}
