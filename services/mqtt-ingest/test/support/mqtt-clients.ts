import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { TestBroker } from './mosquitto-broker.ts';

/** A TLS client of the test broker that verifies the broker against the generated CA. */
export async function connectAs(
  broker: TestBroker,
  username: string | undefined,
  password: string | undefined,
  options: IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(broker.url, {
    ca: readFileSync(broker.caFile),
    username,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    protocolVersion: 5,
    ...options,
  });
}

/** Resolves with the connect error; fails the test if the broker let the client in. */
export async function refusedConnect(
  broker: TestBroker,
  username: string | undefined,
  password: string | undefined,
  options: IClientOptions = {},
): Promise<Error & { code?: number }> {
  try {
    const client = await connectAs(broker, username, password, options);
    await client.endAsync(true);
  } catch (error) {
    return error as Error & { code?: number };
  }
  throw new Error(`broker accepted ${username ?? 'anonymous'}`);
}
