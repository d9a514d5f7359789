import { type Kysely, sql } from 'kysely';

// Where the span the retention job cut begins: the time of the device's oldest raw reading (kept_from) and of
// its oldest M-Bus capture over all channels (kept_mbus_from), which the job keeps. Rows older than that are
// history the rollups never held (an import): they are rolled up; rows between it and purged_before are not
// (the rollups hold that time). NULL: cut before these columns existed, when the oldest rows were not kept
// (history older than the cut is then not rolled up).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE rollup_purge ADD COLUMN kept_from datetime(3) NULL, ADD COLUMN kept_mbus_from datetime(3) NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE rollup_purge DROP COLUMN kept_from, DROP COLUMN kept_mbus_from`.execute(db);
}
