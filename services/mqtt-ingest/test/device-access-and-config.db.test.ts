/**
 * The whole stack with the real ingest process: broker accounts derived from the registry, the
 * ACL against the wrong topic, malformed messages that must not wedge the subscription, AmsReader
 * JSON, and the retained config message following changes made through the CLI and the admin API.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { deriveMqttPassword } from '../src/broker/device-credentials.ts';
import { revokeKeys, rotateKey } from '@sem/ingest-api';
import { configTopic, uploadTopic } from '../src/topics/topic-route.ts';
import { describeWithBroker, freePort, startBroker, type TestBroker } from './support/mosquitto-broker.ts';
import { DEVICE_SECRET, ingestEnv, startIngestProcess, type IngestProcess } from './support/ingest-process.ts';
import { refusedConnect } from './support/mqtt-clients.ts';
import { addDevice, connectDevice, httpApp, openTestDatabase, until, type TestDevice } from './support/mqtt-stack.ts';
import { createHash } from 'node:crypto';
import { dbConnectionEnv } from '@sem/db/testing';

const run = promisify(execFile);
const DEVICES_CLI = resolve(import.meta.dirname, '../../ingest-api/src/cli/devices.ts');
const CREDENTIALS_CLI = resolve(import.meta.dirname, '../src/cli/mqtt-credentials.cli.ts');
const ADMIN_TOKEN = 'mqtt-test-admin-token-0123456789';
const AUTH_REFUSED = [134, 135];

describeWithBroker('devices on the MQTT ingest', () => {
  let t: TestDatabase;
  let broker: TestBroker;
  let ingest: IngestProcess;
  let app: FastifyInstance;
  let alice: TestDevice;
  let bob: TestDevice;
  let opsPort: number;

  beforeAll(async () => {
    t = await openTestDatabase();
    await t.clear();
    alice = await addDevice(t, { name: 'alice', country: 'NO', timeZone: 'Europe/Oslo' });
    bob = await addDevice(t, { name: 'bob' });
    broker = await startBroker('', { entrypoint: true });
    opsPort = await freePort();
    ingest = await startIngestProcess(ingestEnv(t, broker, { SEM_MQTT_OPS_PORT: String(opsPort), SEM_MQTT_OPS_HOST: '127.0.0.1' }));
    app = await httpApp(t, { SEM_ADMIN_TOKEN: ADMIN_TOKEN });
  }, 60_000);
  afterAll(async () => {
    await ingest?.kill('SIGTERM');
    await app?.close();
    await broker?.stop();
    await t?.destroy();
  });

  const dbEnv = () => {
    const c = t.connection;
    return { PATH: process.env['PATH'] ?? '', ...dbConnectionEnv(c) };
  };
  const readingsOf = (id: number) => t.db.selectFrom('reading').selectAll().where('device_id', '=', id).orderBy('meter_time').execute();
  const outcome = (device: string, n = 1) => until(`${n} outcome(s) for ${device}`, async () => {
    const lines = ingest.logs().filter((l) => l['device'] === device && typeof l['msg'] === 'string' && /^upload /.test(l['msg'] as string));
    return lines.length >= n ? lines : undefined;
  });

  it('admits a device with the password derived from its registry entry, and no one else', async () => {
    const client = await connectDevice(broker, alice);
    await client.endAsync();
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, 'alice', 'not-the-password')).code);
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, 'alice', bob.mqttPassword)).code);
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, 'alice', deriveMqttPassword('another-server-secret-0123456789', { name: 'alice', keyHash: createHash('sha256').update(alice.key).digest('hex') }))).code);
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, undefined, undefined)).code);
  });

  it('prints a device\'s credentials for whoever configures it', async () => {
    const { stdout } = await run(process.execPath, [CREDENTIALS_CLI, 'alice'], { env: { ...dbEnv(), SEM_MQTT_DEVICE_SECRET: DEVICE_SECRET } });
    expect(stdout).toContain(`password  ${alice.mqttPassword}\n`);
    expect(stdout).toContain('sem/alice/config');
    await expect(run(process.execPath, [CREDENTIALS_CLI, 'nobody'], { env: { ...dbEnv(), SEM_MQTT_DEVICE_SECRET: DEVICE_SECRET } })).rejects.toMatchObject({ code: 1 });
  });

  it('follows the registry: a new device gets in, a re-keyed one needs its new password, a revoked one is out', async () => {
    const carol = await addDevice(t, { name: 'carol' });
    await until('carol admitted', async () => {
      try {
        await (await connectDevice(broker, carol)).endAsync();
        return true;
      } catch {
        return false;
      }
    });
    const issued = await rotateKey(t.db, carol.id);
    const rotated = deriveMqttPassword(DEVICE_SECRET, { name: 'carol', keyHash: createHash('sha256').update(issued.key).digest('hex') });
    await until('the old password refused', async () => AUTH_REFUSED.includes((await refusedConnect(broker, 'carol', carol.mqttPassword).catch(() => ({ code: 0 }))).code ?? 0));
    await (await connectDevice(broker, { ...carol, mqttPassword: rotated })).endAsync();
    await revokeKeys(t.db, carol.id);
    await until('carol refused after revoke', async () => AUTH_REFUSED.includes((await refusedConnect(broker, 'carol', rotated).catch(() => ({ code: 0 }))).code ?? 0));
  });

  it('refuses a device publishing on another device\'s topic, and stores nothing for it', async () => {
    const client = await connectDevice(broker, alice);
    await expect(
      client.publishAsync(uploadTopic('bob', 'readings'), JSON.stringify({ time: '2026-11-21T08:00:00Z', powerImportW: 666 }), { qos: 1 }),
    ).rejects.toMatchObject({ code: 135 });
    await expect(client.publishAsync('sem/alice/whatever', '{}', { qos: 1 })).rejects.toMatchObject({ code: 135 });
    // MQTT 3.1.1 has no refusal code: Mosquitto acknowledges and drops.
    const v311 = await connectDevice(broker, alice, { protocolVersion: 4 });
    await v311.publishAsync(uploadTopic('bob', 'readings'), JSON.stringify({ time: '2026-11-21T08:00:01Z', powerImportW: 667 }), { qos: 1 });
    await v311.endAsync();
    await client.publishAsync(uploadTopic('alice', 'readings'), JSON.stringify({ time: '2026-11-21T08:00:02Z', powerImportW: 668 }), { qos: 1 });
    await client.endAsync();
    await until('alice\'s own reading stored', async () => (await readingsOf(alice.id)).some((r) => r.power_import_w === 668));
    expect(await readingsOf(bob.id)).toEqual([]);
    expect(ingest.logs().filter((l) => l['device'] === 'bob')).toEqual([]);
  });

  it('counts and drops malformed messages with a log line, and keeps going', async () => {
    const client = await connectDevice(broker, bob);
    const bad: [string, string | Buffer][] = [
      [uploadTopic('bob', 'readings'), '{"time": "yesterday", '],
      [uploadTopic('bob', 'readings'), JSON.stringify({ time: '2026-11-21T09:00:00Z', powerImportW: 'lots' })],
      [uploadTopic('bob', 'telegram'), 'not a telegram'],
      [uploadTopic('bob', 'frame'), Buffer.from([0x7e, 0xa0, 0x08, 0x01, 0x02, 0x7e])],
      [uploadTopic('bob', 'frame'), 'zz'],
      [uploadTopic('bob', 'amsreader'), '{"data":{"P":"x"}}'],
    ];
    for (const [topic, payload] of bad) await client.publishAsync(topic, payload, { qos: 1 });
    await client.publishAsync(uploadTopic('bob', 'readings'), JSON.stringify({ time: '2026-11-21T09:00:00Z', powerImportW: 777 }), { qos: 1 });
    await client.endAsync();
    const lines = await outcome('bob', bad.length + 1);
    expect(lines.slice(0, bad.length).map((l) => [l['msg'], l['kind'], l['code']])).toEqual([
      ['upload rejected and dropped', 'readings', 'bad_request'],
      ['upload rejected and dropped', 'readings', 'bad_request'],
      ['upload rejected and dropped', 'telegram', 'invalid_frame'],
      ['upload rejected and dropped', 'frame', expect.stringMatching(/invalid_frame|checksum_mismatch/)],
      ['upload rejected and dropped', 'frame', 'bad_request'],
      ['upload rejected and dropped', 'amsreader', 'bad_request'],
    ]);
    expect(lines[bad.length], JSON.stringify(lines.map((l) => [l['msg'], l['kind'], l['reason']]))).toMatchObject({ msg: 'upload stored', readings: 1 });
    expect((await readingsOf(bob.id)).map((r) => r.power_import_w)).toEqual([777]);
    // The same counts for Prometheus, next to ingest-api's own metrics.
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toMatch(/sem_mqtt_messages_total\{kind="readings",outcome="rejected"\} [2-9]/);
    expect(metrics).toMatch(/sem_mqtt_messages_total\{kind="frame",outcome="rejected"\} 2/);
    expect(metrics).toContain('sem_readings_total{source="mqtt",outcome="stored"}');
    const health = await fetch(`http://127.0.0.1:${opsPort}/healthz`);
    expect(health.status).toBe(200);
  });

  it('stores AmsReader JSON sent unchanged (QoS 0) and ignores its system messages', async () => {
    const client = await connectDevice(broker, alice, { protocolVersion: 4 });
    const t0 = Math.floor(Date.parse('2026-11-21T07:00:10Z') / 1000);
    await client.publishAsync(uploadTopic('alice', 'amsreader'), '{"id":"A4:CF:12:00:11:22","name":"ams-1","up":120,"vcc":3.29,"rssi":-60,"temp":21.0,"version":"v2.3.0"}');
    await client.publishAsync(
      uploadTopic('alice', 'amsreader'),
      JSON.stringify({ id: 'A4:CF:12:00:11:22', name: 'ams-1', up: 121, t: t0, vcc: 3.29, rssi: -60, temp: 21, data: { lv: 'AIDON_V0001', id: '7359992890941742', type: '6525', P: 1843, Q: 0, PO: 0, QO: 257, I1: 8.1, I2: 0, I3: 4.2, U1: 233.1, U2: 0, U3: 232.8, tPI: 12345.67, tPO: 0, tQI: 10.2, tQO: 3456.78, rtc: t0 - 10 }, realtime: { h: 0.3, d: 5.1, t: 5, x: 1.2, he: 0, de: 0 } }),
    );
    // "JSON (flat)": the same values at the top level, meterId (v2.3+), tariff registers and list 4 per-phase energy
    const t1 = t0 + 10;
    await client.publishAsync(
      uploadTopic('alice', 'amsreader'),
      JSON.stringify({ id: 'A4:CF:12:00:11:22', name: 'ams-1', up: 131, t: t1, vcc: 3.29, rssi: -60, temp: 21, lv: 'AIDON_V0001', meterId: '7359992890941742', type: '6525', P: 1850, P1: 600, P2: 0, P3: 1250, Q: 0, PO: 0, PO1: 0, PO2: 0, PO3: 0, QO: 250, I1: 8.2, I2: 0, I3: 4.3, U1: 233.2, U2: 0, U3: 232.9, PF: 0.99, PF1: 0.98, PF2: 0, PF3: 0.99, tPI: 12345.68, tPIT1: 10000.18, tPIT2: 2345.5, tPO: 0, tPOT1: 0, tPOT2: 0, tQI: 10.2, tQO: 3456.79, tPI1: 4000.1, tPI2: 0.5, tPI3: 8345.08, tPO1: 0, tPO2: 0, tPO3: 0, rtc: t1 - 10, rt_h: 0.3, rt_d: 5.1, rt_m: 100.2, rt_t: 5, rt_x: 1.2, rt_he: 0, rt_de: 0, rt_me: 0, peaks: [1.2] }),
    );
    // a second system message within the hour: counted, not warned again
    await client.publishAsync(uploadTopic('alice', 'amsreader'), '{"id":"A4:CF:12:00:11:22","name":"ams-1","up":180,"vcc":3.29,"rssi":-60,"temp":21.0,"version":"v2.3.0"}');
    await client.endAsync();
    const lines = await outcome('alice', 5);
    expect(lines.slice(-4).map((l) => [l['msg'], l['level']])).toEqual([
      ['upload without readings ignored', 40],
      ['upload stored', 20],
      ['upload stored', 20],
      ['upload without readings ignored', 20],
    ]);
    expect(lines.at(-4)).toMatchObject({ reason: 'system info', ignoredSinceLastWarn: 1 });
    const rows = await readingsOf(alice.id);
    // Keyed by the meter clock (rtc), not the reader's own clock (t).
    const row = rows.find((r) => r.meter_time.getTime() === (t0 - 10) * 1000);
    expect(row).toMatchObject({ power_import_w: 1843, power_reactive_export_var: 257, current_l1_ca: 810, voltage_l3_dv: 2328, energy_import_wh: 12345670, energy_reactive_export_varh: 3456780, source: 6 });
    const flat = rows.find((r) => r.meter_time.getTime() === (t1 - 10) * 1000);
    expect(flat).toMatchObject({
      power_import_w: 1850, power_import_l1_w: 600, power_import_l3_w: 1250, energy_import_wh: 12345680,
      energy_import_t1_wh: 10000180, energy_import_t2_wh: 2345500, energy_export_t1_wh: null,
      energy_import_l1_wh: 4000100, energy_import_l2_wh: 500, energy_import_l3_wh: 8345080, energy_export_l1_wh: null,
    });
    const meter = await t.db.selectFrom('device_meter').selectAll().where('device_id', '=', alice.id).execute();
    expect(meter.map((m) => m.meter_id)).toContain('7359992890941742');
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toContain('sem_mqtt_ignored_total{kind="amsreader",reason="system info"} 2');
  });

  it('sends the retained config on subscribe and again when the CLI or the admin API changes the interval', async () => {
    const device = await connectDevice(broker, alice);
    const received: string[] = [];
    device.on('message', (topic, payload) => topic === configTopic('alice') && received.push(payload.toString()));
    await device.subscribeAsync(configTopic('alice'), { qos: 1 });
    await until('the retained config', async () => received.length >= 1);
    expect(JSON.parse(received[0]!)).toEqual({ sendIntervalS: 60, sendIntervalMin: 1 });

    await run(process.execPath, [DEVICES_CLI, 'set-config', '--device', 'alice', '--send-interval', '15m'], { env: dbEnv() });
    await until('the CLI change', async () => received.length >= 2);
    expect(JSON.parse(received[1]!)).toEqual({ sendIntervalS: 900, sendIntervalMin: 15 });

    const res = await app.inject({ method: 'PATCH', url: `/api/v1/admin/devices/${alice.id}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { sendIntervalSeconds: 3600 } });
    expect(res.statusCode).toBe(200);
    await until('the admin API change', async () => received.length >= 3);
    expect(JSON.parse(received[2]!)).toEqual({ sendIntervalS: 3600, sendIntervalMin: 60 });
    await device.endAsync();

    // A device that connects later gets the current value, retained.
    const late: MqttClient = await connectDevice(broker, alice);
    const retained = new Promise<string>((ok) => late.once('message', (_t, p) => ok(p.toString())));
    await late.subscribeAsync(configTopic('alice'), { qos: 1 });
    expect(JSON.parse(await retained)).toEqual({ sendIntervalS: 3600, sendIntervalMin: 60 });
    await late.endAsync();
  });
});
