import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_BACKOFF, retryDelayMs } from '@sem/device-sim';
import { KeepAliveConnection, type HttpAnswer } from './http-keepalive.client.ts';
import { LatencyHistogram } from './latency.histogram.ts';
import type { DeviceStream } from './load.runner.ts';

export interface HerdOptions {
  port: number;
  /** One stream per device, each giving the next batch of its outbox (oldest first). */
  devices: readonly DeviceStream[];
  /** Batches each device holds (its outbox = batches × readings per batch). */
  batchesPerDevice: number;
  /** Devices reconnect at random moments within this window (ms). */
  reconnectWithinMs: number;
  /** Stop waiting after this long (a bound, not a target). */
  maxSeconds: number;
  timeoutMs?: number;
  onTick?: () => void;
}

export interface HerdResult {
  devices: number;
  readings: number;
  /** ms from the first reconnect until the last outbox was empty (NaN if some never drained). */
  drainMs: number;
  /** Devices whose outbox was not empty at the bound. */
  undrained: number;
  /** Readings the API acknowledged (2xx `accepted`), and reported as duplicates (must stay 0). */
  acked: number;
  duplicates: number;
  answers: Record<string, number>;
  missingRetryAfter: number;
  /** Socket errors and timeouts (retried like a device does). */
  errors: number;
  /** Latency of admitted (2xx) requests and of refused (429/503) ones, from the send. */
  admitted: LatencyHistogram;
  shed: LatencyHistogram;
  /** Per second from the first reconnect: readings acknowledged, answers 2xx, answers 503/429. */
  perSecond: number[][];
  /** Readings acknowledged per device (to compare with the rows in the database). */
  ackedByDevice: Map<number, number>;
}

/**
 * A fleet back after an outage: every device holds `batchesPerDevice` batches in its outbox and reconnects within
 * the same second, then sends them oldest first, retrying refusals the way device-sim does (Retry-After plus
 * jitter, never below its jittered exponential backoff) and timeouts with the backoff.
 */
export async function thunderingHerd(o: HerdOptions): Promise<HerdResult> {
  const r: HerdResult = {
    devices: o.devices.length,
    readings: 0,
    drainMs: Number.NaN,
    undrained: 0,
    acked: 0,
    duplicates: 0,
    answers: {},
    missingRetryAfter: 0,
    errors: 0,
    admitted: new LatencyHistogram(),
    shed: new LatencyHistogram(),
    perSecond: [],
    ackedByDevice: new Map(),
  };
  // The outboxes are filled before the reconnect: building bodies is not part of the drain.
  const outboxes = o.devices.map((d) => Array.from({ length: o.batchesPerDevice }, () => d.next()));
  for (const box of outboxes) for (const b of box) r.readings += b.readings;
  const start = performance.now();
  const bound = start + o.maxSeconds * 1000;
  let lastDrained = 0;
  const tick = o.onTick ? setInterval(o.onTick, 250) : undefined;
  const second = () => (r.perSecond[Math.floor((performance.now() - start) / 1000)] ??= [0, 0, 0]);

  await Promise.all(
    o.devices.map(async (device, i) => {
      const box = outboxes[i]!;
      await sleep(Math.random() * o.reconnectWithinMs);
      const conn = new KeepAliveConnection(o.port, o.timeoutMs ?? 10_000);
      let attempt = 0;
      while (box.length > 0 && performance.now() < bound) {
        const batch = box[0]!;
        const sent = performance.now();
        let answer: HttpAnswer | undefined;
        try {
          answer = await conn.request(batch.raw);
        } catch {
          r.errors += 1;
        }
        const ms = performance.now() - sent;
        if (answer) r.answers[answer.status] = (r.answers[answer.status] ?? 0) + 1;
        if (answer && answer.status >= 200 && answer.status < 300) {
          r.admitted.record(ms);
          const accepted = answer.accepted ?? batch.readings;
          r.acked += accepted;
          r.duplicates += answer.duplicates ?? 0;
          r.ackedByDevice.set(device.deviceId, (r.ackedByDevice.get(device.deviceId) ?? 0) + accepted);
          const s = second();
          s[0]! += accepted;
          s[1]! += 1;
          box.shift();
          attempt = 0;
          continue;
        }
        if (answer && answer.status !== 429 && answer.status !== 503) break; // a final refusal: the bench reports it
        if (answer) {
          r.shed.record(ms);
          if (answer.retryAfterS === undefined) r.missingRetryAfter += 1;
          second()[2]! += 1;
        }
        attempt += 1;
        const retryAfterMs = answer?.retryAfterS === undefined ? undefined : answer.retryAfterS * 1000;
        await sleep(Math.min(retryDelayMs(attempt, retryAfterMs, DEFAULT_BACKOFF), Math.max(0, bound - performance.now())));
      }
      conn.close();
      if (box.length > 0) r.undrained += 1;
      else lastDrained = Math.max(lastDrained, performance.now());
    }),
  );
  if (tick) clearInterval(tick);
  if (r.undrained === 0) r.drainMs = lastDrained - start;
  return r;
}
