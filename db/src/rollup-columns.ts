/**
 * The rollup tables' column contract: which `reading` columns the rollups keep, and under which rollup
 * column names (the tables themselves: ROLLUP_TABLES in database.types.ts). The write engine fills them,
 * the dashboards read them. The migrations *_rollup_* spell the same names out (a migration never imports app code).
 */

/** Instantaneous quantities: per bucket sum, count, minimum and maximum, in the natural unit. */
export interface StatColumn {
  /** Prefix of the rollup columns `<col>_sum`, `<col>_n`, `<col>_min`, `<col>_max`. */
  col: string;
  /** Source column in `reading` (integer at meter resolution). */
  source: string;
  /** stored / scale = W, V or A. */
  scale: number;
}

export const STAT_COLUMNS: readonly StatColumn[] = [
  { col: 'p_imp', source: 'power_import_w', scale: 1 },
  { col: 'p_exp', source: 'power_export_w', scale: 1 },
  { col: 'p_imp_l1', source: 'power_import_l1_w', scale: 1 },
  { col: 'p_imp_l2', source: 'power_import_l2_w', scale: 1 },
  { col: 'p_imp_l3', source: 'power_import_l3_w', scale: 1 },
  { col: 'p_exp_l1', source: 'power_export_l1_w', scale: 1 },
  { col: 'p_exp_l2', source: 'power_export_l2_w', scale: 1 },
  { col: 'p_exp_l3', source: 'power_export_l3_w', scale: 1 },
  { col: 'u_l1', source: 'voltage_l1_dv', scale: 10 },
  { col: 'u_l2', source: 'voltage_l2_dv', scale: 10 },
  { col: 'u_l3', source: 'voltage_l3_dv', scale: 10 },
  { col: 'i_l1', source: 'current_l1_ca', scale: 100 },
  { col: 'i_l2', source: 'current_l2_ca', scale: 100 },
  { col: 'i_l3', source: 'current_l3_ca', scale: 100 },
];

/** A cumulative register of `reading`, rolled up as consumption (integer units per bucket). */
export interface ReadingRegister {
  col: string;
  /** The register column; when it is NULL and every `sumOf` column is set, their sum stands in. */
  source: string;
  sumOf?: readonly string[];
  /** Also kept per 15 minutes (demand). */
  quarter?: boolean;
}

export const READING_REGISTERS: readonly ReadingRegister[] = [
  { col: 'imp_wh', source: 'energy_import_wh', sumOf: ['energy_import_t1_wh', 'energy_import_t2_wh'], quarter: true },
  { col: 'imp_t1_wh', source: 'energy_import_t1_wh' },
  { col: 'imp_t2_wh', source: 'energy_import_t2_wh' },
  { col: 'exp_wh', source: 'energy_export_wh', sumOf: ['energy_export_t1_wh', 'energy_export_t2_wh'], quarter: true },
  { col: 'exp_t1_wh', source: 'energy_export_t1_wh' },
  { col: 'exp_t2_wh', source: 'energy_export_t2_wh' },
  { col: 'sags_l1', source: 'voltage_sags_l1' },
  { col: 'sags_l2', source: 'voltage_sags_l2' },
  { col: 'sags_l3', source: 'voltage_sags_l3' },
  { col: 'swells_l1', source: 'voltage_swells_l1' },
  { col: 'swells_l2', source: 'voltage_swells_l2' },
  { col: 'swells_l3', source: 'voltage_swells_l3' },
  { col: 'failures', source: 'power_failures' },
  { col: 'long_failures', source: 'long_power_failures' },
];

/** M-Bus registers by device type (0-n:24.1.0), in litres (m³ × 1000). */
export const MBUS_REGISTERS: readonly { col: string; deviceType: number; scale: number }[] = [
  { col: 'gas_l', deviceType: 3, scale: 1000 },
  { col: 'water_l', deviceType: 7, scale: 1000 },
];

/** Every register column of rollup_hour and rollup_day. */
export const REGISTER_COLUMNS: readonly string[] = [...READING_REGISTERS.map((r) => r.col), ...MBUS_REGISTERS.map((r) => r.col)];

/** Register columns of rollup_quarter. */
export const QUARTER_COLUMNS: readonly string[] = READING_REGISTERS.filter((r) => r.quarter).map((r) => r.col);

/** Every `reading` column the register rollup reads. */
export const READING_REGISTER_SOURCES: readonly string[] = [
  ...new Set(READING_REGISTERS.flatMap((r) => [r.source, ...(r.sumOf ?? [])])),
];

/** The register value of one `reading` row, or null when the row does not carry it. */
export function registerValue(reg: ReadingRegister, row: Readonly<Record<string, unknown>>): number | null {
  const v = row[reg.source];
  if (v !== null && v !== undefined) return Number(v);
  if (!reg.sumOf) return null;
  let sum = 0;
  for (const c of reg.sumOf) {
    const part = row[c];
    if (part === null || part === undefined) return null;
    sum += Number(part);
  }
  return sum;
}
