import { emptyReading, withTariffTotals, type QuantityName, type Reading } from '@sem/meter-protocol';

/** Numeric fields of the SEM ESP32 body, in the order the firmware prints them. */
export const SEM_FIELDS = ['UL1', 'UL2', 'UL3', 'IL1', 'IL2', 'IL3', 'Pcl', 'Pch', 'Ppl', 'Pph', 'Pc', 'Pp', 'Vg', 'Vw'] as const;
export type SemField = (typeof SEM_FIELDS)[number];

/**
 * Field -> quantity and factor to its unit. Ppl and Pph: the firmware swaps them, so Ppl carries
 * 1-0:2.8.1 (export tariff 1) and Pph carries 1-0:2.8.2 (clients.md); we store what each one holds.
 */
const MAP: Record<Exclude<SemField, 'Vg' | 'Vw'>, { quantity: QuantityName; factor: number }> = {
  UL1: { quantity: 'voltageL1V', factor: 1 },
  UL2: { quantity: 'voltageL2V', factor: 1 },
  UL3: { quantity: 'voltageL3V', factor: 1 },
  IL1: { quantity: 'currentL1A', factor: 1 },
  IL2: { quantity: 'currentL2A', factor: 1 },
  IL3: { quantity: 'currentL3A', factor: 1 },
  Pcl: { quantity: 'energyImportT2Kwh', factor: 1 },
  Pch: { quantity: 'energyImportT1Kwh', factor: 1 },
  Ppl: { quantity: 'energyExportT1Kwh', factor: 1 },
  Pph: { quantity: 'energyExportT2Kwh', factor: 1 },
  Pc: { quantity: 'powerImportW', factor: 1000 },
  Pp: { quantity: 'powerExportW', factor: 1000 },
};

/** A value the meter did not send arrives as -1 (printed -1.0 or -1.000): absent, not minus one. */
function present(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const v = Number(text);
  return v === -1 ? undefined : v;
}

/** The SEM form as a reading; no meter time (the receive time is used), gas/water as M-Bus channels 1/2. */
export function fromSemForm(form: Partial<Record<SemField, string>>): Reading {
  const reading = emptyReading('p1');
  for (const [field, { quantity, factor }] of Object.entries(MAP) as [SemField, { quantity: QuantityName; factor: number }][]) {
    const v = present(form[field]);
    // kW with 3 decimals times 1000 is a whole number of W; round away the float error.
    if (v !== undefined) reading.values[quantity] = factor === 1 ? v : Math.round(v * factor * 1000) / 1000;
  }
  // the firmware prints the two tariff registers only; the P1 routes store their sum as the total too
  reading.values = withTariffTotals(reading.values);
  const gas = present(form.Vg);
  if (gas !== undefined) reading.mbus.push({ channel: 1, deviceType: 3, equipmentId: null, value: gas, unit: 'm3', capturedAt: null });
  const water = present(form.Vw);
  if (water !== undefined) reading.mbus.push({ channel: 2, deviceType: 7, equipmentId: null, value: water, unit: 'm3', capturedAt: null });
  return reading;
}
