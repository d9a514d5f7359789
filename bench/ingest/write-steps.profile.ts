import { Kysely, MysqlDialect } from 'kysely';
import { createMysqlPool, type Database, type DbConnectionConfig } from '@sem/db';
import { decodeTelegrams } from '@sem/meter-protocol';
import { DEFAULT_WRITE_STEPS, DeferredRollups, fromJson, prepareReading, writeBatch, type JsonReading, type PreparedReading, type WriteStep } from '@sem/ingest';
import { jsonReading, p1Telegrams, type BenchDevice } from './payloads.factory.ts';

export interface StepCost {
  step: string;
  /** Mean per transaction. */
  ms: number;
  queries: number;
}

export interface ShapeProfile {
  /** The statements that took longest, by the start of their SQL: [sql, ms per transaction, count]. */
  slowest: [string, number, number][];
  shape: string;
  rows: number;
  devices: number;
  transactions: number;
  meanTransactionMs: number;
  steps: StepCost[];
  /** One write of the rollups the measured transactions journalled (outside them, as the API does every SEM_ROLLUP_FLUSH_MS). */
  flush: { ms: number; queries: number };
}

const BASE = 'device states + duplicate check + INSERT reading';

/**
 * Where one group-commit transaction spends its time: the API's own writeBatch() with the steps the
 * app registers (built-ins + rollups), each wrapped to time it and count its SQL round trips.
 */
export async function profileWriteSteps(o: { connection: DbConnectionConfig; devices: readonly BenchDevice[]; startMs: number; transactions: number }): Promise<ShapeProfile[]> {
  let current = BASE;
  const cost = new Map<string, { ms: number; queries: number }>();
  const bySql = new Map<string, { ms: number; n: number }>();
  const db = new Kysely<Database>({
    dialect: new MysqlDialect({ pool: createMysqlPool({ ...o.connection, connectionLimit: 2 }) }),
    log: (e) => {
      const key = `${current}: ${e.query.sql.replace(/\s+/g, ' ').slice(0, 90)}`;
      const q = bySql.get(key) ?? { ms: 0, n: 0 };
      q.ms += e.queryDurationMillis;
      q.n += 1;
      bySql.set(key, q);
      const c = cost.get(current) ?? { ms: 0, queries: 0 };
      c.queries += 1;
      cost.set(current, c);
    },
  });
  const time = async <T>(name: string, work: () => Promise<T>, after = 'commit'): Promise<T> => {
    current = name;
    const t = performance.now();
    try {
      return await work();
    } finally {
      const c = cost.get(name) ?? { ms: 0, queries: 0 };
      c.ms += performance.now() - t;
      cost.set(name, c);
      current = after;
    }
  };
  const timed = (s: WriteStep): WriteStep => ({
    name: s.name,
    run: (trx, rows, devices) => time(s.name, () => s.run(trx, rows, devices)),
    ...(s.committed ? { committed: s.committed } : {}),
  });
  // The rollups as the API keeps them by default: journalled in the transaction, written by a flush.
  const rollups = new DeferredRollups(db, { flushMs: 3_600_000, orphanAfterMs: 3_600_000, orphanCheckMs: 3_600_000, maxHeldRows: Number.MAX_SAFE_INTEGER });
  const steps = [...DEFAULT_WRITE_STEPS, rollups.step].map(timed);
  const json = (d: BenchDevice, s: number, startMs: number): PreparedReading => {
    const p = prepareReading(fromJson(jsonReading(startMs + s * 1000, s, d.id) as JsonReading), { deviceId: d.id, receivedAt: new Date(), source: 'json' });
    if (!('ok' in p)) throw new Error('refused');
    return p.ok;
  };
  const telegramOf = new Map<number, () => string>();
  const p1 = (d: BenchDevice, startMs: number): PreparedReading => {
    let next = telegramOf.get(d.id);
    if (!next) telegramOf.set(d.id, (next = p1Telegrams(startMs)));
    const p = prepareReading(decodeTelegrams(next(), { timeZone: 'Europe/Brussels' })[0]!, { deviceId: d.id, receivedAt: new Date(), source: 'p1' });
    if (!('ok' in p)) throw new Error('refused');
    return p.ok;
  };
  const fleet = o.devices.slice(0, 300);
  const shapes: [string, number, (k: number) => PreparedReading[]][] = [
    ['c: 300 single JSON readings, 300 devices', fleet.length, (k) => fleet.map((d) => json(d, k, o.startMs))],
    ['d: 6 batches of 300 JSON readings, 6 devices', 6, (k) => o.devices.slice(300, 306).flatMap((d) => Array.from({ length: 300 }, (_, i) => json(d, k * 300 + i, o.startMs)))],
    ['e: 300 P1 telegrams, 300 devices', fleet.length, () => fleet.map((d) => p1(d, o.startMs + 2 * 86_400_000))],
  ];
  const out: ShapeProfile[] = [];
  try {
    for (const [shape, devices, make] of shapes) {
      await writeBatch(db, make(0), steps); // warm: first rows of each device in this window
      await rollups.flush();
      cost.clear();
      bySql.clear();
      let total = 0;
      let rows = 0;
      for (let k = 1; k <= o.transactions; k++) {
        const batch = make(k);
        rows = batch.length;
        current = BASE;
        const t = performance.now();
        await writeBatch(db, batch, steps);
        total += performance.now() - t;
        // The time outside the steps: duplicate check, INSERT and COMMIT.
        const inSteps = [...cost].filter(([n]) => n !== BASE && n !== 'commit').reduce((a, [, c]) => a + c.ms, 0);
        const base = cost.get(BASE) ?? { ms: 0, queries: 0 };
        base.ms = total - inSteps;
        cost.set(BASE, base);
      }
      const n = o.transactions;
      current = 'rollup flush';
      const f = performance.now();
      await rollups.flush();
      const flush = { ms: performance.now() - f, queries: cost.get(current)?.queries ?? 0 };
      cost.delete(current);
      out.push({
        flush,
        slowest: [...bySql]
          .filter(([k]) => !k.startsWith('rollup flush'))
          .sort((a, b) => b[1].ms - a[1].ms)
          .slice(0, 4)
          .map(([k, v]) => [k, v.ms / n, v.n / n]),
        shape,
        rows,
        devices,
        transactions: n,
        meanTransactionMs: total / n,
        steps: [...cost]
          .filter(([name]) => name !== 'commit')
          .map(([step, c]) => ({ step, ms: c.ms / n, queries: c.queries / n }))
          .sort((a, b) => b.ms - a.ms),
      });
    }
  } finally {
    await db.destroy();
  }
  return out;
}
