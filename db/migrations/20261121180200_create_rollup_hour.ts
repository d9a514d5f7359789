import { type Kysely, sql } from 'kysely';

// Per UTC hour: the minute statistics again (for long ranges) and consumption per register, with the local date and hour.
const STATS = ['p_imp', 'p_exp', 'p_imp_l1', 'p_imp_l2', 'p_imp_l3', 'p_exp_l1', 'p_exp_l2', 'p_exp_l3', 'u_l1', 'u_l2', 'u_l3', 'i_l1', 'i_l2', 'i_l3'];
const REGISTERS = ['imp_wh', 'imp_t1_wh', 'imp_t2_wh', 'exp_wh', 'exp_t1_wh', 'exp_t2_wh', 'sags_l1', 'sags_l2', 'sags_l3', 'swells_l1', 'swells_l2', 'swells_l3', 'failures', 'long_failures', 'gas_l', 'water_l'];

export async function up(db: Kysely<any>): Promise<void> {
  const stats = STATS.map(
    (c) => `${c}_sum double NOT NULL DEFAULT 0, ${c}_n int unsigned NOT NULL DEFAULT 0, ${c}_min float NULL, ${c}_max float NULL`,
  ).join(',\n      ');
  const registers = REGISTERS.map((c) => `${c} bigint NOT NULL DEFAULT 0`).join(',\n      ');
  await sql`
    CREATE TABLE rollup_hour (
      device_id smallint unsigned NOT NULL,
      bucket_start datetime NOT NULL,
      local_date date NOT NULL,
      local_hour tinyint unsigned NOT NULL,
      ${sql.raw(stats)},
      ${sql.raw(registers)},
      PRIMARY KEY (device_id, bucket_start),
      KEY rollup_hour_local_date (device_id, local_date)
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_hour').execute();
}
