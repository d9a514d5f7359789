import { type Kysely, sql } from 'kysely';

// Entries of the long power failure log 1-0:99.97.0; every telegram repeats the log, the key dedupes it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE power_failure_event (
      device_id smallint unsigned NOT NULL,
      ended_at datetime NOT NULL,
      duration_s int unsigned NOT NULL,
      first_seen_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id, ended_at),
      CONSTRAINT power_failure_event_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('power_failure_event').execute();
}
