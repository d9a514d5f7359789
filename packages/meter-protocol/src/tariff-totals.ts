/**
 * Total registers from their tariff registers. DSMR and e-MUCS meters send only 1-0:1.8.1/1.8.2
 * (and 2.8.1/2.8.2); the P1 decoder fills the total with their exact sum. Readers that send
 * decoded values (the SEM firmware form, JSON, AmsReader's tariff registers) go through this so
 * that every route stores the same columns for the same meter values.
 */
import { exactSum } from './dsmr/p1-number.ts';
import type { QuantityValues } from './reading.ts';

/** The decimal digits of a number as JavaScript prints it back (exact for values parsed from decimal text). */
function mantissaOf(v: number): [number, number] | null {
  // A finite number prints as plain digits unless it needs an exponent (the only case without an exact mantissa here).
  if (!Number.isFinite(v)) return null;
  const text = String(v);
  if (text.includes('e')) return null;
  const dot = text.indexOf('.');
  return dot < 0 ? [v, 0] : [Number(text.slice(0, dot) + text.slice(dot + 1)), text.length - dot - 1];
}

function sum(a: number, b: number): number {
  const ma = mantissaOf(a);
  const mb = mantissaOf(b);
  return ma && mb ? exactSum(ma[0], ma[1], mb[0], mb[1]) : a + b;
}

/** Fills energyImportKwh / energyExportKwh with T1 + T2 where both tariffs are present and the total is not. */
export function withTariffTotals(values: QuantityValues): QuantityValues {
  const out = { ...values };
  if (out.energyImportKwh === undefined && out.energyImportT1Kwh !== undefined && out.energyImportT2Kwh !== undefined) {
    out.energyImportKwh = sum(out.energyImportT1Kwh, out.energyImportT2Kwh);
  }
  if (out.energyExportKwh === undefined && out.energyExportT1Kwh !== undefined && out.energyExportT2Kwh !== undefined) {
    out.energyExportKwh = sum(out.energyExportT1Kwh, out.energyExportT2Kwh);
  }
  return out;
}
