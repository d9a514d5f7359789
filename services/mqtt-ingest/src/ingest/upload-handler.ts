import type { Reading } from '@sem/meter-protocol';
import { dbUnavailable, IngestError, isDbUnavailable, METER_CLOCK_UNSET, rejectReason, type DeviceSettings, type IngestEngine } from '@sem/ingest';
import { parseAmsReaderJson } from '../amsreader/amsreader-json.ts';
import type { RegistryDevice } from '../registry/device-registry.repository.ts';
import type { UploadRoute } from '../topics/topic-route.ts';
import { decodeFramePayload, decodeTelegramPayload } from './payload-decoders.ts';
import { createReadingsJsonParser } from './readings-json.ts';
import { dropStoredTimeless } from './timeless-redelivery.ts';
import type { UploadContext, UploadHandler, UploadOutcome } from './upload-outcome.ts';

export interface UploadHandlerDeps {
  /** The write engine of this process (@sem/ingest). */
  engine: IngestEngine;
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

function deviceSettings(d: RegistryDevice): DeviceSettings {
  return { id: d.id, name: d.name, timeZone: d.timeZone, country: d.country, sendIntervalSeconds: d.sendIntervalS };
}

/**
 * MQTT uploads through the same decoding, validation, deduplication and write engine as HTTP:
 * decode by topic kind, then the engine's `ingest`, which resolves after COMMIT. Retries follow the
 * engine's domain errors: a retryable kind is retried without end (nothing was stored), a refusal is final.
 */
export function createUploadHandler(deps: UploadHandlerDeps): UploadHandler {
  const { engine } = deps;
  const parseReadingsJson = createReadingsJsonParser(deps.maxReadingsPerMessage);

  async function readingsOf(route: UploadRoute, device: DeviceSettings, payload: Buffer): Promise<Reading[] | UploadOutcome> {
    switch (route.kind) {
      case 'readings':
        return parseReadingsJson(payload);
      case 'telegram':
        return decodeTelegramPayload(engine, payload, device);
      case 'frame':
        return decodeFramePayload(engine, payload, device);
      case 'amsreader': {
        const parsed = parseAmsReaderJson(payload);
        if (parsed.kind === 'malformed') return { status: 'rejected', code: 'bad_request', reason: parsed.reason };
        if (parsed.kind === 'not-a-reading') return { status: 'ignored', reason: parsed.what };
        // AmsReader's raw mode forwards the meter's own bytes: decoded as the frame and telegram topics are
        if (parsed.kind === 'meter-bytes') {
          return parsed.framing === 'hdlc' ? decodeFramePayload(engine, parsed.bytes, device) : decodeTelegramPayload(engine, parsed.bytes, device);
        }
        return [parsed.reading];
      }
    }
  }

  return async (route: UploadRoute, payload: Buffer, context: UploadContext): Promise<UploadOutcome> => {
    const found = await deps.findDevice(route.device);
    if (!found) return { status: 'rejected', code: 'unknown_device', reason: `no device named ${route.device} in the registry` };
    const device = deviceSettings(found);
    try {
      const decoded = await readingsOf(route, device, payload);
      if (!Array.isArray(decoded)) return decoded;
      const { readings, duplicates } = context.redelivered
        ? await dropStoredTimeless(engine.db, device.id, decoded, context.receivedAt)
        : { readings: decoded, duplicates: 0 };
      if (readings.length === 0) return { status: 'stored', readings: 0, duplicates };
      const result = await engine.ingest(device, readings, 'mqtt', context.receivedAt);
      const unset = result.results.find((r) => r.status !== 'rejected' && r.code === METER_CLOCK_UNSET);
      const stored = { status: 'stored', readings: result.accepted + result.merged, duplicates: result.duplicates + duplicates } as const;
      return unset ? { ...stored, meterClockUnset: readings[unset.index]!.meterClockUnset!.slice(0, 64) } : stored;
    } catch (error) {
      const reason = rejectReason(error);
      if (reason) return { status: 'rejected', code: reason, reason: (error as Error).message };
      // Deleted after this process's last registry poll: refused as a device not in the registry (final, 0x87).
      if (error instanceof IngestError && error.kind === 'unknown-device') {
        return { status: 'rejected', code: 'unknown_device', reason: `device ${route.device} is no longer in the registry` };
      }
      // The database away outside the write queue (device HAN keys, the redelivery check) is the same domain error.
      const domain = !(error instanceof IngestError) && isDbUnavailable(error) ? dbUnavailable(error) : error;
      if (domain instanceof IngestError && domain.retryable) {
        throw new TransientUploadError(`${domain.kind}: ${domain.message}`, { cause: error, maxAttempts: Number.POSITIVE_INFINITY });
      }
      throw new TransientUploadError(`unexpected: ${(error as Error).message}`, { cause: error, maxAttempts: UNEXPECTED_ERROR_ATTEMPTS });
    }
  };
}
