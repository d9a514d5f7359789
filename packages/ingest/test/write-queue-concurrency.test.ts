import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createConnection, type Connection } from 'mysql2/promise';
import { emptyReading } from '@sem/meter-protocol';
import { ROLLUP_TABLES } from '@sem/db';
import { rollupWriteStep } from '../src/rollups/rollup-write-step.ts';
import { prepareReading, type PreparedReading } from '../src/write/prepared-reading.ts';
import { WriteQueue } from '../src/write/write-queue.ts';
import { addDevice, useTestDatabase } from './support/test-database.ts';

const ctx = useTestDatabase(ROLLUP_TABLES);

const T0 = Date.UTC(2026, 10, 21, 12);

function reading(deviceId: number, ms: number, wh: number): PreparedReading {
  const p = prepareReading(
    { ...emptyReading('p1'), meterTime: new Date(ms), values: { energyImportT1Kwh: wh / 1000, powerImportW: 500 } },
    { deviceId, receivedAt: new Date(), source: 'json' },
  );
  if (!('ok' in p)) throw new Error('refused');
  return p.ok;
}

/** Another writer holds an uncommitted row of `deviceId` at `ms`: our insert of that key waits on its lock. */
async function holdRow(deviceId: number, ms: number): Promise<Connection> {
  const other = await createConnection({ ...ctx.t.connection, timezone: 'Z' });
  await other.query('BEGIN');
  await other.query('INSERT INTO reading (device_id, meter_time, received_at, source, power_import_w) VALUES (?, ?, ?, 1, 1)', [deviceId, new Date(ms), new Date()]);
  return other;
}

/** Our transaction waits on the other writer: at its device-row lock (the other's insert holds the device row through the foreign key) or at its insert. */
async function waitForBlockedWrite(other: Connection): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const [rows] = await other.query(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND (INFO LIKE 'INSERT INTO reading%' OR INFO LIKE 'SELECT id FROM device WHERE id IN%FOR UPDATE')",
      [ctx.t.connection.database],
    );
    if (Number((rows as { n: number }[])[0]!.n) > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the write never waited on the lock');
}

function tracked<T>(p: Promise<T>): { promise: Promise<T>; done: () => boolean } {
  let settled = false;
  const promise = p.finally(() => (settled = true));
  return { promise, done: () => settled };
}

const queue = (concurrency: number) => {
  const q = new WriteQueue(ctx.t.db, { maxRows: 1000, maxBatchRows: 1000, lingerMs: 0, maxWaitMs: 60_000, concurrency });
  q.addStep(rollupWriteStep);
  return q;
};

/** Devices a and b, a queue, and a's first reading blocked on a row lock that another connection holds. */
async function stalledFirstWrite(concurrency: number) {
  const a = await addDevice(ctx.t);
  const b = await addDevice(ctx.t);
  const q = queue(concurrency);
  const other = await holdRow(a.id, T0);
  const a1 = tracked(q.enqueue([reading(a.id, T0, 1000)]));
  await waitForBlockedWrite(other);
  return { a, b, q, other, a1 };
}

describe('write queue with overlapping transactions', () => {
  it('commits another device while one device waits on a lock, and keeps that device\'s own requests in order', async () => {
    const { a, b, q, other, a1 } = await stalledFirstWrite(2);
    try {
      const a2 = tracked(q.enqueue([reading(a.id, T0 + 1000, 1001)]));
      expect(await q.enqueue([reading(b.id, T0, 5000)])).toEqual(['stored']);
      // b landed in its own transaction; a's second request waits behind its first.
      expect([a1.done(), a2.done()]).toEqual([false, false]);
      const order: string[] = [];
      void a1.promise.then(() => order.push('a1'));
      void a2.promise.then(() => order.push('a2'));
      await other.query('COMMIT');
      expect(await a1.promise).toEqual(['merged']);
      expect(await a2.promise).toEqual(['stored']);
      expect(order).toEqual(['a1', 'a2']);
    } finally {
      await other.end();
      await q.close();
    }
    const rows = await ctx.t.db.selectFrom('reading').select(['device_id', 'energy_import_t1_wh']).orderBy('device_id').orderBy('meter_time').execute();
    expect(rows).toEqual([
      { device_id: a.id, energy_import_t1_wh: 1000 },
      { device_id: a.id, energy_import_t1_wh: 1001 },
      { device_id: b.id, energy_import_t1_wh: 5000 },
    ]);
    // a's rollups saw its first reading committed: 1 Wh between them.
    const hour = await sql<{ wh: number }>`SELECT SUM(imp_t1_wh) AS wh FROM rollup_hour WHERE device_id = ${a.id}`.execute(ctx.t.db);
    expect(Number(hour.rows[0]!.wh)).toBe(1);
  });

  it('with SEM_WRITE_CONCURRENCY=1 another device waits behind the stalled transaction', async () => {
    const { b, q, other, a1 } = await stalledFirstWrite(1);
    try {
      const b1 = tracked(q.enqueue([reading(b.id, T0, 5000)]));
      await new Promise((r) => setTimeout(r, 300));
      expect([a1.done(), b1.done()]).toEqual([false, false]);
      await other.query('COMMIT');
      expect(await a1.promise).toEqual(['merged']);
      expect(await b1.promise).toEqual(['stored']);
    } finally {
      await other.end();
      await q.close();
    }
  });
});
