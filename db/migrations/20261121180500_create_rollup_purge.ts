import { type Kysely, sql } from 'kysely';

// Per device, the time before which the retention job removed raw rows: later-arriving rows older than that are not rolled up.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE rollup_purge (
      device_id smallint unsigned NOT NULL PRIMARY KEY,
      purged_before datetime(3) NOT NULL,
      purged_at datetime(3) NOT NULL
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_purge').execute();
}
