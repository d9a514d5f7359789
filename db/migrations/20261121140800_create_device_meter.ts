import { type Kysely, sql } from 'kysely';

// Which physical meter(s) a device has reported (equipment id, header, protocol version), with first/last sighting.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE device_meter (
      device_id smallint unsigned NOT NULL,
      meter_id varchar(96) NOT NULL,
      protocol enum('json','p1','han') NOT NULL,
      header varchar(96) NULL,
      version varchar(32) NULL,
      vendor varchar(64) NULL,
      first_seen_at datetime(3) NOT NULL,
      last_seen_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id, meter_id),
      CONSTRAINT device_meter_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_meter').execute();
}
