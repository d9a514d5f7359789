import { CompiledQuery, type Kysely } from 'kysely';
import type { WriteStep } from '../write/write-steps.ts';
import type { IngestLog } from '../ingest-log.ts';
import { sqlLiteral } from '../write/sql-literal.ts';
import { DeltaAccumulator, decodeDelta, encodeDelta, isEmptyDelta, type RollupDelta } from './rollup-delta.ts';
import { batchRollupDelta } from './rollup-write-step.ts';
import { writeRollupDelta } from './write-rollup-delta.ts';

export interface DeferredRollupsOptions {
  /** How often the rollups held in memory are written. */
  flushMs: number;
  /** Journal rows older than this belong to a writer that stopped: replay them (checked every `orphanCheckMs`). */
  orphanAfterMs: number;
  orphanCheckMs: number;
  /** Rows held in memory above which a flush starts at once. */
  maxHeldRows: number;
  /** Steps longer than this are gaps (register-spread.ts); default DEFAULT_GAP_HORIZON_MS. */
  gapHorizonMs?: number;
}

export interface DeferredRollupsObserver {
  onFlush(outcome: 'written' | 'replayed' | 'failed', journalRows: number, seconds: number): void;
  held(rows: number): void;
}

interface Ran {
  id: number;
  delta: RollupDelta;
}

/** Another writer replayed some of our journal rows first. */
class JournalTakenError extends Error {}

const ids = (list: readonly number[]) => list.map(sqlLiteral).join(', ');

/**
 * Rollups written every few seconds instead of in each write transaction. A write transaction stores its
 * rollup delta in `rollup_journal` (one row, committed with the readings) and, once committed, merges it
 * into memory; a flush writes the merged rows (a device's minute, quarter, hour and day once for many
 * transactions) and deletes the journal rows it covered, in one transaction. Whoever deletes a journal row
 * applies it: exactly once, even when another process replays rows of a writer that stopped.
 */
export class DeferredRollups {
  readonly #db: Kysely<any>;
  readonly #opts: DeferredRollupsOptions;
  readonly #observer: DeferredRollupsObserver | undefined;
  readonly #log: IngestLog | undefined;
  #held = new DeltaAccumulator();
  #heldIds: number[] = [];
  #flushing: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];

  constructor(db: Kysely<any>, opts: DeferredRollupsOptions, observer?: DeferredRollupsObserver, log?: IngestLog) {
    this.#db = db;
    this.#opts = opts;
    this.#observer = observer;
    this.#log = log;
  }

  /** The write step: add it to the write queue instead of `rollupWriteStep`. */
  readonly step: WriteStep = {
    name: 'rollups',
    run: async (trx, rows, devices): Promise<Ran | undefined> => {
      const delta = await batchRollupDelta(trx, rows, devices, this.#opts.gapHorizonMs);
      if (isEmptyDelta(delta)) return undefined;
      const r = await trx.executeQuery(CompiledQuery.raw(`INSERT INTO rollup_journal (payload) VALUES (${sqlLiteral(encodeDelta(delta))})`));
      return { id: Number(r.insertId), delta };
    },
    committed: (ran) => {
      if (!ran) return;
      const { id, delta } = ran as Ran;
      this.#held.add(delta);
      this.#heldIds.push(id);
      this.#observer?.held(this.#held.size);
      if (this.#held.size >= this.#opts.maxHeldRows) void this.flush();
    },
  };

  /** Journal rows committed but not yet written to the rollup tables by this process. */
  get heldJournalRows(): number {
    return this.#heldIds.length;
  }

  start(): void {
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err) => this.#log?.error({ err }, 'deferred rollups')), ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#opts.flushMs, () => this.flush());
    every(this.#opts.orphanCheckMs, () => this.replayOrphans(this.#opts.orphanAfterMs));
  }

  /** Writes what is held; on failure it stays held for the next flush. One flush at a time. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushOnce().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    if (this.#heldIds.length === 0) return;
    const held = this.#held;
    const heldIds = this.#heldIds;
    this.#held = new DeltaAccumulator();
    this.#heldIds = [];
    this.#observer?.held(0);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      await this.#db.transaction().execute(async (trx) => {
        const r = await trx.executeQuery(CompiledQuery.raw(`DELETE FROM rollup_journal WHERE id IN (${ids(heldIds)})`));
        if (Number(r.numAffectedRows ?? 0n) !== heldIds.length) throw new JournalTakenError();
        await writeRollupDelta(trx, held.delta());
      });
      this.#observer?.onFlush('written', heldIds.length, seconds());
    } catch (err) {
      if (err instanceof JournalTakenError) {
        // Someone replayed part of them: apply what is still in the journal, from the journal.
        const n = await this.#replay(`id IN (${ids(heldIds)})`, 'FOR UPDATE');
        this.#observer?.onFlush('replayed', n, seconds());
        return;
      }
      // Held again: adding, minimum and maximum merge in any order.
      held.add(this.#held.delta());
      this.#held = held;
      this.#heldIds = [...heldIds, ...this.#heldIds];
      this.#observer?.held(this.#held.size);
      this.#observer?.onFlush('failed', heldIds.length, seconds());
      throw err;
    }
  }

  /** Replays journal rows older than `olderThanMs` (left by a writer that stopped); returns how many. */
  async replayOrphans(olderThanMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.#replay(`created_at < NOW(3) - INTERVAL ${Math.max(0, Math.floor(olderThanMs)) * 1000} MICROSECOND`, 'LIMIT 500 FOR UPDATE SKIP LOCKED');
      total += n;
      if (n < 500) break;
    }
    if (total > 0) this.#log?.warn({ journalRows: total }, 'rollups replayed from the journal of a writer that stopped');
    return total;
  }

  /** Locks the journal rows that match (`lock`: the LIMIT and locking clause), adds their deltas to the rollups and deletes them, in one transaction. */
  async #replay(where: string, lock: string): Promise<number> {
    return this.#db.transaction().execute(async (trx) => {
      const r = await trx.executeQuery<{ id: number; payload: string }>(
        CompiledQuery.raw(`SELECT id, payload FROM rollup_journal WHERE ${where} ORDER BY id ${lock}`),
      );
      if (r.rows.length === 0) return 0;
      const all = new DeltaAccumulator();
      for (const row of r.rows) all.add(decodeDelta(row.payload));
      await writeRollupDelta(trx, all.delta());
      await trx.executeQuery(CompiledQuery.raw(`DELETE FROM rollup_journal WHERE id IN (${ids(r.rows.map((x) => Number(x.id)))})`));
      return r.rows.length;
    });
  }

  /** Stops the timers and writes what is held (call after the write queue has drained). */
  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#flushing?.catch(() => undefined);
    await this.flush();
  }
}
