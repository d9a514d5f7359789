import { type Kysely, sql } from 'kysely';

// Consumption per local day of the device's zone (23, 24 or 25 hours) with the UTC instants of its day, ISO week and month,
// and the day's highest quarter-hour and hour of import (capacity tariffs).
const REGISTERS = ['imp_wh', 'imp_t1_wh', 'imp_t2_wh', 'exp_wh', 'exp_t1_wh', 'exp_t2_wh', 'sags_l1', 'sags_l2', 'sags_l3', 'swells_l1', 'swells_l2', 'swells_l3', 'failures', 'long_failures', 'gas_l', 'water_l'];

export async function up(db: Kysely<any>): Promise<void> {
  const registers = REGISTERS.map((c) => `${c} bigint NOT NULL DEFAULT 0`).join(',\n      ');
  await sql`
    CREATE TABLE rollup_day (
      device_id smallint unsigned NOT NULL,
      local_date date NOT NULL,
      day_start datetime NOT NULL,
      day_end datetime NOT NULL,
      week_start datetime NOT NULL,
      month_start datetime NOT NULL,
      ${sql.raw(registers)},
      peak_quarter_wh bigint NOT NULL DEFAULT 0,
      peak_quarter_start datetime NULL,
      peak_hour_wh bigint NOT NULL DEFAULT 0,
      peak_hour_start datetime NULL,
      PRIMARY KEY (device_id, local_date),
      KEY rollup_day_day_start (device_id, day_start)
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_day').execute();
}
