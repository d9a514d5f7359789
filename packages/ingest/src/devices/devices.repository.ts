import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { hashKey } from './device-keys.ts';

/** A device's settings under their API names (requests, admin views and the CLI show the same fields). */
export interface DeviceSettings {
  id: number;
  name: string;
  timeZone: string;
  country: string;
  sendIntervalSeconds: number;
}

/** What a request knows about the device whose key it presented. */
export interface AuthDevice extends DeviceSettings {
  keyId: number;
  keyFormat: 'token' | 'legacy';
}

/** A device row's settings under their API names. */
export function deviceSettings(row: { id: number; name: string; time_zone: string; country: string; send_interval_s: number }): DeviceSettings {
  return { id: row.id, name: row.name, timeZone: row.time_zone, country: row.country, sendIntervalSeconds: row.send_interval_s };
}

/** The device owning this key, if the key exists and is not revoked. */
export async function findDeviceByKey(db: Kysely<Database>, key: string): Promise<AuthDevice | undefined> {
  return findDeviceByKeyHash(db, hashKey(key));
}

/** As findDeviceByKey, for a key already hashed with hashKey(). */
export async function findDeviceByKeyHash(db: Kysely<Database>, keyHash: Buffer): Promise<AuthDevice | undefined> {
  const row = await db
    .selectFrom('device_key as k')
    .innerJoin('device as d', 'd.id', 'k.device_id')
    .select(['d.id', 'd.name', 'd.time_zone', 'd.country', 'd.send_interval_s', 'k.id as key_id', 'k.format'])
    .where('k.key_hash', '=', keyHash)
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    ...deviceSettings(row),
    keyId: row.key_id,
    keyFormat: row.format,
  };
}

/** HAN AES-GCM keys of a device, for decoding only (never logged or returned). */
export async function findHanKeys(
  db: Kysely<Database>,
  deviceId: number,
): Promise<{ encryptionKey: Uint8Array; authenticationKey: Uint8Array | undefined } | undefined> {
  const row = await db.selectFrom('device_han_key').select(['encryption_key', 'authentication_key']).where('device_id', '=', deviceId).executeTakeFirst();
  if (!row) return undefined;
  return { encryptionKey: new Uint8Array(row.encryption_key), authenticationKey: row.authentication_key ? new Uint8Array(row.authentication_key) : undefined };
}
