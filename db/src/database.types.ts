import type { ColumnType, Generated } from 'kysely';
import type { ReadingValueColumn } from './quantity-columns.ts';

/** Kysely table types. DATETIME columns hold UTC; the pool runs with time_zone '+00:00' and timezone 'Z'. */
type Timestamp = ColumnType<Date, Date, Date>;
type Nullable<T> = T | null;

export interface DeviceTable {
  id: Generated<number>;
  name: string;
  time_zone: string;
  country: string;
  send_interval_s: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeviceKeyTable {
  id: Generated<number>;
  device_id: number;
  format: 'token' | 'legacy';
  key_hash: Buffer;
  hint: string;
  created_at: Timestamp;
  revoked_at: Nullable<Date>;
}

export interface DeviceHanKeyTable {
  device_id: number;
  encryption_key: Buffer;
  authentication_key: Nullable<Buffer>;
  updated_at: Timestamp;
}

export interface DeviceP1KeyTable {
  device_id: number;
  encryption_key: Buffer;
  authentication_key: Nullable<Buffer>;
  updated_at: Timestamp;
}

/** Per-device meter settings; NULL columns take the country/vendor default. */
export interface DeviceMeterConfigTable {
  device_id: number;
  kamstrup_energy_scaler: Nullable<number>;
  kamstrup_current_scaler: Nullable<number>;
  clock_policy: Nullable<'deviation' | 'local' | 'standard'>;
  updated_at: Timestamp;
}

/** Integer columns of reading, one per quantity (see quantity-columns.ts for names, units and scales). */
export type ReadingValueColumns = Record<ReadingValueColumn, Nullable<number>>;

export type ReadingTable = ReadingValueColumns & {
  device_id: number;
  meter_time: Timestamp;
  received_at: Timestamp;
  source: number;
};

export interface MbusReadingTable {
  device_id: number;
  channel: number;
  captured_at: Timestamp;
  received_at: Timestamp;
  device_type: Nullable<number>;
  equipment_id: Nullable<string>;
  /** DECIMAL(15,4): mysql2 returns it as a string. */
  value: ColumnType<string, string | number, string | number>;
  unit: Nullable<string>;
  valve_position: Nullable<number>;
}

export interface PowerFailureEventTable {
  device_id: number;
  ended_at: Timestamp;
  duration_s: number;
  first_seen_at: Timestamp;
}

export interface DemandPeakTable {
  device_id: number;
  peak_at: Timestamp;
  demand_w: number;
  period_end: Nullable<Date>;
  first_seen_at: Timestamp;
}

/** 0-0:98.1.0 history: one row per month boundary; peak_at NULL for a month without a peak. */
export interface DemandPeakMonthTable {
  device_id: number;
  period_end: Timestamp;
  peak_at: Nullable<Date>;
  demand_w: number;
  first_seen_at: Timestamp;
}

/** Each distinct identity a device's meter showed (header, version, list id, vendor, equipment id when sent). */
export interface DeviceIdentityTable {
  device_id: number;
  identity_hash: Buffer;
  protocol: 'json' | 'p1' | 'han';
  meter_id: Nullable<string>;
  header: Nullable<string>;
  version: Nullable<string>;
  vendor: Nullable<string>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface RawObjectTable {
  device_id: number;
  obis: string;
  value_hash: Buffer;
  value: string;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface DeviceMeterTable {
  device_id: number;
  meter_id: string;
  protocol: 'json' | 'p1' | 'han';
  header: Nullable<string>;
  version: Nullable<string>;
  vendor: Nullable<string>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

/** DECIMAL columns: mysql2 returns them as strings; numbers go in. */
type Decimal = ColumnType<string, string | number, string | number>;
type NullableDecimal = ColumnType<string | null, string | number | null, string | number | null>;

export interface TariffTable {
  id: Generated<number>;
  device_id: number;
  /** DATE, the device's local day from which the version applies ('YYYY-MM-DD'). */
  valid_from: ColumnType<Date | string, string, string>;
  currency: string;
  import_day_price: Decimal;
  import_night_price: NullableDecimal;
  import_weekend_price: NullableDecimal;
  day_start_hour: number;
  day_end_hour: number;
  price_series: Nullable<string>;
  dynamic_factor: Decimal;
  dynamic_markup: Decimal;
  export_price: Decimal;
  fixed_monthly_fee: Decimal;
  capacity_kind: 'none' | 'be' | 'no';
  capacity_price_kw_year: NullableDecimal;
  capacity_min_kw: Decimal;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TariffCapacityStepTable {
  tariff_id: number;
  from_kw: Decimal;
  monthly_price: Decimal;
}

export interface EnergyPriceTable {
  series: string;
  starts_at: Timestamp;
  price: Decimal;
}

export interface Database {
  tariff: TariffTable;
  tariff_capacity_step: TariffCapacityStepTable;
  energy_price: EnergyPriceTable;
  device: DeviceTable;
  device_key: DeviceKeyTable;
  device_han_key: DeviceHanKeyTable;
  device_p1_key: DeviceP1KeyTable;
  device_meter_config: DeviceMeterConfigTable;
  reading: ReadingTable;
  mbus_reading: MbusReadingTable;
  power_failure_event: PowerFailureEventTable;
  demand_peak: DemandPeakTable;
  demand_peak_month: DemandPeakMonthTable;
  device_identity: DeviceIdentityTable;
  raw_object: RawObjectTable;
  device_meter: DeviceMeterTable;
}

/** Rollup tables kept by the write path (services/ingest-api/src/rollups); written with raw SQL, so untyped here. */
export const ROLLUP_TABLES = [
  'rollup_minute',
  'rollup_quarter',
  'rollup_hour',
  'rollup_day',
  'rollup_reject_hour',
  'rollup_purge',
  'rollup_journal',
  'rollup_gap',
  'rollup_statistic_fill',
] as const;

/** Tables that hold data (cleared between tests, children first; granted to the API user). */
export const DATA_TABLES = [
  ...ROLLUP_TABLES,
  'device_identity',
  'energy_price',
  'tariff_capacity_step',
  'tariff',
  'ingest_request',
  'device_meter',
  'raw_object',
  'demand_peak_month',
  'demand_peak',
  'power_failure_event',
  'mbus_reading',
  'reading',
  'device_meter_config',
  'device_p1_key',
  'device_han_key',
  'device_key',
  'device',
] as const satisfies readonly (keyof Database | (typeof ROLLUP_TABLES)[number] | 'ingest_request')[];
