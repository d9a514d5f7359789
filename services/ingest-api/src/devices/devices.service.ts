import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { ApiError } from '../errors/api-error.ts';
import { isCountryCode, isTimeZone, COUNTRY_CODES, COUNTRY_PROFILES, type CountryCode } from './country-profiles.ts';
import {
  CLOCK_POLICIES,
  countryMeterDefaults,
  deviceChanged,
  deviceSettings,
  generateKey,
  hashKey,
  keyHint,
  type ClockPolicy,
  type DeviceSettings,
  type KeyFormat,
} from '@sem/ingest';

/** A device as shown to admins and to itself: never a key, never a HAN or P1 key. */
export interface DeviceView extends DeviceSettings {
  hasHanKey: boolean;
  hasP1Key: boolean;
  /** What decoding uses: the device's settings, else the country/vendor default; `overrides` names the device's own. */
  meter: { kamstrupEnergyScaler: number; kamstrupCurrentScaler: number; clockPolicy: ClockPolicy | null; overrides: string[] };
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
  /** Encrypted P1 (Luxembourg Smarty): hex; null removes the P1 keys. */
  p1EncryptionKey?: string | null | undefined;
  /** AAD key of the encrypted P1 frames; unset: the Smarty one. */
  p1AuthenticationKey?: string | null | undefined;
  /** Kamstrup registers: 1 = 10 Wh, 0 = Wh; null: the country default. */
  kamstrupEnergyScaler?: number | null | undefined;
  /** Kamstrup currents: -2 = 0.01 A, -3 = mA (current-transformer meters); null: the country default. */
  kamstrupCurrentScaler?: number | null | undefined;
  /** HAN clock rule; null: the vendor's rule. */
  clockPolicy?: ClockPolicy | null | undefined;
}

const METER_FIELDS = ['kamstrupEnergyScaler', 'kamstrupCurrentScaler', 'clockPolicy'] as const;

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
  if (input.p1AuthenticationKey && !input.p1EncryptionKey) {
    throw new ApiError('bad_request', 'a P1 authentication key needs a P1 encryption key', { details: { path: 'p1AuthenticationKey' } });
  }
  if (input.p1EncryptionKey && !/^[0-9a-fA-F]{32}$/.test(input.p1EncryptionKey)) {
    throw new ApiError('bad_request', 'p1EncryptionKey must be 32 hex digits (AES-128)', { details: { path: 'p1EncryptionKey' } });
  }
  for (const [field, allowed] of [['kamstrupEnergyScaler', [0, 1]], ['kamstrupCurrentScaler', [-2, -3]]] as const) {
    const v = input[field];
    if (v !== undefined && v !== null && !(allowed as readonly number[]).includes(v)) {
      throw new ApiError('bad_request', `${field} must be one of ${allowed.join(', ')} or null`, { details: { path: field } });
    }
  }
  if (input.clockPolicy !== undefined && input.clockPolicy !== null && !CLOCK_POLICIES.includes(input.clockPolicy)) {
    throw new ApiError('bad_request', `clockPolicy must be one of ${CLOCK_POLICIES.join(', ')} or null`, { details: { path: 'clockPolicy' } });
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

/** The HAN or P1 key pair of a device: `undefined` leaves it, null removes it, a hex key sets it. */
async function setKeyPair(
  db: Kysely<Database>,
  deviceId: number,
  table: 'device_han_key' | 'device_p1_key',
  fields: readonly [string, string],
  encryption: string | null | undefined,
  authentication: string | null | undefined,
): Promise<void> {
  if (encryption === undefined) return;
  if (encryption === null) {
    await db.deleteFrom(table).where('device_id', '=', deviceId).execute();
    return;
  }
  const values = {
    device_id: deviceId,
    encryption_key: hexKey(fields[0], encryption),
    authentication_key: authentication ? hexKey(fields[1], authentication) : null,
    updated_at: new Date(),
  };
  await db
    .insertInto(table)
    .values(values)
    .onDuplicateKeyUpdate({ encryption_key: values.encryption_key, authentication_key: values.authentication_key, updated_at: values.updated_at })
    .execute();
}

async function setKeys(db: Kysely<Database>, deviceId: number, input: DeviceConfigInput): Promise<void> {
  await setKeyPair(db, deviceId, 'device_han_key', ['hanEncryptionKey', 'hanAuthenticationKey'], input.hanEncryptionKey, input.hanAuthenticationKey);
  await setKeyPair(db, deviceId, 'device_p1_key', ['p1EncryptionKey', 'p1AuthenticationKey'], input.p1EncryptionKey, input.p1AuthenticationKey);
}

/** Writes the meter settings the input names (null: back to the default); the others stay. */
async function setMeterConfig(db: Kysely<Database>, deviceId: number, input: DeviceConfigInput): Promise<void> {
  const patch = {
    ...(input.kamstrupEnergyScaler !== undefined ? { kamstrup_energy_scaler: input.kamstrupEnergyScaler } : {}),
    ...(input.kamstrupCurrentScaler !== undefined ? { kamstrup_current_scaler: input.kamstrupCurrentScaler } : {}),
    ...(input.clockPolicy !== undefined ? { clock_policy: input.clockPolicy } : {}),
  };
  if (Object.keys(patch).length === 0) return;
  const now = new Date();
  await db
    .insertInto('device_meter_config')
    .values({ device_id: deviceId, kamstrup_energy_scaler: null, kamstrup_current_scaler: null, clock_policy: null, ...patch, updated_at: now })
    .onDuplicateKeyUpdate({ ...patch, updated_at: now })
    .execute();
}

export async function getDevice(db: Kysely<Database>, idOrName: number | string): Promise<DeviceView> {
  const row = await db
    .selectFrom('device')
    .selectAll()
    .where(typeof idOrName === 'number' ? 'id' : 'name', '=', idOrName)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `no device ${idOrName}`);
  const [keys, han, p1, meter] = await Promise.all([
    db.selectFrom('device_key').select(['id', 'format', 'hint', 'created_at', 'revoked_at']).where('device_id', '=', row.id).orderBy('id').execute(),
    db.selectFrom('device_han_key').select('device_id').where('device_id', '=', row.id).executeTakeFirst(),
    db.selectFrom('device_p1_key').select('device_id').where('device_id', '=', row.id).executeTakeFirst(),
    db.selectFrom('device_meter_config').selectAll().where('device_id', '=', row.id).executeTakeFirst(),
  ]);
  const defaults = countryMeterDefaults(row.country);
  const own = { kamstrupEnergyScaler: meter?.kamstrup_energy_scaler ?? null, kamstrupCurrentScaler: meter?.kamstrup_current_scaler ?? null, clockPolicy: meter?.clock_policy ?? null };
  return {
    ...deviceSettings(row),
    hasHanKey: han !== undefined,
    hasP1Key: p1 !== undefined,
    meter: {
      kamstrupEnergyScaler: own.kamstrupEnergyScaler ?? defaults.kamstrupEnergyScaler,
      kamstrupCurrentScaler: own.kamstrupCurrentScaler ?? defaults.kamstrupCurrentScaler,
      clockPolicy: own.clockPolicy,
      overrides: METER_FIELDS.filter((f) => own[f] !== null),
    },
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
    await setKeys(trx, id, input);
    await setMeterConfig(trx, id, input);
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
    await setKeys(trx, deviceId, input);
    await setMeterConfig(trx, deviceId, input);
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
