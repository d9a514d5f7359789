import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { createKysely, type Database, type DbConnectionConfig } from '@sem/db';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
  }
}

/** The Kysely instance over one mysql2 pool; the pool connects lazily and is closed on app close. */
export const dbPlugin = fp<{ connection: DbConnectionConfig; db?: Kysely<Database> | undefined }>(
  async (app, opts) => {
    const db = opts.db ?? createKysely(opts.connection);
    app.decorate('db', db);
    // A db handed in by the caller (tests) stays the caller's to close.
    if (!opts.db) app.addHook('onClose', async () => db.destroy());
  },
  { name: 'sem-db' },
);
