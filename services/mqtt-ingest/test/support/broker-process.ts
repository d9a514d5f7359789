/**
 * Where a test's mosquitto runs: a local binary as a child process, or a process in the run's broker
 * container (test/setup/broker-host.ts), which mounts the run's temp folder at the same path.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execInContainer, type ProvidedBrokerHost } from '@sem/db/testing';

export interface BrokerProcess {
  /** Where clients reach the listener. */
  host: string;
  port: number;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  exited(): boolean;
  signal(signal: 'HUP'): Promise<void>;
  stop(): Promise<void>;
}

export interface BrokerCommand {
  /** Argv of the broker (mosquitto -c …, or sh entrypoint.sh). */
  argv: string[];
  env: Record<string, string>;
  dir: string;
}

export function localBrokerProcess(command: BrokerCommand, port: number): BrokerProcess {
  let stderr = '';
  const child = spawn(command.argv[0]!, command.argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...command.env } });
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  // Never leave a broker behind when the worker exits early.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  return {
    host: 'localhost',
    port,
    stderr: () => stderr,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    signal: async () => void child.kill('SIGHUP'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Claims one of the container's published ports (a folder per claim), waiting while all are taken. */
async function claimPort(host: ProvidedBrokerHost): Promise<string> {
  const deadline = Date.now() + 50_000;
  for (;;) {
    for (const port of Object.keys(host.ports)) {
      try {
        mkdirSync(join(host.claimDir, port));
        return port;
      } catch {
        // taken
      }
    }
    if (Date.now() > deadline) throw new Error(`all ${Object.keys(host.ports).length} broker ports of the test container stay taken`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Starts the broker inside the container. `listen(port)` rewrites the config for the claimed container
 * port before the start. Stops by TERM and waits until the process is gone (or a zombie of PID 1).
 */
export async function containerBrokerProcess(
  host: ProvidedBrokerHost,
  command: BrokerCommand,
  listen: (containerPort: number) => Promise<void>,
): Promise<BrokerProcess> {
  const containerPort = await claimPort(host);
  const release = () => rmSync(join(host.claimDir, containerPort), { recursive: true, force: true });
  const stderrFile = join(command.dir, 'stderr.log');
  let pid: number;
  try {
    await listen(Number(containerPort));
    const env = Object.entries(command.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const line = `cd ${shellQuote(command.dir)} && env ${env.join(' ')} ${command.argv.map(shellQuote).join(' ')} >${shellQuote(stderrFile)} 2>&1 </dev/null & echo $!`;
    pid = Number((await execInContainer(host.containerId, ['sh', '-c', line])).trim().split(/\s+/).pop());
    if (!Number.isInteger(pid)) throw new Error('the broker did not start in the test container');
  } catch (error) {
    release();
    throw error;
  }
  let gone = false;
  const exec = (script: string) => execInContainer(host.containerId, ['sh', '-c', script]);
  return {
    host: host.host,
    port: host.ports[containerPort]!,
    stderr: () => {
      try {
        return readFileSync(stderrFile, 'utf8');
      } catch {
        return '';
      }
    },
    exited: () => gone,
    signal: async (signal) => void (await exec(`kill -${signal} ${pid}`)),
    async stop() {
      if (!gone) {
        await exec(
          `kill -TERM ${pid} 2>/dev/null; i=0; while [ $i -lt 100 ]; do ` +
            `s=$(sed 's/^.*) //' /proc/${pid}/stat 2>/dev/null | cut -c1); [ -z "$s" ] || [ "$s" = Z ] && exit 0; i=$((i+1)); sleep 0.1; done; kill -KILL ${pid}`,
        );
        gone = true;
      }
      release();
    },
  };
}
