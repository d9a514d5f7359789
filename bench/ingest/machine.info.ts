import { cpus, loadavg, release, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Connection } from 'mysql2/promise';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  mariadb: string;
  /** InnoDB settings that decide the write ceiling. */
  innodb: Record<string, string>;
  datadirFs: string;
  loadavgAtStart: number[];
  /** The code measured: HEAD and the files of the write path that differ from it. */
  git: { head: string; dirty: string[] };
}

const VARIABLES = [
  'innodb_flush_log_at_trx_commit',
  'innodb_buffer_pool_size',
  'innodb_log_file_size',
  'innodb_flush_method',
  'innodb_doublewrite',
  'innodb_io_capacity',
  'innodb_compression_algorithm',
  'innodb_compression_level',
  'log_bin',
  'sync_binlog',
  'datadir',
];

/** Where the datadir lives: the longest mount point prefix in /proc/mounts. */
function filesystemOf(path: string): string {
  try {
    let best = { point: '', text: '?' };
    for (const line of readFileSync('/proc/mounts', 'latin1').split('\n')) {
      const [dev, point, type] = line.split(' ');
      if (dev && point && type && path.startsWith(point) && point.length > best.point.length) best = { point, text: `${type} on ${dev} (${point})` };
    }
    return best.text;
  } catch {
    return '?';
  }
}

function gitState(): { head: string; dirty: string[] } {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--short', '--', 'services/ingest-api/src', 'db/src', 'db/migrations', 'packages/meter-protocol/src'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    return { head, dirty };
  } catch {
    return { head: '?', dirty: [] };
  }
}

export async function machineInfo(conn: Connection): Promise<MachineInfo> {
  const [v] = await conn.query('SELECT VERSION() AS v');
  const [vars] = await conn.query(`SHOW GLOBAL VARIABLES WHERE Variable_name IN (${VARIABLES.map(() => '?').join(',')})`, VARIABLES);
  const innodb = Object.fromEntries((vars as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]));
  return {
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    mariadb: (v as { v: string }[])[0]!.v,
    innodb,
    datadirFs: filesystemOf(innodb.datadir ?? '/var/lib/mysql'),
    loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    git: gitState(),
  };
}
