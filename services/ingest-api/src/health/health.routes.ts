import type { FastifyInstance } from 'fastify';
import { ApiError, errorResponses } from '../errors/api-error.ts';
import { dbUnavailable } from '@sem/ingest';
import { fromIngestError } from '../errors/error-handler.ts';
import { schemaCheck } from './schema-check.ts';

/** Seconds before asking again while migrations are pending (a migrate step is usually running). */
const MIGRATIONS_RETRY_AFTER_S = 10;

const ok = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } as const;

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const pendingMigrations = schemaCheck(app.db);
  app.get('/healthz', {
    config: { rateLimit: false },
    schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: ok } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    config: { rateLimit: false },
    schema: {
      summary: 'Readiness: the database answers and has every migration of this code',
      description: '503 service_unavailable when the database is away, or (details.reason migrations_pending, details.pending) when its schema is older than the code.',
      tags: ['operations'],
      response: { 200: ok, ...errorResponses(503) },
    },
  }, async () => {
    let pending: string[];
    try {
      await app.ingest.ping();
      pending = await pendingMigrations();
    } catch (err) {
      throw fromIngestError(dbUnavailable(err));
    }
    if (pending.length > 0) {
      throw new ApiError('service_unavailable', `the database schema is older than this code: ${pending.length} migration(s) pending`, {
        retryAfterS: MIGRATIONS_RETRY_AFTER_S,
        details: { reason: 'migrations_pending', pending },
      });
    }
    return { status: 'ok' as const };
  });
}
