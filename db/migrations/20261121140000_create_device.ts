import { type Kysely, sql } from 'kysely';

// A registered meter reader. Secrets (API keys, HAN keys) live in their own tables so SELECT on device leaks none.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device')
    .addColumn('id', sql`smallint unsigned`, (c) => c.primaryKey().autoIncrement())
    .addColumn('name', sql`varchar(100)`, (c) => c.notNull().unique())
    .addColumn('time_zone', sql`varchar(64)`, (c) => c.notNull().defaultTo('Europe/Brussels'))
    .addColumn('country', sql`char(2)`, (c) => c.notNull().defaultTo('BE'))
    .addColumn('send_interval_s', sql`smallint unsigned`, (c) => c.notNull().defaultTo(60))
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
    .addColumn('updated_at', sql`datetime(3)`, (c) => c.notNull())
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device').execute();
}
