import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { JSON_SCHEMA_OPTIONS, jsonReadingSchema, type WriteStep } from '@sem/ingest';
import type { AppConfig } from './config.ts';
import { errorResponseSchema } from './errors/api-error.ts';
import { registerErrorHandler } from './errors/error-handler.ts';
import { dbPlugin } from './plugins/db.plugin.ts';
import { authPlugin } from './plugins/auth.plugin.ts';
import { metricsPlugin } from './plugins/metrics.plugin.ts';
import { rateLimitPlugin } from './plugins/rate-limit.plugin.ts';
import { ingestPlugin } from './plugins/ingest.plugin.ts';
import { ingestResultSchema } from './http/ingest-result.schema.ts';
import { readingsRoutes } from './readings/readings.routes.ts';
import { telegramsRoutes } from './telegrams/telegrams.routes.ts';
import { framesRoutes } from './frames/frames.routes.ts';
import { legacyRoutes } from './legacy/legacy.routes.ts';
import { deviceRoutes } from './devices/device.routes.ts';
import { adminRoutes } from './admin/admin.routes.ts';
import { healthRoutes } from './health/health.routes.ts';
import { requestLogFields } from './http/log-redaction.ts';

export interface BuildOptions {
  /** Use this Kysely instead of opening a pool from config.db (the caller closes it). */
  db?: Kysely<Database>;
  /** Extra steps for every write transaction (e.g. rollups), run after the built-in ones. */
  writeSteps?: readonly WriteStep[];
  /** Pino options override (tests pass false to silence). */
  logger?: boolean | object;
  /** Where the production logger writes (default stdout); tests capture it to check what is logged. */
  logStream?: { write(line: string): void };
}

const HTTP_REQUEST_TIMEOUT_MS = 30_000;
const HTTP_HEADERS_TIMEOUT_MS = 10_000;
const HTTP_KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** Builds the app without listening: tests use inject(), server.ts listens. */
export async function buildApp(config: AppConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-authkey"]'],
      serializers: { req: requestLogFields },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: config.bodyLimitBytes,
    // A slow or stalled client cannot hold a socket for ever: headers within 10 s, the whole request within 30 s;
    // an idle keep-alive connection is kept 72 s (longer than the usual 60 s of proxies and device stacks).
    requestTimeout: HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: HTTP_KEEP_ALIVE_TIMEOUT_MS,
    trustProxy: config.http.trustProxy,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: JSON_SCHEMA_OPTIONS },
  });

  // Fastify has no option for it: set on the Node server it created.
  app.server.headersTimeout = HTTP_HEADERS_TIMEOUT_MS;

  // On shutdown, answers still in flight close their keep-alive connection so close() does not wait for idle sockets.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  registerErrorHandler(app, (reason, route) => {
    app.metrics?.rejects.inc({ reason, route });
    app.rejectCounter?.count(reason);
  });
  app.addSchema(errorResponseSchema);
  app.addSchema(ingestResultSchema);
  app.addSchema(jsonReadingSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'SEM ingest API', version: '1.0.0', description: 'Smart-meter readings in; see services/ingest-api/README.md.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'per-device key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'per-device key' },
          adminBearer: { type: 'http', scheme: 'bearer', description: 'SEM_ADMIN_TOKEN' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  await app.register(metricsPlugin);
  await app.register(dbPlugin, { connection: config.db, db: options.db });
  // The write engine (@sem/ingest): rollups journalled with the raw rows, written every SEM_ROLLUP_FLUSH_MS.
  await app.register(ingestPlugin, { config, writeSteps: options.writeSteps });
  await app.register(authPlugin, { adminToken: config.adminToken, authFailuresPerMinute: config.authFailuresPerMinute });
  await app.register(rateLimitPlugin, { perMinute: config.rateLimitPerMinute });

  await app.register(healthRoutes);
  await app.register(readingsRoutes, { maxReadingsPerRequest: config.maxReadingsPerRequest });
  await app.register(telegramsRoutes);
  await app.register(framesRoutes);
  await app.register(legacyRoutes);
  await app.register(deviceRoutes);
  await app.register(adminRoutes);

  app.get('/docs/json', { config: { rateLimit: false }, preValidation: app.requireOps, schema: { hide: true } }, async () => app.swagger());
  return app;
}
