import { type Kysely, sql } from 'kysely';

// The minute rollup also keeps the energy imported and exported in each minute (Wh, spread from register
// differences like the quarter-hours: a quarter's minutes add up to it). Names follow QUARTER_COLUMNS in
// db/src/rollup-columns.ts (spelled out: a migration never imports app code). Minutes written before this
// migration keep 0 (their energy is in rollup_quarter, hour and day); instant on InnoDB (no table rebuild).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE rollup_minute ADD COLUMN imp_wh bigint NOT NULL DEFAULT 0, ADD COLUMN exp_wh bigint NOT NULL DEFAULT 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE rollup_minute DROP COLUMN imp_wh, DROP COLUMN exp_wh`.execute(db);
}
