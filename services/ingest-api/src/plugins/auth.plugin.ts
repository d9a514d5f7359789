import fp from 'fastify-plugin';
import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import { secretsEqual, type AuthDevice } from '@sem/ingest';
import { cameThroughOps } from '../http/ops-access.ts';
import { AuthFailureThrottle } from '../http/auth-throttle.ts';

/**
 * How a client presents its key:
 * - 'bearer': `Authorization: Bearer <key>` or `X-API-Key: <key>` (our JSON, telegram and frame routes);
 * - 'dsmr-reader': `X-AUTHKEY: <key>` or `Authorization: Token <key>`, refused with 403 as dsmr-reader does;
 * - 'sem-form': the `api_key` field of the SEM firmware's form body.
 */
export type KeyStyle = 'bearer' | 'dsmr-reader' | 'sem-form';

declare module 'fastify' {
  interface FastifyRequest {
    device: AuthDevice | null;
  }
  interface FastifyInstance {
    authenticateDevice(style: KeyStyle): preValidationAsyncHookHandler;
    requireAdmin: preValidationAsyncHookHandler;
    /** /metrics and /docs/json: the internal ops port, or the admin token on the device ports. */
    requireOps: preValidationAsyncHookHandler;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function presentedKey(request: FastifyRequest, style: KeyStyle): string | undefined {
  const auth = header(request, 'authorization');
  const scheme = auth ? /^(Bearer|Token)\s+(\S+)\s*$/i.exec(auth) : null;
  if (style === 'sem-form') {
    const body = request.body as { api_key?: unknown } | undefined;
    return typeof body?.api_key === 'string' ? body.api_key : undefined;
  }
  if (style === 'dsmr-reader') return header(request, 'x-authkey') ?? scheme?.[2];
  return scheme?.[2] ?? header(request, 'x-api-key');
}

export const authPlugin = fp<{ adminToken: string | undefined; authFailuresPerMinute: number }>(
  async (app, opts) => {
    app.decorateRequest('device', null);
    const throttle = new AuthFailureThrottle(opts.authFailuresPerMinute);
    app.decorate('authenticateDevice', (style: KeyStyle): preValidationAsyncHookHandler => {
      const refuse = (message: string) =>
        style === 'dsmr-reader' ? new ApiError('forbidden', message, { statusCode: 403 }) : new ApiError('unauthorized', message);
      return async (request) => {
        const wait = throttle.retryAfterS(request.ip);
        if (wait !== undefined) throw new ApiError('rate_limited', 'too many failed authentications from this address', { retryAfterS: wait });
        const fail = (message: string) => {
          throttle.fail(request.ip);
          return refuse(message);
        };
        const key = presentedKey(request, style);
        if (!key) throw fail('no API key given');
        if (key.length > 200) throw fail('unknown or revoked API key');
        // The engine's look-up keeps found keys a few seconds; a change made in this process drops them at once.
        const device = await app.ingest.devices.byKey(key);
        if (!device) throw fail('unknown or revoked API key');
        request.device = device;
      };
    });
    const requireAdmin = async (request: FastifyRequest, what = 'admin token required') => {
      const auth = header(request, 'authorization');
      const token = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
      if (!opts.adminToken) throw new ApiError('unauthorized', 'the admin API is disabled (SEM_ADMIN_TOKEN is not set)');
      if (!token || !secretsEqual(token, opts.adminToken)) throw new ApiError('unauthorized', what);
    };
    app.decorate('requireAdmin', async (request: FastifyRequest) => requireAdmin(request));
    app.decorate('requireOps', async (request: FastifyRequest) => {
      if (!cameThroughOps(request)) await requireAdmin(request, 'admin token required (or use the internal ops port, SEM_OPS_PORT)');
    });
  },
  { name: 'sem-auth', dependencies: ['sem-ingest'] },
);
