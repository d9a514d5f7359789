import { type Kysely, sql } from 'kysely';

// API keys as SHA-256 hashes only; the key itself is shown once at creation.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_key')
    .addColumn('id', sql`int unsigned`, (c) => c.primaryKey().autoIncrement())
    .addColumn('device_id', sql`smallint unsigned`, (c) => c.notNull().references('device.id').onDelete('cascade'))
    .addColumn('format', sql`enum('token','legacy')`, (c) => c.notNull())
    .addColumn('key_hash', sql`binary(32)`, (c) => c.notNull().unique())
    .addColumn('hint', sql`varchar(8)`, (c) => c.notNull())
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
    .addColumn('revoked_at', sql`datetime(3)`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_key').execute();
}
