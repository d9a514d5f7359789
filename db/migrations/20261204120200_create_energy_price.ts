import { type Kysely, sql } from 'kysely';

// Dynamic energy prices per kWh of a named series (e.g. a bidding zone), one row per UTC quarter-hour:
// an hourly price is stored as its four quarters, so costs join rollup_quarter on equal starts.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE energy_price (
      series varchar(32) NOT NULL,
      starts_at datetime NOT NULL,
      price decimal(12,6) NOT NULL,
      PRIMARY KEY (series, starts_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('energy_price').execute();
}
