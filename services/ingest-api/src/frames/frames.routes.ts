import { DEVICE_SECURITY } from '../http/security.ts';
import type { FastifyInstance } from 'fastify';
import { ApiError, errorResponses } from '../errors/api-error.ts';
import { acceptOnly } from '../http/content-types.ts';
import { requestIdentity } from '../http/request-identity.ts';

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
      const readings = await app.ingest.decodeHan(device, Buffer.from(hex, 'hex'));
      return reply.code(201).send(await app.ingest.ingest(device, readings, 'han', receivedAt, requestIdentity(request)));
    },
  );
}
