import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { MqttClient } from 'mqtt';
import { READING_VALUE_COLUMNS, type Database } from '@sem/db';
import { haDiscovery, haState, haStateTopic, type HaDevice, type HaLatest } from './ha-sensors.ts';

export interface HaPublisherOptions {
  db: Kysely<Database>;
  client: MqttClient;
  log: Logger;
  /** Home Assistant's discovery prefix (`homeassistant` unless changed there). */
  prefix: string;
  /** At most one state per device this often: the rate limit, and how soon a new reading shows. */
  intervalMs: number;
}

const GAS_DEVICE_TYPE = 3;

async function latestOf(db: Kysely<Database>, deviceId: number): Promise<HaLatest | undefined> {
  const row = await db.selectFrom('reading').select(['meter_time', ...READING_VALUE_COLUMNS]).where('device_id', '=', deviceId)
    .orderBy('meter_time', 'desc').limit(1).executeTakeFirst();
  if (!row) return undefined;
  const gas = await db.selectFrom('mbus_reading').select('value').where('device_id', '=', deviceId).where('device_type', '=', GAS_DEVICE_TYPE)
    .orderBy('captured_at', 'desc').limit(1).executeTakeFirst();
  const { meter_time: meterTime, ...columns } = row;
  return { meterTime: new Date(meterTime as Date), columns, gasM3: gas ? String(gas.value) : null };
}

function publish(client: MqttClient, topic: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 1, retain: true }, (err) => (err ? reject(err) : resolve())));
}

/**
 * Home Assistant MQTT discovery: every interval, each device whose newest stored reading is newer
 * than what was last published gets its state (retained, one JSON message) and, the first time or
 * when its set of sensors changes, the retained discovery config of each sensor. Reading the
 * database sees what both adapters (HTTP and MQTT, two processes) stored.
 */
export class HaPublisher {
  readonly #o: HaPublisherOptions;
  readonly #published = new Map<number, { time: number; sensors: string }>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(options: HaPublisherOptions) {
    this.#o = options;
  }

  /** One pass over the devices; returns how many states it published. */
  async publishOnce(): Promise<number> {
    const { db, client, prefix } = this.#o;
    const devices: HaDevice[] = await db.selectFrom('device').select(['id', 'name']).execute();
    let states = 0;
    for (const device of devices) {
      const latest = await latestOf(db, device.id);
      const last = this.#published.get(device.id);
      if (!latest || (last && latest.meterTime.getTime() <= last.time)) continue;
      const state = haState(latest);
      const sensors = Object.keys(state).sort().join(',');
      if (last?.sensors !== sensors) {
        for (const m of haDiscovery(prefix, device, state)) await publish(client, m.topic, m.payload);
      }
      await publish(client, haStateTopic(device), JSON.stringify(state));
      this.#published.set(device.id, { time: latest.meterTime.getTime(), sensors });
      states++;
    }
    return states;
  }

  start(): void {
    const tick = () => {
      this.#running = this.publishOnce().then(
        () => undefined,
        (err: unknown) => this.#o.log.warn({ err }, 'home assistant: publishing failed; next try in one interval'),
      );
    };
    let busy = false;
    this.#timer = setInterval(() => {
      // A slow pass is never overlapped by the next one.
      if (busy || !this.#o.client.connected) return;
      busy = true;
      tick();
      void this.#running!.finally(() => (busy = false));
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
