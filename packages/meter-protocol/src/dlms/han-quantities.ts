/** Which OBIS objects of a HAN list become which normalized quantity, and in which unit they must arrive. */
import * as O from '../obis.ts';
import type { QuantityName } from '../reading.ts';

export interface QuantityTarget {
  quantity: QuantityName;
  /** Unit the value must be in after scaling ('' for power factor). */
  unit: string;
  /** Power of ten from that unit to the quantity's unit (Wh → kWh = -3). */
  toQuantityExp: number;
}

const T = (quantity: QuantityName, unit: string, toQuantityExp = 0): QuantityTarget => ({ quantity, unit, toQuantityExp });

/** C.D.E of an A-B:C.D.E code. */
export function cde(code: string): string {
  return code.slice(code.indexOf(':') + 1);
}

/** Electricity (A=1) objects, keyed by C.D.E: HAN lists use B=0 (Aidon, Kaifa) or B=1 (Kamstrup). */
export const QUANTITY_BY_CDE: ReadonlyMap<string, QuantityTarget> = new Map([
  [cde(O.POWER_IMPORT), T('powerImportW', 'W')],
  [cde(O.POWER_EXPORT), T('powerExportW', 'W')],
  [cde(O.POWER_REACTIVE_IMPORT), T('powerReactiveImportVar', 'var')],
  [cde(O.POWER_REACTIVE_EXPORT), T('powerReactiveExportVar', 'var')],
  [cde(O.POWER_IMPORT_L1), T('powerImportL1W', 'W')],
  [cde(O.POWER_IMPORT_L2), T('powerImportL2W', 'W')],
  [cde(O.POWER_IMPORT_L3), T('powerImportL3W', 'W')],
  [cde(O.POWER_EXPORT_L1), T('powerExportL1W', 'W')],
  [cde(O.POWER_EXPORT_L2), T('powerExportL2W', 'W')],
  [cde(O.POWER_EXPORT_L3), T('powerExportL3W', 'W')],
  [cde(O.POWER_REACTIVE_IMPORT_L1), T('powerReactiveImportL1Var', 'var')],
  [cde(O.POWER_REACTIVE_IMPORT_L2), T('powerReactiveImportL2Var', 'var')],
  [cde(O.POWER_REACTIVE_IMPORT_L3), T('powerReactiveImportL3Var', 'var')],
  [cde(O.POWER_REACTIVE_EXPORT_L1), T('powerReactiveExportL1Var', 'var')],
  [cde(O.POWER_REACTIVE_EXPORT_L2), T('powerReactiveExportL2Var', 'var')],
  [cde(O.POWER_REACTIVE_EXPORT_L3), T('powerReactiveExportL3Var', 'var')],
  [cde(O.CURRENT_L1), T('currentL1A', 'A')],
  [cde(O.CURRENT_L2), T('currentL2A', 'A')],
  [cde(O.CURRENT_L3), T('currentL3A', 'A')],
  [cde(O.CURRENT_NEUTRAL), T('currentNeutralA', 'A')],
  [cde(O.VOLTAGE_L1), T('voltageL1V', 'V')],
  [cde(O.VOLTAGE_L2), T('voltageL2V', 'V')],
  [cde(O.VOLTAGE_L3), T('voltageL3V', 'V')],
  [cde(O.POWER_FACTOR), T('powerFactor', '')],
  [cde(O.POWER_FACTOR_L1), T('powerFactorL1', '')],
  [cde(O.POWER_FACTOR_L2), T('powerFactorL2', '')],
  [cde(O.POWER_FACTOR_L3), T('powerFactorL3', '')],
  [cde(O.ENERGY_IMPORT), T('energyImportKwh', 'Wh', -3)],
  [cde(O.ENERGY_IMPORT_T1), T('energyImportT1Kwh', 'Wh', -3)],
  [cde(O.ENERGY_IMPORT_T2), T('energyImportT2Kwh', 'Wh', -3)],
  [cde(O.ENERGY_EXPORT), T('energyExportKwh', 'Wh', -3)],
  [cde(O.ENERGY_EXPORT_T1), T('energyExportT1Kwh', 'Wh', -3)],
  [cde(O.ENERGY_EXPORT_T2), T('energyExportT2Kwh', 'Wh', -3)],
  [cde(O.ENERGY_REACTIVE_IMPORT), T('energyReactiveImportKvarh', 'varh', -3)],
  [cde(O.ENERGY_REACTIVE_EXPORT), T('energyReactiveExportKvarh', 'varh', -3)],
  [cde(O.ENERGY_IMPORT_L1), T('energyImportL1Kwh', 'Wh', -3)],
  [cde(O.ENERGY_IMPORT_L2), T('energyImportL2Kwh', 'Wh', -3)],
  [cde(O.ENERGY_IMPORT_L3), T('energyImportL3Kwh', 'Wh', -3)],
  [cde(O.ENERGY_EXPORT_L1), T('energyExportL1Kwh', 'Wh', -3)],
  [cde(O.ENERGY_EXPORT_L2), T('energyExportL2Kwh', 'Wh', -3)],
  [cde(O.ENERGY_EXPORT_L3), T('energyExportL3Kwh', 'Wh', -3)],
]);

/** Implicit scaler and unit of a value a vendor sends without scaler_unit, by C.D.E. */
export type ImplicitScaler = (cdeCode: string) => { scaler: number; unit: string } | null;

/** Default unit of a quantity by C.D.E, for implicit-scaler vendors. */
export function defaultUnit(cdeCode: string): string | null {
  return QUANTITY_BY_CDE.get(cdeCode)?.unit ?? null;
}
