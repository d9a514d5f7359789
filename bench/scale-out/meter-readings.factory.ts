// The readings a simulated device sends: a pure function of (device index, reading number), so a
// second run against another database gets byte-identical input.

/** Meter time of reading 0 of every device; readings follow every STEP_MS (covers minutes to days). */
export const T0_MS = Date.UTC(2026, 10, 20, 0, 0, 0);
export const STEP_MS = 15_000;

export interface JsonReading {
  time: number;
  meterId: string;
  energyImportT1Kwh: number;
  energyImportT2Kwh: number;
  energyExportT1Kwh: number;
  powerImportW: number;
  powerExportW: number;
  voltageL1V: number;
  currentL1A: number;
  mbus?: { channel: number; value: number; unit: string; deviceType: number; capturedAt: number }[];
}

/** Reading k of device d. Energy grows by whole Wh, so every value is exact at meter resolution. */
export function meterReading(d: number, k: number): JsonReading {
  const time = T0_MS + k * STEP_MS;
  const power = (k * 37 + d * 11) % 4000;
  const r: JsonReading = {
    time,
    meterId: `SCALE${String(d).padStart(6, '0')}`,
    energyImportT1Kwh: (1_000_000 + d * 1000 + k * 7) / 1000,
    energyImportT2Kwh: (500_000 + d * 500 + Math.floor(k / 3) * 5) / 1000,
    energyExportT1Kwh: (20_000 + Math.floor(k / 5)) / 1000,
    powerImportW: power,
    powerExportW: k % 9 === 0 ? 120 : 0,
    voltageL1V: (2250 + ((k + d) % 100)) / 10,
    currentL1A: Math.round((power / 230) * 100) / 100,
  };
  // Gas every 20th reading, captured at the full quarter before it (as DSMR 5 meters report it).
  if (k % 20 === 0) {
    r.mbus = [{ channel: 1, value: (1_000_000 + d * 100 + k) / 10_000, unit: 'm3', deviceType: 3, capturedAt: time - (time % 900_000) }];
  }
  return r;
}
