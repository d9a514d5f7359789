import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { addDevice, bearer, useTestApp } from './test-app.ts';

// Deferred rollups, as in production.
const ctx = useTestApp({ SEM_ROLLUP_FLUSH_MS: '500' }, ['rollup_gap']);

const post = (key: string, payload: unknown) => ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload: payload as object });

const TEN_YEARS_MS = 10 * 365.25 * 86_400_000;
/** The figure: event-loop lag p99 while the gap reading is handled. */
const LAG_BOUND_MS = 50;
/**
 * A phase without any gap lagging this much says the host itself (other processes on the shared cores,
 * other test files in parallel) is too busy to judge the bound: that attempt is measured again, the bound stays.
 */
const QUIET_MS = 25;
const ATTEMPTS = 6;

interface Phase {
  status: number;
  extraMs: number;
  median: number;
  statuses: number[];
  lagP99Ms: number;
}

/**
 * 20 devices post 10 readings each, one after another (20 concurrent streams), while `extra` is posted once
 * and the deferred rollups are then written: the event-loop delay over all of it. The phase is short
 * (well under a second on a quiet host at 10 ms resolution), so one block of the loop is its p99.
 */
async function underLoad(keys: readonly string[], from: number, extra: () => ReturnType<typeof post>): Promise<Phase> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const statuses: number[] = [];
  const otherMs: number[] = [];
  const streams = Promise.all(
    keys.map(async (key) => {
      for (let round = 0; round < 10; round++) {
        const t0 = performance.now();
        const r = await post(key, { time: from + round * 1000, energyImportKwh: 1 + (from + round * 1000) / 1e10, powerImportW: 100 });
        otherMs.push(performance.now() - t0);
        statuses.push(r.statusCode);
      }
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  const res = await extra();
  const extraMs = performance.now() - started;
  await streams;
  // The gap's rollups are written by the deferred flush: inside the measured window, not after it.
  await ctx.app.rollups!.flush();
  lag.disable();
  const median = otherMs.sort((a, b) => a - b)[otherMs.length >> 1]!;
  return { status: res.statusCode, extraMs, median, statuses, lagP99Ms: lag.percentile(99) / 1e6 };
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

describe('a reading 10 years after the previous one, among other devices', () => {
  it('answers at once, books the gap, and no other device gets a 5xx or waits (event-loop p99 < 50 ms)', async ({ skip }) => {
    const others = await Promise.all(Array.from({ length: 20 }, () => addDevice(ctx.t)));
    const keys = others.map((d) => d.key);
    // Each phase's readings take 15 s of meter time, all in the past.
    let clock = Date.now() - (ATTEMPTS * 2 + 3) * 15_000;
    const nextPhase = () => (clock += 15_000);
    // Warm-up, not judged: every device has a previous reading and the code paths are compiled.
    await Promise.all(keys.map((key) => post(key, { time: nextPhase(), energyImportKwh: 1, powerImportW: 100 })));
    const warm = await addDevice(ctx.t);
    await underLoad(keys, nextPhase(), () => post(warm.key, { time: clock, energyImportKwh: 1 }));

    const attempts: string[] = [];
    const statuses: number[] = [];
    let overWhenQuiet = 0;
    let verdict: 'under' | 'over' | undefined;
    let late = warm;
    for (let attempt = 1; attempt <= ATTEMPTS && !verdict; attempt++) {
      late = await addDevice(ctx.t);
      const t = nextPhase();
      statuses.push((await post(late.key, { time: t - TEN_YEARS_MS, energyImportKwh: 100 })).statusCode);
      // The baseline: the same load just before, with an ordinary one-minute step of the same device instead of the gap.
      // (A phase after the gap cannot serve: a gap rule that fails leaves work behind that lags it too.)
      const before = await underLoad(keys, nextPhase(), () => post(late.key, { time: t - TEN_YEARS_MS + 60_000, energyImportKwh: 100.001 }));
      const gap = await underLoad(keys, nextPhase(), () => post(late.key, { time: t, energyImportKwh: 87_766 }));
      statuses.push(before.status, gap.status, ...before.statuses, ...gap.statuses);
      attempts.push(
        `#${attempt}: event-loop p99 ${round1(before.lagP99Ms)} ms without the gap, ${round1(gap.lagP99Ms)} ms with it;` +
          ` the gap reading answered in ${round1(gap.extraMs)} ms, the others' median ${round1(gap.median)} ms`,
      );

      // At once: no slower than the ordinary requests it shares the group commits with.
      const atOnce = gap.extraMs < Math.max(250, 2 * gap.median);
      const quiet = before.lagP99Ms < QUIET_MS;
      // Within the bounds counts whatever the load. Beyond them counts when the host was quiet just before, twice
      // (work that blocks the loop does so every time; a load spike that hits exactly the gap phase twice is rare).
      if (gap.lagP99Ms < LAG_BOUND_MS && atOnce) verdict = 'under';
      else if (quiet && ++overWhenQuiet === 2) verdict = 'over';
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const log = attempts.join('\n');
    expect(verdict, `event-loop p99 ≥ ${LAG_BOUND_MS} ms, or the gap reading not at once, on a quiet host\n${log}`).not.toBe('over');
    // Whatever the host's load, in every attempt: every request answered 201 (no 5xx).
    expect(statuses.filter((s) => s !== 201)).toEqual([]);

    // The 10-year step is one gap row and one quarter amount, not 350,000 quarters.
    const gaps = await ctx.t.db.selectFrom('rollup_gap' as never).selectAll().where('device_id' as never, '=', late.id as never).execute();
    expect(gaps).toHaveLength(1);
    const quarters = await ctx.t.db.selectFrom('rollup_quarter' as never).select(['imp_wh' as never]).where('device_id' as never, '=', late.id as never).execute();
    // The baseline's one-minute step of 1 Wh in its own quarter; the 10-year step booked whole in the quarter of the new reading.
    expect(quarters.map((q) => Number((q as { imp_wh: number }).imp_wh)).sort((a, b) => a - b)).toEqual([1, 87_665_999]);

    // Never judged (the host lagged without any gap in every attempt): reported as skipped, the bound not relaxed.
    if (!verdict) skip(`not judged: the host lagged ≥ ${QUIET_MS} ms without any gap in all ${ATTEMPTS} attempts\n${log}`);
    expect(verdict).toBe('under');
  }, 240_000);
});
