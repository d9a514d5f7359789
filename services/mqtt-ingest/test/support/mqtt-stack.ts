/** Shared set-up for tests of the whole path: test database, private broker, devices, device clients. */
import { createHash } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { createConnection } from 'mysql2/promise';
import { createTestDatabase, testDbPrefix, testServer, workerId, type TestDatabase, dbConnectionEnv } from '@sem/db/testing';
import { deriveMqttPassword } from '../../src/broker/device-credentials.ts';
import { buildApp, createDevice, loadConfig as loadApiConfig, type DeviceConfigInput } from '@sem/ingest-api';
import type { TestBroker } from './mosquitto-broker.ts';
import { connectAs } from './mqtt-clients.ts';
import { DEVICE_SECRET } from './ingest-process.ts';

/** `sem_test_mqtt` unless SEM_TEST_DB_PREFIX separates concurrent runs. */
export const TEST_DB_PREFIX = testDbPrefix('mqtt');

/**
 * The worker's test database, held with a named lock for the whole file: two vitest runs at once
 * (another session running every workspace's tests) would otherwise clear each other's rows.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}_${workerId()}`;
  const lock = await createConnection({ ...(await testServer()), database: undefined });
  const [rows] = await lock.query('SELECT GET_LOCK(?, 600) AS got', [name]);
  if ((rows as { got: number }[])[0]?.got !== 1) throw new Error(`could not lock test database ${name}`);
  // Fresh each file: the schema is still moving, and a database migrated by older code would not migrate.
  const t = await createTestDatabase(TEST_DB_PREFIX, { fresh: true });
  return {
    ...t,
    async destroy() {
      await t.destroy();
      await lock.end();
    },
  };
}

export interface TestDevice {
  id: number;
  name: string;
  key: string;
  mqttPassword: string;
}

/** Registers a device the way the CLI and admin API do, and computes its MQTT password. */
export async function addDevice(db: TestDatabase, input: DeviceConfigInput & { name: string }): Promise<TestDevice> {
  const { device, key } = await createDevice(db.db, input);
  const keyHash = createHash('sha256').update(key.key).digest('hex');
  return { id: device.id, name: device.name, key: key.key, mqttPassword: deriveMqttPassword(DEVICE_SECRET, { name: device.name, keyHash }) };
}

/**
 * Connects as the device. A device registered a moment ago gets its account at the next registry
 * poll and broker reload, as in production: until then the broker refuses it, so retry briefly.
 */
export async function connectDevice(broker: TestBroker, device: TestDevice, options: IClientOptions = {}): Promise<MqttClient> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await connectAs(broker, device.name, device.mqttPassword, options);
    } catch (error) {
      const refused = [4, 5, 134, 135].includes((error as { code?: number }).code ?? 0);
      if (!refused || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** ingest-api's app on the test database (not listening), to post the same captures over HTTP. */
export async function httpApp(db: TestDatabase, env: Record<string, string> = {}) {
  const c = db.connection;
  const config = loadApiConfig({
    ...env,
    ...dbConnectionEnv(c),
    SEM_LOG_LEVEL: 'silent',
  });
  return buildApp(config, { logger: false });
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until `count()` reaches `target`, for as long as it keeps growing: fails when it has not grown for
 * `stallMs`. For work a process does at the host's pace (a stream of messages), where a fixed deadline
 * would measure the host's load rather than the behaviour under test.
 */
export async function untilCount(what: string, count: () => Promise<number>, target: number, stallMs = 20_000): Promise<number> {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const n = await count();
    if (n >= target) return n;
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      throw new Error(`timed out waiting for ${what}: ${n} of ${target}, unchanged for ${stallMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
