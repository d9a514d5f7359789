// `npm run db:bootstrap`: run once as the database admin; creates the database, three users, schema and grants.
import { bootstrapDatabase } from '../bootstrap.ts';
import { readBootstrapEnv } from './db-cli.env.ts';

const env = readBootstrapEnv();
try {
  await bootstrapDatabase(env.admin, env.options);
  console.log(`database ${env.options.database} ready: owner ${env.options.owner.user}, api ${env.options.api.user}, read-only ${env.options.readonly.user}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
