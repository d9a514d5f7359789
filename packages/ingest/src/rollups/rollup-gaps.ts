import { CompiledQuery, type Kysely } from 'kysely';
import { insertText, sqlLiteral } from '../write/sql-literal.ts';
import type { DeviceGaps } from './register-rollup.ts';

/**
 * Records the gap steps of a batch in rollup_gap: a gap that appeared is inserted, one a late reading split is
 * deleted (the same step seen for several registers counts once).
 */
export async function writeGaps(trx: Kysely<any>, gaps: DeviceGaps): Promise<void> {
  const added: unknown[][] = [];
  const removed: string[] = [];
  for (const [deviceId, changes] of gaps) {
    const net = new Map<string, { t0: number; t1: number; n: number }>();
    for (const g of changes) {
      const k = `${g.t0}|${g.t1}`;
      const e = net.get(k) ?? { t0: g.t0, t1: g.t1, n: 0 };
      e.n += g.sign;
      net.set(k, e);
    }
    for (const e of net.values()) {
      const at = [new Date(e.t0), new Date(e.t1)];
      if (e.n > 0) added.push([deviceId, ...at]);
      else if (e.n < 0) removed.push(`(${[deviceId, ...at].map(sqlLiteral).join(', ')})`);
    }
  }
  if (removed.length > 0) {
    await trx.executeQuery(CompiledQuery.raw(`DELETE FROM rollup_gap WHERE (device_id, started_at, ended_at) IN (${removed.join(', ')})`));
  }
  if (added.length > 0) await trx.executeQuery(CompiledQuery.raw(insertText('rollup_gap', ['device_id', 'started_at', 'ended_at'], added, { ignore: true })));
}
