import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import type { Connection } from 'mysql2/promise';
import { startServer, treeCpuSeconds, treeRssMiB, type ServerChild } from './child.process.ts';
import { summarizeProfile, type ProfileSummary } from './cpu-profile.summary.ts';
import { scrapeApiMetrics, type ApiMetrics } from './api-metrics.scrape.ts';
import { diffCounters, readCounters, type Counters } from './mariadb.counters.ts';

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** CPU and database activity of one measured window. */
export interface WindowStats {
  seconds: number;
  /** The window on the monotonic clock, µs (to cut the server's CPU profile to it). */
  fromUs: number;
  toUs: number;
  /** CPU seconds per wall second (1.0 = one full core). */
  serverCpu: number;
  mariadbCpu: number;
  clientCpu: number;
  counters: Counters;
  loadavg1: number;
}

/** Snapshots taken at the start and the end of the measured window (after warm-up), while the load runs. */
export class WindowProbe {
  readonly #conn: Connection;
  readonly #mariadbPid: number | undefined;
  readonly #serverPid: number | undefined;
  #start: { t: number; us: number; server: number; client: number; counters: Promise<Counters> } | undefined;
  #end: Promise<WindowStats> | undefined;
  #timers: NodeJS.Timeout[] = [];

  constructor(conn: Connection, mariadbPid: number | undefined, serverPid: number | undefined) {
    this.#conn = conn;
    this.#mariadbPid = mariadbPid;
    this.#serverPid = serverPid;
  }

  /** Schedules the two snapshots; call right before starting the load. */
  arm(warmupS: number, seconds: number): void {
    this.#timers.push(setTimeout(() => this.#takeStart(), warmupS * 1000));
    this.#timers.push(setTimeout(() => (this.#end = this.#takeEnd()), (warmupS + seconds) * 1000));
  }

  #cpu(): { server: number; client: number } {
    const u = process.cpuUsage();
    return { server: this.#serverPid ? treeCpuSeconds(this.#serverPid) : Number.NaN, client: (u.user + u.system) / 1e6 };
  }

  #takeStart(): void {
    this.#start = { t: performance.now(), us: monotonicUs(), ...this.#cpu(), counters: readCounters(this.#conn, this.#mariadbPid) };
  }

  async #takeEnd(): Promise<WindowStats> {
    const t = performance.now();
    const us = monotonicUs();
    const cpu = this.#cpu();
    const counters = await readCounters(this.#conn, this.#mariadbPid);
    const start = this.#start!;
    const seconds = (t - start.t) / 1000;
    const d = diffCounters(counters, await start.counters);
    return {
      seconds,
      fromUs: start.us,
      toUs: us,
      serverCpu: (cpu.server - start.server) / seconds,
      mariadbCpu: d.mariadb_cpu_s / seconds,
      clientCpu: (cpu.client - start.client) / seconds,
      counters: d,
      loadavg1: Math.round(loadavg()[0]! * 100) / 100,
    };
  }

  async result(): Promise<WindowStats> {
    for (const t of this.#timers) clearTimeout(t);
    if (!this.#start) this.#takeStart();
    return this.#end ?? this.#takeEnd();
  }
}

/** RSS of a process sampled on demand, with the times. */
export class RssSampler {
  readonly samples: [number, number][] = [];
  readonly #pid: number;
  readonly #t0 = performance.now();

  constructor(pid: number) {
    this.#pid = pid;
  }

  sample(): void {
    this.samples.push([Math.round(performance.now() - this.#t0) / 1000, Math.round(treeRssMiB(this.#pid) * 10) / 10]);
  }
}

export interface ServerRun<T> {
  value: T;
  window: WindowStats;
  rss: [number, number][];
  profile: ProfileSummary | undefined;
  /** The API's /metrics after the load (undefined for the null server). */
  apiMetrics: ApiMetrics | undefined;
  exitCode: number | null;
}

/**
 * Starts a server child (with --cpu-prof), runs `load` against it while probing the measured window,
 * stops it (SIGTERM: the API drains its write queue) and summarises the CPU profile it wrote on exit.
 */
export async function withServer<T>(o: {
  name: string;
  outDir: string;
  script: string;
  args?: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  conn: Connection;
  mariadbPid: number | undefined;
  warmupS: number;
  seconds: number;
  load: (server: ServerChild, tick: () => void) => Promise<T>;
}): Promise<ServerRun<T>> {
  const profDir = join(o.outDir, 'profiles', o.name);
  mkdirSync(profDir, { recursive: true });
  const server = await startServer({
    script: o.script,
    args: o.args,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
    env: o.env,
    port: o.port,
    readyPath: o.readyPath,
    logPath: join(o.outDir, `${o.name}.server.log`),
  });
  const rss = new RssSampler(server.pid);
  rss.sample();
  const probe = new WindowProbe(o.conn, o.mariadbPid, server.pid);
  probe.arm(o.warmupS, o.seconds);
  let value: T;
  try {
    value = await o.load(server, () => rss.sample());
  } finally {
    rss.sample();
  }
  const window = await probe.result();
  const apiMetrics = o.readyPath === '/readyz' ? await scrapeApiMetrics(o.port) : undefined;
  const exitCode = await server.stop();
  const file = existsSync(profDir) ? readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1) : undefined;
  return { value, window, apiMetrics, rss: rss.samples, profile: file ? summarizeProfile(join(profDir, file), 12, window) : undefined, exitCode };
}
