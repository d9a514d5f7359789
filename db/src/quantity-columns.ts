import type { QuantityName } from '@sem/meter-protocol';

/**
 * How each quantity is stored in `reading`: an integer column at meter resolution.
 * stored = round(value * scale); value = stored / scale. min/max are the SQL type's range.
 */
export interface QuantityColumn {
  column: string;
  scale: number;
  min: number;
  max: number;
  /** 'counter' values are cumulative (aggregate with MAX); 'gauge' values are instantaneous (AVG). */
  kind: 'counter' | 'gauge' | 'state';
}

const INT_U = { min: 0, max: 4_294_967_295 };
const MEDIUM_U = { min: 0, max: 16_777_215 };
const MEDIUM = { min: -8_388_608, max: 8_388_607 };
const SMALL_U = { min: 0, max: 65_535 };
const SMALL = { min: -32_768, max: 32_767 };
const TINY_U = { min: 0, max: 255 };

export const QUANTITY_COLUMNS = {
  energyImportKwh: { column: 'energy_import_wh', scale: 1000, ...INT_U, kind: 'counter' },
  energyImportT1Kwh: { column: 'energy_import_t1_wh', scale: 1000, ...INT_U, kind: 'counter' },
  energyImportT2Kwh: { column: 'energy_import_t2_wh', scale: 1000, ...INT_U, kind: 'counter' },
  energyExportKwh: { column: 'energy_export_wh', scale: 1000, ...INT_U, kind: 'counter' },
  energyExportT1Kwh: { column: 'energy_export_t1_wh', scale: 1000, ...INT_U, kind: 'counter' },
  energyExportT2Kwh: { column: 'energy_export_t2_wh', scale: 1000, ...INT_U, kind: 'counter' },
  energyReactiveImportKvarh: { column: 'energy_reactive_import_varh', scale: 1000, ...INT_U, kind: 'counter' },
  energyReactiveExportKvarh: { column: 'energy_reactive_export_varh', scale: 1000, ...INT_U, kind: 'counter' },
  powerImportW: { column: 'power_import_w', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerExportW: { column: 'power_export_w', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerReactiveImportVar: { column: 'power_reactive_import_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerReactiveExportVar: { column: 'power_reactive_export_var', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerImportL1W: { column: 'power_import_l1_w', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerImportL2W: { column: 'power_import_l2_w', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerImportL3W: { column: 'power_import_l3_w', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerExportL1W: { column: 'power_export_l1_w', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerExportL2W: { column: 'power_export_l2_w', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  powerExportL3W: { column: 'power_export_l3_w', scale: 1, ...MEDIUM_U, kind: 'gauge' },
  voltageL1V: { column: 'voltage_l1_dv', scale: 10, ...SMALL_U, kind: 'gauge' },
  voltageL2V: { column: 'voltage_l2_dv', scale: 10, ...SMALL_U, kind: 'gauge' },
  voltageL3V: { column: 'voltage_l3_dv', scale: 10, ...SMALL_U, kind: 'gauge' },
  currentL1A: { column: 'current_l1_ca', scale: 100, ...MEDIUM, kind: 'gauge' },
  currentL2A: { column: 'current_l2_ca', scale: 100, ...MEDIUM, kind: 'gauge' },
  currentL3A: { column: 'current_l3_ca', scale: 100, ...MEDIUM, kind: 'gauge' },
  currentNeutralA: { column: 'current_neutral_ca', scale: 100, ...MEDIUM, kind: 'gauge' },
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
} as const satisfies Record<QuantityName, QuantityColumn>;

export type ReadingValueColumn = (typeof QUANTITY_COLUMNS)[QuantityName]['column'];

/** Every value column of `reading`, once (several quantities may share a column). */
export const READING_VALUE_COLUMNS: readonly ReadingValueColumn[] = [...new Set(Object.values(QUANTITY_COLUMNS).map((c) => c.column))];

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

/** The value in the quantity's own unit. */
export function fromStored(name: QuantityName, stored: number): number {
  const spec: QuantityColumn = QUANTITY_COLUMNS[name];
  return spec.scale === 1 ? stored : stored / spec.scale;
}
