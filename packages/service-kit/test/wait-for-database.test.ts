import { describe, expect, it } from 'vitest';
import { waitForDatabase } from '../src/wait-for-database.ts';

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('waitForDatabase', () => {
  it('retries with doubling waits until the database answers', async () => {
    let calls = 0;
    const waits: { attempt: number; delayMs: number; reason: string }[] = [];
    await waitForDatabase(
      async () => {
        if (++calls < 4) throw refused();
      },
      { firstDelayMs: 5, maxDelayMs: 12, onWait: (w) => waits.push(w) },
    );
    expect(calls).toBe(4);
    expect(waits).toEqual([
      { attempt: 1, delayMs: 5, reason: 'ECONNREFUSED' },
      { attempt: 2, delayMs: 10, reason: 'ECONNREFUSED' },
      { attempt: 3, delayMs: 12, reason: 'ECONNREFUSED' },
    ]);
  });

  it('gives up with the last error after the retries or at the deadline', async () => {
    let calls = 0;
    const ping = async () => {
      calls++;
      throw refused();
    };
    await expect(waitForDatabase(ping, { retries: 2, firstDelayMs: 1 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(calls).toBe(3);
    const started = Date.now();
    await expect(waitForDatabase(ping, { deadlineMs: 50, firstDelayMs: 10 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
