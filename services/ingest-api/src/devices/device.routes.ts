import { DEVICE_SECURITY } from '../http/security.ts';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../errors/api-error.ts';
import { COUNTRY_PROFILES, isCountryCode } from './country-profiles.ts';

/** GET /api/v1/device: who the calling device is and the config it should apply. Never a key. */
export async function deviceRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/v1/device',
    {
      schema: {
        summary: 'The calling device and the configuration it should apply',
        tags: ['device'],
        security: DEVICE_SECURITY,
        response: {
          200: {
            type: 'object',
            required: ['id', 'name', 'timeZone', 'country', 'sendIntervalSeconds', 'tariffNames'],
            properties: {
              id: { type: 'integer' },
              name: { type: 'string' },
              timeZone: { type: 'string', description: 'IANA zone of the meter clock' },
              country: { type: 'string' },
              sendIntervalSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
              tariffNames: { type: 'object', properties: { t1: { type: 'string' }, t2: { type: 'string' } } },
            },
          },
          ...errorResponses(401, 429, 503),
        },
      },
      preValidation: app.authenticateDevice('bearer'),
    },
    async (request) => {
      const d = request.device!;
      const profile = isCountryCode(d.country) ? COUNTRY_PROFILES[d.country] : { t1: 'tariff 1', t2: 'tariff 2' };
      return {
        id: d.id,
        name: d.name,
        timeZone: d.timeZone,
        country: d.country,
        sendIntervalSeconds: d.sendIntervalSeconds,
        tariffNames: { t1: profile.t1, t2: profile.t2 },
      };
    },
  );
}
