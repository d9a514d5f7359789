import { setTimeout as sleep } from 'node:timers/promises';
import { KeepAliveConnection, type HttpAnswer } from './http-keepalive.client.ts';
import { LatencyHistogram } from './latency.histogram.ts';

/** One simulated device: each call gives its next request (bytes) and how many readings it carries. */
export interface DeviceStream {
  deviceId: number;
  next(): { raw: Buffer; readings: number };
}

export interface LoadResult {
  /** Length of the measured window (after warm-up). */
  seconds: number;
  /** Answers received in the measured window. */
  requests: number;
  /** 2xx answers in the measured window. */
  ok: number;
  /** Readings sent in 2xx-answered requests of the measured window. */
  okReadings: number;
  statuses: Record<string, number>;
  /** 429/503 answers without a Retry-After header (must stay 0). */
  missingRetryAfter: number;
  /** Socket errors and timeouts (no answer). */
  errors: number;
  /** The errors by message (timeout, connection closed before the answer, connect errors). */
  errorReasons: Record<string, number>;
  /** Open loop only: requests that found no free connection and no room in the client backlog. */
  clientDropped: number;
  /** Latency of 2xx answers in the window; open loop measures from the intended send time. */
  latency: LatencyHistogram;
  /** Latency of 429/503 answers in the window, from the send (how fast the excess is refused). */
  shedLatency: LatencyHistogram;
  /** Acknowledged (stored) readings per device over the whole run, warm-up included. */
  acked: Map<number, number>;
  /** Per second of the run (warm-up included): [2xx, 429, 503, other]. */
  perSecond: number[][];
  connections: number;
}

interface Tally {
  result: LoadResult;
  startMs: number;
  measureFromMs: number;
  endMs: number;
}

function newTally(warmupS: number, seconds: number, connections: number): Tally {
  const startMs = performance.now();
  return {
    startMs,
    measureFromMs: startMs + warmupS * 1000,
    endMs: startMs + (warmupS + seconds) * 1000,
    result: {
      seconds,
      requests: 0,
      ok: 0,
      okReadings: 0,
      statuses: {},
      missingRetryAfter: 0,
      errors: 0,
      errorReasons: {},
      clientDropped: 0,
      latency: new LatencyHistogram(),
      shedLatency: new LatencyHistogram(),
      acked: new Map(),
      perSecond: [],
      connections,
    },
  };
}

function count(t: Tally, device: DeviceStream, readings: number, sentAtMs: number, answer: HttpAnswer | undefined, err?: unknown, wroteAtMs = sentAtMs): void {
  const now = performance.now();
  const r = t.result;
  if (answer && answer.status >= 200 && answer.status < 300) {
    r.acked.set(device.deviceId, (r.acked.get(device.deviceId) ?? 0) + (answer.accepted ?? readings));
  }
  const second = Math.floor((now - t.startMs) / 1000);
  const row = (r.perSecond[second] ??= [0, 0, 0, 0]);
  if (!answer) row[3]! += 1;
  else if (answer.status < 300) row[0]! += 1;
  else if (answer.status === 429) row[1]! += 1;
  else if (answer.status === 503) row[2]! += 1;
  else row[3]! += 1;
  if (now < t.measureFromMs || sentAtMs > t.endMs) return;
  if (!answer) {
    r.errors += 1;
    const why = err instanceof Error ? err.message : String(err);
    r.errorReasons[why] = (r.errorReasons[why] ?? 0) + 1;
    return;
  }
  r.requests += 1;
  r.statuses[answer.status] = (r.statuses[answer.status] ?? 0) + 1;
  if (answer.status === 429 || answer.status === 503) {
    if (!answer.retryAfter) r.missingRetryAfter += 1;
    r.shedLatency.record(now - wroteAtMs);
  }
  if (answer.status >= 200 && answer.status < 300) {
    r.ok += 1;
    r.okReadings += readings;
    r.latency.record(now - sentAtMs);
  }
}

export interface ClosedLoopOptions {
  port: number;
  devices: readonly DeviceStream[];
  /** One keep-alive connection per device up to this many; device i uses connection i % connections. */
  connections: number;
  warmupS: number;
  seconds: number;
  timeoutMs?: number;
  /** Called about every 250 ms while the load runs (sampling RSS, queue depth...). */
  onTick?: () => void;
}

/** Maximum throughput: every connection sends its next request as soon as the previous one is answered. */
export async function closedLoop(o: ClosedLoopOptions): Promise<LoadResult> {
  const t = newTally(o.warmupS, o.seconds, o.connections);
  const tick = o.onTick ? setInterval(o.onTick, 250) : undefined;
  const loops = Array.from({ length: o.connections }, async (_, i) => {
    const conn = new KeepAliveConnection(o.port, o.timeoutMs ?? 30_000);
    // Spread connection starts over 200 ms so 1,000 connects do not arrive as one burst.
    await sleep((i * 200) / o.connections);
    let n = 0;
    while (performance.now() < t.endMs && n < 10_000_000) {
      const device = o.devices[(i + n * o.connections) % o.devices.length]!;
      n++;
      const { raw, readings } = device.next();
      const sentAt = performance.now();
      try {
        count(t, device, readings, sentAt, await conn.request(raw));
      } catch (err) {
        count(t, device, readings, sentAt, undefined, err);
        await sleep(10);
      }
    }
    conn.close();
  });
  await Promise.all(loops);
  if (tick) clearInterval(tick);
  return t.result;
}

export interface OpenLoopOptions extends Omit<ClosedLoopOptions, 'connections'> {
  /** Requests per second to offer, whatever the answers do. */
  rate: number;
  /** Connections opened on demand up to this many (one per device, like a bigger fleet). */
  maxConnections: number;
  /** Requests waiting for a free connection at most; beyond that they count as clientDropped. */
  maxBacklog: number;
  /** Seconds over which the offered rate grows from 0 to `rate` (default 0: full rate at once). */
  rampS?: number;
}

/** When request k is due, in ms after the start: a linear ramp over `rampS`, then a steady `rate`. */
function dueOffsetMs(k: number, rate: number, rampS: number): number {
  const rampCount = (rate * rampS) / 2;
  const s = k < rampCount ? Math.sqrt((2 * k * rampS) / rate) : k / rate + rampS / 2;
  return s * 1000;
}

/**
 * Fixed offered load: requests are due at start + k/rate (after an optional ramp), sent on a free connection (opened on demand),
 * and their latency counts from the due time, so a slow server cannot hide its queueing.
 */
export async function openLoop(o: OpenLoopOptions): Promise<LoadResult> {
  const t = newTally(o.warmupS, o.seconds, o.maxConnections);
  const idle: { conn: KeepAliveConnection; index: number }[] = [];
  const all: KeepAliveConnection[] = [];
  const backlog: number[] = [];
  let due = 0;
  let inFlight = 0;
  let lastTick = 0;

  const send = (slot: { conn: KeepAliveConnection; index: number }, dueAt: number) => {
    const device = o.devices[slot.index % o.devices.length]!;
    const { raw, readings } = device.next();
    inFlight++;
    const wroteAt = performance.now();
    slot.conn.request(raw).then(
      (answer) => count(t, device, readings, dueAt, answer, undefined, wroteAt),
      (err) => count(t, device, readings, dueAt, undefined, err, wroteAt),
    ).finally(() => {
      inFlight--;
      const next = backlog.shift();
      if (next !== undefined) send(slot, next);
      else idle.push(slot);
    });
  };

  while (performance.now() < t.endMs) {
    const now = performance.now();
    for (; ; due++) {
      const dueAt = t.startMs + dueOffsetMs(due, o.rate, o.rampS ?? 0);
      if (dueAt > now) break;
      let slot = idle.shift();
      if (!slot && all.length < o.maxConnections) {
        slot = { conn: new KeepAliveConnection(o.port, o.timeoutMs ?? 30_000), index: all.length };
        all.push(slot.conn);
      }
      if (slot) send(slot, dueAt);
      else if (backlog.length < o.maxBacklog) backlog.push(dueAt);
      else if (now >= t.measureFromMs) t.result.clientDropped += 1;
    }
    if (o.onTick && now - lastTick >= 250) {
      lastTick = now;
      o.onTick();
    }
    await sleep(1);
  }
  // Let the last answers arrive (bounded), then close.
  const waitUntil = performance.now() + (o.timeoutMs ?? 30_000);
  while ((inFlight > 0 || backlog.length > 0) && performance.now() < waitUntil) {
    backlog.length = 0;
    await sleep(5);
  }
  for (const c of all) c.close();
  return t.result;
}
