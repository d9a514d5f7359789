// The stack's migrate step: wait for MariaDB, then run db's migrate CLI (schema owner; refreshes grants).
// One-shot: exits 0 when the schema is current, non-zero otherwise (the restart policy retries).
import { readDbCliEnv } from '@sem/db';
import { waitForDb } from './wait-for-db.ts';

const env = readDbCliEnv();
try {
  await waitForDb(env.owner);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
await import('@sem/db/migrate-cli');
