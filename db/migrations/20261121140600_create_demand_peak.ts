import { type Kysely, sql } from 'kysely';

// Capacity-tariff peaks: 1-0:1.6.0 (running month) and 0-0:98.1.0 (history, with the month boundary).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE demand_peak (
      device_id smallint unsigned NOT NULL,
      peak_at datetime NOT NULL,
      demand_w mediumint unsigned NOT NULL,
      period_end datetime NULL,
      first_seen_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id, peak_at),
      CONSTRAINT demand_peak_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('demand_peak').execute();
}
