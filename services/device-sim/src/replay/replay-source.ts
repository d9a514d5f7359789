import type { Clock } from '../time/clock.ts';
import { jittered } from '../time/jitter.ts';
import type { MeterUnit, TimedUnit } from '../sources/meter-unit.ts';
import { HanReplayer, type HanReplayOptions } from './han-replayer.ts';
import { P1Replayer, type P1ReplayOptions } from './p1-replayer.ts';

/**
 * A capture replayed as a live meter on the device's clock. The cadence is the meter's own
 * (P1 DSMR 5 / e-MUCS every second, DSMR 2.2-4 every 10 s; HAN per list) unless an interval is
 * forced. With `rewrite` off, units are sent exactly as captured, cycling.
 */
export interface ReplayOptions {
  clock: Clock;
  rewrite: boolean;
  /** Forced period between units in ms; undefined keeps the meter's cadence. */
  intervalMs?: number;
  jitter: number;
  p1: Partial<P1ReplayOptions>;
  han: HanReplayOptions;
}

/** Seconds between telegrams for this P1 meter: 1 s for DSMR 5 and e-MUCS, 10 s before. */
export function p1CadenceMs(telegram: string): number {
  const dsmr = /^1-3:0\.2\.8\((\d+)\)/m.exec(telegram);
  if (dsmr) return Number(dsmr[1]) >= 50 ? 1_000 : 10_000;
  if (/^0-0:96\.1\.4\(/m.test(telegram)) return 1_000;
  return 10_000;
}

/** Meter clocks have a resolution of one second: two readings in the same second would share a meter time. */
function wholeSeconds(ms: number): number {
  return Math.max(1000, Math.round(ms / 1000) * 1000);
}

export async function* replayUnits(units: readonly MeterUnit[], options: ReplayOptions, signal: AbortSignal): AsyncGenerator<TimedUnit> {
  const { clock } = options;
  const first = units[0];
  if (!first) return;
  if (first.protocol === 'p1') {
    const telegrams = units.flatMap((u) => (u.protocol === 'p1' ? [u.telegram] : []));
    const replayer = new P1Replayer(telegrams, options.p1);
    const period = options.intervalMs ?? p1CadenceMs(telegrams[0]!);
    let i = 0;
    // Meters tick on whole seconds.
    let due = Math.ceil(clock.now() / 1000) * 1000;
    while (!signal.aborted) {
      await clock.sleep(due - clock.now(), signal);
      if (signal.aborted) return;
      const telegram = options.rewrite ? replayer.next(due) : telegrams[i++ % telegrams.length]!;
      yield { atMs: due, unit: { protocol: 'p1', telegram } };
      due += wholeSeconds(jittered(period, options.jitter));
    }
    return;
  }
  const frames = units.flatMap((u) => (u.protocol === 'han' ? [u.frame] : []));
  const replayer = new HanReplayer(frames, options.han);
  const lists = replayer.lists;
  const startMs = Math.ceil(clock.now() / 1000) * 1000;
  const next = new Map<1 | 2 | 3, number>();
  for (const list of lists) {
    // A capture of hourly lists only would stay silent for up to an hour: start with one at once.
    const due = options.intervalMs !== undefined || (list === 3 && lists.length === 1) ? startMs : HanReplayer.nextDue(list, startMs, startMs);
    next.set(list, due);
  }
  let raw = 0;
  while (!signal.aborted) {
    let list: 1 | 2 | 3 = lists[0]!;
    // On a tie the longest list goes first; the shorter ones due then are skipped below.
    for (const l of lists) if (next.get(l)! < next.get(list)! || (next.get(l) === next.get(list) && l > list)) list = l;
    const due = next.get(list)!;
    await clock.sleep(due - clock.now(), signal);
    if (signal.aborted) return;
    const frame = options.rewrite ? replayer.next(list, due) : frames[raw++ % frames.length]!;
    yield { atMs: due, unit: { protocol: 'han', frame } };
    const after =
      options.intervalMs !== undefined
        ? due + wholeSeconds(jittered(options.intervalMs, options.jitter))
        : HanReplayer.nextDue(list, due + 1, startMs);
    next.set(list, after);
    // A longer list replaces the shorter ones due in the same second (list 2 carries list 1's power,
    // list 3 all of list 2): one frame per slot, as meters send them, so meter times stay unique.
    for (const lower of lists) {
      if (lower >= list) continue;
      while (next.get(lower)! - due < 1_000) next.set(lower, HanReplayer.nextDue(lower, next.get(lower)! + 1, startMs));
    }
  }
}
