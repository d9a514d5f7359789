import { DEVICE_SECURITY } from '../http/security.ts';
import type { FastifyInstance } from 'fastify';
import { ProtocolError, type Reading } from '@sem/meter-protocol';
import { IngestError, type DeviceSettings } from '@sem/ingest';
import { errorResponses } from '../errors/api-error.ts';
import { fromIngestError, fromProtocolError } from '../errors/error-handler.ts';
import { acceptOnly } from '../http/content-types.ts';
import { requestIdentity } from '../http/request-identity.ts';

/**
 * Decodes a P1 body for the device (its zone; encrypted Smarty frames with its P1 key); undecodable
 * input becomes 422 (or the given status).
 */
export async function decodeP1(app: FastifyInstance, device: Pick<DeviceSettings, 'id' | 'timeZone'>, text: string, statusOnError?: number): Promise<Reading[]> {
  try {
    return await app.ingest.decodeP1(device, text);
  } catch (err) {
    if (err instanceof ProtocolError) throw fromProtocolError(err, statusOnError);
    if (err instanceof IngestError) throw fromIngestError(err, statusOnError);
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
      const readings = await decodeP1(app, device, request.body);
      return reply.code(201).send(await app.ingest.ingest(device, readings, 'p1', receivedAt, requestIdentity(request)));
    },
  );
}
