import { type Kysely, sql } from 'kysely';

// Every identity a device's meter has shown, with or without an equipment id: the P1 header line
// (/KAM5…, /Lux5\…), the DSMR/e-MUCS version, the HAN list version id (Kamstrup_V0001), the vendor.
// One row per distinct combination (identity_hash = SHA-256 over the fields), first and last sighting:
// a meter swap or a firmware upgrade shows as a new row. device_meter keeps the meters that send an id.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE device_identity (
      device_id smallint unsigned NOT NULL,
      identity_hash binary(32) NOT NULL,
      protocol enum('json','p1','han') NOT NULL,
      meter_id varchar(96) NULL,
      header varchar(96) NULL,
      version varchar(32) NULL,
      vendor varchar(64) NULL,
      first_seen_at datetime(3) NOT NULL,
      last_seen_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id, identity_hash),
      CONSTRAINT device_identity_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_identity').execute();
}
