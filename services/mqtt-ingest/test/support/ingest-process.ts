/** The MQTT ingest service as a child process (the real server.ts), so tests can SIGKILL it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { childRunEnv, type TestDatabase, dbConnectionEnv } from '@sem/db/testing';
import type { TestBroker } from './mosquitto-broker.ts';

const SERVER = resolve(import.meta.dirname, '../../src/server.ts');

/** How long a start may take before the test gives up on it. */
export const STARTUP_LIMIT_MS = 90_000;

export const INGEST_ACCOUNT = { username: 'sem-ingest', password: 'ingest-test-password-0123456789' };
export const DEVICE_SECRET = 'device-secret-for-tests-0123456789abcdef';

export interface IngestProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
  /** Resolves when a log line matches. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export function ingestEnv(db: TestDatabase, broker: TestBroker, extra: Record<string, string> = {}): Record<string, string> {
  const c = db.connection;
  return {
    ...dbConnectionEnv(c),
    SEM_LOG_LEVEL: 'debug',
    SEM_MQTT_URL: broker.url,
    SEM_MQTT_CA_FILE: broker.caFile,
    SEM_MQTT_USERNAME: INGEST_ACCOUNT.username,
    SEM_MQTT_PASSWORD: INGEST_ACCOUNT.password,
    SEM_MQTT_DEVICE_SECRET: DEVICE_SECRET,
    SEM_MOSQUITTO_PASSWORD_FILE: broker.passwordFile,
    SEM_MQTT_REGISTRY_POLL_MS: '300',
    SEM_MQTT_STATS_LOG_MS: '0',
    ...extra,
  };
}

export async function startIngestProcess(env: Record<string, string>): Promise<IngestProcess> {
  const child = spawn(process.execPath, [SERVER], {
    // PATH, the run's temp folder and marker (the end-of-run check sees a service left running), its compile cache.
    env: { ...childRunEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part });
      }
    }
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));

  const proc: IngestProcess = {
    child,
    logs: () => lines,
    waitForLog(match, timeoutMs = 15_000) {
      return new Promise((ok, fail) => {
        const check = () => {
          const found = lines.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            ok(found);
          } else if (child.exitCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            fail(new Error(`ingest exited ${child.exitCode}: ${stderr}\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr}\nlogs:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  child.once('exit', () => {
    for (const w of waiters) w();
  });
  // Never leave a service behind: not when the test process exits, not when start-up fails.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  try {
    // A hang guard only (a failed start ends the wait at once): on a loaded host the start alone takes many seconds.
    await proc.waitForLog((l) => l['msg'] === 'mqtt ingest running', STARTUP_LIMIT_MS);
  } catch (error) {
    await proc.kill('SIGKILL');
    throw error;
  }
  return proc;
}
