import { createHmac } from 'node:crypto';

/**
 * MQTT credentials derived from the registry. The registry keeps only SHA-256 hashes of device keys,
 * and Mosquitto cannot check a password against those, so each device's MQTT password is an HMAC of
 * its name and key hash under a server secret: re-keying or removing a device changes or revokes it,
 * and the secret never leaves the server.
 */

/** MQTT usernames are device names; they go into ACL topic patterns, so only topic-safe characters. */
export const MQTT_USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Home Assistant's account (SEM_HA_MQTT_PASSWORD): it reads discovery messages and states only. */
export const HA_MQTT_USERNAME = 'homeassistant';

/** Usernames the broker reserves for services: a device with one of these names gets no MQTT account. */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set(['sem-ingest', HA_MQTT_USERNAME]);

export interface DeviceIdentity {
  /** Device name: the MQTT username and the `<device>` in `sem/<device>/...`. */
  name: string;
  /** The registry's SHA-256 hash of the device key (hex). */
  keyHash: string;
}

export function isValidMqttUsername(name: string): boolean {
  return MQTT_USERNAME_PATTERN.test(name) && !RESERVED_USERNAMES.has(name);
}

/** The device's MQTT password: 32 base64url characters (192 bits), printable on any device UI. */
export function deriveMqttPassword(secret: string, device: DeviceIdentity): string {
  return createHmac('sha256', secret)
    .update(`sem-mqtt-v1\n${device.name}\n${device.keyHash}`)
    .digest('base64url')
    .slice(0, 32);
}
