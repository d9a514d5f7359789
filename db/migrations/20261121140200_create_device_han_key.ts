import { type Kysely, sql } from 'kysely';

// HAN (DLMS AES-GCM) keys must be usable, so they cannot be hashed: a separate table the read-only user never gets.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_han_key')
    .addColumn('device_id', sql`smallint unsigned`, (c) => c.primaryKey().references('device.id').onDelete('cascade'))
    .addColumn('encryption_key', sql`varbinary(32)`, (c) => c.notNull())
    .addColumn('authentication_key', sql`varbinary(32)`)
    .addColumn('updated_at', sql`datetime(3)`, (c) => c.notNull())
    .modifyEnd(sql`ENGINE=InnoDB`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_han_key').execute();
}
