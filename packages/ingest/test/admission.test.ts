import { describe, expect, it } from 'vitest';
import { retryAfterSeconds } from '../src/index.ts';
import { CommitModel } from '../src/write/commit-model.ts';

describe('commit model', () => {
  it('fits a fixed and a per-row cost to recent transactions', () => {
    const m = new CommitModel();
    expect(m.transactionMs(100)).toBe(0);
    for (const rows of [10, 100, 500, 1000, 2000]) m.record(rows, 5 + 0.1 * rows);
    expect(m.cost!.fixedMs).toBeCloseTo(5, 5);
    expect(m.cost!.perRowMs).toBeCloseTo(0.1, 5);
    expect(m.transactionMs(300)).toBeCloseTo(35, 3);
  });

  it('charges the mean per row when every batch has one size, and follows commits that slow down at once', () => {
    const m = new CommitModel();
    for (let i = 0; i < 10; i++) m.record(2, 20);
    expect(m.transactionMs(2)).toBeCloseTo(20, 5);
    m.record(2, 80);
    m.record(2, 80);
    // The fit over 12 commits says ~30 ms; the last two took 80.
    expect(m.transactionMs(2)).toBeGreaterThan(60);
  });
});

describe('Retry-After of a refusal', () => {
  it('is whole seconds, at least 1, spread over 1–2× the wait, and capped at a minute', () => {
    expect(retryAfterSeconds(0, () => 0)).toBe(1);
    expect(retryAfterSeconds(200, () => 0.99)).toBe(2);
    expect(retryAfterSeconds(3000, () => 0)).toBe(3);
    expect(retryAfterSeconds(3000, () => 0.5)).toBe(5);
    expect(retryAfterSeconds(10 * 60_000, () => 0.5)).toBe(60);
    const spread = new Set(Array.from({ length: 200 }, () => retryAfterSeconds(4000)));
    expect(spread.size).toBeGreaterThan(2);
  });
});
