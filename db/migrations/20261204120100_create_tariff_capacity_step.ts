import { type Kysely, sql } from 'kysely';

// Norwegian capacity steps (effekttrinn) of a tariff: from this many kW on, this price per month.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE tariff_capacity_step (
      tariff_id int unsigned NOT NULL,
      from_kw decimal(8,3) NOT NULL,
      monthly_price decimal(10,4) NOT NULL,
      PRIMARY KEY (tariff_id, from_kw),
      CONSTRAINT tariff_capacity_step_tariff_fk FOREIGN KEY (tariff_id) REFERENCES tariff (id) ON DELETE CASCADE
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tariff_capacity_step').execute();
}
