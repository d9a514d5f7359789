import { type Kysely, sql } from 'kysely';

// Energy per 15 minutes (Wh, from register differences): the capacity tariff's demand is imp_wh * 4 / 1000 kW.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE rollup_quarter (
      device_id smallint unsigned NOT NULL,
      bucket_start datetime NOT NULL,
      local_date date NOT NULL,
      imp_wh bigint NOT NULL DEFAULT 0,
      exp_wh bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (device_id, bucket_start),
      KEY rollup_quarter_local_date (device_id, local_date)
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_quarter').execute();
}
