import type { Connection } from 'mysql2/promise';
import { cpuSeconds } from './child.process.ts';

/** Server-wide counters that show where a write path spends the database (fsyncs, commits, statements). */
export const COUNTERS = [
  'Com_commit',
  'Com_insert',
  'Com_select',
  'Com_insert_select',
  'Questions',
  'Innodb_rows_inserted',
  'Innodb_data_fsyncs',
  'Innodb_log_writes',
  'Innodb_data_written',
  'Innodb_buffer_pool_pages_flushed',
  'Handler_commit',
] as const;

export type Counters = Record<(typeof COUNTERS)[number] | 'mariadb_cpu_s', number>;

export async function readCounters(conn: Connection, mariadbPid: number | undefined): Promise<Counters> {
  const [rows] = await conn.query(`SHOW GLOBAL STATUS WHERE Variable_name IN (${COUNTERS.map(() => '?').join(',')})`, [...COUNTERS]);
  const out = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;
  for (const r of rows as { Variable_name: string; Value: string }[]) out[r.Variable_name as keyof Counters] = Number(r.Value);
  out.mariadb_cpu_s = mariadbPid ? cpuSeconds(mariadbPid) : Number.NaN;
  return out;
}

export function diffCounters(after: Counters, before: Counters): Counters {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k as keyof Counters] - before[k as keyof Counters]])) as Counters;
}
