import { sql, type Kysely } from 'kysely';
import type { Database } from '@sem/db';

/** What the MQTT side needs of a registered device. */
export interface RegistryDevice {
  id: number;
  name: string;
  sendIntervalS: number;
  timeZone: string;
  country: string;
  /** Hex SHA-256 of the newest unrevoked key; null when the device has no usable key. */
  keyHash: string | null;
}

/** Every device with its newest active key hash, in one query (read-only: the registry belongs to ingest-api). */
export async function listRegistryDevices(db: Kysely<Database>): Promise<RegistryDevice[]> {
  const rows = await db
    .selectFrom('device')
    .select((eb) => [
      'device.id',
      'device.name',
      'device.send_interval_s',
      'device.time_zone',
      'device.country',
      eb
        .selectFrom('device_key')
        .select(sql<string>`lower(hex(device_key.key_hash))`.as('h'))
        .whereRef('device_key.device_id', '=', 'device.id')
        .where('device_key.revoked_at', 'is', null)
        .orderBy('device_key.id', 'desc')
        .limit(1)
        .as('key_hash'),
    ])
    .orderBy('device.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    sendIntervalS: r.send_interval_s,
    timeZone: r.time_zone,
    country: r.country,
    keyHash: r.key_hash ?? null,
  }));
}
