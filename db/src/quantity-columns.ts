import type { QuantityName } from '@sem/meter-protocol';

/**
 * How each quantity is stored in `reading`: an integer column at the resolution most meters send.
 * stored = round(value * scale); value = stored / scale. min/max are the SQL type's range.
 *
 * Some meters send finer (Kaifa currents in mA, EasyMeter Q3D energy in 0.1 mWh and power in 0.01 W):
 * their quantities have a `rest` column holding value·scale·steps − stored·steps, the signed remainder
 * in 1/steps of the base unit, NULL when zero. The base column keeps its meaning for every reader
 * (rollups, dashboards); base and rest together give back exactly what the meter sent (db/docs/storage.md).
 */
export interface QuantityColumn {
  column: string;
  scale: number;
  min: number;
  max: number;
  /** 'counter' values are cumulative (aggregate with MAX); 'gauge' values are instantaneous (AVG). */
  kind: 'counter' | 'gauge' | 'state';
  rest?: RestColumn;
}

export interface RestColumn {
  column: string;
  /** Rest units per base unit: 10 000 (Wh -> 0.1 mWh), 100 (W -> 0.01 W), 10 (0.01 A -> mA). */
  steps: number;
}

// a rest is at most half a base unit either way: SMALLINT holds ±5000, TINYINT ±50
const rest = (column: string, steps: number): RestColumn => ({ column: `${column}_rest`, steps });
const E_REST = 10_000;
const P_REST = 100;
const I_REST = 10;

const INT_U = { min: 0, max: 4_294_967_295 };
const MEDIUM_U = { min: 0, max: 16_777_215 };
const MEDIUM = { min: -8_388_608, max: 8_388_607 };
const SMALL_U = { min: 0, max: 65_535 };
const SMALL = { min: -32_768, max: 32_767 };
const TINY_U = { min: 0, max: 255 };

export const QUANTITY_COLUMNS = {
  energyImportKwh: { column: 'energy_import_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_import_wh', E_REST) },
  energyImportT1Kwh: { column: 'energy_import_t1_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_import_t1_wh', E_REST) },
  energyImportT2Kwh: { column: 'energy_import_t2_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_import_t2_wh', E_REST) },
  energyExportKwh: { column: 'energy_export_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_export_wh', E_REST) },
  energyExportT1Kwh: { column: 'energy_export_t1_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_export_t1_wh', E_REST) },
  energyExportT2Kwh: { column: 'energy_export_t2_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_export_t2_wh', E_REST) },
  energyReactiveImportKvarh: { column: 'energy_reactive_import_varh', scale: 1000, ...INT_U, kind: 'counter' },
  energyReactiveExportKvarh: { column: 'energy_reactive_export_varh', scale: 1000, ...INT_U, kind: 'counter' },
  powerImportW: { column: 'power_import_w', scale: 1, ...MEDIUM_U, kind: 'gauge', rest: rest('power_import_w', P_REST) },
  powerExportW: { column: 'power_export_w', scale: 1, ...MEDIUM_U, kind: 'gauge', rest: rest('power_export_w', P_REST) },
  powerReactiveImportVar: { column: 'power_reactive_import_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerReactiveExportVar: { column: 'power_reactive_export_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerImportL1W: { column: 'power_import_l1_w', scale: 1, ...MEDIUM_U, kind: 'gauge', rest: rest('power_import_l1_w', P_REST) },
  powerImportL2W: { column: 'power_import_l2_w', scale: 1, ...MEDIUM_U, kind: 'gauge', rest: rest('power_import_l2_w', P_REST) },
  powerImportL3W: { column: 'power_import_l3_w', scale: 1, ...MEDIUM_U, kind: 'gauge', rest: rest('power_import_l3_w', P_REST) },
  powerExportL1W: { column: 'power_export_l1_w', scale: 1, ...MEDIUM_U, kind: 'gauge', rest: rest('power_export_l1_w', P_REST) },
  powerExportL2W: { column: 'power_export_l2_w', scale: 1, ...MEDIUM_U, kind: 'gauge', rest: rest('power_export_l2_w', P_REST) },
  powerExportL3W: { column: 'power_export_l3_w', scale: 1, ...MEDIUM_U, kind: 'gauge', rest: rest('power_export_l3_w', P_REST) },
  voltageL1V: { column: 'voltage_l1_dv', scale: 10, ...SMALL_U, kind: 'gauge' },
  voltageL2V: { column: 'voltage_l2_dv', scale: 10, ...SMALL_U, kind: 'gauge' },
  voltageL3V: { column: 'voltage_l3_dv', scale: 10, ...SMALL_U, kind: 'gauge' },
  currentL1A: { column: 'current_l1_ca', scale: 100, ...MEDIUM, kind: 'gauge', rest: rest('current_l1_ca', I_REST) },
  currentL2A: { column: 'current_l2_ca', scale: 100, ...MEDIUM, kind: 'gauge', rest: rest('current_l2_ca', I_REST) },
  currentL3A: { column: 'current_l3_ca', scale: 100, ...MEDIUM, kind: 'gauge', rest: rest('current_l3_ca', I_REST) },
  currentNeutralA: { column: 'current_neutral_ca', scale: 100, ...MEDIUM, kind: 'gauge', rest: rest('current_neutral_ca', I_REST) },
  powerFactor: { column: 'power_factor_milli', scale: 1000, ...SMALL, kind: 'gauge' },
  powerFactorL1: { column: 'power_factor_l1_milli', scale: 1000, ...SMALL, kind: 'gauge' },
  powerFactorL2: { column: 'power_factor_l2_milli', scale: 1000, ...SMALL, kind: 'gauge' },
  powerFactorL3: { column: 'power_factor_l3_milli', scale: 1000, ...SMALL, kind: 'gauge' },
  tariff: { column: 'tariff', scale: 1, ...TINY_U, kind: 'state' },
  powerFailures: { column: 'power_failures', scale: 1, ...MEDIUM_U, kind: 'counter' },
  longPowerFailures: { column: 'long_power_failures', scale: 1, ...MEDIUM_U, kind: 'counter' },
  voltageSagsL1: { column: 'voltage_sags_l1', scale: 1, ...MEDIUM_U, kind: 'counter' },
  voltageSagsL2: { column: 'voltage_sags_l2', scale: 1, ...MEDIUM_U, kind: 'counter' },
  voltageSagsL3: { column: 'voltage_sags_l3', scale: 1, ...MEDIUM_U, kind: 'counter' },
  voltageSwellsL1: { column: 'voltage_swells_l1', scale: 1, ...MEDIUM_U, kind: 'counter' },
  voltageSwellsL2: { column: 'voltage_swells_l2', scale: 1, ...MEDIUM_U, kind: 'counter' },
  voltageSwellsL3: { column: 'voltage_swells_l3', scale: 1, ...MEDIUM_U, kind: 'counter' },
  demandCurrentAverageKw: { column: 'demand_current_average_w', scale: 1000, ...MEDIUM_U, kind: 'gauge' },
  breakerState: { column: 'breaker_state', scale: 1, ...TINY_U, kind: 'state' },
  limiterThresholdKw: { column: 'limiter_threshold_w', scale: 1000, ...MEDIUM_U, kind: 'state' },
  fuseThresholdA: { column: 'fuse_threshold_a', scale: 1, ...SMALL_U, kind: 'state' },
  powerReactiveImportL1Var: { column: 'power_reactive_import_l1_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerReactiveImportL2Var: { column: 'power_reactive_import_l2_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerReactiveImportL3Var: { column: 'power_reactive_import_l3_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerReactiveExportL1Var: { column: 'power_reactive_export_l1_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerReactiveExportL2Var: { column: 'power_reactive_export_l2_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerReactiveExportL3Var: { column: 'power_reactive_export_l3_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  energyImportL1Kwh: { column: 'energy_import_l1_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_import_l1_wh', E_REST) },
  energyImportL2Kwh: { column: 'energy_import_l2_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_import_l2_wh', E_REST) },
  energyImportL3Kwh: { column: 'energy_import_l3_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_import_l3_wh', E_REST) },
  energyExportL1Kwh: { column: 'energy_export_l1_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_export_l1_wh', E_REST) },
  energyExportL2Kwh: { column: 'energy_export_l2_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_export_l2_wh', E_REST) },
  energyExportL3Kwh: { column: 'energy_export_l3_wh', scale: 1000, ...INT_U, kind: 'counter', rest: rest('energy_export_l3_wh', E_REST) },
} as const satisfies Record<QuantityName, QuantityColumn>;

export type ReadingValueColumn = (typeof QUANTITY_COLUMNS)[QuantityName]['column'] | `${(typeof QUANTITY_COLUMNS)[QuantityName]['column']}_rest`;

const SPECS: readonly QuantityColumn[] = Object.values(QUANTITY_COLUMNS);

/** Every value column of `reading`, rest columns included, once (several quantities may share a column). */
export const READING_VALUE_COLUMNS: readonly ReadingValueColumn[] = [
  ...new Set(SPECS.flatMap((c) => (c.rest ? [c.column, c.rest.column] : [c.column])) as ReadingValueColumn[]),
];

/** The integer to store, or an error text when the value does not fit the column. */
export function toStored(name: QuantityName, value: number): number | string {
  const spec: QuantityColumn = QUANTITY_COLUMNS[name];
  if (!Number.isFinite(value)) return `${name}: not a finite number`;
  // Scaling 0.1*10 style floats: round to the meter resolution the column keeps.
  const stored = Math.round(value * spec.scale);
  if (stored < spec.min || stored > spec.max) {
    return `${name}: ${value} is outside ${spec.min / spec.scale}..${spec.max / spec.scale}`;
  }
  return stored;
}

/** The rest to store beside toStored's integer, or null when the value has no finer digits (or no rest column). */
export function toStoredRest(name: QuantityName, value: number): number | null {
  const spec: QuantityColumn = QUANTITY_COLUMNS[name];
  if (!spec.rest || !Number.isFinite(value)) return null;
  const steps = spec.rest.steps;
  const fine = Math.round(value * spec.scale * steps);
  const restValue = fine - Math.round(value * spec.scale) * steps;
  return restValue === 0 ? null : restValue;
}

/** The value in the quantity's own unit, from the base column and its rest (when the quantity has one). */
export function fromStored(name: QuantityName, stored: number, restValue?: number | null): number {
  const spec: QuantityColumn = QUANTITY_COLUMNS[name];
  if (spec.rest && restValue) return (stored * spec.rest.steps + restValue) / (spec.scale * spec.rest.steps);
  return spec.scale === 1 ? stored : stored / spec.scale;
}
