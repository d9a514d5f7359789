/**
 * Every capture in ../shared/fixtures goes over MQTT (TLS, per-device account, QoS 1) into the
 * database through the real ingest process, and ends up exactly as the same capture posted over
 * HTTP: same rows, same values, same refusals. Publishing everything a second time (what a
 * redelivery after a crash amounts to) adds nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { corpusAbsent, SHARED_CORPUS } from '@sem/meter-protocol/testing';
import { uploadTopic } from '../src/topics/topic-route.ts';
import { describeWithBroker, startBroker, type TestBroker } from './support/mosquitto-broker.ts';
import { ingestEnv, startIngestProcess, type IngestProcess } from './support/ingest-process.ts';
import { addDevice, connectDevice, httpApp, openTestDatabase, until, type TestDevice } from './support/mqtt-stack.ts';

const FIXTURES = SHARED_CORPUS;

interface Capture {
  name: string;
  kind: 'telegram' | 'frame';
  bytes: Buffer;
  hanKeys?: { hanEncryptionKey: string; hanAuthenticationKey?: string };
}

function captures(): Capture[] {
  const out: Capture[] = [];
  for (const f of readdirSync(join(FIXTURES, 'dsmr')).filter((f) => f.endsWith('.txt')).sort()) {
    out.push({ name: f.slice(0, -4), kind: 'telegram', bytes: readFileSync(join(FIXTURES, 'dsmr', f)) });
  }
  for (const dir of ['han', 'han/negative']) {
    for (const f of readdirSync(join(FIXTURES, dir)).filter((f) => f.endsWith('.hex')).sort()) {
      const name = f.slice(0, -4);
      const capture: Capture = { name, kind: 'frame', bytes: Buffer.from(readFileSync(join(FIXTURES, dir, f), 'utf8').trim(), 'hex') };
      const expected = join(FIXTURES, dir, `${name}.expected.json`);
      if (existsSync(expected)) {
        const enc = (JSON.parse(readFileSync(expected, 'utf8')) as { encryption?: { encryption_key?: string; authentication_key?: string | null } }).encryption;
        if (enc?.encryption_key) {
          capture.hanKeys = { hanEncryptionKey: enc.encryption_key, ...(enc.authentication_key ? { hanAuthenticationKey: enc.authentication_key } : {}) };
        }
      }
      out.push(capture);
    }
  }
  return out;
}

const VALUE_EXCLUDED = new Set(['device_id', 'received_at', 'source', 'meter_time']);

async function rowsOf(t: TestDatabase, deviceId: number) {
  const rows = await t.db.selectFrom('reading').selectAll().where('device_id', '=', deviceId).orderBy('meter_time').execute();
  return rows.map((r) => ({
    // A reading without a meter time is keyed by its receive time, which differs between the two paths.
    meterTime: r.meter_time.getTime() === r.received_at.getTime() ? 'receive time' : r.meter_time.toISOString(),
    values: Object.fromEntries(Object.entries(r).filter(([k]) => !VALUE_EXCLUDED.has(k))),
  }));
}

describeWithBroker('every capture over MQTT', () => {
  let t: TestDatabase;
  let broker: TestBroker;
  let ingest: IngestProcess;
  let app: FastifyInstance;
  const all = existsSync(FIXTURES) ? captures() : [];
  const viaMqtt = new Map<string, TestDevice>();
  const viaHttp = new Map<string, TestDevice>();

  beforeAll(async () => {
    t = await openTestDatabase();
    await t.clear();
    for (const c of all) {
      const han = c.kind === 'frame' ? { country: 'NO', timeZone: 'Europe/Oslo', ...c.hanKeys } : {};
      viaMqtt.set(c.name, await addDevice(t, { name: `m-${c.name}`, ...han }));
      viaHttp.set(c.name, await addDevice(t, { name: `h-${c.name}`, ...han }));
    }
    broker = await startBroker('', { entrypoint: true });
    ingest = await startIngestProcess(ingestEnv(t, broker));
    app = await httpApp(t);
  }, 120_000);

  afterAll(async () => {
    await ingest?.kill('SIGTERM');
    await app?.close();
    await broker?.stop();
    await t?.destroy();
  });

  const outcomes = () => ingest.logs().filter((l) => l['msg'] === 'upload stored' || l['msg'] === 'upload rejected and dropped');

  async function publishAll(): Promise<void> {
    for (const c of all) {
      const client = await connectDevice(broker, viaMqtt.get(c.name)!);
      await client.publishAsync(uploadTopic(viaMqtt.get(c.name)!.name, c.kind), c.bytes, { qos: 1 });
      await client.endAsync();
    }
  }

  it('stores each capture exactly as HTTP does, and refuses what HTTP refuses', async () => {
    expect(all.length).toBeGreaterThan(40);
    await publishAll();
    await until('every message handled', async () => outcomes().length >= all.length, 60_000);

    const mismatches: string[] = [];
    let stored = 0;
    for (const c of all) {
      const http = viaHttp.get(c.name)!;
      const res = await app.inject({
        method: 'POST',
        url: c.kind === 'telegram' ? '/api/v1/telegrams' : '/api/v1/frames',
        headers: { authorization: `Bearer ${http.key}`, 'content-type': c.kind === 'telegram' ? 'text/plain' : 'application/octet-stream' },
        payload: c.bytes,
      });
      const mqttRows = await rowsOf(t, viaMqtt.get(c.name)!.id);
      const httpRows = await rowsOf(t, http.id);
      stored += mqttRows.length;
      if (JSON.stringify(mqttRows) !== JSON.stringify(httpRows)) mismatches.push(`${c.name}: mqtt ${JSON.stringify(mqttRows)} http ${JSON.stringify(httpRows)}`);
      const log = outcomes().find((l) => l['device'] === `m-${c.name}`);
      // HTTP 201 <-> stored; any 4xx <-> rejected and dropped (with the same error code).
      if (res.statusCode === 201) expect(log?.['msg'], c.name).toBe('upload stored');
      else {
        expect(log?.['msg'], c.name).toBe('upload rejected and dropped');
        expect(log?.['code'], c.name).toBe((res.json() as { error: { code: string } }).error.code);
      }
    }
    expect(mismatches).toEqual([]);
    // Most captures are valid: a broken pipeline cannot pass by refusing everything on both paths.
    expect(stored).toBeGreaterThan(35);
  }, 120_000);

  it('adds nothing when every capture arrives a second time, except readings without a meter time', async () => {
    const count = async () => Number((await t.db.selectFrom('reading').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const mqttIds = [...viaMqtt.values()].map((d) => d.id);
    // A telegram without a clock (DSMR 2.2/3, EasyMeter) is keyed by its receive time: sent again, it is a new reading.
    const timeless = (await t.db.selectFrom('reading').select('device_id').where('device_id', 'in', mqttIds).whereRef('meter_time', '=', 'received_at').execute()).length;
    expect(timeless).toBeGreaterThan(0);
    const before = await count();
    const handled = outcomes().length;
    await publishAll();
    await until('every message handled again', async () => outcomes().length >= handled + all.length, 60_000);
    expect((await count()) - before).toBe(timeless);
    const second = outcomes().slice(handled).filter((l) => l['msg'] === 'upload stored');
    expect(second.reduce((n, l) => n + Number(l['readings']), 0)).toBe(timeless);
    expect(second.reduce((n, l) => n + Number(l['duplicates']), 0)).toBeGreaterThan(30);
  }, 120_000);
}, corpusAbsent());
