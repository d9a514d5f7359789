import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import type { EncryptedP1Keys, HanDecodeOptions } from '@sem/meter-protocol';

export type ClockPolicy = NonNullable<HanDecodeOptions['clockPolicy']>;
export const CLOCK_POLICIES: readonly ClockPolicy[] = ['deviation', 'local', 'standard'];

/** What decoding a device's frames and telegrams needs beyond its zone: keys, scalers, clock rule. */
export interface MeterSettings {
  han: { encryptionKey: Uint8Array; authenticationKey: Uint8Array | undefined } | undefined;
  p1: EncryptedP1Keys | undefined;
  /** Set on the device; null takes the country default. */
  kamstrupEnergyScaler: number | null;
  kamstrupCurrentScaler: number | null;
  /** Set on the device; null takes the vendor's rule (packages/meter-protocol/docs/han-meter-clocks.md). */
  clockPolicy: ClockPolicy | null;
}

const bytes = (b: Buffer | null | undefined) => (b ? new Uint8Array(b) : undefined);

/** One query for everything a decode needs; keys never leave this object (never logged or returned). */
export async function findMeterSettings(db: Kysely<Database>, deviceId: number): Promise<MeterSettings> {
  const row = await db
    .selectFrom('device as d')
    .leftJoin('device_han_key as h', 'h.device_id', 'd.id')
    .leftJoin('device_p1_key as p', 'p.device_id', 'd.id')
    .leftJoin('device_meter_config as c', 'c.device_id', 'd.id')
    .select([
      'h.encryption_key as han_ek', 'h.authentication_key as han_ak', 'p.encryption_key as p1_ek', 'p.authentication_key as p1_ak',
      'c.kamstrup_energy_scaler', 'c.kamstrup_current_scaler', 'c.clock_policy',
    ])
    .where('d.id', '=', deviceId)
    .executeTakeFirst();
  return {
    han: row?.han_ek ? { encryptionKey: new Uint8Array(row.han_ek), authenticationKey: bytes(row.han_ak) } : undefined,
    p1: row?.p1_ek ? { encryptionKey: new Uint8Array(row.p1_ek), authenticationKey: bytes(row.p1_ak) } : undefined,
    kamstrupEnergyScaler: row?.kamstrup_energy_scaler ?? null,
    kamstrupCurrentScaler: row?.kamstrup_current_scaler ?? null,
    clockPolicy: row?.clock_policy ?? null,
  };
}

export interface MeterDefaults {
  kamstrupEnergyScaler: number;
  kamstrupCurrentScaler: number;
}

/**
 * What a Kamstrup HAN list does not say (no scalers on the wire), by country, overridable per device
 * (device_meter_config): energy registers in 10 Wh (scaler 1) in Norway and Denmark, in Wh (0) in Sweden
 * and Switzerland (amsreader #239, #874, #359); currents in 0.01 A (-2) for direct-connected meters
 * everywhere, mA (-3) only on current-transformer meters, which no country default can know
 * (packages/meter-protocol/test/han/kamstrup-current-scaler.test.ts has the evidence).
 */
const KAMSTRUP_10WH: MeterDefaults = { kamstrupEnergyScaler: 1, kamstrupCurrentScaler: -2 };
const KAMSTRUP_WH: MeterDefaults = { kamstrupEnergyScaler: 0, kamstrupCurrentScaler: -2 };
const BY_COUNTRY: Readonly<Record<string, MeterDefaults>> = { SE: KAMSTRUP_WH, CH: KAMSTRUP_WH };

/** The meter defaults of a device's country. */
export function countryMeterDefaults(country: string): MeterDefaults {
  return BY_COUNTRY[country] ?? KAMSTRUP_10WH;
}

/** HAN decode options: the device's settings over its country's defaults. */
export function hanOptions(device: { timeZone: string; country: string }, s: MeterSettings): HanDecodeOptions {
  const defaults = countryMeterDefaults(device.country);
  return {
    encryptionKey: s.han?.encryptionKey,
    authenticationKey: s.han?.authenticationKey,
    timeZone: device.timeZone,
    kamstrupEnergyScaler: s.kamstrupEnergyScaler ?? defaults.kamstrupEnergyScaler,
    kamstrupCurrentScaler: s.kamstrupCurrentScaler ?? defaults.kamstrupCurrentScaler,
    ...(s.clockPolicy ? { clockPolicy: s.clockPolicy } : {}),
  };
}
