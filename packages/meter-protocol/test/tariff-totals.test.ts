import { describe, expect, it } from 'vitest';
import { decodeTelegrams, withTariffTotals } from '../src/index.ts';
import { decodableCaptures } from './dsmr/p1-corpus.ts';

describe('withTariffTotals', () => {
  it('sums exactly where floats would not (0.1 + 0.2)', () => {
    expect(withTariffTotals({ energyImportT1Kwh: 0.1, energyImportT2Kwh: 0.2 }).energyImportKwh).toBe(0.3);
    expect(withTariffTotals({ energyExportT1Kwh: 123456.789, energyExportT2Kwh: 1.001 }).energyExportKwh).toBe(123457.79);
  });

  it('keeps a total the meter sent and adds none from one tariff alone', () => {
    expect(withTariffTotals({ energyImportKwh: 5, energyImportT1Kwh: 1, energyImportT2Kwh: 2 }).energyImportKwh).toBe(5);
    expect(withTariffTotals({ energyImportT1Kwh: 1 })).toEqual({ energyImportT1Kwh: 1 });
  });

  for (const c of decodableCaptures()) {
    it(`${c.id}: gives the P1 decoder's totals from the tariff registers alone`, () => {
      for (const r of decodeTelegrams(c.text)) {
        const { energyImportKwh, energyExportKwh, ...tariffs } = r.values;
        const sent = c.text.includes('1.8.0(') || c.text.includes('1.8.0*255(');
        if (sent) continue; // a meter that sends its own total
        const derived = withTariffTotals(tariffs);
        expect(derived.energyImportKwh).toBe(energyImportKwh);
        expect(derived.energyExportKwh).toBe(energyExportKwh);
      }
    });
  }
});
