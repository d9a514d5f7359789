/**
 * Literal hostile clocks over MQTT, through the real broker, the service's handler and subscriber and the write
 * engine: 1970, year 9999, year 0050 and a calendar-invalid date on the readings, telegram, frame and AmsReader
 * topics. The answer is the PUBACK reason code the service gives the broker (docs/mqtt.md): a refused reading
 * 0x83, a reading stored at its receive time 0 (db/docs/storage.md "Meter times"); never stored under the date
 * the meter sent, and never retried as a fault. A reading whose clock was unset or not a date is flagged: counted in
 * sem_readings_meter_clock_unset_total{source="mqtt"} and warned about once an hour per device (no answer body
 * reaches an MQTT device); a telegram without a clock (DSMR 2.2) is not.
 */
import { readFileSync } from 'node:fs';
import type { Packet } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { HanReplayer } from '@sem/device-sim';
import { createIngest, type IngestEngine } from '@sem/ingest';
import { renderPasswordFile } from '../src/broker/password-file.ts';
import { IngestStats } from '../src/ingest/ingest-stats.ts';
import { startIngestSubscriber, type IngestSubscriber } from '../src/ingest/ingest-subscriber.ts';
import { createUploadHandler } from '../src/ingest/upload-handler.ts';
import { listRegistryDevices } from '../src/registry/device-registry.repository.ts';
import { uploadTopic, type UploadKind } from '../src/topics/topic-route.ts';
import { HAN_TEMPLATE, telegramAt, utc } from './support/hostile-clocks.ts';
import { describeWithBroker, startBroker, type TestBroker } from './support/mosquitto-broker.ts';
import { connectAs } from './support/mqtt-clients.ts';
import { addDevice, openTestDatabase, untilCount, type TestDevice } from './support/mqtt-stack.ts';

const ingestAccount = { username: 'sem-ingest', password: 'hostile-clock-test-password' };
const meterAccount = { username: 'clocks', password: 'clocks-password' };
const REFUSED = 0x83;
const STORED = 0;

describeWithBroker('hostile clocks over MQTT', () => {
  let t: TestDatabase;
  let broker: TestBroker;
  let engine: IngestEngine;
  let subscriber: IngestSubscriber;
  let device: TestDevice;
  const stats = new IngestStats();
  const pubacks: number[] = [];
  const metrics = new Registry();
  const warnings: { msg: string; device?: string; meterClock?: string }[] = [];
  const unsetClockWarnings = () => warnings.filter((w) => w.msg.startsWith('meter clock unset'));
  const unsetClocks = async () => (await metrics.getSingleMetric('sem_readings_meter_clock_unset_total')?.get())?.values.find((v) => v.labels['source'] === 'mqtt')?.value ?? 0;

  beforeAll(async () => {
    t = await openTestDatabase();
    await t.clear();
    device = await addDevice(t, { name: meterAccount.username, country: 'NO', timeZone: 'Europe/Oslo' });
    broker = await startBroker(renderPasswordFile([ingestAccount, meterAccount]));
    engine = createIngest({
      db: t.db,
      config: { writeQueue: { maxRows: 10_000, maxBatchRows: 500, lingerMs: 0, maxWaitMs: 30_000, admitMaxWaitMs: 30_000, concurrency: 1 }, rollupFlushMs: 0, deviceCacheTtlMs: 0 },
      metrics,
    });
    const registry = new Map((await listRegistryDevices(t.db)).map((d) => [d.name, d]));
    subscriber = await startIngestSubscriber({
      broker: { url: broker.url, ca: readFileSync(broker.caFile), clientId: 'hostile-clock-test', ...ingestAccount },
      handler: createUploadHandler({ engine, maxReadingsPerMessage: 100, findDevice: async (name) => registry.get(name) }),
      stats,
      log: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) }),
      retryDelayMs: { first: 200, max: 200 },
    });
    subscriber.client.on('packetsend', (packet: Packet) => {
      if (packet.cmd === 'puback') pubacks.push(packet.reasonCode ?? 0);
    });
  }, 60_000);
  afterAll(async () => {
    await subscriber?.close();
    await engine?.close();
    await broker?.stop();
    await t?.destroy();
  });

  /** Publishes one message (QoS 1) and returns the service's PUBACK code for it and the rows it stored. */
  async function send(kind: UploadKind | 'amsreader', payload: string | Buffer) {
    const before = Date.now();
    const counted = await unsetClocks();
    const seen = pubacks.length;
    const client = await connectAs(broker, meterAccount.username, meterAccount.password);
    await client.publishAsync(uploadTopic(device.name, kind as UploadKind), payload, { qos: 1 });
    await client.endAsync();
    await untilCount('the service\'s PUBACK', async () => pubacks.length, seen + 1);
    const after = Date.now();
    const rows = await t.db.selectFrom('reading').select('meter_time').where('device_id', '=', device.id).execute();
    await t.db.deleteFrom('reading').where('device_id', '=', device.id).execute();
    const atReceiveTime = rows.length === 1 && rows[0]!.meter_time.getTime() >= before - 1000 && rows[0]!.meter_time.getTime() <= after + 1000;
    return { code: pubacks[seen], stored: rows.length, atReceiveTime, flagged: (await unsetClocks()) - counted };
  }
  const refused = { code: REFUSED, stored: 0, atReceiveTime: false, flagged: 0 };
  const atReceiveTime = { code: STORED, stored: 1, atReceiveTime: true, flagged: 0 };
  const flagged = { ...atReceiveTime, flagged: 1 };

  it('JSON readings: time and M-Bus capturedAt refused (0x83)', async () => {
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    for (const time of ['1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0050-06-01T00:00:00Z', '2026-02-30T12:00:00Z']) {
      expect(await send('readings', JSON.stringify({ time, powerImportW: 100, energyImportKwh: 1 })), time).toEqual(refused);
      const mbus = { time: anHourAgo, energyImportKwh: 1, mbus: [{ channel: 1, value: 5, unit: 'm3', deviceType: 3, capturedAt: time }] };
      expect(await send('readings', JSON.stringify(mbus)), `capturedAt ${time}`).toEqual(refused);
    }
  });

  it('P1 telegram: an unset or impossible clock is no clock (stored at receive time, flagged); 2069 is refused', async () => {
    for (const clock of ['700101000000W', '991231235959W', '000101000000W', '261345256161W']) {
      expect(await send('telegram', telegramAt(clock)), clock).toEqual(flagged);
    }
    expect(await send('telegram', telegramAt('691231235959W'))).toEqual(refused);
    const dsmr22 = readFileSync(new URL('../../../packages/meter-protocol/fixtures/dsmr/dp_v2_2_iskra.txt', import.meta.url), 'latin1');
    expect(await send('telegram', dsmr22), 'DSMR 2.2 without a clock').toEqual(atReceiveTime);
    // four flagged messages of one device: one warn line, naming the clock of the first
    expect(unsetClockWarnings()).toEqual([expect.objectContaining({ device: device.name, meterClock: '700101000000W', sinceLastWarn: 1 })]);
  });

  it('HAN frame: a clock outside 1990–2200 is no clock (stored at receive time, flagged); 2150 is refused', async () => {
    const replayer = new HanReplayer([HAN_TEMPLATE], { zone: 'Europe/Oslo', kwhPerUnit: () => 0.001 });
    const list = replayer.lists[0]!;
    for (const at of [utc(1970, 1, 1, 12), utc(9999, 12, 31, 12), utc(50, 6, 1, 12)]) {
      expect(await send('frame', Buffer.from(replayer.next(list, at))), new Date(at).toISOString()).toEqual(flagged);
    }
    expect(await send('frame', Buffer.from(replayer.next(list, utc(2150, 6, 1, 12))))).toEqual(refused);
  });

  it('AmsReader: the meter clock (rtc) is refused outside the window; a reader clock (t) outside it is no clock (flagged)', async () => {
    // Epoch seconds cannot carry a calendar-invalid date; 1970 is 1970-01-02 here (0 means "not sent").
    const list3 = (t: number, rtc: number) =>
      JSON.stringify({ id: 'A4:CF:12:00:11:22', name: 'ams', up: 60, t, data: { lv: 'Kamstrup_V0001', id: '5706567000000000', P: 1523, tPI: 12345.678, rtc } });
    const list1 = (t: number) => JSON.stringify({ id: 'A4:CF:12:00:11:22', name: 'ams', up: 60, t, data: { P: 1523 } });
    // the reader clock read at each send, rounded up: a `now` taken once (and floored) fell over a second behind the
    // receive time after a few sends on a loaded host; rounded up it stays within the second after it
    const now = () => Math.ceil(Date.now() / 1000);
    const seconds = (ms: number) => Math.floor(ms / 1000);
    for (const rtc of [86_400, seconds(utc(9999, 12, 31, 23, 59, 59))]) {
      expect(await send('amsreader', list3(now(), rtc)), `rtc ${rtc}`).toEqual(refused);
    }
    // An rtc of 0 or below (year 0050 is negative) is AmsReader's "not sent": the synced reader clock t (now) is used.
    for (const rtc of [0, seconds(utc(50, 6, 1))]) {
      expect(await send('amsreader', list3(now(), rtc)), `rtc ${rtc}`).toEqual(atReceiveTime);
    }
    for (const t of [0, 86_417, seconds(utc(9999, 12, 31, 23, 59, 59)), seconds(utc(50, 6, 1))]) {
      expect(await send('amsreader', list1(t)), `t ${t}`).toEqual(flagged);
    }
    expect(stats.total('retries')).toBe(0);
    // still the one warn line of the P1 test: at most one an hour per device, whatever the topic
    expect(unsetClockWarnings().length).toBeLessThanOrEqual(1);
  });
});
