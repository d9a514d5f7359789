import { DEVICE_SECURITY } from '../http/security.ts';
import type { FastifyInstance } from 'fastify';
import { decodeFrames, ProtocolError, type Reading } from '@sem/meter-protocol';
import { ApiError, errorResponses } from '../errors/api-error.ts';
import { fromProtocolError } from '../errors/error-handler.ts';
import { acceptOnly } from '../http/content-types.ts';
import { findHanKeys } from '../devices/devices.repository.ts';
import { ingestReadings } from '../write/ingest.ts';

export async function framesRoutes(app: FastifyInstance): Promise<void> {
  acceptOnly(app, ['text', 'octets-as-hex']);
  app.post<{ Body: string }>(
    '/api/v1/frames',
    {
      schema: {
        summary: 'Store raw HAN HDLC frames (DLMS/COSEM), bytes or hex text, decrypted with the device key',
        tags: ['ingest'],
        security: DEVICE_SECURITY,
        consumes: ['application/octet-stream', 'text/plain'],
        body: { type: 'string', minLength: 1, description: 'raw bytes (application/octet-stream) or hex text (text/plain, whitespace allowed)' },
        response: { 201: { $ref: 'IngestResult#' }, ...errorResponses(400, 401, 413, 415, 422, 429, 503) },
      },
      preValidation: app.authenticateDevice('bearer'),
    },
    async (request, reply) => {
      const receivedAt = new Date();
      const device = request.device!;
      const hex = request.body.replace(/\s+/g, '');
      if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) {
        throw new ApiError('bad_request', 'body must be hex digits in pairs', { details: { path: 'body' } });
      }
      const keys = await findHanKeys(app.db, device.id);
      let readings: Reading[];
      try {
        readings = decodeFrames(Buffer.from(hex, 'hex'), {
          encryptionKey: keys?.encryptionKey,
          authenticationKey: keys?.authenticationKey,
          timeZone: device.timeZone,
          // Swedish Kamstrup meters count energy in Wh where Norwegian ones use 10 Wh (no scaler on the wire).
          ...(device.country === 'SE' ? { kamstrupEnergyScaler: 0 } : {}),
        });
      } catch (err) {
        if (err instanceof ProtocolError) throw fromProtocolError(err);
        throw err;
      }
      if (readings.length === 0) throw new ApiError('invalid_frame', 'no complete HDLC frame found');
      return reply.code(201).send(await ingestReadings(app, device, readings, 'han', receivedAt));
    },
  );
}
