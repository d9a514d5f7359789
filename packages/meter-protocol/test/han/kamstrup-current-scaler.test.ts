/**
 * Kamstrup sends currents without a scaler. Which one? Settled with physics on the two 65-item
 * Kamstrup_V0001 lists whose values are published (rebuilt here from their numbers; neither source
 * allows copying the bytes):
 *
 * 1. The Danish grid operator's example list (amsreader-firmware doc/Denmark/Kamstrup_encrypted_data.xml,
 *    2020-05-12 10:24:50): 1329 W, 84 var export, 228/229/227 V, raw currents 75/112/484, L3 1036 W.
 *    At 0.01 A, L3 carries 227 V × 4.84 A = 1099 VA ≥ 1036 W (PF 0.94, the list's own 0.98).
 *    At mA it would be 110 VA for 1036 W: impossible. Direct-connected meters: 0.01 A (scaler -2).
 * 2. A Danish Kamstrup on current transformers (amsreader issue #216, 2022-02-01): 2585 W export,
 *    63 364 var, 233 V on every phase, raw currents 90 999/93 955/92 645. At 0.01 A that is
 *    ~646 kVA of Σ U·I for a 63.4 kVA load (ten times too high: what amsreader prints, because it
 *    divides every Kamstrup current by 100); at mA it is 64.7 kVA, 2 % above |S|. CT meters: mA (-3).
 *
 * Nothing in the frame tells the two apart, so the scaler is per-device configuration
 * (kamstrupCurrentScaler, default -2); a CT meter is set to -3.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/dlms/han-decoder.ts';
import { expectPhysical, powerCheck } from '../physics-checks.ts';
import { ctMeter, dsoExample } from './kamstrup-danish-lists.ts';

describe('Kamstrup current scaler, settled by Σ U·I against |S|', () => {
  it('the Danish operator example (direct-connected) is physical at 0.01 A, impossible at mA', () => {
    const r = decodeFrame(dsoExample);
    expect(r.values).toMatchObject({ currentL1A: 0.75, currentL2A: 1.12, currentL3A: 4.84, powerImportL3W: 1036, powerFactorL3: 0.98 });
    expectPhysical(powerCheck(r.values)!, 'DSO example at -2');
    const milli = powerCheck(decodeFrame(dsoExample, { kamstrupCurrentScaler: -3 }).values)!;
    expect(milli.sumViUpper).toBeLessThan(milli.apparent);
  });

  it('the CT meter of amsreader #216 is ten times too high at 0.01 A and physical at mA', () => {
    const wrong = powerCheck(decodeFrame(ctMeter).values)!;
    expect(wrong.sumVi / wrong.apparent).toBeGreaterThan(9.5);
    const r = decodeFrame(ctMeter, { kamstrupCurrentScaler: -3 });
    expect(r.values).toMatchObject({ currentL1A: 90.999, currentL2A: 93.955, currentL3A: 92.645, powerExportW: 2585, powerReactiveImportVar: 63364 });
    const check = powerCheck(r.values)!;
    expectPhysical(check, 'CT meter at -3');
    expect(check.sumVi / check.apparent).toBeCloseTo(1.02, 2);
  });
});
