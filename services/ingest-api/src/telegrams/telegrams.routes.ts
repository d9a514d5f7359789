import { DEVICE_SECURITY } from '../http/security.ts';
import type { FastifyInstance } from 'fastify';
import { ProtocolError, type Reading } from '@sem/meter-protocol';
import { decodeP1Text, IngestError } from '@sem/ingest';
import { errorResponses } from '../errors/api-error.ts';
import { fromIngestError, fromProtocolError } from '../errors/error-handler.ts';
import { acceptOnly } from '../http/content-types.ts';
import { requestIdentity } from '../http/request-identity.ts';

/** Decodes P1 text with the device's zone; undecodable text becomes 422 (or the given status). */
export function decodeP1(text: string, timeZone: string, statusOnError?: number): Reading[] {
  try {
    return decodeP1Text(text, timeZone);
  } catch (err) {
    if (err instanceof ProtocolError) throw fromProtocolError(err, statusOnError);
    if (err instanceof IngestError) throw fromIngestError(err, statusOnError);
    throw err;
  }
}

export async function telegramsRoutes(app: FastifyInstance): Promise<void> {
  acceptOnly(app, ['text']);
  app.post<{ Body: string }>(
    '/api/v1/telegrams',
    {
      schema: {
        summary: 'Store raw P1 telegrams (DSMR / e-MUCS), decoded with the device time zone',
        tags: ['ingest'],
        security: DEVICE_SECURITY,
        consumes: ['text/plain'],
        body: { type: 'string', minLength: 1, description: 'one or more telegrams, / through !CRC, CRLF or LF' },
        response: { 201: { $ref: 'IngestResult#' }, ...errorResponses(400, 401, 413, 415, 422, 429, 503) },
      },
      preValidation: app.authenticateDevice('bearer'),
    },
    async (request, reply) => {
      const receivedAt = new Date();
      const device = request.device!;
      const readings = decodeP1(request.body, device.timeZone);
      return reply.code(201).send(await app.ingest.ingest(device, readings, 'p1', receivedAt, requestIdentity(request)));
    },
  );
}
