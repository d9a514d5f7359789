import cluster, { type Worker } from 'node:cluster';

/** Tells a forked API process its number, 1 … SEM_API_PROCESSES. */
const INDEX_ENV = 'SEM_API_PROCESS_INDEX';
/** What an API process sends the primary once every listener is up. */
const READY = 'sem-api-listening';

/** This process's number among the API processes on this host (1 when it serves alone). */
export function apiProcessIndex(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env[INDEX_ENV] ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Called by an API process once it listens: the primary then starts the next ones. */
export function announceListening(): void {
  if (cluster.isWorker && process.send) process.send(READY);
}

// The primary has no Fastify app: pino-shaped lines on stdout, like the processes' own log.
function log(level: 30 | 40 | 50, msg: string, fields: object = {}): void {
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), pid: process.pid, role: 'api-primary', ...fields, msg })}\n`);
}

/**
 * The primary when SEM_API_PROCESSES > 1. It serves nothing itself: it forks process 1 (which migrates when asked and
 * runs the retention job) and, once that one listens, the others; each binds the same ports with SO_REUSEPORT, so the
 * kernel spreads connections over them. A process that dies after it listened is restarted a second later; one that
 * dies before it ever listened (bad config, no database) stops them all with its exit code. SIGTERM is passed to every
 * process (SIGINT from a terminal reaches them all by itself), which drains as a single one does; the primary exits when all have, or SIGKILLs them after `graceMs`.
 */
export function superviseApiProcesses(count: number, graceMs = 15_000): void {
  const workers = new Map<number, Worker>();
  let stopping = false;
  let exitCode = 0;

  const stop = (code: number, forward = true) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    if (workers.size === 0) process.exit(exitCode);
    // A second signal makes a process exit without draining (close-with-grace): Ctrl-C already reached the whole group.
    if (forward) for (const w of workers.values()) w.process.kill('SIGTERM');
    setTimeout(() => {
      log(50, 'API processes did not stop in time; killing them', { graceMs });
      for (const w of workers.values()) w.process.kill('SIGKILL');
    }, graceMs).unref();
  };

  const fork = (index: number): Promise<void> =>
    new Promise((resolve) => {
      const worker = cluster.fork({ [INDEX_ENV]: String(index) });
      workers.set(index, worker);
      let listening = false;
      worker.on('message', (m) => {
        if (m !== READY || listening) return;
        listening = true;
        resolve();
      });
      worker.once('exit', (code, signal) => {
        workers.delete(index);
        resolve();
        if (stopping) {
          if (workers.size === 0) process.exit(exitCode);
          return;
        }
        if (!listening) {
          log(50, 'API process exited before it listened; stopping', { index, code, signal });
          stop(code || 1);
          return;
        }
        log(50, 'API process exited; restarting it', { index, code, signal });
        setTimeout(() => {
          if (!stopping) void fork(index);
        }, 1000);
      });
    });

  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0, false));
  log(30, 'starting API processes', { processes: count });
  void fork(1).then(async () => {
    if (stopping) return;
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => fork(i + 2)));
    if (!stopping) log(30, 'API processes listening', { processes: count });
  });
}
