import { type Kysely, sql } from 'kysely';

// Objects no mapping knows, and meter text messages, kept as sent; a value repeated by later telegrams is stored once.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE raw_object (
      device_id smallint unsigned NOT NULL,
      obis varchar(32) NOT NULL,
      value_hash binary(32) NOT NULL,
      value text NOT NULL,
      first_seen_at datetime(3) NOT NULL,
      last_seen_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id, obis, value_hash),
      CONSTRAINT raw_object_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('raw_object').execute();
}
