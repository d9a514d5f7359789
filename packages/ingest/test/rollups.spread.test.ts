import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insertionDelta, MINUTE_MS, QUARTER_MS, spreadStep, type BucketAmounts, type RegisterPoint } from '../src/rollups/register-spread.ts';
import { isoWeekMonday, localDate, localDateHour, localDayStart } from '../src/time/local-time.ts';

const total = (m: BucketAmounts) => [...m.values()].reduce((a, b) => a + b, 0);

describe('spreadStep', () => {
  it('splits a gap in proportion to time, in integers that add up exactly', () => {
    const out: BucketAmounts = new Map();
    // 10:05 -> 10:50 spans quarters 10:00 (10 min), 10:15 (15), 10:30 (15), 10:45 (5): 45 min for 900 Wh.
    const t0 = Date.UTC(2026, 0, 1, 10, 5);
    spreadStep(t0, Date.UTC(2026, 0, 1, 10, 50), 900, 1, out);
    expect([...out.values()]).toEqual([200, 300, 300, 100]);
    expect([...out.keys()][0]).toBe(Date.UTC(2026, 0, 1, 10, 0));
  });

  it('puts a reading on a boundary in the quarter it closes', () => {
    const out: BucketAmounts = new Map();
    spreadStep(Date.UTC(2026, 0, 1, 10, 14), Date.UTC(2026, 0, 1, 10, 15), 7, 1, out);
    expect([...out]).toEqual([[Date.UTC(2026, 0, 1, 10, 0), 7]]);
  });

  it('always sums to the step and is undone exactly by the negative spread', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 1, max: 3 * 86_400_000 }), fc.integer({ min: 0, max: 10 ** 7 }), (t0, len, d) => {
        const out: BucketAmounts = new Map();
        spreadStep(t0, t0 + len, d, 1, out);
        expect(total(out)).toBe(d);
        for (const v of out.values()) expect(v).toBeGreaterThan(0);
        spreadStep(t0, t0 + len, d, -1, out);
        expect(out.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('spreadStep in minutes', () => {
  it('gives each quarter-hour exactly the sum of its minutes, gaps beyond the horizon included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.integer({ min: 1, max: 2 * 86_400_000 }), fc.integer({ min: 0, max: 10 ** 7 }), (t0, len, d) => {
        const rule = { horizonMs: 86_400_000 };
        const quarters: BucketAmounts = new Map();
        const minutes: BucketAmounts = new Map();
        spreadStep(t0, t0 + len, d, 1, quarters, rule);
        spreadStep(t0, t0 + len, d, 1, minutes, { ...rule, bucketMs: MINUTE_MS });
        const summed: BucketAmounts = new Map();
        for (const [at, v] of minutes) {
          const q = Math.floor(at / QUARTER_MS) * QUARTER_MS;
          summed.set(q, (summed.get(q) ?? 0) + v);
        }
        expect(new Map([...summed].filter(([, v]) => v !== 0))).toEqual(quarters);
      }),
      { numRuns: 300 },
    );
  });

  it('splits 10:00:00 → 10:02:30, 150 Wh, as 60, 60 and 30', () => {
    const out: BucketAmounts = new Map();
    const t0 = Date.UTC(2026, 0, 1, 10, 0);
    spreadStep(t0, t0 + 150_000, 150, 1, out, { horizonMs: QUARTER_MS, bucketMs: MINUTE_MS });
    expect([...out]).toEqual([[t0, 60], [t0 + MINUTE_MS, 60], [t0 + 2 * MINUTE_MS, 30]]);
  });
});

describe('insertionDelta', () => {
  it('counts a meter replacement as 0 and the new meter from its first value', () => {
    const t = (m: number) => Date.UTC(2026, 0, 1, 0, m);
    const pts: RegisterPoint[] = [
      { t: t(0), v: 5000, isNew: true },
      { t: t(1), v: 5100, isNew: true },
      { t: t(2), v: 30, isNew: true },
      { t: t(3), v: 80, isNew: true },
    ];
    expect(total(insertionDelta(pts))).toBe(150);
  });

  it('gives the same buckets whatever the order and batching of arrival', () => {
    const arb = fc.array(fc.tuple(fc.integer({ min: 1, max: 3 * QUARTER_MS }), fc.integer({ min: -50, max: 500 })), { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(arb, fc.infiniteStream(fc.nat()), (steps, rnd) => {
        let t = Date.UTC(2026, 2, 29);
        let v = 1000;
        const seq = steps.map(([dt, dv]) => ({ t: (t += dt), v: (v = Math.max(0, v + dv)) }));
        const all = insertionDelta(seq.map((p) => ({ ...p, isNew: true })));
        // Arrive in a random order, a point at a time, each applied against the points already there.
        const order = seq.map((p, i) => ({ p, k: rnd.next().value ?? i })).sort((a, b) => a.k - b.k).map((x) => x.p);
        const stored: { t: number; v: number }[] = [];
        const acc: BucketAmounts = new Map();
        for (const p of order) {
          stored.push(p);
          stored.sort((a, b) => a.t - b.t);
          insertionDelta(stored.map((s) => ({ ...s, isNew: s === p })), acc);
        }
        expect(new Map([...acc].sort((a, b) => a[0] - b[0]))).toEqual(new Map([...all].sort((a, b) => a[0] - b[0])));
      }),
      { numRuns: 100 },
    );
  });
});

describe('local time', () => {
  it('knows the Brussels days of 23 and 25 hours', () => {
    const z = 'Europe/Brussels';
    expect(localDayStart('2026-03-29', z)).toBe(Date.UTC(2026, 2, 28, 23));
    expect(localDayStart('2026-03-30', z) - localDayStart('2026-03-29', z)).toBe(23 * 3_600_000);
    expect(localDayStart('2026-10-26', z) - localDayStart('2026-10-25', z)).toBe(25 * 3_600_000);
    expect(localDateHour(Date.UTC(2026, 9, 25, 0), z)).toEqual({ date: '2026-10-25', hour: 2 });
    expect(localDateHour(Date.UTC(2026, 9, 25, 1), z)).toEqual({ date: '2026-10-25', hour: 2 });
    expect(localDate(Date.UTC(2026, 2, 28, 22, 59), z)).toBe('2026-03-28');
    expect(isoWeekMonday('2026-03-29')).toBe('2026-03-23');
  });
});
