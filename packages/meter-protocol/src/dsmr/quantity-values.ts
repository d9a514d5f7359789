/**
 * Copies quantity slots into a reading's values object with one named store per quantity.
 * Unrolled on purpose: a computed-key store (`values[name] = ...`) goes megamorphic across
 * telegrams and cost about a fifth of the decode time; named stores stay monomorphic.
 */
import { QUANTITIES, type QuantityValues } from '../reading.ts';

/** How many QUANTITIES the unrolled stores below cover (reading.ts only ever appends). */
export const UNROLLED_QUANTITIES = 48;

export function buildValues(present: Uint8Array, v: Float64Array): QuantityValues {
  const values: QuantityValues = {};
  if (present[0] === 1) values.energyImportKwh = v[0]!;
  if (present[1] === 1) values.energyImportT1Kwh = v[1]!;
  if (present[2] === 1) values.energyImportT2Kwh = v[2]!;
  if (present[3] === 1) values.energyExportKwh = v[3]!;
  if (present[4] === 1) values.energyExportT1Kwh = v[4]!;
  if (present[5] === 1) values.energyExportT2Kwh = v[5]!;
  if (present[6] === 1) values.energyReactiveImportKvarh = v[6]!;
  if (present[7] === 1) values.energyReactiveExportKvarh = v[7]!;
  if (present[8] === 1) values.powerImportW = v[8]!;
  if (present[9] === 1) values.powerExportW = v[9]!;
  if (present[10] === 1) values.powerReactiveImportVar = v[10]!;
  if (present[11] === 1) values.powerReactiveExportVar = v[11]!;
  if (present[12] === 1) values.powerImportL1W = v[12]!;
  if (present[13] === 1) values.powerImportL2W = v[13]!;
  if (present[14] === 1) values.powerImportL3W = v[14]!;
  if (present[15] === 1) values.powerExportL1W = v[15]!;
  if (present[16] === 1) values.powerExportL2W = v[16]!;
  if (present[17] === 1) values.powerExportL3W = v[17]!;
  if (present[18] === 1) values.voltageL1V = v[18]!;
  if (present[19] === 1) values.voltageL2V = v[19]!;
  if (present[20] === 1) values.voltageL3V = v[20]!;
  if (present[21] === 1) values.currentL1A = v[21]!;
  if (present[22] === 1) values.currentL2A = v[22]!;
  if (present[23] === 1) values.currentL3A = v[23]!;
  if (present[24] === 1) values.currentNeutralA = v[24]!;
  if (present[25] === 1) values.powerFactor = v[25]!;
  if (present[26] === 1) values.powerFactorL1 = v[26]!;
  if (present[27] === 1) values.powerFactorL2 = v[27]!;
  if (present[28] === 1) values.powerFactorL3 = v[28]!;
  if (present[29] === 1) values.tariff = v[29]!;
  if (present[30] === 1) values.powerFailures = v[30]!;
  if (present[31] === 1) values.longPowerFailures = v[31]!;
  if (present[32] === 1) values.voltageSagsL1 = v[32]!;
  if (present[33] === 1) values.voltageSagsL2 = v[33]!;
  if (present[34] === 1) values.voltageSagsL3 = v[34]!;
  if (present[35] === 1) values.voltageSwellsL1 = v[35]!;
  if (present[36] === 1) values.voltageSwellsL2 = v[36]!;
  if (present[37] === 1) values.voltageSwellsL3 = v[37]!;
  if (present[38] === 1) values.demandCurrentAverageKw = v[38]!;
  if (present[39] === 1) values.breakerState = v[39]!;
  if (present[40] === 1) values.limiterThresholdKw = v[40]!;
  if (present[41] === 1) values.fuseThresholdA = v[41]!;
  if (present[42] === 1) values.powerReactiveImportL1Var = v[42]!;
  if (present[43] === 1) values.powerReactiveImportL2Var = v[43]!;
  if (present[44] === 1) values.powerReactiveImportL3Var = v[44]!;
  if (present[45] === 1) values.powerReactiveExportL1Var = v[45]!;
  if (present[46] === 1) values.powerReactiveExportL2Var = v[46]!;
  if (present[47] === 1) values.powerReactiveExportL3Var = v[47]!;
  // quantities appended to QUANTITIES after this file was written
  for (let i = UNROLLED_QUANTITIES; i < QUANTITIES.length; i++) if (present[i] === 1) values[QUANTITIES[i]!] = v[i]!;
  return values;
}
