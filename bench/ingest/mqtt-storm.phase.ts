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

/**
 * Publishes `messagesPerDevice` messages per device at QoS 1 while the service is away: the broker queues them in
 * the service's persistent session. Returns the readings published per device.
 */
export async function queueBacklog(o: { brokerPort: number; devices: readonly MqttDevice[]; clock: DeviceClock; messagesPerDevice: number; readingsPerMessage: number }): Promise<Map<number, number>> {
  const published = new Map<number, number>();
  const outboxes = o.devices.map((d) => Array.from({ length: o.messagesPerDevice }, () => nextMessage(d, o.clock, o.readingsPerMessage)));
  await Promise.all(
    o.devices.map(async (device, i) => {
      const client = await connectDevice(o.brokerPort, device);
      for (const message of outboxes[i]!) {
        await client.publishAsync(`sem/${device.name}/readings`, message, { qos: 1 });
        published.set(device.id, (published.get(device.id) ?? 0) + o.readingsPerMessage);
      }
      await client.endAsync();
    }),
  );
  return published;
}

/**
 * The MQTT path's maximum: the service drains a backlog the broker queued while it was away, with nothing else
 * running (the load generator idle). Readings stored per second over the measured window after `warmupS`, from the
 * service's own counters; then it waits (bounded) until the whole backlog is stored.
 */
export async function measureDrain(o: { opsPort: number; readings: number; warmupS: number; seconds: number; maxSeconds: number; onTick?: () => void }): Promise<{ readingsPerS: number; drained: boolean }> {
  // The service was started for this drain: its counters began at zero, with the backlog already arriving.
  const tick = o.onTick ? setInterval(o.onTick, 250) : undefined;
  await sleep(o.warmupS * 1000);
  const from = await ingestCounters(o.opsPort);
  const fromAt = performance.now();
  await sleep(o.seconds * 1000);
  const to = await ingestCounters(o.opsPort);
  const readingsPerS = (to.readings - from.readings) / ((performance.now() - fromAt) / 1000);
  const bound = performance.now() + o.maxSeconds * 1000;
  let drained = false;
  while (!drained && performance.now() < bound) {
    const c = await ingestCounters(o.opsPort);
    drained = c.readings + c.duplicates >= o.readings;
    if (!drained) await sleep(200);
  }
  if (tick) clearInterval(tick);
  return { readingsPerS, drained };
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
