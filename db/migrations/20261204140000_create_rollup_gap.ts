import { type Kysely, sql } from 'kysely';

// Steps between two readings of a register longer than the gap horizon (SEM_ROLLUP_GAP_HORIZON_H): their
// energy is booked whole in the bucket of the later reading, not spread; this row says where the gap was.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE rollup_gap (
      device_id smallint unsigned NOT NULL,
      started_at datetime(3) NOT NULL,
      ended_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id, started_at, ended_at),
      KEY rollup_gap_end (device_id, ended_at)
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_gap').execute();
}
