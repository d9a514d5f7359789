import { type Kysely, sql } from 'kysely';

// Hours (level 1, bucket = UTC hour start) and local days (level 2, bucket = day_start) that another system's
// statistics filled, with the amounts they added: readings imported later for that time take them back out
// (readings win, nothing is counted twice). Names follow REGISTER_COLUMNS in db/src/rollup-columns.ts.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE rollup_statistic_fill (
      device_id smallint unsigned NOT NULL,
      level tinyint unsigned NOT NULL,
      bucket_start datetime NOT NULL,
      local_date date NOT NULL,
      imp_wh bigint NOT NULL, imp_t1_wh bigint NOT NULL, imp_t2_wh bigint NOT NULL,
      exp_wh bigint NOT NULL, exp_t1_wh bigint NOT NULL, exp_t2_wh bigint NOT NULL,
      gas_l bigint NOT NULL,
      PRIMARY KEY (device_id, level, bucket_start)
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_statistic_fill').execute();
}
