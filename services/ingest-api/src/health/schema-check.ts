import type { Kysely } from 'kysely';
import { pendingMigrations } from '@sem/db';

/**
 * Migrations the database still lacks, looked up until the first time none are: a schema never goes
 * back, so readiness is then just the ping again.
 */
export function schemaCheck(db: Kysely<any>): () => Promise<string[]> {
  let current = false;
  return async () => {
    if (current) return [];
    const pending = await pendingMigrations(db);
    current = pending.length === 0;
    return pending;
  };
}
