// `npm run migrate`: migrations as the schema owner, then refresh table grants (the owner holds GRANT OPTION).
import { createConnection } from 'mysql2/promise';
import { createKysely } from '../connection.ts';
import { applyTableGrants } from '../grants.ts';
import { migrateToLatest } from '../migrate.ts';
import { readDbCliEnv } from './db-cli.env.ts';

const env = readDbCliEnv();
const db = createKysely(env.owner);
try {
  const results = await migrateToLatest(db);
  for (const r of results) console.log(`${r.status.toLowerCase()}: ${r.migrationName}`);
  if (results.length === 0) console.log('schema is up to date');
  if (env.grantTo.apiUser || env.grantTo.readonlyUser) {
    const conn = await createConnection({ ...env.owner });
    try {
      await applyTableGrants(conn, { database: env.database, ...env.grantTo });
    } finally {
      await conn.end();
    }
  }
} catch (err) {
  console.error(err instanceof Error ? `${err.message}${err.cause ? `: ${String(err.cause)}` : ''}` : err);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
