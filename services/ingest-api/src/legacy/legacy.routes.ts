import type { FastifyInstance } from 'fastify';
import { IngestError } from '@sem/ingest';
import { errorResponses } from '../errors/api-error.ts';
import { fromIngestError } from '../errors/error-handler.ts';
import { acceptOnly } from '../http/content-types.ts';
import { decodeP1 } from '../telegrams/telegrams.routes.ts';
import { fromSemForm, SEM_FIELDS, type SemField } from './sem-form.ts';
import { requestIdentity } from '../http/request-identity.ts';

const NUMBER = '^-?\\d+(\\.\\d+)?$';

/** Routes for clients already in the field (clients.md), accepted byte for byte. */
export async function legacyRoutes(app: FastifyInstance): Promise<void> {
  acceptOnly(app, ['form']);

  app.post<{ Body: { api_key: string } & Partial<Record<SemField, string>> }>(
    '/post-data.php',
    {
      schema: {
        summary: 'SEM ESP32 firmware (form body with api_key; -1 = absent; kW and kWh)',
        description: 'Answers 201 on success, 401 for a wrong key, 400 for bad data (the original PHP always said 200).',
        tags: ['legacy'],
        consumes: ['application/x-www-form-urlencoded'],
        body: {
          type: 'object',
          required: ['api_key'],
          properties: {
            api_key: { type: 'string', minLength: 1, maxLength: 64 },
            ...Object.fromEntries(SEM_FIELDS.map((f) => [f, { type: 'string', pattern: NUMBER }])),
          },
        },
        response: { 201: { $ref: 'IngestResult#' }, ...errorResponses(400, 401, 413, 415, 422, 429, 503) },
      },
      preValidation: app.authenticateDevice('sem-form'),
    },
    async (request, reply) => {
      const receivedAt = new Date();
      const result = await app.ingest.ingest(request.device!, [fromSemForm(request.body)], 'sem', receivedAt, requestIdentity(request));
      return reply.code(201).send(result);
    },
  );

  app.post<{ Body: { telegram: string } }>(
    '/api/v1/datalogger/dsmrreading',
    {
      schema: {
        summary: 'dsmr-reader remote datalogger (form field telegram)',
        description:
          'Auth: X-AUTHKEY or Authorization: Token. Status classes as dsmr-reader: 201 stored, 403 bad key, ' +
          '400 invalid form, 500 telegram failed to parse (code checksum_mismatch / invalid_frame), 503 database away.',
        tags: ['legacy'],
        consumes: ['application/x-www-form-urlencoded'],
        body: { type: 'object', required: ['telegram'], properties: { telegram: { type: 'string', minLength: 1 } } },
        response: { 201: { $ref: 'IngestResult#' }, ...errorResponses(400, 403, 413, 415, 422, 429, 500, 503) },
      },
      preValidation: app.authenticateDevice('dsmr-reader'),
    },
    async (request, reply) => {
      const receivedAt = new Date();
      const device = request.device!;
      // dsmr-reader answers 500 when a telegram does not parse; its script only looks at the status class.
      const readings = await decodeP1(app, device, request.body.telegram, 500);
      try {
        return reply.code(201).send(await app.ingest.ingest(device, readings, 'dsmr-reader', receivedAt, requestIdentity(request)));
      } catch (err) {
        // A refused reading (e.g. clock a day ahead) is "invalid data" to dsmr-reader: 400.
        if (err instanceof IngestError && err.kind === 'invalid-reading') throw fromIngestError(err, 400);
        throw err;
      }
    },
  );
}
