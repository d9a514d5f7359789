import { describe, expect, it } from 'vitest';
import { planMerge } from '../src/write/reading-merge.ts';
import type { PreparedReading } from '../src/write/prepared-reading.ts';

const T = new Date('2026-12-04T10:00:00Z');

function reading(columns: PreparedReading['columns'], meterTime = T): PreparedReading {
  return { deviceId: 7, meterTime, receivedAt: T, source: 'json', columns, mbus: [], powerFailures: [], peaks: [] } as unknown as PreparedReading;
}

describe('planMerge', () => {
  it('gives a key new in the batch one write with every column, and the steps each reading only what it added', () => {
    const first = reading({ power_import_w: 100 });
    const second = reading({ power_import_w: 999, voltage_l1_dv: 2301 });
    const third = reading({ power_import_w: 100 });
    const plan = planMerge([first, second, third], new Map());

    expect(plan.outcomes).toEqual(['stored', 'merged', 'duplicate']);
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]!.isNew).toBe(true);
    expect(plan.writes[0]!.row.columns).toEqual({ power_import_w: 100, voltage_l1_dv: 2301 });
    // The rollups count each value once: the stored entry holds the first reading's columns, the merged one only the fill.
    expect(plan.written.map((w) => [w.outcome, w.columns])).toEqual([
      ['stored', { power_import_w: 100 }],
      ['merged', { voltage_l1_dv: 2301 }],
    ]);
    // The input readings are left as they came.
    expect(first.columns).toEqual({ power_import_w: 100 });
    expect(second.columns).toEqual({ power_import_w: 999, voltage_l1_dv: 2301 });
  });

  it('fills only the NULL columns of a stored row, and writes a key that added nothing not at all', () => {
    const stored = new Map([[`7:${T.getTime()}`, { power_import_w: 50, voltage_l1_dv: null } as unknown as PreparedReading['columns']]]);
    const later = new Date(T.getTime() + 1000);
    const plan = planMerge([reading({ power_import_w: 100, voltage_l1_dv: 2299 }), reading({ power_import_w: 1 }, later)], stored);
    expect(plan.outcomes).toEqual(['merged', 'stored']);
    expect(plan.writes.map((w) => [w.isNew, w.row.columns])).toEqual([
      [false, { voltage_l1_dv: 2299 }],
      [true, { power_import_w: 1 }],
    ]);
    expect(planMerge([reading({ power_import_w: 7 })], new Map([[`7:${T.getTime()}`, { power_import_w: 50 } as PreparedReading['columns']]])).writes).toEqual([]);
  });
});
