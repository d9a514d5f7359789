import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, type Kysely, Migrator, type MigrationResult } from 'kysely';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
}

/** The one migration entry point: the CLI, the test setup and the app all call this. Throws on failure. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResult[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const message = failed ? `migration ${failed.migrationName} failed` : 'migration failed';
    throw new Error(message, { cause: error });
  }
  return results ?? [];
}

/** Names of migrations not yet applied (for readiness and the CLI's --check). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
