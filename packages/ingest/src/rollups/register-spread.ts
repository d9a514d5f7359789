/**
 * Consumption from a cumulative register, as signed integer amounts per bucket: 15 minutes by default,
 * 1 minute for the energy the minute rollup keeps (SpreadRule.bucketMs). The cumulative rounding makes
 * a quarter's minutes add up to exactly what the quarter gets when spread in quarters (both end at the
 * same quarter boundaries), so every level keeps the same totals.
 *
 * Rule (docs/dashboards.md): between two consecutive readings of one register the increase is
 * spread over the time between them, in proportion to each bucket's share of that time (rounded
 * cumulatively, so the parts are integers that add up exactly). A decrease is a meter replacement or
 * reset: that step counts 0 and the new meter counts from its first value.
 * Gap rule: a step longer than the horizon is not spread; its whole increase is booked in the bucket of
 * the later reading and the step is recorded as a gap (rollup_gap), so one reading writes a bounded number of rows.
 */

export const QUARTER_MS = 15 * 60_000;
export const MINUTE_MS = 60_000;

/** Steps longer than this are gaps by default (SEM_ROLLUP_GAP_HORIZON_H). */
export const DEFAULT_GAP_HORIZON_MS = 7 * 24 * 3_600_000;

/** A gap step seen while computing a delta: +1 it appears, -1 it disappears (a late reading split it). */
export interface GapChange {
  t0: number;
  t1: number;
  sign: 1 | -1;
}

/** How steps are spread: the gap horizon, and where gap steps are reported (absent: not reported). */
export interface SpreadRule {
  horizonMs: number;
  gaps?: GapChange[];
  /** Bucket length, a divisor of 15 minutes (default QUARTER_MS). */
  bucketMs?: number;
}

const DEFAULT_RULE: SpreadRule = { horizonMs: DEFAULT_GAP_HORIZON_MS };

export interface RegisterPoint {
  /** UTC ms. */
  t: number;
  /** Register value in integer units (Wh, litres, events). */
  v: number;
  /** True for points of the batch being applied. */
  isNew: boolean;
}

/** Bucket start (UTC ms) -> signed amount. */
export type BucketAmounts = Map<number, number>;

function add(out: BucketAmounts, bucket: number, amount: number): void {
  if (amount === 0) return;
  const next = (out.get(bucket) ?? 0) + amount;
  if (next === 0) out.delete(bucket);
  else out.set(bucket, next);
}

/**
 * Spreads the increase d over (t0, t1] into buckets of rule.bucketMs; sign +1 adds, -1 removes the same parts.
 * A step longer than the horizon goes whole into the bucket of t1 (at most horizon / bucket + 1 buckets per step).
 */
export function spreadStep(t0: number, t1: number, d: number, sign: 1 | -1, out: BucketAmounts, rule: SpreadRule = DEFAULT_RULE): void {
  const size = rule.bucketMs ?? QUARTER_MS;
  if (t1 - t0 > rule.horizonMs) {
    rule.gaps?.push({ t0, t1, sign });
    if (d > 0) add(out, (Math.ceil(t1 / size) - 1) * size, sign * d);
    return;
  }
  if (d <= 0 || t1 <= t0) return;
  const first = Math.floor(t0 / size);
  const last = Math.ceil(t1 / size) - 1;
  if (first === last) {
    add(out, first * size, sign * d);
    return;
  }
  // Cumulative rounding: bucket i gets round(d * elapsed_i / total) - round(d * elapsed_(i-1) / total).
  // The parts are integers, never negative, add up to d exactly, and spread a remainder evenly.
  const total = t1 - t0;
  let before = 0;
  for (let b = first; b <= last; b++) {
    const elapsed = Math.min(t1, (b + 1) * size) - t0;
    const upTo = b === last ? d : Math.floor((d * elapsed) / total + 0.5);
    add(out, b * size, sign * (upTo - before));
    before = upTo;
  }
}

function steps(points: readonly RegisterPoint[], sign: 1 | -1, out: BucketAmounts, rule: SpreadRule): void {
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    spreadStep(a.t, b.t, b.v - a.v, sign, out, rule);
  }
}

/**
 * What inserting the new points changes: the steps of the full sequence minus the steps the
 * sequence had without them. `window` is sorted by time and holds the neighbours on both sides.
 */
export function insertionDelta(window: readonly RegisterPoint[], out: BucketAmounts = new Map(), rule: SpreadRule = DEFAULT_RULE): BucketAmounts {
  steps(window, 1, out, rule);
  steps(
    window.filter((p) => !p.isNew),
    -1,
    out,
    rule,
  );
  return out;
}
