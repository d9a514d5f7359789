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

export interface Database {
  device: DeviceTable;
  device_key: DeviceKeyTable;
  device_han_key: DeviceHanKeyTable;
  reading: ReadingTable;
  mbus_reading: MbusReadingTable;
  power_failure_event: PowerFailureEventTable;
  demand_peak: DemandPeakTable;
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
] as const;

/** Tables that hold data (cleared between tests, children first; granted to the API user). */
export const DATA_TABLES = [
  ...ROLLUP_TABLES,
  'ingest_request',
  'device_meter',
  'raw_object',
  'demand_peak',
  'power_failure_event',
  'mbus_reading',
  'reading',
  'device_han_key',
  'device_key',
  'device',
] as const satisfies readonly (keyof Database | (typeof ROLLUP_TABLES)[number] | 'ingest_request')[];
