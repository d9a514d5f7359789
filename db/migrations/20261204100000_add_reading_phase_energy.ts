import { type Kysely, sql } from 'kysely';

// Per-phase active energy registers (1-0:21/41/61.8.0 import, 22/42/62.8.0 export) in Wh, as the totals.
const COLUMNS = ['energy_import_l1_wh', 'energy_import_l2_wh', 'energy_import_l3_wh', 'energy_export_l1_wh', 'energy_export_l2_wh', 'energy_export_l3_wh'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reading ${sql.raw(COLUMNS.map((c) => `ADD COLUMN ${c} int unsigned NULL`).join(', '))}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reading ${sql.raw(COLUMNS.map((c) => `DROP COLUMN ${c}`).join(', '))}`.execute(db);
}
