import { type Kysely, sql } from 'kysely';

// The capacity-tariff history 0-0:98.1.0 as the meter keeps it: one row per month boundary, the peak
// time NULL when the month had no peak (the meter sends 632525252525W and 0.000 kW: a zero peak, not a
// missing month). demand_peak stays keyed by peak time for the running month's 1-0:1.6.0.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE demand_peak_month (
      device_id smallint unsigned NOT NULL,
      period_end datetime NOT NULL,
      peak_at datetime NULL,
      demand_w mediumint unsigned NOT NULL,
      first_seen_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id, period_end),
      CONSTRAINT demand_peak_month_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('demand_peak_month').execute();
}
