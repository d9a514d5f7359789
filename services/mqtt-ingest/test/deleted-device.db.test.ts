/**
 * A device deleted (CLI, admin API, another replica) after this process's last registry poll: its
 * message still names a registry entry here, and the engine refuses it as `unknown-device`. Over the
 * real broker, the service must answer that at once with PUBACK 0x87 (as HTTP answers 401), never
 * retry it as a fault, and keep going with the next device's message.
 */
import { readFileSync } from 'node:fs';
import type { Packet } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { createIngest, type IngestEngine } from '@sem/ingest';
import { renderPasswordFile } from '../src/broker/password-file.ts';
import { IngestStats } from '../src/ingest/ingest-stats.ts';
import { startIngestSubscriber, type IngestSubscriber } from '../src/ingest/ingest-subscriber.ts';
import { createUploadHandler } from '../src/ingest/upload-handler.ts';
import { listRegistryDevices, type RegistryDevice } from '../src/registry/device-registry.repository.ts';
import { uploadTopic } from '../src/topics/topic-route.ts';
import { describeWithBroker, startBroker, type TestBroker } from './support/mosquitto-broker.ts';
import { connectAs } from './support/mqtt-clients.ts';
import { addDevice, openTestDatabase, until } from './support/mqtt-stack.ts';

const ingestAccount = { username: 'sem-ingest', password: 'deleted-device-test-password' };
const accounts = [{ username: 'gone', password: 'gone-password' }, { username: 'kept', password: 'kept-password' }];
const NOT_AUTHORIZED = 0x87;

describeWithBroker('a device deleted since the last registry poll, over MQTT', () => {
  let t: TestDatabase;
  let broker: TestBroker;
  let engine: IngestEngine;
  let subscriber: IngestSubscriber | undefined;

  beforeAll(async () => {
    t = await openTestDatabase();
    await t.clear();
    broker = await startBroker(renderPasswordFile([ingestAccount, ...accounts]));
    engine = createIngest({
      db: t.db,
      config: { writeQueue: { maxRows: 10_000, maxBatchRows: 500, lingerMs: 0, maxWaitMs: 30_000, admitMaxWaitMs: 30_000, concurrency: 1 }, rollupFlushMs: 0, deviceCacheTtlMs: 0 },
    });
  }, 60_000);
  afterAll(async () => {
    await subscriber?.close();
    await engine?.close();
    await broker?.stop();
    await t?.destroy();
  });

  it('acknowledges its message with 0x87 at once, retries nothing, stores nothing, and the next device lands', async () => {
    const gone = await addDevice(t, { name: 'gone' });
    const kept = await addDevice(t, { name: 'kept' });
    // The registry as this process last polled it: both devices present.
    const registry = new Map<string, RegistryDevice>((await listRegistryDevices(t.db)).map((d) => [d.name, d]));
    expect([...registry.keys()].sort()).toEqual(['gone', 'kept']);
    // Deleted elsewhere (the CLI's statement), which this process hears of only at its next poll.
    await t.db.deleteFrom('device').where('id', '=', gone.id).execute();

    const stats = new IngestStats();
    const handler = createUploadHandler({ engine, maxReadingsPerMessage: 100, findDevice: async (name) => registry.get(name) });
    subscriber = await startIngestSubscriber({
      broker: { url: broker.url, ca: readFileSync(broker.caFile), clientId: 'deleted-device-test', ...ingestAccount },
      handler,
      stats,
      log: pino({ level: 'silent' }),
      retryDelayMs: { first: 200, max: 200 },
    });
    // What the service answers the broker, as sent on the wire.
    const pubacks: number[] = [];
    subscriber.client.on('packetsend', (packet: Packet) => {
      if (packet.cmd === 'puback') pubacks.push(packet.reasonCode ?? 0);
    });

    const goneClient = await connectAs(broker, accounts[0]!.username, accounts[0]!.password);
    await goneClient.publishAsync(uploadTopic('gone', 'readings'), JSON.stringify({ time: '2026-11-21T08:00:00Z', powerImportW: 111 }), { qos: 1 });
    await goneClient.endAsync();
    const keptClient = await connectAs(broker, accounts[1]!.username, accounts[1]!.password);
    await keptClient.publishAsync(uploadTopic('kept', 'readings'), JSON.stringify({ time: '2026-11-21T08:00:00Z', powerImportW: 222 }), { qos: 1 });
    await keptClient.endAsync();

    await until('both messages acknowledged', async () => pubacks.length >= 2);
    expect(pubacks).toEqual([NOT_AUTHORIZED, 0]);
    expect(stats.total('retries')).toBe(0);
    expect(stats.total('rejected')).toBe(1);
    expect(stats.total('stored')).toBe(1);
    const rows = await t.db.selectFrom('reading').select(['device_id', 'power_import_w']).execute();
    expect(rows).toEqual([{ device_id: kept.id, power_import_w: 222 }]);

    // Acknowledged means final: the broker does not send it again to the same session.
    await subscriber.close();
    const seen: string[] = [];
    subscriber = await startIngestSubscriber({
      broker: { url: broker.url, ca: readFileSync(broker.caFile), clientId: 'deleted-device-test', ...ingestAccount },
      handler: async (route) => {
        seen.push(route.device);
        return { status: 'stored', readings: 0, duplicates: 0 };
      },
      stats: new IngestStats(),
      log: pino({ level: 'silent' }),
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(seen).toEqual([]);
  });
});
