import { type Kysely, sql } from 'kysely';

// The local-day rollup also keeps the minute statistics (sum, count, minimum, maximum) of the instantaneous quantities.
// Names follow STAT_COLUMNS in db/src/rollup-columns.ts (spelled out: a migration never imports app code).
const STATS = ['p_imp', 'p_exp', 'p_imp_l1', 'p_imp_l2', 'p_imp_l3', 'p_exp_l1', 'p_exp_l2', 'p_exp_l3', 'u_l1', 'u_l2', 'u_l3', 'i_l1', 'i_l2', 'i_l3'];

export async function up(db: Kysely<any>): Promise<void> {
  const columns = STATS.map((c) => `ADD COLUMN ${c}_sum double NOT NULL DEFAULT 0, ADD COLUMN ${c}_n int unsigned NOT NULL DEFAULT 0, ADD COLUMN ${c}_min float NULL, ADD COLUMN ${c}_max float NULL`).join(',\n    ');
  await sql`ALTER TABLE rollup_day ${sql.raw(columns)}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const columns = STATS.map((c) => `DROP COLUMN ${c}_sum, DROP COLUMN ${c}_n, DROP COLUMN ${c}_min, DROP COLUMN ${c}_max`).join(', ');
  await sql`ALTER TABLE rollup_day ${sql.raw(columns)}`.execute(db);
}
