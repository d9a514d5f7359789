import type { UploadKind } from '../topics/topic-route.ts';
import type { UploadOutcome } from './upload-outcome.ts';

type Counters = Record<'received' | UploadOutcome['status'] | 'readings' | 'duplicates' | 'retries' | 'badTopic', number>;

/** Message counters per upload kind, logged periodically and readable by tests. */
export class IngestStats {
  readonly byKind = new Map<UploadKind | 'unknown', Counters>();

  private counters(kind: UploadKind | 'unknown'): Counters {
    let c = this.byKind.get(kind);
    if (!c) {
      c = { received: 0, stored: 0, rejected: 0, ignored: 0, readings: 0, duplicates: 0, retries: 0, badTopic: 0 };
      this.byKind.set(kind, c);
    }
    return c;
  }

  received(kind: UploadKind | 'unknown'): void {
    this.counters(kind).received++;
  }

  badTopic(): void {
    this.counters('unknown').badTopic++;
  }

  retried(kind: UploadKind): void {
    this.counters(kind).retries++;
  }

  outcome(kind: UploadKind, outcome: UploadOutcome): void {
    const c = this.counters(kind);
    c[outcome.status]++;
    if (outcome.status === 'stored') {
      c.readings += outcome.readings;
      c.duplicates += outcome.duplicates;
    }
  }

  total(field: keyof Counters): number {
    let sum = 0;
    for (const c of this.byKind.values()) sum += c[field];
    return sum;
  }

  snapshot(): Record<string, Counters> {
    return Object.fromEntries([...this.byKind].map(([k, v]) => [k, { ...v }]));
  }
}
