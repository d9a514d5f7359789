import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForDatabaseOptions {
  /** Attempts after the first before giving up (default: until the deadline). */
  retries?: number;
  /** Give up when the next wait would end later than this many ms from now (default: never). */
  deadlineMs?: number;
  /** Backoff: the first wait, doubled each attempt up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Told before each wait: why the database did not answer (its error code when it has one). */
  onWait?(wait: { attempt: number; delayMs: number; reason: string }): void;
}

/**
 * Pods and compose start containers together, not in health order: every process that needs the
 * database waits for `ping` to succeed, with capped exponential backoff. Throws the last error when it gives up.
 */
export async function waitForDatabase(ping: () => Promise<unknown>, options: WaitForDatabaseOptions = {}): Promise<void> {
  const deadline = options.deadlineMs === undefined ? Infinity : Date.now() + options.deadlineMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await ping();
      return;
    } catch (err) {
      const delayMs = Math.min(options.maxDelayMs ?? 5000, (options.firstDelayMs ?? 250) * 2 ** Math.min(attempt, 30));
      if (attempt >= (options.retries ?? Infinity) || Date.now() + delayMs > deadline) throw err;
      const reason = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
      options.onWait?.({ attempt: attempt + 1, delayMs, reason });
      await sleep(delayMs);
    }
  }
}
