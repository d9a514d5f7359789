import { type Kysely, sql } from 'kysely';

// The AES-128-GCM key of an encrypted P1 meter (Luxembourg Smarty; the grid operator gives one per meter),
// and an authentication key where the operator uses its own (Austrian Sagemcom); NULL = the Smarty one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE device_p1_key (
      device_id smallint unsigned NOT NULL,
      encryption_key varbinary(32) NOT NULL,
      authentication_key varbinary(32) NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id),
      CONSTRAINT device_p1_key_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_p1_key').execute();
}
