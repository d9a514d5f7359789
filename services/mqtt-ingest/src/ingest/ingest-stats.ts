import type { UploadKind } from '../topics/topic-route.ts';
import type { UploadOutcome } from './upload-outcome.ts';

type Counters = Record<'received' | UploadOutcome['status'] | 'readings' | 'duplicates' | 'retries' | 'badTopic', number>;
export type CounterName = keyof Counters;
export type CountObserver = (kind: UploadKind | 'unknown', counter: CounterName, n: number) => void;

/** Message counters per upload kind, logged periodically, readable by tests, mirrored to Prometheus. */
export class IngestStats {
  readonly byKind = new Map<UploadKind | 'unknown', Counters>();
  readonly #observer: CountObserver | undefined;

  constructor(observer?: CountObserver) {
    this.#observer = observer;
  }

  #add(kind: UploadKind | 'unknown', counter: CounterName, n = 1): void {
    this.counters(kind)[counter] += n;
    if (n > 0) this.#observer?.(kind, counter, n);
  }

  private counters(kind: UploadKind | 'unknown'): Counters {
    let c = this.byKind.get(kind);
    if (!c) {
      c = { received: 0, stored: 0, rejected: 0, ignored: 0, readings: 0, duplicates: 0, retries: 0, badTopic: 0 };
      this.byKind.set(kind, c);
    }
    return c;
  }

  received(kind: UploadKind | 'unknown'): void {
    this.#add(kind, 'received');
  }

  badTopic(): void {
    this.#add('unknown', 'badTopic');
  }

  retried(kind: UploadKind): void {
    this.#add(kind, 'retries');
  }

  outcome(kind: UploadKind, outcome: UploadOutcome): void {
    this.#add(kind, outcome.status);
    if (outcome.status === 'stored') {
      this.#add(kind, 'readings', outcome.readings);
      this.#add(kind, 'duplicates', outcome.duplicates);
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
