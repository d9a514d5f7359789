import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const TICKS_PER_S = 100;

/** utime+stime of a process in seconds (from /proc), or NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/** The process's children (the API processes under a SEM_API_PROCESSES primary), from /proc. */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** cpuSeconds of a process and its children still running (a cluster's primary and its API processes). */
export function treeCpuSeconds(pid: number): number {
  return childPids(pid).reduce((sum, c) => sum + (cpuSeconds(c) || 0), cpuSeconds(pid));
}

/** rssMiB of a process and its children. */
export function treeRssMiB(pid: number): number {
  return childPids(pid).reduce((sum, c) => sum + (rssMiB(c) || 0), rssMiB(pid));
}

/** Resident set size in MiB (VmRSS), or NaN when the process is gone. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The local mariadbd (for its CPU time); undefined when not found. */
export function mariadbPid(pidFile?: string): number | undefined {
  for (const file of pidFile ? [pidFile] : ['/run/mysqld/mysqld.pid', '/var/run/mysqld/mysqld.pid']) {
    try {
      return Number(readFileSync(file, 'latin1').trim());
    } catch {
      // try the next place, then /proc
    }
  }
  for (const dir of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${dir}/comm`, 'latin1').trim() === 'mariadbd') return Number(dir);
    } catch {
      // process ended while listing
    }
  }
  return undefined;
}

export interface ServerChild {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Stops with SIGTERM (the API drains its queue), SIGKILL after the timeout. Resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * Starts `node [nodeArgs] script` and waits until GET readyPath answers 200 on `port`.
 * stdout/stderr go to logPath so a chatty server never blocks on a full pipe.
 */
export async function startServer(o: {
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  logPath: string;
  readyTimeoutMs?: number;
}): Promise<ServerChild> {
  // Another server on the port would answer the readiness probe and the load (another session's bench did).
  if (await portAnswers(o.port)) throw new Error(`port ${o.port} is already in use; choose another with --port`);
  const log = createWriteStream(o.logPath);
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), o.script, ...(o.args ?? [])], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  const deadline = Date.now() + (o.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`${o.script} exited with ${exited} before it was ready; see ${o.logPath}`);
    try {
      const res = await fetch(`http://127.0.0.1:${o.port}${o.readyPath}`, { method: o.readyPath === '/' ? 'POST' : 'GET' });
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${o.script} not ready after ${o.readyTimeoutMs ?? 30_000} ms; see ${o.logPath}`);
    }
    await sleep(100);
  }
  return {
    child,
    pid: child.pid!,
    port: o.port,
    async stop(timeoutMs = 60_000) {
      if (exited !== undefined) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      log.end();
      return code;
    },
  };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
