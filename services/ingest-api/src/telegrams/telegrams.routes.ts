import { DEVICE_SECURITY } from '../http/security.ts';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { decodeEncryptedTelegrams, decodeTelegrams, ProtocolError, UnsupportedError, type Reading } from '@sem/meter-protocol';
import { ApiError, errorResponses } from '../errors/api-error.ts';
import { fromProtocolError } from '../errors/error-handler.ts';
import { acceptOnly } from '../http/content-types.ts';
import type { DeviceSettings } from '../devices/devices.repository.ts';
import { findMeterSettings } from '../devices/meter-settings.ts';
import { ingestReadings } from '../write/ingest.ts';

/** Decodes P1 text with the device's zone; protocol errors become 422 (or the given status). */
export function decodeP1(text: string, timeZone: string, statusOnError?: number): Reading[] {
  let readings: Reading[];
  try {
    readings = decodeTelegrams(text, { timeZone });
  } catch (err) {
    if (err instanceof ProtocolError) throw fromProtocolError(err, statusOnError);
    throw err;
  }
  if (readings.length === 0) {
    throw new ApiError('invalid_frame', 'no complete telegram (from / to !CRC) found', statusOnError ? { statusCode: statusOnError } : {});
  }
  return readings;
}

/** The bytes of an encrypted P1 body (Smarty: starts with 0xDB), raw (Latin-1 text) or as hex text; else null. */
function encryptedP1Bytes(text: string): Uint8Array | null {
  if (text.charCodeAt(0) === 0xdb) return Buffer.from(text, 'latin1');
  const hex = text.replace(/\s+/g, '');
  return /^db08(?:[0-9a-f]{2})+$/i.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/**
 * P1 body to readings for one device: plaintext telegrams, or encrypted P1 frames (Luxembourg Smarty)
 * decrypted with the device's P1 key. Shared by /telegrams, the dsmr-reader route and mqtt-ingest.
 */
export async function decodeP1Body(db: Kysely<Database>, device: DeviceSettings, text: string, statusOnError?: number): Promise<Reading[]> {
  const encrypted = encryptedP1Bytes(text);
  if (!encrypted) return decodeP1(text, device.timeZone, statusOnError);
  const { p1 } = await findMeterSettings(db, device.id);
  try {
    if (!p1) throw new UnsupportedError('encrypted P1 frame (0xDB): the device has no P1 key; set p1EncryptionKey');
    return decodeEncryptedTelegrams(encrypted, p1, { timeZone: device.timeZone });
  } catch (err) {
    if (err instanceof ProtocolError) throw fromProtocolError(err, statusOnError);
    throw err;
  }
}

export async function telegramsRoutes(app: FastifyInstance): Promise<void> {
  acceptOnly(app, ['text', 'octets-as-latin1']);
  app.post<{ Body: string }>(
    '/api/v1/telegrams',
    {
      schema: {
        summary: 'Store raw P1 telegrams (DSMR / e-MUCS), decoded with the device time zone',
        tags: ['ingest'],
        security: DEVICE_SECURITY,
        consumes: ['text/plain', 'application/octet-stream'],
        body: {
          type: 'string',
          minLength: 1,
          description: 'one or more telegrams, / through !CRC, CRLF or LF; or encrypted P1 frames (Smarty, 0xDB ...) as bytes or hex',
        },
        response: { 201: { $ref: 'IngestResult#' }, ...errorResponses(400, 401, 413, 415, 422, 429, 503) },
      },
      preValidation: app.authenticateDevice('bearer'),
    },
    async (request, reply) => {
      const receivedAt = new Date();
      const device = request.device!;
      const readings = await decodeP1Body(app.db, device, request.body);
      return reply.code(201).send(await ingestReadings(app, device, readings, 'p1', receivedAt));
    },
  );
}
