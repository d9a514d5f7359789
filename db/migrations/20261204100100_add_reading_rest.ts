import { type Kysely, sql } from 'kysely';

// Finer digits than the base columns keep, for meters that send them (db/docs/storage.md, "rest columns"):
// energy in 0.1 mWh (EasyMeter Q3D: 7 decimals of kWh), active power in 0.01 W (Q3D), currents in mA (Kaifa).
// Each holds the signed remainder to the rounded base value, NULL when the meter sends no finer digit.
const ENERGY = ['energy_import_wh', 'energy_import_t1_wh', 'energy_import_t2_wh', 'energy_export_wh', 'energy_export_t1_wh', 'energy_export_t2_wh',
  'energy_import_l1_wh', 'energy_import_l2_wh', 'energy_import_l3_wh', 'energy_export_l1_wh', 'energy_export_l2_wh', 'energy_export_l3_wh'];
const POWER = ['power_import_w', 'power_export_w', 'power_import_l1_w', 'power_import_l2_w', 'power_import_l3_w', 'power_export_l1_w', 'power_export_l2_w', 'power_export_l3_w'];
const CURRENT = ['current_l1_ca', 'current_l2_ca', 'current_l3_ca', 'current_neutral_ca'];

const ADD = [
  ...ENERGY.map((c) => `ADD COLUMN ${c}_rest smallint NULL`),
  ...POWER.map((c) => `ADD COLUMN ${c}_rest tinyint NULL`),
  ...CURRENT.map((c) => `ADD COLUMN ${c}_rest tinyint NULL`),
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reading ${sql.raw(ADD.join(', '))}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const drop = [...ENERGY, ...POWER, ...CURRENT].map((c) => `DROP COLUMN ${c}_rest`);
  await sql`ALTER TABLE reading ${sql.raw(drop.join(', '))}`.execute(db);
}
