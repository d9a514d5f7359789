import { type Kysely, sql } from 'kysely';

// Measured (services/ingest-api/bench/storage.bench.ts): 8 KiB compressed pages give ~66 B per 1 Hz reading,
// 4 KiB pages ~40 B, under issue #7's 60 B budget. See db/docs/storage.md.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reading ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=4`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reading ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8`.execute(db);
}
