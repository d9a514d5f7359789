import { describe, expect, it } from 'vitest';
import { IgnoredLog } from '../src/ingest/ignored-log.ts';

describe('IgnoredLog', () => {
  it('warns once per device and reason per hour, with the count since the last warn', () => {
    const log = new IgnoredLog(3_600_000);
    const t = 1_000_000;
    expect(log.note('alice', 'system info', t)).toBe(1);
    expect(log.note('alice', 'system info', t + 60_000)).toBeNull();
    expect(log.note('alice', 'system info', t + 120_000)).toBeNull();
    expect(log.note('alice', 'prices', t + 120_000)).toBe(1);
    expect(log.note('bob', 'system info', t + 120_000)).toBe(1);
    expect(log.note('alice', 'system info', t + 3_600_000)).toBe(3);
    expect(log.note('alice', 'system info', t + 3_600_001)).toBeNull();
  });
});
