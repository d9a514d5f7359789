/**
 * One row of dsmr-reader's readings table (`dsmr_datalogger_dsmrreading`, columns named as its model's
 * fields) as a SEM JSON reading. Registers in kWh, power in kW (stored here in W), voltage in V, current
 * in A; `extra_device_*` is the gas meter (M-Bus channel 1). Timestamps are UTC when they carry no offset
 * (Django stores UTC); PostgreSQL writes offsets as "+01".
 */
import type { JsonReading } from '@sem/ingest';

const KWH = {
  electricity_delivered_1: 'energyImportT1Kwh',
  electricity_delivered_2: 'energyImportT2Kwh',
  electricity_returned_1: 'energyExportT1Kwh',
  electricity_returned_2: 'energyExportT2Kwh',
} as const;
const KW = {
  electricity_currently_delivered: 'powerImportW',
  electricity_currently_returned: 'powerExportW',
  phase_currently_delivered_l1: 'powerImportL1W',
  phase_currently_delivered_l2: 'powerImportL2W',
  phase_currently_delivered_l3: 'powerImportL3W',
  phase_currently_returned_l1: 'powerExportL1W',
  phase_currently_returned_l2: 'powerExportL2W',
  phase_currently_returned_l3: 'powerExportL3W',
} as const;
const AS_IS = {
  phase_voltage_l1: 'voltageL1V',
  phase_voltage_l2: 'voltageL2V',
  phase_voltage_l3: 'voltageL3V',
  phase_power_current_l1: 'currentL1A',
  phase_power_current_l2: 'currentL2A',
  phase_power_current_l3: 'currentL3A',
} as const;

export class DsmrRowError extends Error {
  override readonly name = 'DsmrRowError';
}

const TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** An ISO instant from a database timestamp; throws on anything else. */
export function dsmrTime(text: string): string {
  const m = TIME.exec(text.trim());
  if (!m) throw new DsmrRowError(`timestamp "${text.slice(0, 40)}" is not YYYY-MM-DD HH:MM:SS[.ffffff][offset]`);
  let zone = m[3] ?? 'Z';
  if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const iso = `${m[1]}T${m[2]!.slice(0, 12)}${zone}`;
  if (Number.isNaN(Date.parse(iso))) throw new DsmrRowError(`timestamp "${text.slice(0, 40)}" is not a valid date`);
  return iso;
}

/** A decimal column, or undefined when empty or NULL (PostgreSQL: empty, MySQL: \N or NULL). */
function num(row: Readonly<Record<string, string>>, col: string): number | undefined {
  const v = row[col]?.trim();
  if (v === undefined || v === '' || v === '\\N' || v === 'NULL') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new DsmrRowError(`${col} "${v.slice(0, 20)}" is not a number`);
  return n;
}

export const REQUIRED_COLUMNS = ['timestamp', 'electricity_delivered_1', 'electricity_delivered_2'];

export function dsmrReading(row: Readonly<Record<string, string>>): JsonReading {
  const out: JsonReading = { time: dsmrTime(row['timestamp'] ?? '') };
  for (const [col, name] of Object.entries(KWH)) {
    const v = num(row, col);
    if (v !== undefined) out[name] = v;
  }
  for (const [col, name] of Object.entries(KW)) {
    const v = num(row, col);
    if (v !== undefined) out[name] = Math.round(v * 1000);
  }
  for (const [col, name] of Object.entries(AS_IS)) {
    const v = num(row, col);
    if (v !== undefined) out[name] = v;
  }
  const gas = num(row, 'extra_device_delivered');
  const gasAt = row['extra_device_timestamp']?.trim();
  if (gas !== undefined && gasAt && gasAt !== '\\N' && gasAt !== 'NULL') out.mbus = [{ channel: 1, deviceType: 3, value: gas, unit: 'm3', capturedAt: dsmrTime(gasAt) }];
  return out;
}
