import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../errors/api-error.ts';
import {
  createDevice,
  deleteDevice,
  getDevice,
  listDevices,
  revokeKeys,
  rotateKey,
  setDeviceConfig,
  type DeviceConfigInput,
} from '../devices/devices.service.ts';
import { tariffRoutes } from './tariffs/tariffs.routes.ts';
import { deviceConfigProperties, deviceViewSchema, idParams, issuedKeySchema } from './admin.schemas.ts';

type IdParams = { Params: { id: string } };
const security = [{ adminBearer: [] }];
const tags = ['admin'];

/** The admin API: the same operations as `npm run devices`, behind `Authorization: Bearer $SEM_ADMIN_TOKEN`. */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  app.addSchema(deviceViewSchema);
  app.addSchema(issuedKeySchema);
  app.addHook('preValidation', app.requireAdmin);

  app.get('/api/v1/admin/devices', {
    schema: { summary: 'List devices and their key summaries', tags, security, response: { 200: { type: 'array', items: { $ref: 'DeviceView#' } }, ...errorResponses(401, 503) } },
  }, async () => listDevices(app.db));

  app.post<{ Body: DeviceConfigInput & { name: string; legacyKey?: boolean } }>('/api/v1/admin/devices', {
    schema: {
      summary: 'Create a device and its first key (shown once)',
      tags,
      security,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, legacyKey: { type: 'boolean', description: '19-character key for the SEM firmware' }, ...deviceConfigProperties },
      },
      response: {
        201: { type: 'object', required: ['device', 'key'], properties: { device: { $ref: 'DeviceView#' }, key: { $ref: 'IssuedKey#' } } },
        ...errorResponses(400, 401, 409, 503),
      },
    },
  }, async (request, reply) => {
    const { legacyKey, ...input } = request.body;
    return reply.code(201).send(await createDevice(app.db, { ...input, keyFormat: legacyKey ? 'legacy' : 'token' }));
  });

  app.get<IdParams>('/api/v1/admin/devices/:id', {
    schema: { summary: 'One device', tags, security, params: idParams, response: { 200: { $ref: 'DeviceView#' }, ...errorResponses(400, 401, 404, 503) } },
  }, async (request) => getDevice(app.db, Number(request.params.id)));

  app.patch<IdParams & { Body: DeviceConfigInput }>('/api/v1/admin/devices/:id', {
    schema: {
      summary: 'Change name, time zone, country, send interval or HAN keys',
      tags,
      security,
      params: idParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, ...deviceConfigProperties } },
      response: { 200: { $ref: 'DeviceView#' }, ...errorResponses(400, 401, 404, 503) },
    },
  }, async (request) => setDeviceConfig(app.db, Number(request.params.id), request.body));

  app.delete<IdParams>('/api/v1/admin/devices/:id', {
    schema: { summary: 'Delete a device and all its data', tags, security, params: idParams, response: { 204: { type: 'null' }, ...errorResponses(400, 401, 404, 503) } },
  }, async (request, reply) => {
    await deleteDevice(app.db, Number(request.params.id));
    return reply.code(204).send();
  });

  app.post<IdParams & { Body: { legacyKey?: boolean; keepOld?: boolean } }>('/api/v1/admin/devices/:id/keys', {
    schema: {
      summary: 'Rotate: issue a new key (shown once) and revoke the others unless keepOld',
      tags,
      security,
      params: idParams,
      body: { type: 'object', additionalProperties: false, properties: { legacyKey: { type: 'boolean' }, keepOld: { type: 'boolean' } } },
      response: { 201: { $ref: 'IssuedKey#' }, ...errorResponses(400, 401, 404, 503) },
    },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const format = body.legacyKey === undefined ? undefined : body.legacyKey ? 'legacy' : 'token';
    return reply.code(201).send(await rotateKey(app.db, Number(request.params.id), { format, keepOld: body.keepOld }));
  });

  app.post<IdParams & { Body: { keyId?: number } }>('/api/v1/admin/devices/:id/revoke', {
    schema: {
      summary: 'Revoke one key (keyId) or all keys of the device',
      tags,
      security,
      params: idParams,
      body: { type: 'object', additionalProperties: false, properties: { keyId: { type: 'integer', minimum: 1 } } },
      response: { 200: { type: 'object', required: ['revoked'], properties: { revoked: { type: 'integer' } } }, ...errorResponses(400, 401, 404, 503) },
    },
  }, async (request) => ({ revoked: await revokeKeys(app.db, Number(request.params.id), request.body?.keyId) }));

  await app.register(tariffRoutes);
}
