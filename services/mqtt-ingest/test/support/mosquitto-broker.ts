/**
 * A private Mosquitto for one test file: the shipped deploy/mosquitto config (TLS, password file,
 * ACL, anonymous off) with paths moved into a temp dir and a free port. Never touches the shared
 * broker on 1883.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const DEPLOY_DIR = resolve(import.meta.dirname, '../../../../deploy/mosquitto');

export interface TestBroker {
  port: number;
  url: string;
  caFile: string;
  dir: string;
  passwordFile: string;
  /** Broker log so far (stdout + stderr). */
  log(): string;
  /** Rewrites the password file and makes the broker reload it (SIGHUP), as entrypoint.sh does. */
  reloadPasswords(content: string): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited ${child.exitCode}:\n${log()}`);
    const open = await new Promise<boolean>((ok) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), ok(true)));
      socket.once('error', () => ok(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}:\n${log()}`);
}

export interface BrokerOptions {
  /** Run through deploy/mosquitto/entrypoint.sh, which reloads the broker when the password file changes. */
  entrypoint?: boolean;
}

export async function startBroker(passwordFileContent: string, options: BrokerOptions = {}): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'sem-mqtt-'));
  const certDir = join(dir, 'certs');
  await run('bash', [join(DEPLOY_DIR, 'gen-certs.sh'), certDir]);
  await mkdir(join(dir, 'config'));
  await mkdir(join(dir, 'passwd'));
  await mkdir(join(dir, 'data'));
  const port = await freePort();
  const conf = (await readFile(join(DEPLOY_DIR, 'mosquitto.conf'), 'utf8'))
    .replaceAll('/mosquitto/', `${dir}/`)
    .replace(/^listener 8883$/m, `listener ${port} 127.0.0.1`)
    // Piped stdout is block-buffered; the log file is flushed per line, so tests can wait on it.
    .replace(/^log_dest stdout$/m, `log_dest file ${dir}/mosquitto.log`)
    // Started as root, mosquitto would switch to the `mosquitto` user, who cannot read this temp dir.
    .concat(`\nuser ${userInfo().username}\n`);
  await writeFile(join(dir, 'config', 'mosquitto.conf'), conf);
  await writeFile(join(dir, 'config', 'acl'), await readFile(join(DEPLOY_DIR, 'acl')));
  const passwordFile = join(dir, 'passwd', 'passwd');
  await writeFile(passwordFile, passwordFileContent, { mode: 0o600 });

  let stderr = '';
  const confFile = join(dir, 'config', 'mosquitto.conf');
  const child = options.entrypoint
    ? spawn('sh', [join(DEPLOY_DIR, 'entrypoint.sh')], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, MOSQUITTO_CONF: confFile, MOSQUITTO_PASSWD: passwordFile, RELOAD_CHECK_SECONDS: '0.2' },
      })
    : spawn('mosquitto', ['-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const output = () => {
    try {
      return stderr + readFileSync(join(dir, 'mosquitto.log'), 'utf8');
    } catch {
      return stderr;
    }
  };
  await waitForPort(port, child, output);

  return {
    port,
    url: `mqtts://localhost:${port}`,
    caFile: join(certDir, 'ca.crt'),
    dir,
    passwordFile,
    log: output,
    async reloadPasswords(content: string) {
      await writeFile(passwordFile, content, { mode: 0o600 });
      const before = output().length;
      // entrypoint.sh notices the new file by itself; a bare broker gets the SIGHUP from us.
      if (!options.entrypoint) child.kill('SIGHUP');
      // Mosquitto logs "Reloading config." when it re-reads the files.
      for (let i = 0; i < 100 && !output().slice(before).includes('Reloading config'); i++) await new Promise((r) => setTimeout(r, 20));
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
