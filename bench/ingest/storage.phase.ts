import { readFileSync } from 'node:fs';
import { createConnection, type Connection } from 'mysql2/promise';
import { createKysely, migrateToLatest, type DbConnectionConfig } from '@sem/db';
import { decodeTelegrams } from '@sem/meter-protocol';
import { prepareReading } from '@sem/ingest';
import { BENCH_DB, createBenchDevices } from './bench-db.setup.ts';
import { P1_TEMPLATE_PATH } from './payloads.factory.ts';

export const STORAGE_DB = `${BENCH_DB}_storage`;

export interface StorageView {
  label: string;
  readingBytes: number;
  allBytes: number;
}

export interface StorageResult {
  devices: number;
  hours: number;
  rows: number;
  rowFormat: string;
  columns: string[];
  views: StorageView[];
  loadSeconds: number;
  optimizeSeconds: number;
}

/**
 * One SQL expression per value column of a real Fluvius telegram, modelling a household at 1 Hz:
 * power varies every second (noise from a hash of device and second), voltage by a few tenths, energy
 * registers grow with the integral of the power, states stay put. `s` = second of the day, `d` = device.
 */
function model(column: string, sample: number): string {
  const noise = (shift: number, mod: number) => `((CRC32(CONCAT(dev.id, ':', s.seq)) >> ${shift}) % ${mod})`;
  const day = '(2 * PI() * s.seq / 86400)';
  const base = '(500 + (dev.d * 37) % 800)';
  // amp < base: the modelled power never goes negative, so the energy registers only grow.
  const amp = '(100 + (dev.d * 53) % 400)';
  const power = `GREATEST(0, ${base} + ${amp} * SIN(${day} + dev.d) + ${noise(0, 301)} - 150)`;
  // Integral of base + amp*sin over the seconds so far, in Wh: monotonic and smooth, as a meter register.
  const energy = `(${base} * s.seq + ${amp} * 86400 / (2 * PI()) * (COS(dev.d) - COS(${day} + dev.d))) / 3600`;
  const phase = (i: number) => `ROUND(${power} * ${[0.5, 0.3, 0.2][i]} + ${noise(8 + i * 4, 21)} - 10)`;
  const volt = (i: number) => `2300 + ${noise(12 + i * 5, 41)} - 20 + ROUND(15 * SIN(${day} * 2 + ${i}))`;
  switch (column) {
    case 'energy_import_wh':
      return `${sample} + dev.d * 100000 + FLOOR(${energy})`;
    case 'energy_import_t1_wh':
      return `${sample} + dev.d * 60000 + FLOOR(${energy} * 0.6)`;
    case 'energy_import_t2_wh':
      return `${sample} + dev.d * 40000 + FLOOR(${energy} * 0.4)`;
    case 'power_import_w':
      return `ROUND(${power})`;
    case 'power_import_l1_w':
    case 'power_import_l2_w':
    case 'power_import_l3_w':
      return `GREATEST(0, ${phase(Number(column.at(-3)) - 1)})`;
    case 'voltage_l1_dv':
    case 'voltage_l2_dv':
    case 'voltage_l3_dv':
      return volt(Number(column.at(-4)) - 1);
    case 'current_l1_ca':
    case 'current_l2_ca':
    case 'current_l3_ca':
      return `GREATEST(0, ROUND(${phase(Number(column.at(-4)) - 1)} / 2.3))`;
    case 'demand_current_average_w':
      return `GREATEST(0, ROUND(${base} + ${amp} * SIN(${day} + dev.d)))`;
    case 'tariff':
      return `IF(MOD(FLOOR(s.seq / 3600) + 1, 24) BETWEEN 7 AND 21, 1, 2)`;
    default:
      return String(sample);
  }
}

async function sizes(conn: Connection, label: string): Promise<StorageView[]> {
  await conn.query('ANALYZE TABLE reading, mbus_reading, demand_peak, device_meter, raw_object');
  const [t] = await conn.query(
    'SELECT table_name AS name, data_length + index_length AS bytes FROM information_schema.TABLES WHERE table_schema = ?',
    [STORAGE_DB],
  );
  const [f] = await conn.query(
    "SELECT SUBSTRING_INDEX(name, '/', -1) AS name, file_size, allocated_size FROM information_schema.INNODB_SYS_TABLESPACES WHERE name LIKE ?",
    [`${STORAGE_DB}/%`],
  );
  const stats = t as { name: string; bytes: number }[];
  const files = f as { name: string; file_size: number; allocated_size: number }[];
  const sum = (rows: { name: string }[], pick: (r: never) => number, only?: string) =>
    rows.filter((r) => !only || r.name === only).reduce((a, r) => a + Number(pick(r as never)), 0);
  return [
    { label: `${label}: data_length + index_length`, readingBytes: sum(stats, (r: { bytes: number }) => r.bytes, 'reading'), allBytes: sum(stats, (r: { bytes: number }) => r.bytes) },
    { label: `${label}: .ibd allocated on disk`, readingBytes: sum(files, (r: { allocated_size: number }) => r.allocated_size, 'reading'), allBytes: sum(files, (r: { allocated_size: number }) => r.allocated_size) },
  ];
}

/**
 * A day (or `hours`) of 1 Hz readings from `devices` devices in the production schema of its own
 * database, inserted an hour at a time, each device's hour as one run of consecutive seconds (how
 * batch uploads arrive; strictly time-major order is ~3x slower to load into compressed pages);
 * sizes as loaded and after OPTIMIZE TABLE. Gas (M-Bus channel 1) every 5 minutes, as Fluvius meters report it.
 */
export async function storagePhase(o: { admin: DbConnectionConfig; devices: number; hours: number; log: (m: string) => void }): Promise<StorageResult> {
  let conn = await createConnection({ ...o.admin, database: undefined, timezone: 'Z' });
  const session = async (c: Connection) => {
    await c.query(`USE ${STORAGE_DB}`);
    await c.query("SET time_zone = '+00:00'");
    // The devices exist; skipping the per-row parent lookup only speeds the bulk load up.
    await c.query('SET foreign_key_checks = 0');
  };
  // Other sessions on this shared server restart MariaDB now and then (outage tests): reconnect and
  // repeat the statement (each is its own transaction and INSERT IGNORE, so a repeat cannot double rows).
  const query = async (text: string): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await conn.query(text);
      } catch (err) {
        if (attempt >= 5 || !(err as { fatal?: boolean }).fatal) throw err;
        o.log(`storage: connection lost (${(err as Error).message}); reconnecting, attempt ${attempt}`);
        await new Promise((r) => setTimeout(r, 3000 * attempt));
        try {
          conn = await createConnection({ ...o.admin, database: undefined, timezone: 'Z' });
          await session(conn);
        } catch {
          // the server is still down: the next attempt waits longer
        }
      }
    }
  };
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${STORAGE_DB}`);
    await conn.query(`CREATE DATABASE ${STORAGE_DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const k = createKysely({ ...o.admin, database: STORAGE_DB });
    try {
      await migrateToLatest(k);
    } finally {
      await k.destroy();
    }
    const root = { admin: o.admin, api: o.admin, root: { ...o.admin, database: STORAGE_DB }, ungranted: [] };
    const devices = await createBenchDevices(root, 'st', o.devices, 'token');
    await session(conn);
    const [fmt] = await conn.query("SELECT row_format AS f, create_options AS o FROM information_schema.TABLES WHERE table_schema = ? AND table_name = 'reading'", [STORAGE_DB]);
    const rowFormat = `${(fmt as { f: string; o: string }[])[0]?.f} ${(fmt as { f: string; o: string }[])[0]?.o}`.trim();

    // The columns the real decoder fills for the real capture decide what is stored.
    const telegram = decodeTelegrams(readFileSync(P1_TEMPLATE_PATH, 'latin1'), { timeZone: 'Europe/Brussels' })[0]!;
    const prepared = prepareReading(telegram, { deviceId: devices[0]!.id, receivedAt: new Date(), source: 'p1' });
    if (!('ok' in prepared)) throw new Error('the Fluvius capture was refused');
    const columns = Object.entries(prepared.ok.columns as Record<string, number>);
    const start = Date.UTC(2026, 10, 2, 0, 0, 0) / 1000; // a Monday in winter time, all in the past
    const devList = devices.map((d, i) => `SELECT ${d.id} AS id, ${i} AS d`).join(' UNION ALL ');
    const seconds = o.hours * 3600;
    const t0 = performance.now();
    // One statement per device and hour: the sequence comes out in order, so no sort or temporary table.
    const insert = (id: number, d: number, h: number) =>
      query(
        `INSERT IGNORE INTO reading (device_id, meter_time, received_at, source, ${columns.map(([c]) => c).join(', ')})
         SELECT dev.id, FROM_UNIXTIME(${start} + s.seq), FROM_UNIXTIME(${start} + s.seq + (50 + (CRC32(CONCAT(s.seq, dev.id)) % 900)) / 1000), 2,
                ${columns.map(([c, v]) => model(c, v)).join(',\n                ')}
         FROM seq_${h * 3600}_to_${h * 3600 + 3599} s CROSS JOIN (SELECT ${id} AS id, ${d} AS d) dev`,
      );
    for (let h = 0; h < o.hours; h++) {
      for (let d = 0; d < devices.length; d++) await insert(devices[d]!.id, d, h);
      if (h % 6 === 5) o.log(`storage: ${h + 1}/${o.hours} h loaded`);
    }
    await query(
      `INSERT IGNORE INTO mbus_reading (device_id, channel, captured_at, received_at, device_type, equipment_id, value, unit, valve_position)
       SELECT dev.id, 1, FROM_UNIXTIME(${start} + s.seq), FROM_UNIXTIME(${start} + s.seq + 10), 3, '7FLO2119033733',
              1000 + dev.d * 10 + s.seq / 86400 * 2.5, 'm3', 1
       FROM seq_0_to_${seconds - 1}_step_300 s CROSS JOIN (${devList}) dev`,
    );
    const loadSeconds = (performance.now() - t0) / 1000;
    const [[count]] = (await conn.query('SELECT COUNT(*) AS n FROM reading')) as unknown as [[{ n: number }]];
    const rows = Number(count.n);
    const views = await sizes(conn, 'as loaded');
    const t1 = performance.now();
    await query('OPTIMIZE TABLE reading, mbus_reading');
    const optimizeSeconds = (performance.now() - t1) / 1000;
    views.push(...(await sizes(conn, 'after OPTIMIZE TABLE')));
    return { devices: o.devices, hours: o.hours, rows, rowFormat, columns: columns.map(([c]) => c), views, loadSeconds, optimizeSeconds };
  } finally {
    await conn.end();
  }
}
