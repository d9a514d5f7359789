import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { ApiError } from '../errors/api-error.ts';
import { isCountryCode, isTimeZone, COUNTRY_CODES, COUNTRY_PROFILES, type CountryCode } from './country-profiles.ts';
import { deviceChanged, deviceSettings, generateKey, hashKey, keyHint, type DeviceSettings, type KeyFormat } from '@sem/ingest';

/** A device as shown to admins and to itself: never a key, never a HAN key. */
export interface DeviceView extends DeviceSettings {
  hasHanKey: boolean;
  createdAt: string;
  keys: { id: number; format: KeyFormat; hint: string; createdAt: string; revokedAt: string | null }[];
}

export interface IssuedKey {
  id: number;
  format: KeyFormat;
  /** The only time the key is ever shown. */
  key: string;
}

export interface DeviceConfigInput {
  name?: string | undefined;
  timeZone?: string | undefined;
  country?: string | undefined;
  sendIntervalSeconds?: number | undefined;
  /** Hex; null removes the HAN keys. */
  hanEncryptionKey?: string | null | undefined;
  hanAuthenticationKey?: string | null | undefined;
}

function hexKey(field: string, hex: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{64})$/.test(hex)) {
    throw new ApiError('bad_request', `${field} must be 32 or 64 hex digits`, { details: { path: field } });
  }
  return Buffer.from(hex, 'hex');
}

function validate(input: DeviceConfigInput): void {
  if (input.name !== undefined && !/^[\p{L}\p{N} ._:@-]{1,100}$/u.test(input.name)) {
    throw new ApiError('bad_request', 'name must be 1-100 letters, digits, space or . _ : @ -', { details: { path: 'name' } });
  }
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) {
    throw new ApiError('bad_request', `unknown IANA time zone ${input.timeZone}`, { details: { path: 'timeZone' } });
  }
  if (input.country !== undefined && !isCountryCode(input.country)) {
    throw new ApiError('bad_request', `country must be one of ${COUNTRY_CODES.join(', ')}`, { details: { path: 'country' } });
  }
  const s = input.sendIntervalSeconds;
  if (s !== undefined && (!Number.isInteger(s) || s < 1 || s > 3600)) {
    throw new ApiError('bad_request', 'sendIntervalSeconds must be 1..3600', { details: { path: 'sendIntervalSeconds' } });
  }
  if (input.hanAuthenticationKey && !input.hanEncryptionKey && input.hanEncryptionKey !== undefined) {
    throw new ApiError('bad_request', 'an authentication key needs an encryption key', { details: { path: 'hanAuthenticationKey' } });
  }
}

async function issueKey(db: Kysely<Database>, deviceId: number, format: KeyFormat): Promise<IssuedKey> {
  const key = generateKey(format);
  const res = await db
    .insertInto('device_key')
    .values({ device_id: deviceId, format, key_hash: hashKey(key), hint: keyHint(key), created_at: new Date(), revoked_at: null })
    .executeTakeFirstOrThrow();
  return { id: Number(res.insertId), format, key };
}

async function setHanKeys(db: Kysely<Database>, deviceId: number, input: DeviceConfigInput): Promise<void> {
  if (input.hanEncryptionKey === undefined) return;
  if (input.hanEncryptionKey === null) {
    await db.deleteFrom('device_han_key').where('device_id', '=', deviceId).execute();
    return;
  }
  const values = {
    device_id: deviceId,
    encryption_key: hexKey('hanEncryptionKey', input.hanEncryptionKey),
    authentication_key: input.hanAuthenticationKey ? hexKey('hanAuthenticationKey', input.hanAuthenticationKey) : null,
    updated_at: new Date(),
  };
  await db
    .insertInto('device_han_key')
    .values(values)
    .onDuplicateKeyUpdate({ encryption_key: values.encryption_key, authentication_key: values.authentication_key, updated_at: values.updated_at })
    .execute();
}

export async function getDevice(db: Kysely<Database>, idOrName: number | string): Promise<DeviceView> {
  const row = await db
    .selectFrom('device')
    .selectAll()
    .where(typeof idOrName === 'number' ? 'id' : 'name', '=', idOrName)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `no device ${idOrName}`);
  const [keys, han] = await Promise.all([
    db.selectFrom('device_key').select(['id', 'format', 'hint', 'created_at', 'revoked_at']).where('device_id', '=', row.id).orderBy('id').execute(),
    db.selectFrom('device_han_key').select('device_id').where('device_id', '=', row.id).executeTakeFirst(),
  ]);
  return {
    ...deviceSettings(row),
    hasHanKey: han !== undefined,
    createdAt: row.created_at.toISOString(),
    keys: keys.map((k) => ({ id: k.id, format: k.format, hint: k.hint, createdAt: k.created_at.toISOString(), revokedAt: k.revoked_at?.toISOString() ?? null })),
  };
}

export async function listDevices(db: Kysely<Database>): Promise<DeviceView[]> {
  const ids = await db.selectFrom('device').select('id').orderBy('id').execute();
  return Promise.all(ids.map((r) => getDevice(db, r.id)));
}

export async function createDevice(
  db: Kysely<Database>,
  input: DeviceConfigInput & { name: string; keyFormat?: KeyFormat | undefined },
): Promise<{ device: DeviceView; key: IssuedKey }> {
  validate(input);
  const country = (input.country ?? 'BE') as CountryCode;
  const now = new Date();
  const exists = await db.selectFrom('device').select('id').where('name', '=', input.name).executeTakeFirst();
  if (exists) throw new ApiError('conflict', `a device named ${input.name} exists`);
  const deviceId = await db.transaction().execute(async (trx) => {
    const res = await trx
      .insertInto('device')
      .values({
        name: input.name,
        time_zone: input.timeZone ?? (input.country ? COUNTRY_PROFILES[country].defaultTimeZone : 'Europe/Brussels'),
        country,
        send_interval_s: input.sendIntervalSeconds ?? 60,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await setHanKeys(trx, id, input);
    return { id, key: await issueKey(trx, id, input.keyFormat ?? 'token') };
  });
  return { device: await getDevice(db, deviceId.id), key: deviceId.key };
}

export async function setDeviceConfig(db: Kysely<Database>, deviceId: number, input: DeviceConfigInput): Promise<DeviceView> {
  validate(input);
  await getDevice(db, deviceId);
  const patch = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.timeZone !== undefined ? { time_zone: input.timeZone } : {}),
    ...(input.country !== undefined ? { country: input.country } : {}),
    ...(input.sendIntervalSeconds !== undefined ? { send_interval_s: input.sendIntervalSeconds } : {}),
  };
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('device').set({ ...patch, updated_at: new Date() }).where('id', '=', deviceId).execute();
    await setHanKeys(trx, deviceId, input);
  });
  deviceChanged(deviceId);
  return getDevice(db, deviceId);
}

/** Issues a new key; by default revokes the device's other keys. */
export async function rotateKey(
  db: Kysely<Database>,
  deviceId: number,
  opts: { format?: KeyFormat | undefined; keepOld?: boolean | undefined } = {},
): Promise<IssuedKey> {
  const device = await getDevice(db, deviceId);
  const current = device.keys.find((k) => k.revokedAt === null);
  const key = await issueKey(db, deviceId, opts.format ?? current?.format ?? 'token');
  if (!opts.keepOld) {
    await db.updateTable('device_key').set({ revoked_at: new Date() }).where('device_id', '=', deviceId).where('id', '!=', key.id).where('revoked_at', 'is', null).execute();
  }
  deviceChanged(deviceId);
  return key;
}

/** Revokes one key, or every key of the device when keyId is omitted. Returns how many were revoked. */
export async function revokeKeys(db: Kysely<Database>, deviceId: number, keyId?: number): Promise<number> {
  await getDevice(db, deviceId);
  let q = db.updateTable('device_key').set({ revoked_at: new Date() }).where('device_id', '=', deviceId).where('revoked_at', 'is', null);
  if (keyId !== undefined) q = q.where('id', '=', keyId);
  const res = await q.executeTakeFirst();
  deviceChanged(deviceId);
  return Number(res.numUpdatedRows);
}

export async function deleteDevice(db: Kysely<Database>, deviceId: number): Promise<void> {
  const res = await db.deleteFrom('device').where('id', '=', deviceId).executeTakeFirst();
  deviceChanged(deviceId);
  if (Number(res.numDeletedRows) === 0) throw new ApiError('not_found', `no device ${deviceId}`);
}
