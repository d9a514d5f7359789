import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  /** Warm-up and measured seconds of each load phase. */
  warmupS: number;
  seconds: number;
  /** Devices (and keep-alive connections) of the single-reading phases c, e, f. */
  devices: number;
  /** Connections posting 300-reading batches in d. */
  batchConnections: number;
  batchSize: number;
  /** Storage phase: devices and hours of 1 Hz data (the issue asks for 100 devices, 24 h). */
  storageDevices: number;
  storageHours: number;
  outDir: string;
  socketPath: string;
  /** The server's TCP port for the API (another server than the local one, e.g. a Spider head). */
  dbPort: number;
  /** Pid file of that server, for its CPU time (default: the local mariadbd). */
  dbPidFile: string | undefined;
  /** Shell command run once the bench database exists, before any phase (SEM_BENCH_DB names it). */
  prepare: string | undefined;
  /** Phases to run (default all): a b c d e f half overload ratelimit storage. */
  only: Set<string>;
  port: number;
  /** The MQTT storm's private Mosquitto; the mqtt-ingest service's ops port is the next one. */
  mqttPort: number;
  /** The storm broker's max_inflight_messages instead of the deployed one (A/B). */
  brokerInflight: number | undefined;
  /** Offered rates of the half-load phases instead of half the measured maximum (for A/B runs), by scenario. */
  halfRates: Map<string, number>;
}

export const ALL_PHASES = ['a', 'b', 'c', 'c2', 'd', 'e', 'f', 'half', 'shedcost', 'overload', 'herd', 'mqtt', 'ratelimit', 'count', 'steps', 'storage'] as const;

const USAGE = `npm run bench:ingest [-- --quick] [--seconds N] [--warmup N] [--only a,b,c,...] [--out DIR]
  --quick            5 s per phase, 1 s warm-up, storage on 100 devices x 2 h (about 3 minutes)
  --seconds N        measured seconds per load phase (default 20)
  --warmup N         warm-up seconds per load phase (default 3)
  --devices N        devices = keep-alive connections for c, e, f (default 1000)
  --storage-hours N  hours of 1 Hz data for the storage figure (default 24)
  --only LIST        comma-separated subset of: ${ALL_PHASES.join(' ')}
  --out DIR          where results, logs and CPU profiles go (default .tmp/bench-ingest/<time>)
  --socket PATH      MariaDB socket for root (default /run/mysqld/mysqld.sock)
  --db-port N        the same server's TCP port, for the API (default 3306)
  --db-pid-file F    its pid file, for its CPU time (default: the local mariadbd)
  --prepare CMD      shell command run after the bench database is created (env SEM_BENCH_DB), e.g. to shard it
  --port N           the API's port (default 18080); --mqtt-port N the MQTT storm's broker (default 18883, ops +1)
  --broker-inflight N  the MQTT storm broker's max_inflight_messages (default: deploy/mosquitto/mosquitto.conf's)
  --half-rates LIST  offered rates of the half-load phases, e.g. c=2000,e=1400 (default: half of c..f as measured;
                     a phase given here runs without its maximum)`;

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      devices: { type: 'string' },
      'storage-hours': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      socket: { type: 'string' },
      'db-port': { type: 'string' },
      'db-pid-file': { type: 'string' },
      prepare: { type: 'string' },
      port: { type: 'string' },
      'mqtt-port': { type: 'string' },
      'broker-inflight': { type: 'string' },
      'half-rates': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = v.quick ?? false;
  const num = (s: string | undefined, dflt: number, min: number, max: number, name: string) => {
    const n = s === undefined ? dflt : Number(s);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be ${min}..${max}`);
    return n;
  };
  const only = new Set((v.only ?? ALL_PHASES.join(',')).split(',').map((s) => s.trim()).filter(Boolean));
  for (const p of only) if (!(ALL_PHASES as readonly string[]).includes(p)) throw new Error(`unknown phase ${p}\n${USAGE}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    quick,
    warmupS: num(v.warmup, quick ? 1 : 3, 0, 60, 'warmup'),
    seconds: num(v.seconds, quick ? 5 : 20, 1, 300, 'seconds'),
    devices: num(v.devices, 1000, 10, 5000, 'devices'),
    batchConnections: 32,
    batchSize: 300,
    storageDevices: 100,
    storageHours: num(v['storage-hours'], quick ? 2 : 24, 1, 48, 'storage-hours'),
    outDir: v.out ?? `.tmp/bench-ingest/${stamp}`,
    socketPath: v.socket ?? '/run/mysqld/mysqld.sock',
    dbPort: num(v['db-port'], 3306, 1, 65_535, 'db-port'),
    dbPidFile: v['db-pid-file'],
    prepare: v.prepare,
    only,
    port: num(v.port, 18_080, 1024, 65_000, 'port'),
    mqttPort: num(v['mqtt-port'], 18_883, 1024, 65_000, 'mqtt-port'),
    brokerInflight: v['broker-inflight'] === undefined ? undefined : num(v['broker-inflight'], 20, 1, 65_535, 'broker-inflight'),
    halfRates: new Map(
      (v['half-rates'] ?? '').split(',').filter(Boolean).map((kv) => {
        const [k, r] = kv.split('=');
        if (!['c', 'd', 'e', 'f'].includes(k!)) throw new Error(`--half-rates: unknown scenario ${k}`);
        return [k!, num(r, 0, 1, 1_000_000, 'half-rates')] as [string, number];
      }),
    ),
  };
}
