import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import { ApiError } from '../errors/api-error.ts';

/**
 * Per-device rate limit (@fastify/rate-limit, in-memory store). It runs as a preHandler, after the
 * device key was checked, so the key is the device; unauthenticated routes fall back to the client IP.
 */
export const rateLimitPlugin = fp<{ perMinute: number }>(
  async (app, opts) => {
    await app.register(rateLimit, {
      global: true,
      hook: 'preHandler',
      max: opts.perMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.device ? `device:${request.device.id}` : `ip:${request.ip}`),
      errorResponseBuilder: (_request, context) =>
        new ApiError('rate_limited', `rate limit of ${context.max} requests per ${context.after} exceeded`, {
          retryAfterS: Math.max(1, Math.ceil(context.ttl / 1000)),
        }),
    });
  },
  { name: 'sem-rate-limit', dependencies: ['sem-auth'] },
);
