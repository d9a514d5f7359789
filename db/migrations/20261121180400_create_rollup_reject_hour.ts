import { type Kysely, sql } from 'kysely';

// Rejected requests/telegrams counted per UTC hour and reason (device_id 0 = not identified), for the fleet dashboard.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE rollup_reject_hour (
      bucket_start datetime NOT NULL,
      device_id smallint unsigned NOT NULL DEFAULT 0,
      reason varchar(64) NOT NULL,
      rejects int unsigned NOT NULL DEFAULT 0,
      PRIMARY KEY (bucket_start, device_id, reason)
    ) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_reject_hour').execute();
}
