import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { IngestError } from '../errors/ingest-error.ts';
import type { IngestLog } from '../ingest-log.ts';
import { dbUnavailable, isDbUnavailable, isDeadlock, isRowDataError } from '../errors/db-errors.ts';
import type { PreparedReading } from './prepared-reading.ts';
import { WriteConflictError, writeBatch } from './write-batch.ts';
import type { QueueOutcome } from './reading-merge.ts';
import { DEFAULT_WRITE_STEPS, type WriteStep } from './write-steps.ts';
import { CommitModel } from './commit-model.ts';
import { RetryAppointments } from './retry-appointments.ts';

export interface WriteQueueOptions {
  /** Rows waiting or in flight above which new requests are shed (overloaded). */
  maxRows: number;
  /** Rows per transaction at most (a single request is never split). */
  maxBatchRows: number;
  /** How long the first request of a batch waits for company. 0 = next tick. */
  lingerMs: number;
  /** When the oldest request not yet answered has waited longer than this, new requests are shed (overloaded). */
  maxWaitMs: number;
  /**
   * Admission budget: a request whose expected wait until COMMIT (from the recent commit times, the rows ahead of
   * it and the transactions in flight) is longer than this is refused at once (overloaded). Default: no budget.
   */
  admitMaxWaitMs?: number;
  /** Transactions in flight at once (default 1); they never share a device. */
  concurrency?: number;
}

export interface WriteQueueObserver {
  onTransaction(rows: number, requests: number, outcome: 'committed' | 'failed', seconds: number): void;
  onRows(stored: number, duplicates: number): void;
  onShed(): void;
  depth(rows: number): void;
}

interface Job {
  rows: readonly PreparedReading[];
  /** The devices of the rows (one request: one device). */
  devices: ReadonlySet<number>;
  /** performance.now() at enqueue. */
  since: number;
  resolve(outcomes: QueueOutcome[]): void;
  reject(err: unknown): void;
}

/** Why the write path refuses a request now: the data of an IngestError overloaded or shutting-down. */
export interface AdmissionRefusal {
  kind: 'overloaded' | 'shutting-down';
  message: string;
  /** details.reason of the IngestError: write_queue_full, write_queue_slow or write_wait_over_budget. */
  reason: string | undefined;
  retryAfterSeconds: number;
}

/** Seconds a shed client should wait at least. */
export const QUEUE_FULL_RETRY_AFTER_S = 1;


/** A transaction in flight: its rows, devices, the enqueue time of its oldest request and its start. */
interface Flight {
  rows: number;
  devices: Set<number>;
  since: number;
  startedAt: number;
}

/**
 * Group commit: requests enqueue their rows and wait; a flush writes everything waiting in one
 * transaction and resolves each request only after COMMIT. Up to `concurrency` flushes overlap, each on
 * devices no other one holds: the rollups of a device read its earlier rows, which must be committed, and a
 * device's requests keep their order. Bounded: sheds (IngestError overloaded) when full (rows), behind (the oldest
 * unanswered request has waited longer than `maxWaitMs`), or when a new request could not commit within
 * `admitMaxWaitMs` at the rate the write path commits now (docs/performance.md, "Overload").
 */
export class WriteQueue {
  readonly #db: Kysely<Database>;
  readonly #opts: WriteQueueOptions;
  readonly #observer: WriteQueueObserver | undefined;
  readonly #log: IngestLog | undefined;
  readonly #steps: WriteStep[] = [...DEFAULT_WRITE_STEPS];
  #pending: Job[] = [];
  #pendingRows = 0;
  readonly #flights = new Set<Flight>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #idleWaiters: (() => void)[] = [];
  readonly #model = new CommitModel();
  readonly #appointments = new RetryAppointments();
  /** Rows per admitted request, a moving mean: what a refused one will probably bring back. */
  #rowsPerRequest = 1;
  /** Counters for tests and metrics. */
  readonly stats = { transactions: 0, failedTransactions: 0, rows: 0, requests: 0, shed: 0 };

  constructor(db: Kysely<Database>, opts: WriteQueueOptions, observer?: WriteQueueObserver, log?: IngestLog) {
    this.#db = db;
    this.#opts = opts;
    this.#observer = observer;
    this.#log = log;
  }

  /** Adds a step to every write transaction (runs after the built-in steps). */
  addStep(step: WriteStep): void {
    this.#steps.push(step);
  }

  get depth(): number {
    let rows = this.#pendingRows;
    for (const f of this.#flights) rows += f.rows;
    return rows;
  }

  /** Milliseconds the oldest request not yet answered has waited (0 when none waits). */
  get oldestWaitMs(): number {
    let since = this.#pending[0]?.since ?? Infinity;
    for (const f of this.#flights) since = Math.min(since, f.since);
    return since === Infinity ? 0 : performance.now() - since;
  }

  /**
   * Expected ms until `rows` more rows would be committed: a transaction slot freeing up, then the rows ahead and
   * these in batches of `maxBatchRows` over `concurrency` slots, each batch timed by the recent commits. A transaction
   * in flight longer than expected (a lock wait, a stalled database) is taken to need as long again.
   */
  expectedWaitMs(rows: number): number {
    const now = performance.now();
    const slots = this.#opts.concurrency ?? 1;
    let slotFreeMs = 0;
    if (this.#flights.size >= slots) {
      slotFreeMs = Infinity;
      for (const f of this.#flights) {
        const expected = this.#model.transactionMs(f.rows);
        const elapsed = now - f.startedAt;
        slotFreeMs = Math.min(slotFreeMs, elapsed < expected ? expected - elapsed : elapsed);
      }
    }
    const cost = this.#model.cost;
    if (!cost) return slotFreeMs;
    const ahead = this.#pendingRows + rows;
    const batches = Math.max(1, Math.ceil(ahead / this.#opts.maxBatchRows));
    return slotFreeMs + Math.ceil(batches / slots) * cost.fixedMs + (cost.perRowMs * ahead) / Math.min(slots, batches);
  }

  /**
   * Whether `rows` more rows would be admitted now; the refusal (counted as shed) when not. Adapters may ask before
   * they read a request's body (rows unknown: 1), so the excess is answered without the cost of parsing it.
   */
  admission(rows = 1): IngestError | undefined {
    const r = this.refusal(rows);
    return r && new IngestError(r.kind, r.message, { retryAfterSeconds: r.retryAfterSeconds, ...(r.reason ? { details: { reason: r.reason } } : {}) });
  }

  /**
   * The same decision as `admission()` as plain data: no Error (whose stack trace costs more than the decision) for
   * an adapter that answers thousands of refusals a second itself.
   */
  refusal(rows = 1): AdmissionRefusal | undefined {
    if (this.#closed) return { kind: 'shutting-down', message: 'the server is shutting down', reason: undefined, retryAfterSeconds: QUEUE_FULL_RETRY_AFTER_S };
    // An idle queue takes any request: there is nothing to wait behind.
    if (this.depth === 0) return undefined;
    if (this.depth + rows > this.#opts.maxRows) {
      return this.#shed('the write queue is full; nothing was stored, retry later', 'write_queue_full', this.expectedWaitMs(rows));
    }
    // Single-reading devices never fill the row bound: waiting time is what tells the writer is behind.
    const oldest = this.oldestWaitMs;
    if (oldest > this.#opts.maxWaitMs) {
      return this.#shed('the write queue is behind; nothing was stored, retry later', 'write_queue_slow', oldest);
    }
    if (this.#opts.admitMaxWaitMs !== undefined) {
      const expected = this.expectedWaitMs(rows);
      // Never below two commits of the batch this request would ride in: when one commit takes longer than the budget
      // (a starved host), refusing what would fill the next transaction only shrinks the batches and goodput collapses.
      const nextBatchMs = this.#model.transactionMs(Math.min(this.#opts.maxBatchRows, this.#pendingRows + rows));
      if (expected > Math.max(this.#opts.admitMaxWaitMs, 2 * nextBatchMs)) {
        return this.#shed('the write path cannot commit this in time; nothing was stored, retry later', 'write_wait_over_budget', expected);
      }
    }
    return undefined;
  }

  #shed(message: string, reason: string, waitMs: number): AdmissionRefusal {
    this.stats.shed += 1;
    this.#observer?.onShed();
    return { kind: 'overloaded', message, reason, retryAfterSeconds: this.#appointments.book(waitMs, this.#requestCommitMs()) };
  }

  /**
   * Write-path time one refused request will take when it comes back: its rows (the recent mean) in full batches, at
   * the fitted rate without the drift of the last commits. Optimistic on purpose: a device that comes back too early
   * costs one more refusal (tens of µs), one told to come back too late leaves the write path idle (a reconnect
   * storm in the bench drained at a third of the maximum with the drift in).
   */
  #requestCommitMs(): number {
    const cost = this.#model.fitted;
    if (!cost) return 0;
    const batch = this.#opts.maxBatchRows;
    return (this.#rowsPerRequest * (cost.fixedMs / batch + cost.perRowMs)) / (this.#opts.concurrency ?? 1);
  }

  /**
   * Resolves with one outcome per row once the transaction holding them has committed; a row the database
   * refused for its own data is `{ refused }` and the request's other rows are stored.
   */
  enqueue(rows: readonly PreparedReading[]): Promise<QueueOutcome[]> {
    if (rows.length === 0) return Promise.resolve([]);
    const refused = this.admission(rows.length);
    if (refused) return Promise.reject(refused);
    return new Promise<QueueOutcome[]>((resolve, reject) => {
      this.#rowsPerRequest += (rows.length - this.#rowsPerRequest) / 32;
      this.#pending.push({ rows, devices: new Set(rows.map((r) => r.deviceId)), since: performance.now(), resolve, reject });
      this.#pendingRows += rows.length;
      this.#observer?.depth(this.depth);
      this.#schedule();
    });
  }

  /** An idle queue lingers `lingerMs` for company; a queue with a transaction in flight starts the next one at once. */
  #schedule(): void {
    if (this.#timer || this.#flights.size >= (this.#opts.concurrency ?? 1)) return;
    const start = () => {
      this.#timer = undefined;
      this.#startFlights();
    };
    if (this.#opts.lingerMs > 0 && this.#flights.size === 0) this.#timer = setTimeout(start, this.#opts.lingerMs);
    else this.#timer = setImmediate(start) as unknown as NodeJS.Timeout;
  }

  #startFlights(): void {
    while (this.#flights.size < (this.#opts.concurrency ?? 1)) {
      const jobs = this.#take();
      if (jobs.length === 0) break;
      const flight: Flight = { rows: 0, devices: new Set(), since: jobs[0]!.since, startedAt: performance.now() };
      for (const job of jobs) {
        flight.rows += job.rows.length;
        for (const d of job.devices) flight.devices.add(d);
      }
      this.#flights.add(flight);
      void this.#flush(jobs).finally(() => {
        this.#flights.delete(flight);
        this.#observer?.depth(this.depth);
        if (this.#pending.length > 0) this.#schedule();
        else if (this.#flights.size === 0 && !this.#timer) for (const w of this.#idleWaiters.splice(0)) w();
      });
    }
  }

  /** The oldest waiting requests up to `maxBatchRows`, passing over those of a device another transaction holds. */
  #take(): Job[] {
    const busy = new Set<number>();
    for (const f of this.#flights) for (const d of f.devices) busy.add(d);
    const jobs: Job[] = [];
    let left: Job[] = [];
    let rows = 0;
    for (const [i, job] of this.#pending.entries()) {
      if (jobs.length > 0 && rows + job.rows.length > this.#opts.maxBatchRows) {
        // concat, not push(...): the queue may hold more jobs than a call takes arguments
        left = left.concat(this.#pending.slice(i));
        break;
      }
      let free = true;
      for (const d of job.devices) if (busy.has(d)) free = false;
      if (free) {
        jobs.push(job);
        rows += job.rows.length;
      } else {
        left.push(job);
        // A device's later requests wait behind its earlier one.
        for (const d of job.devices) busy.add(d);
      }
    }
    this.#pending = left;
    this.#pendingRows -= rows;
    return jobs;
  }

  async #runTransaction(jobs: Job[], rows: readonly PreparedReading[] = jobs.flatMap((j) => j.rows)): Promise<QueueOutcome[]> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    for (let attempt = 1; ; attempt++) {
      try {
        const { outcomes } = await writeBatch(this.#db, rows, this.#steps);
        this.#model.record(rows.length, seconds() * 1000);
        this.stats.transactions += 1;
        this.stats.rows += rows.length;
        this.stats.requests += jobs.length;
        this.#observer?.onTransaction(rows.length, jobs.length, 'committed', seconds());
        const added = outcomes.filter((o) => o !== 'duplicate').length;
        this.#observer?.onRows(added, outcomes.length - added);
        return outcomes;
      } catch (err) {
        this.stats.failedTransactions += 1;
        this.#observer?.onTransaction(rows.length, jobs.length, 'failed', seconds());
        // A deadlock or a row changed by another writer is worth one more try; the transaction was rolled back.
        if (attempt < 3 && (isDeadlock(err) || err instanceof WriteConflictError)) continue;
        throw err;
      }
    }
  }

  static #settle(jobs: Job[], outcomes: QueueOutcome[]): void {
    let i = 0;
    for (const job of jobs) {
      job.resolve(outcomes.slice(i, i + job.rows.length));
      i += job.rows.length;
    }
  }

  async #flush(jobs: Job[]): Promise<void> {
    // Set when the batch was one request whose rows the database refused: it is split at once.
    let failed: unknown;
    try {
      WriteQueue.#settle(jobs, await this.#runTransaction(jobs));
      return;
    } catch (err) {
      if (isDbUnavailable(err)) {
        const apiErr = dbUnavailable(err);
        for (const job of jobs) job.reject(apiErr);
        return;
      }
      if (jobs.length === 1 && !isRowDataError(err)) {
        jobs[0]!.reject(err);
        return;
      }
      // One request's rows broke the shared transaction: isolate it so the others still land.
      if (jobs.length > 1) this.#log?.warn({ err, requests: jobs.length }, 'batch failed; retrying its requests one by one');
      else failed = err;
    }
    for (const job of jobs) {
      try {
        WriteQueue.#settle([job], await this.#isolate(job, job.rows, failed));
      } catch (err) {
        job.reject(isDbUnavailable(err) ? dbUnavailable(err) : err);
      }
    }
  }

  /**
   * Writes `rows` of one request; when the database refuses them for their data, writes each half on its own
   * (in order: a device's rollups read its earlier rows), down to the one row it refuses. At most 2·log2(n) extra transactions per bad row.
   */
  async #isolate(job: Job, rows: readonly PreparedReading[], failed: unknown): Promise<QueueOutcome[]> {
    if (failed === undefined) {
      try {
        return await this.#runTransaction([job], rows);
      } catch (err) {
        if (!isRowDataError(err)) throw err;
        failed = err;
      }
    }
    if (rows.length === 1) {
      this.#log?.warn({ err: failed, deviceId: rows[0]!.deviceId }, 'the database refused one reading; the others are stored');
      return [{ refused: `the database cannot store this reading: ${(failed as Error).message.slice(0, 200)}` }];
    }
    const half = Math.ceil(rows.length / 2);
    return [...(await this.#isolate(job, rows.slice(0, half), undefined)), ...(await this.#isolate(job, rows.slice(half), undefined))];
  }

  /** Waits until everything enqueued so far is committed or failed. */
  async drain(): Promise<void> {
    if (this.#flights.size === 0 && !this.#timer && this.#pending.length === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Refuses new work and drains what was accepted. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }
}
