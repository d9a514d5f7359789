import type { MqttClient } from 'mqtt';
import { configTopic } from '../topics/topic-route.ts';

/**
 * The down-link message on `sem/<device>/config`, retained so a device gets it whenever it
 * (re)subscribes. The original AMS system set the send interval in whole minutes, 1 to 60.
 */
export interface DeviceConfigMessage {
  sendIntervalS: number;
  sendIntervalMin: number;
}

export const SEND_INTERVAL_MIN_RANGE = { min: 1, max: 60 } as const;

export function deviceConfigMessage(sendIntervalS: number): DeviceConfigMessage {
  return { sendIntervalS, sendIntervalMin: Math.round(sendIntervalS / 60) };
}

/** The exact payload: stable key order, so equal configs compare equal as strings. */
export function deviceConfigPayload(sendIntervalS: number): string {
  return JSON.stringify(deviceConfigMessage(sendIntervalS));
}

/** Publishes a device's config retained with QoS 1; resolves when the broker has it. */
export async function publishDeviceConfig(client: MqttClient, device: { name: string; sendIntervalS: number }): Promise<string> {
  const payload = deviceConfigPayload(device.sendIntervalS);
  await client.publishAsync(configTopic(device.name), payload, { qos: 1, retain: true });
  return payload;
}

/** Removes a deleted device's retained config (an empty retained message clears it). */
export async function clearDeviceConfig(client: MqttClient, name: string): Promise<void> {
  await client.publishAsync(configTopic(name), '', { qos: 1, retain: true });
}
