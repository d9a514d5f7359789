/**
 * Fleet-scale ingest benchmark (issue #7): `npm run bench:ingest [-- --quick]`. See docs/performance.md.
 * One run, one machine: (a) MariaDB ceiling, (b) HTTP ceiling, (c) 1,000 devices posting single JSON
 * readings, (d) 300-reading batches, (e) raw P1 telegrams, (f) SEM legacy form posts; then half load
 * (p99), twice the load (RSS, shedding), the per-device rate limit, storage per reading, and a count
 * of acknowledged versus stored rows. Only loopback addresses; every loop is bounded in time and count.
 */
import { execSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchOptions } from './bench.options.ts';
import { adminConnection, BENCH_DB, createBenchDevices, freshBenchDatabase, rootConnection } from './bench-db.setup.ts';
import { mariadbPid } from './child.process.ts';
import { dbCeiling } from './db-ceiling.phase.ts';
import { closedLoop, openLoop, type DeviceStream, type LoadResult } from './load.runner.ts';
import { KeepAliveConnection } from './http-keepalive.client.ts';
import { machineInfo } from './machine.info.ts';
import { DeviceClock } from './device-clock.ts';
import { batchJsonStream, semFormStream, singleJsonStream, telegramStream, type BenchDevice } from './payloads.factory.ts';
import { withServer, type ServerRun } from './phase.measure.ts';
import { BENCH_ADMIN_TOKEN } from './api-metrics.scrape.ts';
import { renderMarkdown, type PhaseRow, type BenchReport } from './results.report.ts';
import { storagePhase } from './storage.phase.ts';
import { thunderingHerd } from './herd.phase.ts';
import { stackBrokerSettings, startBenchBroker } from './mqtt-broker.process.ts';
import { measureDrain, mqttStorm, queueBacklog, type MqttDevice } from './mqtt-storm.phase.ts';
import { overloadRow } from './overload.summary.ts';
import { profileWriteSteps } from './write-steps.profile.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const o = parseBenchOptions(process.argv.slice(2));
const outDir = resolve(ROOT, o.outDir);
mkdirSync(outDir, { recursive: true });
const DAY = 86_400_000;
const t0 = Math.floor(Date.now() / 1000) * 1000 - 3600_000;
// The API phases continue each device's series where the previous phase left it (a writes the 2 h before).
const clock = new DeviceClock(t0 - 30 * DAY);
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const want = (p: string) => o.only.has(p);

log(`output: ${outDir}`);
const admin = adminConnection(o.socketPath, o.dbPort);
const db = await freshBenchDatabase(admin);
if (o.prepare) execSync(o.prepare, { stdio: 'inherit', env: { ...process.env, SEM_BENCH_DB: BENCH_DB } });
const conn = await rootConnection(db);
const dbPid = mariadbPid(o.dbPidFile);
const machine = await machineInfo(conn);
log(`${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, node ${machine.node}, MariaDB ${machine.mariadb}, load ${machine.loadavgAtStart.join(' ')}`);

const needJson = ['a', 'b', 'c', 'd', 'e', 'half', 'shedcost', 'overload', 'herd', 'mqtt', 'ratelimit', 'steps'].some(want);
const jsonDevices: BenchDevice[] = needJson ? await createBenchDevices(db, 'json', o.devices, 'token') : [];
const semDevices: BenchDevice[] = want('f') || want('half') ? await createBenchDevices(db, 'sem', o.devices, 'legacy') : [];
log(`devices: ${jsonDevices.length} with token keys, ${semDevices.length} with legacy keys`);

/** Acknowledged (API 2xx `accepted`, or ceiling rows inserted) per device, over every phase. */
const acked = new Map<number, number>();
const addAcked = (m: Map<number, number>) => {
  for (const [id, n] of m) acked.set(id, (acked.get(id) ?? 0) + n);
};

const apiEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  SEM_HTTP_HOST: '127.0.0.1',
  SEM_HTTP_PORT: String(o.port),
  SEM_DB_HOST: '127.0.0.1',
  SEM_DB_PORT: String(o.dbPort),
  SEM_DB_NAME: BENCH_DB,
  SEM_DB_USER: db.api.user,
  SEM_DB_PASSWORD: db.api.password,
  // Request logging at info costs two log lines per request; a fleet deployment runs at warn.
  SEM_LOG_LEVEL: 'warn',
  // Capacity phases measure the write path, not the per-device policy (checked in its own phase).
  SEM_RATE_LIMIT_PER_MINUTE: '1000000',
  SEM_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
  // Write-queue and rollup settings from the bench's own environment reach the API, to compare them (e.g. SEM_ROLLUP_FLUSH_MS=0).
  ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => (e[0].startsWith('SEM_WRITE_') || e[0].startsWith('SEM_ROLLUP_') || e[0] === 'SEM_API_PROCESSES') && e[1] !== undefined)),
  ...extra,
});

const report: BenchReport = { options: { ...o, only: [...o.only] }, machine, rows: [], notes: [] };
const rows = report.rows;
if (db.ungranted.length > 0) {
  const note = `Bootstrap (db/src/grants.ts API_TABLES) does not grant the API user these tables the write path uses: ${db.ungranted.join(', ')}. Without a grant every ingest answers 500; the benchmark granted SELECT, INSERT, UPDATE, DELETE on them itself.`;
  report.notes.push(note);
  log(note);
}
const save = () => {
  checkDbRestart(rows.at(-1)?.id ?? 'setup');
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v), 2));
  writeFileSync(join(outDir, 'results.md'), renderMarkdown(report));
};

/** MariaDB's pid at the start; a different pid later means another session restarted the shared server. */
const dbPidAtStart = dbPid;
function checkDbRestart(phase: string): void {
  const now = mariadbPid(o.dbPidFile);
  if (now !== undefined && now !== dbPidAtStart && !report.notes.some((n) => n.includes(`pid ${now}`))) {
    const note = `MariaDB was restarted by another session during or before phase ${phase} (pid ${dbPidAtStart} -> pid ${now}); figures of that phase are not valid.`;
    report.notes.push(note);
    log(note);
  }
}

function apiRun<T>(
  name: string,
  load: (port: number, tick: () => void) => Promise<T>,
  env: Record<string, string> = {},
  timing: { warmupS: number; seconds: number } = { warmupS: o.warmupS, seconds: o.seconds },
): Promise<ServerRun<T>> {
  log(`${name}: starting the API`);
  return withServer({
    name,
    outDir,
    script: join(ROOT, 'services/ingest-api/src/server.ts'),
    env: apiEnv(env),
    port: o.port,
    readyPath: '/readyz',
    conn,
    mariadbPid: dbPid,
    ...timing,
    load: (server, tick) => load(server.port, tick),
  });
}

function loadRow(id: string, what: string, run: ServerRun<LoadResult>, unit: 'req/s' | 'readings/s'): PhaseRow {
  const r = run.value;
  addAcked(r.acked);
  const perS = unit === 'req/s' ? r.ok / r.seconds : r.okReadings / r.seconds;
  const w = run.window;
  return {
    id,
    what,
    throughput: perS,
    unit,
    requestsPerS: r.ok / r.seconds,
    readingsPerS: r.okReadings / r.seconds,
    p50: r.latency.quantile(0.5),
    p99: r.latency.quantile(0.99),
    p999: r.latency.quantile(0.999),
    statuses: r.statuses,
    errors: r.errors,
    errorReasons: r.errorReasons,
    clientDropped: r.clientDropped,
    missingRetryAfter: r.missingRetryAfter,
    connections: r.connections,
    window: w,
    serverCpuUsPerRequest: r.requests > 0 ? (w.serverCpu * w.seconds * 1e6) / r.requests : Number.NaN,
    rss: run.rss,
    perSecond: r.perSecond,
    profile: run.profile,
    apiMetrics: run.apiMetrics,
    exitCode: run.exitCode,
  };
}

const streams = (devices: readonly BenchDevice[], make: (d: BenchDevice) => DeviceStream) => devices.map(make);
const byId = (id: string) => rows.find((r) => r.id === id);

// (a) MariaDB ceiling: multi-row INSERTs from one client, straight into the reading table.
if (want('a')) {
  log('a: MariaDB ceiling (1,000-row INSERTs, one client)');
  const probeConn = conn;
  const { WindowProbe } = await import('./phase.measure.ts');
  const probe = new WindowProbe(probeConn, dbPid, undefined);
  probe.arm(o.warmupS, o.seconds);
  const c = await dbCeiling({ connection: db.root, devices: jsonDevices, startMs: clock.startMs - 2 * 3_600_000, warmupS: o.warmupS, seconds: o.seconds, rowsPerStatement: 1000, runLength: o.batchSize });
  const w = await probe.result();
  addAcked(c.inserted);
  rows.push({ id: 'a', what: 'MariaDB ceiling: 1,000-row INSERT, autocommit, 1 client', throughput: c.rows / c.seconds, unit: 'rows/s', readingsPerS: c.rows / c.seconds, window: w, statuses: {}, connections: 1 });
  save();
}

// (b) HTTP ceiling: the same Fastify with a handler that stores nothing, same request as (c).
if (want('b')) {
  log('b: HTTP ceiling (Fastify, POST handler that stores nothing)');
  const run = await withServer({
    name: 'b-null-api',
    outDir,
    script: join(ROOT, 'bench/ingest/null-api.server.ts'),
    args: [String(o.port)],
    env: {},
    port: o.port,
    readyPath: '/',
    conn,
    mariadbPid: dbPid,
    warmupS: o.warmupS,
    seconds: o.seconds,
    load: (server, tick) =>
      closedLoop({ port: server.port, devices: streams(jsonDevices, (d) => singleJsonStream(d, new DeviceClock(t0))), connections: o.devices, warmupS: o.warmupS, seconds: o.seconds, onTick: tick }),
  });
  run.value.acked.clear(); // nothing is stored by the null handler
  rows.push(loadRow('b', 'HTTP ceiling: Fastify POST, JSON body parsed, nothing stored', run, 'req/s'));
  save();
}

// (c) 1,000 devices, keep-alive, single JSON readings.
if (want('c')) {
  const run = await apiRun('c-json-single', (port, tick) =>
    closedLoop({ port, devices: streams(jsonDevices, (d) => singleJsonStream(d, clock)), connections: o.devices, warmupS: o.warmupS, seconds: o.seconds, onTick: tick }),
  );
  rows.push(loadRow('c', `${o.devices} devices, single JSON reading per POST /api/v1/readings`, run, 'req/s'));
  save();
}

// (c2) c again with the API as two processes on one port (SEM_API_PROCESSES=2): CPU and RSS are the primary's and both processes'.
if (want('c2')) {
  const run = await apiRun(
    'c2-json-single-2-processes',
    (port, tick) => closedLoop({ port, devices: streams(jsonDevices, (d) => singleJsonStream(d, clock)), connections: o.devices, warmupS: o.warmupS, seconds: o.seconds, onTick: tick }),
    { SEM_API_PROCESSES: '2' },
  );
  rows.push(loadRow('c2', `as c, the API as 2 processes (SEM_API_PROCESSES=2)`, run, 'req/s'));
  save();
}

// (d) Batches of 300 readings (5 minutes at 1 Hz).
if (want('d')) {
  const devices = jsonDevices.slice(0, o.batchConnections);
  const run = await apiRun('d-json-batch', (port, tick) =>
    closedLoop({ port, devices: streams(devices, (d) => batchJsonStream(d, clock, o.batchSize)), connections: o.batchConnections, warmupS: o.warmupS, seconds: o.seconds, onTick: tick }),
  );
  rows.push(loadRow('d', `${o.batchConnections} devices, ${o.batchSize} JSON readings per POST`, run, 'readings/s'));
  save();
}

// (e) Raw P1 telegrams decoded on the server.
if (want('e')) {
  const run = await apiRun('e-p1-telegram', (port, tick) =>
    closedLoop({ port, devices: streams(jsonDevices, (d) => telegramStream(d, clock)), connections: o.devices, warmupS: o.warmupS, seconds: o.seconds, onTick: tick }),
  );
  rows.push(loadRow('e', `${o.devices} devices, one raw P1 telegram (Fluvius e-MUCS) per POST /api/v1/telegrams`, run, 'req/s'));
  save();
}

// (f) SEM legacy form posts.
if (want('f')) {
  const run = await apiRun('f-sem-form', (port, tick) =>
    closedLoop({ port, devices: streams(semDevices, (d) => semFormStream(d)), connections: o.devices, warmupS: o.warmupS, seconds: o.seconds, onTick: tick }),
  );
  rows.push(loadRow('f', `${o.devices} devices, SEM ESP32 form POST /post-data.php`, run, 'req/s'));
  save();
}

// Half of each measured maximum, offered open-loop (ramped up over the warm-up, as a fleet connects): p99 must stay under 50 ms.
if (want('half')) {
  const halves: [string, string, PhaseRow | undefined, (port: number, tick: () => void, rate: number) => Promise<LoadResult>][] = [
    ['c', 'half of c', byId('c'), (port, tick, rate) =>
      openLoop({ port, devices: streams(jsonDevices, (d) => singleJsonStream(d, clock)), rate, maxConnections: o.devices, maxBacklog: Math.ceil(rate * 2), warmupS: o.warmupS, rampS: o.warmupS, seconds: o.seconds, onTick: tick })],
    ['d', 'half of d', byId('d'), (port, tick, rate) =>
      openLoop({ port, devices: streams(jsonDevices.slice(o.batchConnections, 4 * o.batchConnections), (d) => batchJsonStream(d, clock, o.batchSize)), rate, maxConnections: 3 * o.batchConnections, maxBacklog: Math.ceil(rate * 2), warmupS: o.warmupS, rampS: o.warmupS, seconds: o.seconds, onTick: tick })],
    ['e', 'half of e', byId('e'), (port, tick, rate) =>
      openLoop({ port, devices: streams(jsonDevices, (d) => telegramStream(d, clock)), rate, maxConnections: o.devices, maxBacklog: Math.ceil(rate * 2), warmupS: o.warmupS, rampS: o.warmupS, seconds: o.seconds, onTick: tick })],
    ['f', 'half of f', byId('f'), (port, tick, rate) =>
      openLoop({ port, devices: streams(semDevices, (d) => semFormStream(d)), rate, maxConnections: o.devices, maxBacklog: Math.ceil(rate * 2), warmupS: o.warmupS, rampS: o.warmupS, seconds: o.seconds, onTick: tick })],
  ];
  for (const [base, what, max, load] of halves) {
    const given = o.halfRates.get(base);
    if (!given && !max?.requestsPerS) continue;
    const rate = given ?? Math.max(1, Math.round(max!.requestsPerS! / 2));
    const run = await apiRun(`half-${base}`, (port, tick) => load(port, tick, rate));
    rows.push(loadRow(`½${base}`, `${what}${given ? ' (rate given)' : ''}: ${rate} req/s offered open-loop after a ${o.warmupS} s ramp (latency from the due time)`, run, base === 'd' ? 'readings/s' : 'req/s'));
    save();
  }
}

// What one refusal costs the API: every POST is refused (one request held on a row lock keeps the queue busy longer
// than SEM_WRITE_QUEUE_MAX_WAIT_MS), closed loop on 200 connections; compare with b, the cheapest Fastify answer.
if (want('shedcost') && jsonDevices.length > 1) {
  const held = jsonDevices[0]!;
  const heldStream = singleJsonStream(held, clock);
  const lock = await createConnection({ ...db.root, timezone: 'Z' });
  await lock.query('BEGIN');
  await lock.query('INSERT INTO reading (device_id, meter_time, received_at, source) VALUES (?, ?, NOW(3), 0)', [held.id, new Date(clock.nextMs(held.id))]);
  const run = await apiRun(
    'shedcost',
    async (port, tick) => {
      const stuckConn = new KeepAliveConnection(port, 60_000);
      const stuck = stuckConn.request(heldStream.next().raw);
      await sleep(300);
      const r = await closedLoop({ port, devices: streams(jsonDevices.slice(1), (d) => singleJsonStream(d, clock)), connections: 200, warmupS: o.warmupS, seconds: o.seconds, onTick: tick });
      await lock.query('ROLLBACK');
      const answer = await stuck;
      stuckConn.close();
      if (answer.status === 201) addAcked(new Map([[held.id, 1]]));
      return r;
    },
    { SEM_WRITE_QUEUE_MAX_WAIT_MS: '20' },
  );
  await lock.end();
  rows.push(loadRow('shed', 'every POST refused (503 at the admission gate): one request held on a row lock, 200 connections closed loop', run, 'req/s'));
  save();
}

// Twice and four times the measured maximum of c and e, and twice d, offered open-loop: goodput must hold near the
// maximum, the excess be refused at once (503 + Retry-After), RSS stay bounded.
if (want('overload')) {
  // Long enough to see whether RSS levels off (the verdict compares the last third with the middle third).
  const overload = { warmupS: o.warmupS, seconds: o.quick ? 10 : 60 };
  const single: [string, string, (d: BenchDevice) => DeviceStream][] = [
    ['c', 'single JSON readings', (d) => singleJsonStream(d, clock)],
    ['e', 'P1 telegrams', (d) => telegramStream(d, clock)],
  ];
  for (const [base, what, stream] of single) {
    const max = byId(base)?.requestsPerS;
    if (!max) continue;
    for (const times of [2, 4]) {
      const rate = Math.round(max * times);
      const run = await apiRun(`overload-${times}x-${base}`, (port, tick) =>
        openLoop({
          port,
          devices: streams(jsonDevices, stream),
          rate,
          maxConnections: 2 * o.devices,
          maxBacklog: 2 * o.devices,
          warmupS: o.warmupS,
          seconds: overload.seconds,
          timeoutMs: 10_000,
          onTick: tick,
        }),
        {},
        overload,
      );
      const row = loadRow(`${times}×${base}`, `${times} × ${base} (${what}): ${rate} req/s offered by up to ${2 * o.devices} connections`, run, 'req/s');
      rows.push(row);
      (report.overload ??= []).push(overloadRow(row.id, run.value, max, rate, row.window.serverCpu));
      save();
    }
  }
  const d = byId('d');
  const rateD = Math.max(2, Math.round((d?.requestsPerS || 20) * 2));
  const batchDevices = jsonDevices.slice(4 * o.batchConnections, 8 * o.batchConnections);
  const runD = await apiRun('overload-2x-d', (port, tick) =>
    openLoop({
      port,
      devices: streams(batchDevices, (dev) => batchJsonStream(dev, clock, o.batchSize)),
      rate: rateD,
      maxConnections: batchDevices.length,
      maxBacklog: batchDevices.length,
      warmupS: o.warmupS,
      seconds: overload.seconds,
      timeoutMs: 10_000,
      onTick: tick,
    }),
    {},
    overload,
  );
  const rowD = loadRow('2×d', `twice d: ${rateD} batch req/s offered by up to ${batchDevices.length} connections`, runD, 'readings/s');
  rows.push(rowD);
  if (d?.requestsPerS) (report.overload ??= []).push(overloadRow(rowD.id, runD.value, d.requestsPerS, rateD, rowD.window.serverCpu));
  save();
}

// A fleet back after an outage: 1,000 devices, 10 minutes of 1 Hz readings each in their outbox, reconnect in one second.
if (want('herd')) {
  const batches = 2;
  const perBatch = 300;
  const before = await storedByDevice(conn);
  const maxSeconds = o.quick ? 240 : 600;
  const run = await apiRun(
    'herd',
    (port, tick) =>
      thunderingHerd({
        port,
        devices: streams(jsonDevices, (d) => batchJsonStream(d, clock, perBatch)),
        batchesPerDevice: batches,
        reconnectWithinMs: 1000,
        maxSeconds,
        onTick: tick,
      }),
    {},
    { warmupS: 0, seconds: Math.min(maxSeconds, 60) },
  );
  const h = run.value;
  addAcked(h.ackedByDevice);
  const after = await storedByDevice(conn);
  // Lost: acknowledged but not in the database. Stored twice: more rows than the device ever sent. Unsent: still in an
  // outbox at the bound (not lost: a device keeps them).
  let lost = 0;
  let extra = 0;
  for (const dev of jsonDevices) {
    const added = (after.get(dev.id) ?? 0) - (before.get(dev.id) ?? 0);
    lost += Math.max(0, (h.ackedByDevice.get(dev.id) ?? 0) - added);
    extra += Math.max(0, added - batches * perBatch);
  }
  const maxGoodput = byId('d')?.readingsPerS;
  report.herd = {
    devices: h.devices,
    readingsPerDevice: batches * perBatch,
    batch: perBatch,
    readings: h.readings,
    drainS: h.drainMs / 1000,
    undrained: h.undrained,
    goodput: h.acked / ((Number.isNaN(h.drainMs) ? maxSeconds * 1000 : h.drainMs) / 1000),
    maxGoodput,
    idealS: maxGoodput ? h.readings / maxGoodput : undefined,
    answers: h.answers,
    shedShare: ((h.answers['503'] ?? 0) + (h.answers['429'] ?? 0)) / Math.max(1, Object.values(h.answers).reduce((a, b) => a + b, 0)),
    admittedP50: h.admitted.quantile(0.5),
    admittedP99: h.admitted.quantile(0.99),
    shedP99: h.shed.quantile(0.99),
    missingRetryAfter: h.missingRetryAfter,
    errors: h.errors,
    duplicates: h.duplicates,
    lost,
    extra,
    unsent: h.readings - h.acked - h.duplicates,
    perSecond: h.perSecond,
    apiCpu: run.window.serverCpu,
  };
  log(`herd: ${h.readings} readings drained in ${(h.drainMs / 1000).toFixed(1)} s (ideal ${report.herd.idealS?.toFixed(1)} s), lost ${lost}, stored twice ${extra}, re-sent after a timeout ${h.duplicates}, unsent ${h.readings - h.acked - h.duplicates}`);
  save();
}

// The MQTT reconnect storm: a fleet's QoS 1 outboxes through a private Mosquitto to the mqtt-ingest service.
if (want('mqtt') && jsonDevices.length > 0) {
  const deployed = stackBrokerSettings();
  const broker = await startBenchBroker(o.mqttPort, { ...deployed, maxInflightMessages: o.brokerInflight ?? deployed.maxInflightMessages });
  try {
    const [named] = await conn.query('SELECT id, name FROM device WHERE id IN (?)', [jsonDevices.map((d) => d.id)]);
    const devices: MqttDevice[] = named as MqttDevice[];
    const opsPort = o.mqttPort + 1;
    const readingsPerMessage = 10;
    const inflight = 100;
    const ingestRun = <T>(name: string, window: number, timing: { warmupS: number; seconds: number }, body: (tick: () => void) => Promise<T>) => {
      log(`${name}: starting mqtt-ingest (SEM_MQTT_INFLIGHT=${window})`);
      return withServer({
        name,
        outDir,
        script: join(ROOT, 'services/mqtt-ingest/src/server.ts'),
        env: apiEnv({
          SEM_MQTT_URL: `mqtt://127.0.0.1:${broker.port}`,
          // The bench broker takes anonymous clients; the service insists on a password all the same.
          SEM_MQTT_PASSWORD: 'bench',
          SEM_MQTT_CLIENT_ID: 'sem-bench-ingest',
          SEM_MQTT_INFLIGHT: String(window),
          SEM_MQTT_OPS_PORT: String(opsPort),
          SEM_MQTT_OPS_HOST: '127.0.0.1',
          SEM_MQTT_STATS_LOG_MS: '0',
        }),
        port: opsPort,
        readyPath: '/healthz',
        conn,
        mariadbPid: dbPid,
        ...timing,
        load: (_server, tick) => body(tick),
      });
    };
    // The max of the MQTT path: a backlog queued while the service is away (its session made by a first start),
    // drained with nothing else running; one message at a time (as before #20) and with the window.
    await ingestRun('mqtt-session', inflight, { warmupS: 0, seconds: 0 }, async () => undefined);
    const maxRun = async (window: number, messagesPerDevice: number) => {
      const published = await queueBacklog({ brokerPort: broker.port, devices, clock, messagesPerDevice, readingsPerMessage });
      addAcked(published);
      const readings = [...published.values()].reduce((a, b) => a + b, 0);
      const run = await ingestRun(`mqtt-max-${window}`, window, { warmupS: o.warmupS, seconds: o.seconds }, (tick) =>
        measureDrain({ opsPort, readings, warmupS: o.warmupS, seconds: o.seconds, maxSeconds: 300, onTick: tick }),
      );
      if (!run.value.drained) throw new Error(`mqtt-max-${window}: the backlog of ${readings} readings did not drain within 300 s`);
      return run.value.readingsPerS;
    };
    const one = await maxRun(1, 1);
    const max = await maxRun(inflight, 10);
    log(`mqtt max: ${Math.round(max)} readings/s with ${inflight} in hand, ${Math.round(one)} one at a time`);
    const before = await storedByDevice(conn);
    const maxSeconds = o.quick ? 300 : 900;
    const run = await ingestRun('mqtt-storm', inflight, { warmupS: 0, seconds: Math.min(maxSeconds, 60) }, (tick) =>
      mqttStorm({ brokerPort: broker.port, opsPort, devices, clock, messagesPerDevice: 60, readingsPerMessage, reconnectWithinMs: 1000, maxSeconds, onTick: tick }),
    );
    const m = run.value;
    addAcked(m.published);
    const after = await storedByDevice(conn);
    let lost = 0;
    let extra = 0;
    for (const d of devices) {
      const added = (after.get(d.id) ?? 0) - (before.get(d.id) ?? 0);
      const sent = m.published.get(d.id) ?? 0;
      lost += Math.max(0, sent - added);
      extra += Math.max(0, added - sent);
    }
    const drainS = m.drainMs / 1000;
    const cumulative = m.perSecond.map((x) => x?.[0]);
    report.mqtt = {
      broker: broker.settings,
      inflight,
      readingsPerMessage,
      maxOneAtATime: one,
      max,
      devices: m.devices,
      messages: m.messages,
      readings: m.readings,
      publishedS: m.publishedMs / 1000,
      drainS,
      idealS: m.readings / max,
      goodput: m.counters.readings / (Number.isNaN(drainS) ? maxSeconds : drainS),
      perSecond: cumulative.map((c, i) => (c ?? 0) - (cumulative.slice(0, i).findLast((x) => x !== undefined) ?? 0)),
      retries: m.counters.retries,
      duplicates: m.counters.duplicates,
      rejected: m.counters.rejected,
      failedDevices: m.failedDevices,
      lost,
      extra,
      serviceCpu: run.window.serverCpu,
    };
    log(`mqtt storm: ${m.readings} readings drained in ${drainS.toFixed(1)} s (ideal ${report.mqtt.idealS.toFixed(1)} s), lost ${lost}, stored twice ${extra}`);
    save();
  } finally {
    await broker.stop();
  }
}

// The per-device rate limit answers 429 with Retry-After.
if (want('ratelimit')) {
  const device = jsonDevices[0]!;
  const run = await apiRun(
    'ratelimit',
    (port, tick) => closedLoop({ port, devices: [singleJsonStream(device, clock)], connections: 4, warmupS: 0, seconds: 3, onTick: tick }),
    { SEM_RATE_LIMIT_PER_MINUTE: '120' },
    { warmupS: 0, seconds: 3 },
  );
  rows.push(loadRow('429', 'one device over SEM_RATE_LIMIT_PER_MINUTE=120 (4 connections, 3 s)', run, 'req/s'));
  save();
}

async function storedByDevice(c: typeof conn): Promise<Map<number, number>> {
  const [stored] = await c.query('SELECT device_id, COUNT(*) AS n FROM reading GROUP BY device_id');
  return new Map((stored as { device_id: number; n: number }[]).map((r) => [r.device_id, Number(r.n)]));
}

// After the full run nothing acknowledged may be missing: count per device.
if (want('count')) {
  log('count: acknowledged vs stored, per device');
  const [stored] = await conn.query('SELECT device_id, COUNT(*) AS n FROM reading GROUP BY device_id');
  const storedBy = new Map((stored as { device_id: number; n: number }[]).map((r) => [r.device_id, Number(r.n)]));
  let ackedTotal = 0;
  let storedTotal = 0;
  let missing = 0;
  let devicesMissing = 0;
  for (const [id, n] of acked) {
    ackedTotal += n;
    const s = storedBy.get(id) ?? 0;
    if (s < n) {
      missing += n - s;
      devicesMissing += 1;
    }
  }
  for (const n of storedBy.values()) storedTotal += n;
  report.count = { acknowledged: ackedTotal, stored: storedTotal, missing, devicesMissing, storedWithoutAck: storedTotal - ackedTotal + missing };
  log(`count: ${ackedTotal} acknowledged, ${storedTotal} stored, ${missing} missing`);
  save();
}

// Where a group-commit transaction spends its time, step by step (the API's own writeBatch and steps).
if (want('steps') && jsonDevices.length >= 306) {
  log('steps: timing each write step of one group-commit transaction');
  report.steps = await profileWriteSteps({ connection: db.root, devices: jsonDevices, startMs: clock.endMs + 60_000, transactions: o.quick ? 3 : 5 });
  save();
}

if (want('storage')) {
  log(`storage: ${o.storageDevices} devices x ${o.storageHours} h of 1 Hz data`);
  report.storage = await storagePhase({ admin, devices: o.storageDevices, hours: o.storageHours, log });
  save();
}

await conn.end();
save();
console.log(`\n${renderMarkdown(report)}`);
log(`results: ${join(outDir, 'results.md')}`);
