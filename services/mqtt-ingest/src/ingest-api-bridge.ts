/**
 * Everything this service reuses from ingest-api, in one place: the config loader, the
 * validation/preparation of readings, the payload decoders of the HTTP routes and the batched
 * write path with its deduplication (ingest-api exports `./*` as `./src/*`).
 */
export { loadConfig as loadApiConfig, type AppConfig } from '@sem/ingest-api/config.ts';
export { prepareReading, type PreparedReading, type ReadingSource } from '@sem/ingest-api/write/prepared-reading.ts';
export { WriteQueue } from '@sem/ingest-api/write/write-queue.ts';
export { isDbUnavailable } from '@sem/ingest-api/errors/db-errors.ts';
export { ingestReadings } from '@sem/ingest-api/write/ingest.ts';
export { toApiError } from '@sem/ingest-api/errors/error-handler.ts';
export { type AuthDevice } from '@sem/ingest-api/devices/devices.repository.ts';
export { fromJson, type JsonReading } from '@sem/ingest-api/readings/json-reading.ts';
export { jsonReadingSchema, postReadingsSchema } from '@sem/ingest-api/readings/readings.schemas.ts';
export { AJV_CUSTOM_OPTIONS } from '@sem/ingest-api/http/ajv-options.ts';
export { decodeP1Body } from '@sem/ingest-api/telegrams/telegrams.routes.ts';
export { decodeHan } from '@sem/ingest-api/frames/han-decode.ts';
export { buildApp } from '@sem/ingest-api/app.ts';
export { pingDatabase } from '@sem/ingest-api/write/write-batch.ts';
export { bytesToText } from '@sem/ingest-api/http/body-text.ts';
export { createDevice, setDeviceConfig, revokeKeys, rotateKey, type DeviceConfigInput } from '@sem/ingest-api/devices/devices.service.ts';
