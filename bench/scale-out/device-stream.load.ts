// Simulated devices that behave like real ones: each posts its readings in order and re-sends the same
// request on no answer, 429 or 5xx until it gets a 2xx. Writes what was acknowledged to --out (JSON).
//   node bench/scale-out/device-stream.load.ts --url http://127.0.0.1:14080 --admin-token T --create \
//        --devices 40 --batched 10 --duration-s 60 --out run.json          (stream for a time)
//   ... --replay run.json --out replay.json                                (same readings, same requests)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync } from 'mqtt';
import { meterReading } from './meter-readings.factory.ts';

const { values: o } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:14080' },
    'admin-token': { type: 'string' },
    create: { type: 'boolean', default: false },
    devices: { type: 'string', default: '40' },
    batched: { type: 'string', default: '10' },
    batch: { type: 'string', default: '10' },
    'duration-s': { type: 'string', default: '60' },
    'grace-s': { type: 'string', default: '90' },
    'timeout-ms': { type: 'string', default: '10000' },
    prefix: { type: 'string', default: 'scale-d' },
    replay: { type: 'string' },
    out: { type: 'string', default: 'stream.json' },
    /** Devices (after the HTTP ones) that publish one reading per QoS 1 message to this broker instead. */
    'mqtt-url': { type: 'string' },
    'mqtt-devices': { type: 'string', default: '0' },
    /** Pause between an MQTT device's messages: the broker acknowledges at once, a meter would not send faster. */
    'mqtt-interval-ms': { type: 'string', default: '100' },
    /** Stop sending new readings once this file exists (the test's fault schedule decides when). */
    'stop-file': { type: 'string' },
  },
});

interface DeviceRun {
  index: number;
  name: string;
  id: number;
  key: string;
  perRequest: number;
  /** Publishes over MQTT: acknowledged = PUBACK from the broker, stored later by mqtt-ingest. */
  mqtt?: boolean;
  /** Readings acknowledged with a 2xx, in order: readings 0..acked-1. */
  acked: number;
  requests: number;
  retries: number;
  /** Readings answered `duplicate` on a re-send: an earlier attempt had committed but its answer was lost. */
  duplicateOnRetry: number;
  /** Readings answered `duplicate` on their first send (must stay 0: the input has no repeats). */
  duplicateFirstSend: number;
  rejected: number;
  failures: Record<string, number>;
  maxAckMs: number;
  /** Set when the device gave up (grace over, or a 4xx that a retry cannot fix). */
  gaveUp?: string;
}

const replay = o.replay ? (JSON.parse(readFileSync(o.replay, 'utf8')) as { devices: DeviceRun[] }) : undefined;
const mqttCount = Number(o['mqtt-devices']);
const deviceCount = replay ? replay.devices.length : Number(o.devices) + mqttCount;
const timeoutMs = Number(o['timeout-ms']);

async function post(path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json?: any; retryAfterS?: number }> {
  const res = await fetch(o.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const ra = Number(res.headers.get('retry-after'));
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { body: text.slice(0, 200) }; // HAProxy's own error page (no replica up, or a timeout)
  }
  return { status: res.status, json, retryAfterS: Number.isFinite(ra) && ra > 0 ? ra : undefined };
}

async function createDevice(name: string): Promise<{ id: number; key: string }> {
  for (let attempt = 0; ; attempt++) {
    const r = await post('/api/v1/admin/devices', { name, country: 'BE', timeZone: 'Europe/Brussels', sendIntervalSeconds: 15 }, {
      authorization: `Bearer ${o['admin-token']}`,
    }).catch((e: Error) => ({ status: 0, json: { error: e.message } }));
    if (r.status === 201) return { id: r.json.device.id, key: r.json.key.key };
    if (attempt > 20) throw new Error(`cannot create device ${name}: ${r.status} ${JSON.stringify(r.json)}`);
    await sleep(500);
  }
}

const devices: DeviceRun[] = [];
for (let i = 0; i < deviceCount; i++) {
  const name = replay ? replay.devices[i]!.name : `${o.prefix}${i >= Number(o.devices) ? 'm' : ''}${String(i).padStart(4, '0')}`;
  const perRequest = replay ? replay.devices[i]!.perRequest : i < Number(o.batched) ? Number(o.batch) : 1;
  const mqtt = replay ? replay.devices[i]!.mqtt : i >= Number(o.devices);
  if (!o.create && !replay) throw new Error('--create or --replay is needed (devices and keys come from the admin API)');
  const { id, key } = await createDevice(name);
  devices.push({ index: i, name, id, key, perRequest, mqtt, acked: 0, requests: 0, retries: 0, duplicateOnRetry: 0, duplicateFirstSend: 0, rejected: 0, failures: {}, maxAckMs: 0 });
}
const broker = devices.some((d) => d.mqtt) ? await connectAsync(o['mqtt-url'] ?? 'mqtt://127.0.0.1:14083', { clientId: `sem-scale-devices-${process.pid}`, reconnectPeriod: 500 }) : undefined;
// mqtt-ingest learns device names from the registry (polled every 5 s); a message before that is refused.
if (broker) await sleep(6000);

const started = Date.now();
let stopAt = replay ? Infinity : started + Number(o['duration-s']) * 1000;
const stopFile = o['stop-file'];
const stopWatch = stopFile
  ? setInterval(() => {
      if (existsSync(stopFile)) stopAt = Math.min(stopAt, Date.now());
    }, 250)
  : undefined;
// A replay has no stop time; it still gives up after ten grace times, so a dead server cannot hold it forever.
const giveUpAt = () => (replay ? started + 10 * Number(o['grace-s']) * 1000 : stopAt + Number(o['grace-s']) * 1000);

function failureKind(status: number, err: unknown): string {
  if (status) return String(status);
  const e = err as { name?: string; cause?: { code?: string } };
  return e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.name ?? 'error');
}

async function runDevice(d: DeviceRun): Promise<void> {
  const target = replay ? replay.devices[d.index]!.acked : Infinity;
  while (d.acked < target && Date.now() < stopAt) {
    const n = Math.min(d.perRequest, target - d.acked);
    const body = Array.from({ length: n }, (_, j) => meterReading(d.index, d.acked + j));
    const first = Date.now();
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let err: unknown;
      let r: Awaited<ReturnType<typeof post>> | undefined;
      d.requests++;
      try {
        if (d.mqtt) {
          await broker!.publishAsync(`sem/${d.name}/readings`, JSON.stringify(body), { qos: 1 });
          r = { status: 201, json: { results: [] } };
        } else {
          r = await post('/api/v1/readings', body, { authorization: `Bearer ${d.key}` });
        }
        status = r.status;
      } catch (e) {
        err = e;
      }
      if (status === 201) {
        for (const res of r!.json.results as { status: string }[]) {
          if (res.status === 'duplicate' && attempt > 0) d.duplicateOnRetry++;
          else if (res.status === 'duplicate') d.duplicateFirstSend++;
          if (res.status === 'rejected') d.rejected++;
        }
        d.acked += n;
        d.maxAckMs = Math.max(d.maxAckMs, Date.now() - first);
        if (d.mqtt) await sleep(Number(o['mqtt-interval-ms']));
        break;
      }
      const kind = failureKind(status, err);
      d.failures[kind] = (d.failures[kind] ?? 0) + 1;
      if (status >= 400 && status < 500 && status !== 429) {
        d.gaveUp = `HTTP ${status}: ${JSON.stringify(r?.json)}`;
        return;
      }
      if (Date.now() > giveUpAt()) {
        d.gaveUp = `no 2xx within the grace time (last: ${kind})`;
        return;
      }
      d.retries++;
      // Like a device: wait Retry-After when given, else a short backoff with jitter.
      await sleep(r?.retryAfterS ? r.retryAfterS * 1000 : Math.min(2000, 200 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random()));
    }
  }
}

const progress = setInterval(() => {
  const acked = devices.reduce((s, d) => s + d.acked, 0);
  const retries = devices.reduce((s, d) => s + d.retries, 0);
  console.log(`t=${((Date.now() - started) / 1000).toFixed(1)}s acked=${acked} retries=${retries}`);
}, 5000);
await Promise.all(devices.map(runDevice));
await broker?.endAsync();
clearInterval(progress);
clearInterval(stopWatch);

const sum = (f: (d: DeviceRun) => number) => devices.reduce((s, d) => s + f(d), 0);
const failures: Record<string, number> = {};
for (const d of devices) for (const [k, v] of Object.entries(d.failures)) failures[k] = (failures[k] ?? 0) + v;
const report = {
  url: o.url,
  seconds: (Date.now() - started) / 1000,
  acked: sum((d) => d.acked),
  requests: sum((d) => d.requests),
  retries: sum((d) => d.retries),
  duplicateOnRetry: sum((d) => d.duplicateOnRetry),
  duplicateFirstSend: sum((d) => d.duplicateFirstSend),
  rejected: sum((d) => d.rejected),
  gaveUp: devices.filter((d) => d.gaveUp).map((d) => `${d.name}: ${d.gaveUp}`),
  maxAckMs: Math.max(...devices.map((d) => d.maxAckMs)),
  failures,
  devices: devices.map(({ key: _key, ...d }) => d),
};
writeFileSync(o.out, JSON.stringify(report, null, 1));
console.log(JSON.stringify({ ...report, devices: undefined }));
