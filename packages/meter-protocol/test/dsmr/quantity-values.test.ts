import { describe, expect, it } from 'vitest';
import { QUANTITIES } from '../../src/reading.ts';
import { OBJECTS } from '../../src/dsmr/p1-objects.ts';
import { UNROLLED_QUANTITIES, buildValues } from '../../src/dsmr/quantity-values.ts';

describe('buildValues', () => {
  it('stores every slot under its QUANTITIES name, in QUANTITIES order (the unrolled stores match reading.ts)', () => {
    const present = new Uint8Array(QUANTITIES.length).fill(1);
    const values = Float64Array.from(QUANTITIES, (_, i) => i + 0.5);
    const built = buildValues(present, values);
    expect(Object.keys(built)).toEqual([...QUANTITIES]);
    QUANTITIES.forEach((name, i) => expect(built[name]).toBe(i + 0.5));
    expect(UNROLLED_QUANTITIES).toBeLessThanOrEqual(QUANTITIES.length);
  });

  it('leaves absent slots out', () => {
    const present = new Uint8Array(QUANTITIES.length);
    present[QUANTITIES.indexOf('tariff')] = 1;
    expect(buildValues(present, new Float64Array(QUANTITIES.length).fill(2))).toEqual({ tariff: 2 });
  });

  it('covers every quantity the P1 object table maps', () => {
    for (const spec of OBJECTS.values()) {
      if (spec.quantity !== null) expect(QUANTITIES[spec.index]).toBe(spec.quantity);
    }
  });
});
