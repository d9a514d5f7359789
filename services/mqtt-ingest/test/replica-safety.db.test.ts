/**
 * Replica safety: three writer processes on one database (two ingest-api, one mqtt-ingest) take the same
 * devices' telegrams, interleaved, out of order, with exact duplicates and retried requests; one API
 * process is SIGKILLed mid-run and restarted, and what it left unanswered is sent again. Afterwards every
 * raw table and every rollup table equals, row for row, what one engine writes from the same input
 * (packages/ingest/README.md: the invariants that make this hold).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { ROLLUP_TABLES, type Database } from '@sem/db';
import { createTestDatabase, testDbPrefix, type TestDatabase, dbConnectionEnv } from '@sem/db/testing';
import { P1Replayer } from '@sem/device-sim';
import { createIngest, decodeP1Text } from '@sem/ingest';
import { uploadTopic } from '../src/topics/topic-route.ts';
import { freePort, startBroker, type TestBroker } from './support/mosquitto-broker.ts';
import { ingestEnv, startIngestProcess, type IngestProcess } from './support/ingest-process.ts';
import { addDevice, connectDevice, openTestDatabase, until, type TestDevice } from './support/mqtt-stack.ts';

const API_SERVER = resolve(import.meta.dirname, '../../ingest-api/src/server.ts');
const FIXTURES = resolve(import.meta.dirname, '../../../packages/meter-protocol/fixtures/dsmr');

/** Columns that say when or through which door a row arrived, not what the meter said. */
const ARRIVAL_COLUMNS: Record<string, readonly string[]> = {
  reading: ['received_at', 'source'],
  mbus_reading: ['received_at'],
  power_failure_event: ['first_seen_at'],
  demand_peak: ['first_seen_at'],
  device_meter: ['first_seen_at', 'last_seen_at'],
};
// rollup_journal must end empty (checked on its own); rollup_purge is the retention job's bookkeeping (the API
// processes run it after a minute; it purges nothing of two-hour-old data), not something the input writes.
const COMPARED_TABLES = ['reading', 'mbus_reading', 'power_failure_event', 'demand_peak', 'raw_object', 'device_meter', ...ROLLUP_TABLES.filter((t) => t !== 'rollup_journal' && t !== 'rollup_purge')];

/** A small deterministic PRNG: the run is the same every time. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Meter {
  name: string;
  zone: string;
  country: string;
  template: string;
}

// A Belgian e-MUCS meter (month peak, peak history, gas and water) and a Dutch DSMR 5 meter (power failure log, gas), drawing power.
const METERS: Meter[] = [
  { name: 'replica-be-1', zone: 'Europe/Brussels', country: 'BE', template: readFileSync(`${FIXTURES}/athom_emucs_p1_v211_spec_example_1.txt`, 'latin1').replace('1-0:1.7.0(00.000*kW)', '1-0:1.7.0(01.500*kW)') },
  { name: 'replica-be-2', zone: 'Europe/Brussels', country: 'BE', template: readFileSync(`${FIXTURES}/athom_emucs_p1_v211_spec_example_1.txt`, 'latin1').replace('1-0:1.7.0(00.000*kW)', '1-0:1.7.0(03.200*kW)') },
  { name: 'replica-nl', zone: 'Europe/Amsterdam', country: 'NL', template: readFileSync(`${FIXTURES}/athom_iskra_am550_dsmr50.txt`, 'latin1').replace('1-0:1.7.0(00.000*kW)', '1-0:1.7.0(00.800*kW)') },
];
const TELEGRAMS_PER_METER = 30;
const STEP_MS = 30_000;

interface Upload {
  meter: number;
  telegram: string;
  /** Where it goes first: ingest-api a or b, or mqtt. */
  door: 'a' | 'b' | 'mqtt';
}

/** Telegrams every 30 s over 15 minutes ending two hours ago (minute, quarter and hour rollups, an hour boundary). */
function uploads(rnd: () => number): Upload[] {
  const end = Math.floor((Date.now() - 2 * 3_600_000) / 3_600_000) * 3_600_000 + 5 * 60_000;
  const start = end - TELEGRAMS_PER_METER * STEP_MS;
  const out: Upload[] = [];
  METERS.forEach((m, meter) => {
    const replayer = new P1Replayer([m.template], { zone: m.zone, vary: 0.3, phase: meter });
    for (let i = 0; i < TELEGRAMS_PER_METER; i++) {
      const telegram = replayer.next(start + i * STEP_MS);
      const doors = ['a', 'b', 'mqtt'] as const;
      out.push({ meter, telegram, door: doors[Math.floor(rnd() * 3)]! });
      // An exact duplicate through another door (a device that retried after a lost answer, or two paths).
      if (rnd() < 0.3) out.push({ meter, telegram, door: doors[Math.floor(rnd() * 3)]! });
    }
  });
  // Out of order: each upload moves up to ~20 places from where time would put it.
  return out
    .map((u, i) => ({ u, key: i + rnd() * 20 }))
    .sort((x, y) => x.key - y.key)
    .map((x) => x.u);
}

interface ApiProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<unknown>;
}

async function startApi(t: TestDatabase, port: number, env: Record<string, string>): Promise<ApiProcess> {
  const c = t.connection;
  const child = spawn(process.execPath, [API_SERVER], {
    env: {
      PATH: process.env['PATH'] ?? '',
      SEM_HTTP_HOST: '127.0.0.1',
      SEM_HTTP_PORT: String(port),
      ...dbConnectionEnv(c),
      SEM_LOG_LEVEL: 'warn',
      SEM_RATE_LIMIT_PER_MINUTE: '100000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((ok) => child.once('exit', ok));
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const url = `http://127.0.0.1:${port}`;
  // Starting takes seconds on an idle machine; a loaded CI runner may need far longer.
  await until('the API answers', async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok, 90_000);
  return { url, child, exited };
}

/** Every row of the compared tables, arrival columns left out, in a stable order. */
async function snapshot(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of COMPARED_TABLES) {
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(db)).rows;
    const drop = new Set(ARRIVAL_COLUMNS[table] ?? []);
    out[table] = rows
      // A request shed under load (503, nothing stored, sent again) is counted where it was refused; it says nothing about the data.
      .filter((r) => !(table === 'rollup_reject_hour' && r['reason'] === 'service_unavailable'))
      .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k)).map(([k, v]) => [k, v instanceof Buffer ? v.toString('hex') : v]))))
      .sort();
  }
  return out;
}

describe('three writer processes on one database', () => {
  let t: TestDatabase;
  let reference: TestDatabase;
  let broker: TestBroker;
  let mqttIngest: IngestProcess | undefined;
  const apis: ApiProcess[] = [];
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    t = await openTestDatabase();
    reference = await createTestDatabase(testDbPrefix('replica_ref'), { fresh: true });
    broker = await startBroker('', { entrypoint: true });
  }, 300_000);
  afterAll(async () => {
    for (const c of clients) await c.endAsync().catch(() => undefined);
    for (const a of apis) a.child.kill('SIGKILL');
    await mqttIngest?.kill('SIGKILL');
    await broker?.stop();
    await reference?.destroy();
    await t?.destroy();
  });

  it('store exactly what one engine stores from the same input, with one of them killed mid-run', async () => {
    const rnd = random(13);
    const devices: TestDevice[] = [];
    for (const m of METERS) devices.push(await addDevice(t, { name: m.name, timeZone: m.zone, country: m.country }));
    const now = new Date();
    for (const [i, m] of METERS.entries()) {
      await reference.db.insertInto('device').values({ id: devices[i]!.id, name: m.name, time_zone: m.zone, country: m.country, send_interval_s: 10, created_at: now, updated_at: now }).execute();
    }
    const work = uploads(rnd);

    // One engine, one request at a time, in the same order: the answer the replicas must give.
    const single = createIngest({ db: reference.db, config: { writeQueue: { maxRows: 100_000, maxBatchRows: 2000, lingerMs: 0, maxWaitMs: 60_000, admitMaxWaitMs: 60_000, concurrency: 1 }, rollupFlushMs: 0, deviceCacheTtlMs: 0 } });
    for (const u of work) {
      const device = { id: devices[u.meter]!.id, sendIntervalSeconds: 10 };
      await single.ingest(device, decodeP1Text(u.telegram, METERS[u.meter]!.zone), 'p1', new Date());
    }
    await single.close();

    // Deferred rollups flushed often, and a stopped writer's journal replayed by the others after 1.5 s.
    const env = { SEM_ROLLUP_FLUSH_MS: '200', SEM_ROLLUP_ORPHAN_AFTER_MS: '1500' };
    const ports = [await freePort(), await freePort()];
    apis.push(await startApi(t, ports[0]!, env), await startApi(t, ports[1]!, env));
    mqttIngest = await startIngestProcess(ingestEnv(t, broker, { ...env, SEM_LOG_LEVEL: 'info' }));
    for (const d of devices) clients.push(await connectDevice(broker, d));

    const post = async (api: ApiProcess, u: Upload): Promise<boolean> => {
      try {
        const res = await fetch(`${api.url}/api/v1/telegrams`, {
          method: 'POST',
          headers: { authorization: `Bearer ${devices[u.meter]!.key}`, 'content-type': 'text/plain' },
          body: u.telegram,
        });
        await res.arrayBuffer();
        // 503 (shed, shutting down): nothing stored, the device sends it again.
        expect([201, 503]).toContain(res.status);
        return res.status === 201;
      } catch {
        return false; // no answer: the process died with the request in hand
      }
    };

    const unanswered: Upload[] = [];
    const killAt = Math.floor(work.length * 0.4);
    const inFlight = new Set<Promise<void>>();
    for (const [i, u] of work.entries()) {
      if (i === killAt) {
        // Mid-run, with requests in flight: b dies without a chance to answer or flush its held rollups.
        apis[1]!.child.kill('SIGKILL');
        await apis[1]!.exited;
        await Promise.all(inFlight);
        apis[1] = await startApi(t, ports[1]!, env);
      }
      if (u.door === 'mqtt') {
        await clients[u.meter]!.publishAsync(uploadTopic(devices[u.meter]!.name, 'telegram'), u.telegram, { qos: 1 });
        continue;
      }
      const api = apis[u.door === 'a' ? 0 : 1]!;
      const p: Promise<void> = post(api, u).then((ok) => {
        if (!ok) unanswered.push(u);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 6) await Promise.race(inFlight);
      // Some answered requests are retried anyway (the answer was lost on the way back).
      if (rnd() < 0.1) await p.then(() => post(apis[rnd() < 0.5 ? 0 : 1]!, u));
    }
    await Promise.all(inFlight);
    // The devices send again whatever got no answer, until it is stored.
    for (let round = 0; unanswered.length > 0; round++) {
      expect(round).toBeLessThan(20);
      const again = unanswered.splice(0);
      for (const u of again) if (!(await post(apis[round % 2]!, u))) unanswered.push(u);
    }

    const expected = await snapshot(reference.db);
    const count = async (table: string) => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(t.db)).rows[0]!.n);
    // MQTT is asynchronous: wait until every reading is in and every journal row (the killed writer's too) is applied.
    await until('every reading stored and every journal row applied', async () => (await count('reading')) === expected['reading']!.length && (await count('rollup_journal')) === 0, 30_000);
    // Clean stops write what each live process still holds.
    for (const a of apis) a.child.kill('SIGTERM');
    await mqttIngest.kill('SIGTERM');
    await Promise.all(apis.map((a) => a.exited));
    expect(await count('rollup_journal')).toBe(0);

    const got = await snapshot(t.db);
    expect(expected['reading']!.length).toBe(METERS.length * TELEGRAMS_PER_METER);
    expect(expected['power_failure_event']!.length).toBeGreaterThan(0);
    expect(expected['demand_peak']!.length).toBeGreaterThan(0);
    expect(expected['rollup_quarter']!.length).toBeGreaterThan(0);
    for (const table of COMPARED_TABLES) expect(got[table], table).toEqual(expected[table]);
  }, 300_000);
});
