import { type Kysely, sql } from 'kysely';

// M-Bus sub-meters (gas, water, heat) keep their own capture time; a repeated capture is stored once.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE mbus_reading (
      device_id smallint unsigned NOT NULL,
      channel tinyint unsigned NOT NULL,
      captured_at datetime(3) NOT NULL,
      received_at datetime(3) NOT NULL,
      device_type tinyint unsigned NULL,
      equipment_id varchar(96) NULL,
      value decimal(15,4) NOT NULL,
      unit varchar(8) NULL,
      valve_position tinyint unsigned NULL,
      PRIMARY KEY (device_id, channel, captured_at),
      CONSTRAINT mbus_reading_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mbus_reading').execute();
}
