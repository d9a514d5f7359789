/**
 * The subscriber's contract with a real broker: one message at a time, retried while the handler
 * says "not now", dropped after repeated unexpected failures, and the queue keeps moving.
 * The handler here is a test double on purpose: database outages are the fault it stands for.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IngestStats } from '../src/ingest/ingest-stats.ts';
import { startIngestSubscriber } from '../src/ingest/ingest-subscriber.ts';
import { TransientUploadError } from '../src/ingest/upload-handler.ts';
import type { UploadHandler } from '../src/ingest/upload-outcome.ts';
import { renderPasswordFile } from '../src/broker/password-file.ts';
import { uploadTopic } from '../src/topics/topic-route.ts';
import { describeWithBroker, startBroker, type TestBroker } from './support/mosquitto-broker.ts';
import { connectAs } from './support/mqtt-clients.ts';
import { until } from './support/mqtt-stack.ts';
import { readFileSync } from 'node:fs';

const ingestAccount = { username: 'sem-ingest', password: 'subscriber-test-password' };
const device = { username: 'dev-1', password: 'dev-1-password' };
const others = ['dev-2', 'dev-3', 'dev-4'].map((username) => ({ username, password: `${username}-password` }));

describeWithBroker('ingest subscriber', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker(renderPasswordFile([ingestAccount, device, ...others]));
  });
  afterAll(async () => broker?.stop());

  async function run(handler: UploadHandler, clientId: string, window?: number) {
    const stats = new IngestStats();
    const subscriber = await startIngestSubscriber({
      broker: { url: broker.url, ca: readFileSync(broker.caFile), clientId, ...ingestAccount },
      handler,
      stats,
      log: pino({ level: 'silent' }),
      retryDelayMs: { first: 10, max: 40 },
      ...(window ? { window } : {}),
    });
    return { stats, subscriber };
  }

  async function publish(...payloads: string[]) {
    const client = await connectAs(broker, device.username, device.password);
    for (const p of payloads) await client.publishAsync(uploadTopic('dev-1', 'readings'), p, { qos: 1 });
    await client.endAsync();
  }

  it('retries a message while storage is unavailable, then goes on in order', async () => {
    const calls: string[] = [];
    let failures = 2;
    const { stats, subscriber } = await run(async (_route, payload) => {
      calls.push(payload.toString());
      if (payload.toString() === 'first' && failures-- > 0) {
        throw new TransientUploadError('service_unavailable', { cause: null, maxAttempts: Number.POSITIVE_INFINITY });
      }
      return { status: 'stored', readings: 1, duplicates: 0 };
    }, 'sub-test-retry');
    await publish('first', 'second');
    await until('both stored', async () => stats.total('stored') === 2);
    expect(calls).toEqual(['first', 'first', 'first', 'second']);
    expect(stats.total('retries')).toBe(2);
    await subscriber.close();
  });

  it('drops a message whose handler keeps failing unexpectedly, and the next one still lands', async () => {
    const calls: string[] = [];
    const { stats, subscriber } = await run(async (_route, payload) => {
      calls.push(payload.toString());
      if (payload.toString() === 'poison') throw new Error('bug');
      return { status: 'stored', readings: 1, duplicates: 0 };
    }, 'sub-test-poison');
    await publish('poison', 'fine');
    await until('the next message stored', async () => stats.total('stored') === 1);
    expect(calls).toEqual(['poison', 'poison', 'poison', 'poison', 'poison', 'fine']);
    expect(stats.total('rejected')).toBe(1);
    await subscriber.close();
  });

  it('leaves a message unacknowledged when closed while retrying: the broker sends it again', async () => {
    let attempts = 0;
    const first = await run(async () => {
      attempts++;
      throw new TransientUploadError('service_unavailable', { cause: null, maxAttempts: Number.POSITIVE_INFINITY });
    }, 'sub-test-close');
    await publish('kept');
    await until('a few attempts', async () => attempts >= 2);
    await first.subscriber.close();
    const seen: { payload: string; dup: boolean }[] = [];
    const second = await run(async (_route, payload, context) => {
      seen.push({ payload: payload.toString(), dup: context.redelivered });
      return { status: 'stored', readings: 1, duplicates: 0 };
    }, 'sub-test-close');
    await until('the redelivery', async () => seen.length === 1);
    expect(seen).toEqual([{ payload: 'kept', dup: true }]);
    await second.subscriber.close();
  });

  it('handles a backlog several messages at once (within its window), each device in order, and acknowledges every one', async () => {
    // A session with the subscription, then a backlog queued at the broker while the subscriber is away.
    await (await run(async () => ({ status: 'stored', readings: 1, duplicates: 0 }), 'sub-test-window')).subscriber.close();
    const accounts = [device, ...others];
    const perDevice = 6;
    for (const a of accounts) {
      const client = await connectAs(broker, a.username, a.password);
      for (let i = 0; i < perDevice; i++) await client.publishAsync(uploadTopic(a.username, 'readings'), `${a.username}:${i}`, { qos: 1 });
      await client.endAsync();
    }
    const window = 3;
    const seen = new Map<string, number[]>();
    const busy = new Set<string>();
    let now = 0;
    let most = 0;
    let sameDeviceAtOnce = 0;
    const { stats, subscriber } = await run(async (route, payload) => {
      if (busy.has(route.device)) sameDeviceAtOnce++;
      busy.add(route.device);
      most = Math.max(most, ++now);
      // A commit's worth of time: the messages behind it arrive meanwhile.
      await new Promise((r) => setTimeout(r, 40));
      seen.set(route.device, [...(seen.get(route.device) ?? []), Number(payload.toString().split(':')[1])]);
      busy.delete(route.device);
      now--;
      return { status: 'stored', readings: 1, duplicates: 0 };
    }, 'sub-test-window', window);
    await until('the backlog stored', async () => stats.total('stored') === accounts.length * perDevice);
    await subscriber.close();
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(window);
    expect(sameDeviceAtOnce).toBe(0);
    for (const a of accounts) expect(seen.get(a.username)).toEqual([...Array(perDevice).keys()]);
    // Every message was acknowledged: the same session gets nothing again.
    const again: string[] = [];
    const second = await run(async (_route, payload) => {
      again.push(payload.toString());
      return { status: 'stored', readings: 1, duplicates: 0 };
    }, 'sub-test-window');
    await new Promise((r) => setTimeout(r, 500));
    await second.subscriber.close();
    expect(again).toEqual([]);
  });
});
