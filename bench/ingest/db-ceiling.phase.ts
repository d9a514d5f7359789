import { createConnection } from 'mysql2/promise';
import type { DbConnectionConfig } from '@sem/db';
import { fromJson, prepareReading, type JsonReading } from '@sem/ingest';
import { jsonReading, type BenchDevice } from './payloads.factory.ts';

export interface CeilingResult {
  seconds: number;
  rows: number;
  statements: number;
  rowsPerStatement: number;
  /** Rows per device, for the final acknowledged-vs-stored count. */
  inserted: Map<number, number>;
}

function sqlTime(d: Date): string {
  return `'${d.toISOString().slice(0, 23).replace('T', ' ')}'`;
}

/**
 * (a) What MariaDB absorbs from one client: the rows the API would store for the same JSON readings,
 * as multi-row INSERTs of `rowsPerStatement` rows (autocommit: one commit each), back to back.
 * Each statement holds runs of consecutive seconds for a few devices, the locality of batch uploads (d).
 */
export async function dbCeiling(o: {
  connection: DbConnectionConfig;
  devices: readonly BenchDevice[];
  startMs: number;
  warmupS: number;
  seconds: number;
  rowsPerStatement: number;
  runLength: number;
}): Promise<CeilingResult> {
  const conn = await createConnection({ ...o.connection, timezone: 'Z' });
  await conn.query("SET time_zone = '+00:00'");
  const sample = prepareReading(fromJson(jsonReading(o.startMs, 0, 1) as JsonReading), { deviceId: 1, receivedAt: new Date(), source: 'json' });
  if (!('ok' in sample)) throw new Error('the sample reading was refused');
  const valueColumns = Object.keys(sample.ok.columns);
  const head = `INSERT INTO reading (device_id, meter_time, received_at, source, ${valueColumns.join(', ')}) VALUES `;
  const seqByDevice = new Map<number, number>();
  let deviceCursor = 0;

  const statement = (): { sql: string; perDevice: [number, number][] } => {
    const parts: string[] = [];
    const perDevice: [number, number][] = [];
    while (parts.length < o.rowsPerStatement) {
      const device = o.devices[deviceCursor++ % o.devices.length]!;
      const first = seqByDevice.get(device.id) ?? 0;
      const n = Math.min(o.runLength, o.rowsPerStatement - parts.length);
      for (let s = first; s < first + n; s++) {
        const t = o.startMs + s * 1000;
        const p = prepareReading(fromJson(jsonReading(t, s, device.id) as JsonReading), { deviceId: device.id, receivedAt: new Date(t + 250), source: 'json' });
        if (!('ok' in p)) throw new Error('a generated reading was refused');
        const c = p.ok.columns as Record<string, number>;
        parts.push(`(${device.id},${sqlTime(p.ok.meterTime)},${sqlTime(p.ok.receivedAt)},${p.ok.source},${valueColumns.map((k) => c[k] ?? 'NULL').join(',')})`);
      }
      seqByDevice.set(device.id, first + n);
      perDevice.push([device.id, n]);
    }
    return { sql: head + parts.join(','), perDevice };
  };

  const inserted = new Map<number, number>();
  let rows = 0;
  let statements = 0;
  const started = performance.now();
  const measureFrom = started + o.warmupS * 1000;
  const end = measureFrom + o.seconds * 1000;
  let measuredFrom = Number.NaN;
  let next = statement();
  try {
    while (performance.now() < end && statements < 1_000_000) {
      const current = next;
      const pending = conn.query(current.sql);
      next = statement(); // built while the server works on the current one
      await pending;
      for (const [id, n] of current.perDevice) inserted.set(id, (inserted.get(id) ?? 0) + n);
      const now = performance.now();
      if (now >= measureFrom) {
        if (Number.isNaN(measuredFrom)) measuredFrom = now;
        else {
          rows += o.rowsPerStatement;
          statements += 1;
        }
      }
    }
  } finally {
    await conn.end();
  }
  return { seconds: (performance.now() - measuredFrom) / 1000, rows, statements, rowsPerStatement: o.rowsPerStatement, inserted };
}
