import { type Kysely, sql } from 'kysely';

// One row per (device, meter time UTC). Integer fixed point at meter resolution; see docs/storage.md.
// Columns are spelled out here on purpose: a migration never imports app code.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE reading (
      device_id smallint unsigned NOT NULL,
      meter_time datetime(3) NOT NULL,
      received_at datetime(3) NOT NULL,
      source tinyint unsigned NOT NULL,
      energy_import_wh int unsigned NULL,
      energy_import_t1_wh int unsigned NULL,
      energy_import_t2_wh int unsigned NULL,
      energy_export_wh int unsigned NULL,
      energy_export_t1_wh int unsigned NULL,
      energy_export_t2_wh int unsigned NULL,
      energy_reactive_import_varh int unsigned NULL,
      energy_reactive_export_varh int unsigned NULL,
      power_import_w mediumint unsigned NULL,
      power_export_w mediumint unsigned NULL,
      power_reactive_import_var mediumint unsigned NULL,
      power_reactive_export_var mediumint unsigned NULL,
      power_import_l1_w mediumint unsigned NULL,
      power_import_l2_w mediumint unsigned NULL,
      power_import_l3_w mediumint unsigned NULL,
      power_export_l1_w mediumint unsigned NULL,
      power_export_l2_w mediumint unsigned NULL,
      power_export_l3_w mediumint unsigned NULL,
      voltage_l1_dv smallint unsigned NULL,
      voltage_l2_dv smallint unsigned NULL,
      voltage_l3_dv smallint unsigned NULL,
      current_l1_ca mediumint NULL,
      current_l2_ca mediumint NULL,
      current_l3_ca mediumint NULL,
      current_neutral_ca mediumint NULL,
      power_factor_milli smallint NULL,
      power_factor_l1_milli smallint NULL,
      power_factor_l2_milli smallint NULL,
      power_factor_l3_milli smallint NULL,
      tariff tinyint unsigned NULL,
      power_failures mediumint unsigned NULL,
      long_power_failures mediumint unsigned NULL,
      voltage_sags_l1 mediumint unsigned NULL,
      voltage_sags_l2 mediumint unsigned NULL,
      voltage_sags_l3 mediumint unsigned NULL,
      voltage_swells_l1 mediumint unsigned NULL,
      voltage_swells_l2 mediumint unsigned NULL,
      voltage_swells_l3 mediumint unsigned NULL,
      demand_current_average_w mediumint unsigned NULL,
      breaker_state tinyint unsigned NULL,
      limiter_threshold_w mediumint unsigned NULL,
      fuse_threshold_a smallint unsigned NULL,
      power_reactive_import_l1_var mediumint unsigned NULL,
      power_reactive_import_l2_var mediumint unsigned NULL,
      power_reactive_import_l3_var mediumint unsigned NULL,
      power_reactive_export_l1_var mediumint unsigned NULL,
      power_reactive_export_l2_var mediumint unsigned NULL,
      power_reactive_export_l3_var mediumint unsigned NULL,
      PRIMARY KEY (device_id, meter_time),
      CONSTRAINT reading_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reading').execute();
}
