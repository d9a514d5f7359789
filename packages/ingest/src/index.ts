// The write engine's public API: adapters (ingest-api, mqtt-ingest), tools (bench) and tests use only these.
export { createIngest, type IngestEngine, type IngestEngineOptions } from './ingest-engine.ts';
export { IngestError, RETRYABLE_KINDS, type IngestErrorKind } from './errors/ingest-error.ts';
export { rejectReason, type RejectReason } from './errors/reject-reason.ts';
export { DB_RETRY_AFTER_S, dbUnavailable, isDbUnavailable, isDeadlock } from './errors/db-errors.ts';
export type { IngestLog } from './ingest-log.ts';
export { ingestEnvSchema, loadIngestConfig, type IngestConfig, type LogLevel } from './config.ts';

// Payloads every adapter decodes the same way.
export { bytesToText } from './payloads/payload-text.ts';
export { decodeP1Payload, decodeP1Text } from './payloads/p1-payload.ts';
export { decodeHanBytes } from './payloads/han-payload.ts';
export { fromJson, type JsonMbus, type JsonReading } from './payloads/json-reading.ts';
export { ISO_WITH_OFFSET, JSON_SCHEMA_OPTIONS, jsonReadingSchema, jsonReadingsSchema, QUANTITY_NAMES } from './payloads/json-reading.schema.ts';

// Devices and their keys.
export { DeviceDirectory } from './devices/device-directory.ts';
export { DeviceKeyCache } from './devices/device-key.cache.ts';
export { deviceChanged, onDeviceChanged } from './devices/device-changes.ts';
export { generateKey, hashKey, keyHint, LEGACY_KEY_LENGTH, secretsEqual, type KeyFormat } from './devices/device-keys.ts';
export { CLOCK_POLICIES, countryMeterDefaults, findMeterSettings, hanOptions, type ClockPolicy, type MeterDefaults, type MeterSettings } from './devices/meter-settings.ts';
export { deviceSettings, findDeviceByKey, findDeviceByKeyHash, type AuthDevice, type DeviceSettings } from './devices/devices.repository.ts';

// The write path, for tools that drive it below the engine (bench, tests).
export type { IngestDevice, IngestObserver, IngestResult, ReadingResult } from './write/ingest.ts';
export { METER_CLOCK_UNSET } from './write/ingest.ts';
export { prepareReading, READING_SOURCES, timelessKey, type PreparedReading, type ReadingSource } from './write/prepared-reading.ts';
export type { RowOutcome, WrittenReading } from './write/reading-merge.ts';
export { pingDatabase, writeBatch } from './write/write-batch.ts';
export { QUEUE_FULL_RETRY_AFTER_S, WriteQueue, type AdmissionRefusal, type WriteQueueObserver, type WriteQueueOptions } from './write/write-queue.ts';
export { RetryAppointments } from './write/retry-appointments.ts';
export { DEFAULT_WRITE_STEPS, type WriteStep } from './write/write-steps.ts';
export type { DeviceState } from './write/device-states.ts';
export { DEFAULT_IDEMPOTENCY_WINDOWS, purgeExpiredRequests, type IdempotencyWindows, type RequestIdentity } from './write/request-once.ts';

// Rollups, rejects and retention.
export { applyRollups } from './rollups/apply-rollups.ts';
export { DeferredRollups, type DeferredRollupsObserver, type DeferredRollupsOptions } from './rollups/deferred-rollups.ts';
export { recordRejects, RejectCounter, type Reject } from './rollups/reject-counter.ts';
export { rollupWriteStep, rollupWriteStepWith } from './rollups/rollup-write-step.ts';
export { DEFAULT_GAP_HORIZON_MS } from './rollups/register-spread.ts';
export { fillRollupsFromStatistics, withdrawStatisticFills, type RollupStatistic, type StatisticAmounts, type StatisticFillResult } from './rollups/statistic-fill.ts';
export type { InsertedMbusReading, InsertedReading, InsertedRows } from './rollups/rollup.types.ts';
export { purgeRawReadings, type PurgeOptions, type PurgeResult } from './retention/raw-retention.ts';
export { DEFAULT_RAW_RETENTION_DAYS, startRetentionJob, type RetentionJob, type RetentionJobOptions } from './retention/retention.job.ts';
export { localDate, localDayStart, localDayStartAt, nextDate } from './time/local-time.ts';
export {
  DEFAULT_TIME_FLOOR,
  DEFAULT_TIME_WINDOW,
  isPlausibleTime,
  MAX_FUTURE_MS,
  parseClientTime,
  parseIsoTime,
  timeProblem,
  type TimeProblem,
  type TimeWindow,
} from './time/meter-time.ts';
