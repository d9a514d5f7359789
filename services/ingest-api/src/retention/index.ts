export { purgeRawReadings, type PurgeOptions, type PurgeResult } from './raw-retention.ts';
export { startRetentionJob, type RetentionJob, type RetentionJobOptions } from './retention.job.ts';
export { retentionPlugin } from './retention.plugin.ts';
/** Raw rows are kept this long unless configured otherwise (rollups are kept for good). */
export const DEFAULT_RAW_RETENTION_DAYS = 90;
