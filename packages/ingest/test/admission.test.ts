import { describe, expect, it } from 'vitest';
import { RetryAppointments } from '../src/index.ts';
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

describe('Retry-After of a refusal (appointments)', () => {
  it('tells a fleet refused at once to come back at the rate the write path commits, in whole seconds from 1', () => {
    const book = new RetryAppointments();
    // 1,000 devices refused in the same millisecond, 300 ms of queue ahead, 50 ms of commit each: 20 a second.
    const answers = Array.from({ length: 1000 }, () => book.book(300, 50, 0));
    expect(answers[0]).toBe(1);
    expect(answers).toEqual([...answers].sort((a, b) => a - b));
    const perSecond = new Map<number, number>();
    for (const s of answers) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    // Seconds 2..50 each get exactly the 20 the write path commits in a second; nobody is told to wait longer than needed.
    for (let s = 2; s <= 50; s++) expect(perSecond.get(s)).toBe(20);
    expect(Math.max(...answers)).toBe(51);
  });

  it('waits at least the queue ahead, caps at a minute, and forgets bookings of clients that never came back', () => {
    const book = new RetryAppointments();
    expect(book.book(0, 0, 0)).toBe(1);
    expect(book.book(4_200, 0, 0)).toBe(5);
    for (let i = 0; i < 10_000; i++) book.book(0, 50, 1000);
    expect(book.book(0, 50, 1000)).toBe(60);
    // A minute later the book is empty again: the bookings reached no further than a minute ahead.
    expect(book.book(0, 50, 62_000)).toBe(1);
  });
});
