/**
 * PUBACK only after COMMIT: the ingest process is SIGKILLed with a message received but not
 * committed, and again in the middle of a stream; after a restart the broker redelivers what was
 * not acknowledged and every reading is in the database exactly once.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { uploadTopic } from '../src/topics/topic-route.ts';
import { describeWithBroker, startBroker, type TestBroker } from './support/mosquitto-broker.ts';
import { ingestEnv, startIngestProcess, STARTUP_LIMIT_MS, type IngestProcess } from './support/ingest-process.ts';
import { addDevice, connectDevice, openTestDatabase, until, untilCount, type TestDevice } from './support/mqtt-stack.ts';

// The waits follow the processes' progress, not a fixed deadline: on a loaded host (2 shared cores at load 30)
// two service starts and 300 sequential commits take minutes. The test limits are hang guards.

describeWithBroker('ingest killed mid-stream', () => {
  let t: TestDatabase;
  let broker: TestBroker;
  let ingest: IngestProcess | undefined;
  let device: TestDevice;

  beforeAll(async () => {
    t = await openTestDatabase();
    broker = await startBroker('', { entrypoint: true });
  }, 60_000);
  beforeEach(async () => {
    await t.clear();
    device = await addDevice(t, { name: `crash-${Date.now().toString(36)}` });
  });
  afterAll(async () => {
    await ingest?.kill('SIGKILL');
    await broker?.stop();
    await t?.destroy();
  });

  const rows = async () => t.db.selectFrom('reading').select(['meter_time', 'power_import_w']).where('device_id', '=', device.id).orderBy('meter_time').execute();

  /** True while some statement on the test database waits for a row lock. */
  async function ingestWaitsForLock(): Promise<boolean> {
    const waiting = await sql<{ n: number }>`
      SELECT COUNT(*) AS n FROM information_schema.innodb_trx t
      JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
      WHERE p.db = ${t.name} AND t.trx_state = 'LOCK WAIT'`.execute(t.db);
    return Number(waiting.rows[0]?.n ?? 0) > 0;
  }

  it('redelivers a message that was received but not committed, and stores it once', async () => {
    ingest = await startIngestProcess(ingestEnv(t, broker));
    // Hold a gap lock over this device's readings: the ingest's INSERT waits inside its transaction.
    let release!: () => void;
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const holder = t.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`SELECT device_id FROM reading WHERE device_id = ${device.id} FOR UPDATE`.execute(conn);
      locked();
      await new Promise<void>((r) => (release = r));
      await sql`ROLLBACK`.execute(conn);
    });
    await lockTaken;

    const client = await connectDevice(broker, device);
    const withTime = { time: '2026-11-21T10:00:00Z', powerImportW: 1111 };
    const timeless = { powerImportW: 2222, energyImportKwh: 42.5 };
    await client.publishAsync(uploadTopic(device.name, 'readings'), JSON.stringify(withTime), { qos: 1 });
    await client.publishAsync(uploadTopic(device.name, 'readings'), JSON.stringify(timeless), { qos: 1 });
    await client.endAsync();

    await until('the ingest blocked inside its write transaction', ingestWaitsForLock, STARTUP_LIMIT_MS);
    await ingest.kill('SIGKILL');
    release();
    await holder;
    expect(await rows()).toEqual([]);

    ingest = await startIngestProcess(ingestEnv(t, broker));
    await untilCount('both readings stored', async () => (await rows()).length, 2);
    const stored = await rows();
    expect(stored.map((r) => r.power_import_w).sort()).toEqual([1111, 2222]);
    expect(stored.find((r) => r.power_import_w === 1111)?.meter_time.toISOString()).toBe('2026-11-21T10:00:00.000Z');
    const redelivered = await ingest.waitForLog((l) => l['msg'] === 'upload stored' && l['dup'] === true);
    expect(redelivered['device']).toBe(device.name);
    // Both messages handled by the new process (no fixed pause): still one row each.
    const outcomes = () => ingest!.logs().filter((l) => l['device'] === device.name && typeof l['msg'] === 'string' && /^upload /.test(l['msg'] as string));
    await untilCount('an outcome for both messages', async () => outcomes().length, 2);
    expect(outcomes().map((l) => l['msg'])).toEqual(['upload stored', 'upload stored']);
    expect(await rows()).toHaveLength(2);
    await ingest.kill('SIGTERM');
    ingest = undefined;
  }, 240_000);

  it('loses nothing and doubles nothing when killed in the middle of a stream', async () => {
    ingest = await startIngestProcess(ingestEnv(t, broker));
    const total = 300;
    const start = Date.parse('2026-11-21T00:00:00Z');
    const client = await connectDevice(broker, device);
    // Every 10th reading has no meter time: keyed by receive time, the redelivery check must catch it.
    const bodies = Array.from({ length: total }, (_, i) =>
      i % 10 === 9 ? { powerImportW: 100_000 + i } : { time: new Date(start + i * 10_000).toISOString(), powerImportW: i },
    );
    await Promise.all(bodies.map((b) => client.publishAsync(uploadTopic(device.name, 'readings'), JSON.stringify(b), { qos: 1 })));
    await client.endAsync();

    await untilCount('part of the stream stored', async () => (await rows()).length, 40);
    await ingest.kill('SIGKILL');
    const atKill = (await rows()).length;
    expect(atKill).toBeLessThan(total);

    ingest = await startIngestProcess(ingestEnv(t, broker));
    await untilCount('the whole stream stored', async () => (await rows()).length, total);
    await new Promise((r) => setTimeout(r, 500));
    const stored = await rows();
    expect(stored).toHaveLength(total);
    expect(stored.map((r) => r.power_import_w).sort((a, b) => a! - b!)).toEqual(bodies.map((b) => b.powerImportW).sort((a, b) => a - b));
    // A clean stop: finish the message in hand, disconnect, exit 0.
    expect(await ingest.kill('SIGTERM')).toBe(0);
    ingest = undefined;
  }, 300_000);
});
