/**
 * Every value every capture carries survives toStored/toStoredRest/fromStored exactly, at the
 * resolution the meter sent it (Kaifa mA, EasyMeter Q3D 0.1 mWh and 0.01 W included), and fits its column.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeTelegrams, type QuantityName, type Reading } from '@sem/meter-protocol';
import { fromStored, QUANTITY_COLUMNS, toStored, toStoredRest } from '../src/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIRS = [`${ROOT}../shared/fixtures/`, `${ROOT}packages/meter-protocol/fixtures/`];

function readings(): { name: string; r: Reading }[] {
  const out: { name: string; r: Reading }[] = [];
  for (const dir of DIRS) {
    if (!existsSync(`${dir}dsmr`)) continue;
    for (const f of readdirSync(`${dir}dsmr`).filter((x) => x.endsWith('.txt'))) {
      try {
        for (const r of decodeTelegrams(readFileSync(`${dir}dsmr/${f}`, 'latin1'))) out.push({ name: f, r });
      } catch {
        // damaged captures are the decoder's tests
      }
    }
    for (const f of readdirSync(`${dir}han`).filter((x) => x.endsWith('.hex'))) {
      try {
        out.push({ name: f, r: decodeFrame(Buffer.from(readFileSync(`${dir}han/${f}`, 'latin1').replace(/\s+/g, ''), 'hex')) });
      } catch {
        // encrypted without a key, segmented
      }
    }
  }
  return out;
}

describe('quantity columns keep what the meter sent', () => {
  const all = readings();
  it('has captures (../shared/fixtures when present, the package copies always)', () => expect(all.length).toBeGreaterThan(15));

  it('round-trips every value of every capture exactly', () => {
    for (const { name, r } of all) {
      for (const [q, v] of Object.entries(r.values) as [QuantityName, number][]) {
        const stored = toStored(q, v);
        expect(typeof stored, `${name} ${q}=${v}: ${stored}`).toBe('number');
        expect(fromStored(q, stored as number, toStoredRest(q, v)), `${name} ${q}`).toBe(v);
      }
    }
  });

  it('needs a rest only for the finer digits: Kaifa mA, Q3D energy and power', () => {
    expect(toStoredRest('currentL1A', 4.224)).toBe(4);
    expect(toStoredRest('currentL1A', 0.045)).toBe(-5);
    expect(fromStored('currentL1A', toStored('currentL1A', 0.045) as number, -5)).toBe(0.045);
    expect(toStoredRest('currentL1A', -12.34)).toBeNull();
    expect(toStoredRest('energyImportKwh', 52185.7825309)).toBe(-4691);
    expect(fromStored('energyImportKwh', 52185783, -4691)).toBe(52185.7825309);
    expect(toStoredRest('powerImportW', 2124.86)).toBe(-14);
    expect(toStoredRest('energyImportKwh', 1234.567)).toBeNull();
    expect(toStoredRest('voltageL1V', 230.15)).toBeNull(); // no rest column: no meter sends finer than 0.1 V
  });

  it('keeps every rest inside its column type', () => {
    for (const spec of Object.values(QUANTITY_COLUMNS) as { rest?: { steps: number } }[]) {
      if (spec.rest) expect(spec.rest.steps / 2).toBeLessThanOrEqual(spec.rest.steps >= 1000 ? 32_767 : 127);
    }
  });
});
