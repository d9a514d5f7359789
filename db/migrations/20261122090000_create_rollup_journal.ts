import { type Kysely, sql } from 'kysely';

// Rollup changes committed with their readings but not yet added to the rollup tables (deferred rollups):
// a writer adds them within seconds and deletes the row in the same transaction; another writer replays
// rows left by one that stopped.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE rollup_journal (
      id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
      created_at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      payload longtext NOT NULL,
      KEY rollup_journal_created (created_at)
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_journal').execute();
}
