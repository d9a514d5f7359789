import type { Kysely } from 'kysely';

// Smoke-test only: the "new release" migration the smoke's upgrade image adds (never in db/migrations).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('smoke_upgrade_marker').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('smoke_upgrade_marker').execute();
}
