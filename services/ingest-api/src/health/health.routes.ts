import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../errors/api-error.ts';
import { dbUnavailable } from '../errors/db-errors.ts';
import { pingDatabase } from '../write/write-batch.ts';

const ok = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } as const;

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', {
    config: { rateLimit: false },
    schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: ok } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    config: { rateLimit: false },
    schema: { summary: 'Readiness: the database answers', tags: ['operations'], response: { 200: ok, ...errorResponses(503) } },
  }, async () => {
    try {
      await pingDatabase(app.db);
    } catch (err) {
      throw dbUnavailable(err);
    }
    return { status: 'ok' as const };
  });
}
