import { type Kysely, sql } from 'kysely';

// What a device's meter needs and its frames do not say: Kamstrup's scalers (energy 10 Wh or Wh,
// current 0.01 A or mA on CT meters) and a clock rule. NULL: the country and vendor default.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE device_meter_config (
      device_id smallint unsigned NOT NULL,
      kamstrup_energy_scaler tinyint NULL,
      kamstrup_current_scaler tinyint NULL,
      clock_policy enum('deviation','local','standard') NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id),
      CONSTRAINT device_meter_config_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_meter_config').execute();
}
