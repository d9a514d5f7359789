import { type Kysely, sql } from 'kysely';

// A device's tariff from a local date on (versions: the newest valid_from not after a day applies to it).
// Prices per kWh in the tariff's currency; a day/night split by local hour on weekdays, weekend all day.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE tariff (
      id int unsigned NOT NULL AUTO_INCREMENT,
      device_id smallint unsigned NOT NULL,
      valid_from date NOT NULL,
      currency char(3) NOT NULL DEFAULT 'EUR',
      import_day_price decimal(10,6) NOT NULL,
      import_night_price decimal(10,6) NULL,
      import_weekend_price decimal(10,6) NULL,
      day_start_hour tinyint unsigned NOT NULL DEFAULT 7,
      day_end_hour tinyint unsigned NOT NULL DEFAULT 22,
      price_series varchar(32) NULL,
      dynamic_factor decimal(10,6) NOT NULL DEFAULT 1,
      dynamic_markup decimal(10,6) NOT NULL DEFAULT 0,
      export_price decimal(10,6) NOT NULL DEFAULT 0,
      fixed_monthly_fee decimal(10,4) NOT NULL DEFAULT 0,
      capacity_kind enum('none','be','no') NOT NULL DEFAULT 'none',
      capacity_price_kw_year decimal(10,4) NULL,
      capacity_min_kw decimal(6,3) NOT NULL DEFAULT 2.5,
      created_at datetime(3) NOT NULL,
      updated_at datetime(3) NOT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY tariff_device_valid_from (device_id, valid_from),
      CONSTRAINT tariff_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tariff').execute();
}
