/**
 * The device's notion of time. Live runs use the wall clock and real sleeps; a virtual clock
 * jumps forward instead of waiting, so an hour of meter output is produced in seconds.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms` of this clock's time, or early when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const wallClock: Clock = { now: () => Date.now(), sleep: realSleep };

/** Time that runs `speed` times faster than the wall clock, starting at `startMs`. */
export function acceleratedClock(startMs: number, speed: number): Clock {
  const origin = Date.now();
  return {
    now: () => startMs + (Date.now() - origin) * speed,
    sleep: (ms, signal) => realSleep(ms / speed, signal),
  };
}

/** Time that only moves when the device sleeps: as fast as the CPU allows, fully deterministic. */
export function virtualClock(startMs: number): Clock {
  let t = startMs;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += Math.max(0, ms);
      // Yield so that other devices and the sender make progress between meter ticks.
      await new Promise<void>((r) => setImmediate(r));
    },
  };
}
