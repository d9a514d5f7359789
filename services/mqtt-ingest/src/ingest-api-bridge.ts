/**
 * Everything this service reuses from ingest-api, in one place: the config loader, the
 * validation/preparation of readings and the batched write path with its deduplication.
 * ingest-api's package.json exports only its app, so these are workspace-relative imports;
 * with a `"./*": "./src/*"` export they become `@sem/ingest-api/...` here and nowhere else.
 */
export { loadConfig as loadApiConfig, type AppConfig } from '../../ingest-api/src/config.ts';
export { prepareReading, type PreparedReading, type ReadingSource } from '../../ingest-api/src/write/prepared-reading.ts';
export { WriteQueue } from '../../ingest-api/src/write/write-queue.ts';
export { isDbUnavailable } from '../../ingest-api/src/errors/db-errors.ts';
export { ingestReadings } from '../../ingest-api/src/write/ingest.ts';
export { toApiError } from '../../ingest-api/src/errors/error-handler.ts';
export { findHanKeys, type AuthDevice } from '../../ingest-api/src/devices/devices.repository.ts';
export { fromJson, type JsonReading } from '../../ingest-api/src/readings/json-reading.ts';
export { jsonReadingSchema, postReadingsSchema } from '../../ingest-api/src/readings/readings.schemas.ts';
export { decodeP1 } from '../../ingest-api/src/telegrams/telegrams.routes.ts';
export { buildApp } from '../../ingest-api/src/app.ts';
export { pingDatabase } from '../../ingest-api/src/write/write-batch.ts';
export { bytesToText } from '../../ingest-api/src/http/body-text.ts';
export { createDevice, setDeviceConfig, revokeKeys, rotateKey, type DeviceConfigInput } from '../../ingest-api/src/devices/devices.service.ts';
