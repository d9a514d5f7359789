import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceClock } from './device-clock.ts';
import { jsonReading } from './payloads.factory.ts';

/** A registry device as MQTT sees it: its name is its topic level. */
export interface MqttDevice {
  id: number;
  name: string;
}

/** What the mqtt-ingest service reports on its ops port (sem_mqtt_messages_total, topic kind `readings`). */
export interface IngestCounters {
  readings: number;
  duplicates: number;
  retries: number;
  rejected: number;
}

export async function ingestCounters(opsPort: number): Promise<IngestCounters> {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const value = (outcome: string) => {
    const m = new RegExp(`^sem_mqtt_messages_total\\{kind="readings",outcome="${outcome}"\\} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { readings: value('readings'), duplicates: value('duplicates'), retries: value('retries'), rejected: value('rejected') };
}

/** One message: the device's next `n` readings at 1 Hz as a JSON array on sem/<device>/readings. */
function nextMessage(device: MqttDevice, clock: DeviceClock, n: number): string {
  const first = clock.take(device.id, n);
  const items = [];
  for (let s = first; s < first + n; s++) items.push(jsonReading(clock.ms(s), s, device.id));
  return JSON.stringify(items);
}

function connectDevice(port: number, device: MqttDevice): Promise<MqttClient> {
  // MQTT 3.1.1 and a clean session, as small device stacks do; QoS 1 publishes are acknowledged by the broker.
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `bench-${device.name}`, protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 60_000, keepalive: 120 });
}

export interface MqttMaxResult {
  /** Readings stored per second in the measured window. */
  readingsPerS: number;
  messagesPerS: number;
  /** Readings published (all acknowledged by the broker) per device. */
  published: Map<number, number>;
}

/**
 * The MQTT path's maximum: `devices` publish without pause while the service keeps up, holding the backlog at the
 * broker between `backlog` messages and twice that, so the service always has a full window and the queue stays
 * bounded; stored readings counted from the service's own counters over the measured window, then drained.
 */
export async function mqttMax(o: {
  brokerPort: number;
  opsPort: number;
  devices: readonly MqttDevice[];
  clock: DeviceClock;
  readingsPerMessage: number;
  backlog: number;
  warmupS: number;
  seconds: number;
  onTick?: () => void;
}): Promise<MqttMaxResult> {
  const clients = await Promise.all(o.devices.map((d) => connectDevice(o.brokerPort, d)));
  const published = new Map<number, number>();
  const start = await ingestCounters(o.opsPort);
  let sent = 0;
  let stored = 0;
  const endAt = performance.now() + (o.warmupS + o.seconds) * 1000;
  let running = true;
  const watcher = (async () => {
    while (running) {
      stored = (await ingestCounters(o.opsPort)).readings - start.readings;
      o.onTick?.();
      await sleep(100);
    }
  })();
  let windowFrom: IngestCounters | undefined;
  let windowFromAt = 0;
  const windowTimer = setTimeout(() => {
    windowFromAt = performance.now();
    void ingestCounters(o.opsPort).then((c) => (windowFrom = c));
  }, o.warmupS * 1000);
  await Promise.all(
    clients.map(async (client, i) => {
      const device = o.devices[i]!;
      while (performance.now() < endAt) {
        if ((sent - stored) / o.readingsPerMessage > 2 * o.backlog) {
          await sleep(20);
          continue;
        }
        sent += o.readingsPerMessage;
        await client.publishAsync(`sem/${device.name}/readings`, nextMessage(device, o.clock, o.readingsPerMessage), { qos: 1 });
        published.set(device.id, (published.get(device.id) ?? 0) + o.readingsPerMessage);
      }
    }),
  );
  const windowTo = await ingestCounters(o.opsPort);
  const windowS = (performance.now() - windowFromAt) / 1000;
  clearTimeout(windowTimer);
  // Drained before the next phase (bounded: the backlog is at most twice `backlog` messages).
  const total = [...published.values()].reduce((a, b) => a + b, 0);
  for (let i = 0; i < 1200 && stored < total; i++) await sleep(100);
  running = false;
  await watcher;
  await Promise.all(clients.map((c) => c.endAsync()));
  const from = windowFrom ?? start;
  return { readingsPerS: (windowTo.readings - from.readings) / windowS, messagesPerS: (windowTo.readings - from.readings) / o.readingsPerMessage / windowS, published };
}

export interface MqttStormResult {
  devices: number;
  messages: number;
  readings: number;
  /** ms from the first reconnect until the broker had acknowledged every device's outbox. */
  publishedMs: number;
  /** ms from the first reconnect until the service had stored every reading (NaN when not within the bound). */
  drainMs: number;
  /** Readings published (broker-acknowledged) per device. */
  published: Map<number, number>;
  /** Per second from the first reconnect, cumulative: readings stored, messages the service had to retry. */
  perSecond: number[][];
  counters: IngestCounters;
  /** Devices that could not connect or publish within the bound. */
  failedDevices: number;
}

/**
 * The MQTT reconnect storm: every device holds `messagesPerDevice` messages of `readingsPerMessage` readings in its
 * outbox, reconnects at a random moment within `reconnectWithinMs` and publishes them at QoS 1, oldest first, one
 * at a time (the broker's PUBACK frees the next). The broker queues them for the ingest's persistent session and
 * hands them over `max_inflight_messages` at a time; the service acknowledges each after its commit.
 */
export async function mqttStorm(o: {
  brokerPort: number;
  opsPort: number;
  devices: readonly MqttDevice[];
  clock: DeviceClock;
  messagesPerDevice: number;
  readingsPerMessage: number;
  reconnectWithinMs: number;
  maxSeconds: number;
  onTick?: () => void;
}): Promise<MqttStormResult> {
  // The outboxes are filled before the reconnect: building bodies is not part of the drain.
  const outboxes = o.devices.map((d) => Array.from({ length: o.messagesPerDevice }, () => nextMessage(d, o.clock, o.readingsPerMessage)));
  const readings = o.devices.length * o.messagesPerDevice * o.readingsPerMessage;
  const base = await ingestCounters(o.opsPort);
  const start = performance.now();
  const bound = start + o.maxSeconds * 1000;
  const published = new Map<number, number>();
  const perSecond: number[][] = [];
  let failedDevices = 0;
  let publishedAt = Number.NaN;
  let drainedAt = Number.NaN;
  let last = base;
  const watcher = (async () => {
    while (performance.now() < bound) {
      last = await ingestCounters(o.opsPort);
      // Cumulative per second: readings stored, messages retried (the report takes the differences).
      perSecond[Math.floor((performance.now() - start) / 1000)] = [last.readings - base.readings, last.retries - base.retries];
      o.onTick?.();
      if (last.readings + last.duplicates - base.readings - base.duplicates >= readings) {
        drainedAt = performance.now();
        return;
      }
      await sleep(100);
    }
  })();
  await Promise.all(
    o.devices.map(async (device, i) => {
      await sleep(Math.random() * o.reconnectWithinMs);
      let client: MqttClient | undefined;
      try {
        client = await connectDevice(o.brokerPort, device);
        for (const message of outboxes[i]!) {
          if (performance.now() > bound) throw new Error('bound');
          await client.publishAsync(`sem/${device.name}/readings`, message, { qos: 1 });
          published.set(device.id, (published.get(device.id) ?? 0) + o.readingsPerMessage);
        }
      } catch {
        failedDevices += 1;
      } finally {
        await client?.endAsync().catch(() => undefined);
      }
    }),
  );
  publishedAt = performance.now();
  await watcher;
  return {
    devices: o.devices.length,
    messages: o.devices.length * o.messagesPerDevice,
    readings,
    publishedMs: publishedAt - start,
    drainMs: drainedAt - start,
    published,
    perSecond,
    counters: { readings: last.readings - base.readings, duplicates: last.duplicates - base.duplicates, retries: last.retries - base.retries, rejected: last.rejected - base.rejected },
    failedDevices,
  };
}
