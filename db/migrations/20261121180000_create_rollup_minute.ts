import { type Kysely, sql } from 'kysely';

// Per-minute average (sum/n), minimum and maximum of the instantaneous quantities; kept for good.
// Names follow services/ingest-api/src/rollups/rollup-columns.ts STAT_COLUMNS (spelled out: no app imports).
const STATS = ['p_imp', 'p_exp', 'p_imp_l1', 'p_imp_l2', 'p_imp_l3', 'p_exp_l1', 'p_exp_l2', 'p_exp_l3', 'u_l1', 'u_l2', 'u_l3', 'i_l1', 'i_l2', 'i_l3'];

export async function up(db: Kysely<any>): Promise<void> {
  const stats = STATS.map(
    (c) => `${c}_sum double NOT NULL DEFAULT 0, ${c}_n int unsigned NOT NULL DEFAULT 0, ${c}_min float NULL, ${c}_max float NULL`,
  ).join(',\n      ');
  await sql`
    CREATE TABLE rollup_minute (
      device_id smallint unsigned NOT NULL,
      bucket_start datetime NOT NULL,
      ${sql.raw(stats)},
      PRIMARY KEY (device_id, bucket_start)
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_minute').execute();
}
