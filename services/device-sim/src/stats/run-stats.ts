/** Counters of one run, shared by every device of the fleet, and the summary printed at the end. */
export interface RunSummary {
  devices: number;
  readings: number;
  sent: number;
  acknowledged: number;
  duplicate: number;
  rejected: Record<string, number>;
  retried: number;
  requests: number;
  networkErrors: number;
  overflow: number;
  pending: number;
  latencyMs: { p50: number | null; p99: number | null; max: number | null };
  elapsedMs: number;
}

const MAX_SAMPLES = 200_000;

export class RunStats {
  devices = 0;
  readings = 0;
  sent = 0;
  acknowledged = 0;
  duplicate = 0;
  retried = 0;
  requests = 0;
  networkErrors = 0;
  /** Live readings lost because the outbox was full (replays wait instead). */
  overflow = 0;
  pending = 0;
  readonly rejected = new Map<string, number>();
  private readonly latencies: number[] = [];
  private seen = 0;
  private readonly startedAt = Date.now();

  reject(reason: string, count = 1): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + count);
  }

  /** Keeps a uniform sample of request latencies (reservoir) so long runs stay small. */
  latency(ms: number): void {
    this.seen++;
    if (this.latencies.length < MAX_SAMPLES) this.latencies.push(ms);
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < MAX_SAMPLES) this.latencies[slot] = ms;
    }
  }

  get rejectedTotal(): number {
    let n = 0;
    for (const v of this.rejected.values()) n += v;
    return n;
  }

  summary(): RunSummary {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      devices: this.devices,
      readings: this.readings,
      sent: this.sent,
      acknowledged: this.acknowledged,
      duplicate: this.duplicate,
      rejected: Object.fromEntries(this.rejected),
      retried: this.retried,
      requests: this.requests,
      networkErrors: this.networkErrors,
      overflow: this.overflow,
      pending: this.pending,
      latencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? null },
      elapsedMs: Date.now() - this.startedAt,
    };
  }
}

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return Math.round(sorted[rank - 1]! * 10) / 10;
}
