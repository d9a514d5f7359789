import type { FastifyInstance } from 'fastify';
import type { Reading } from '@sem/meter-protocol';
import { parseAmsReaderJson } from '../amsreader/amsreader-json.ts';
import { ingestReadings, toApiError, type AuthDevice } from '../ingest-api-bridge.ts';
import type { RegistryDevice } from '../registry/device-registry.repository.ts';
import type { UploadRoute } from '../topics/topic-route.ts';
import { decodeFramePayload, decodeTelegramPayload } from './payload-decoders.ts';
import { createReadingsJsonParser } from './readings-json.ts';
import { dropStoredTimeless } from './timeless-redelivery.ts';
import type { UploadContext, UploadHandler, UploadOutcome } from './upload-outcome.ts';

export interface UploadHandlerDeps {
  /** ingest-api's app, built but not listening: its db, metrics and group-commit write queue. */
  app: FastifyInstance;
  /** Registry lookup by device name, refreshed on a miss (a device created a moment ago). */
  findDevice(name: string): Promise<RegistryDevice | undefined>;
  /** The HTTP limit SEM_MAX_READINGS_PER_REQUEST, applied to one JSON message too. */
  maxReadingsPerMessage: number;
}

/**
 * A failure worth retrying; the message stays un-acked meanwhile. The database or write queue being
 * away is retried until it is back; an unexpected error only a few times, so it cannot wedge the queue.
 */
export class TransientUploadError extends Error {
  readonly maxAttempts: number;

  constructor(message: string, options: { cause: unknown; maxAttempts: number }) {
    super(message, { cause: options.cause });
    this.maxAttempts = options.maxAttempts;
  }
}

const UNEXPECTED_ERROR_ATTEMPTS = 5;

function authDevice(d: RegistryDevice): AuthDevice {
  // The broker authenticated the device by name; key id/format only matter to HTTP key handling.
  return { id: d.id, name: d.name, timeZone: d.timeZone, country: d.country, sendIntervalSeconds: d.sendIntervalS, keyId: 0, keyFormat: 'token' };
}

/**
 * MQTT uploads through the same decoding, validation, deduplication and write path as HTTP:
 * decode by topic kind, then ingest-api's `ingestReadings`, which resolves after COMMIT.
 */
export function createUploadHandler(deps: UploadHandlerDeps): UploadHandler {
  const { app } = deps;
  const parseReadingsJson = createReadingsJsonParser(deps.maxReadingsPerMessage);

  async function readingsOf(route: UploadRoute, device: AuthDevice, payload: Buffer): Promise<Reading[] | UploadOutcome> {
    switch (route.kind) {
      case 'readings':
        return parseReadingsJson(payload);
      case 'telegram':
        return decodeTelegramPayload(app, payload, device);
      case 'frame':
        return decodeFramePayload(app, payload, device);
      case 'amsreader': {
        const parsed = parseAmsReaderJson(payload);
        if (parsed.kind === 'malformed') return { status: 'rejected', code: 'bad_request', reason: parsed.reason };
        if (parsed.kind === 'not-a-reading') return { status: 'ignored', reason: parsed.what };
        // AmsReader's raw mode forwards the meter's own bytes: decoded as the frame and telegram topics are
        if (parsed.kind === 'meter-bytes') {
          return parsed.framing === 'hdlc' ? decodeFramePayload(app, parsed.bytes, device) : decodeTelegramPayload(app, parsed.bytes, device);
        }
        return [parsed.reading];
      }
    }
  }

  return async (route: UploadRoute, payload: Buffer, context: UploadContext): Promise<UploadOutcome> => {
    const found = await deps.findDevice(route.device);
    if (!found) return { status: 'rejected', code: 'unknown_device', reason: `no device named ${route.device} in the registry` };
    const device = authDevice(found);
    try {
      const decoded = await readingsOf(route, device, payload);
      if (!Array.isArray(decoded)) return decoded;
      const { readings, duplicates } = context.redelivered
        ? await dropStoredTimeless(app.db, device.id, decoded, context.receivedAt)
        : { readings: decoded, duplicates: 0 };
      if (readings.length === 0) return { status: 'stored', readings: 0, duplicates };
      const result = await ingestReadings(app, device, readings, 'mqtt', context.receivedAt);
      return { status: 'stored', readings: result.accepted + result.merged, duplicates: result.duplicates + duplicates };
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.code === 'service_unavailable') {
        throw new TransientUploadError(`${apiError.code}: ${apiError.message}`, { cause: error, maxAttempts: Number.POSITIVE_INFINITY });
      }
      if (apiError.statusCode >= 500) {
        throw new TransientUploadError(`${apiError.code}: ${apiError.message}`, { cause: error, maxAttempts: UNEXPECTED_ERROR_ATTEMPTS });
      }
      return { status: 'rejected', code: apiError.code, reason: apiError.message };
    }
  };
}
