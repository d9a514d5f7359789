/**
 * A private Mosquitto for one test file: the shipped deploy/mosquitto config (TLS, password file,
 * ACL, anonymous off) with paths moved into a temp dir and a port of its own. Runs the local binary,
 * or, without one, in the run's broker container (broker-process.ts). Never touches the shared
 * broker on 1883.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { freePort } from '@sem/service-kit/testing';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BrokerChoice } from '@sem/db/testing';
import { describe, inject } from 'vitest';
import { containerBrokerProcess, localBrokerProcess, type BrokerCommand, type BrokerProcess } from './broker-process.ts';

const run = promisify(execFile);
export const DEPLOY_DIR = resolve(import.meta.dirname, '../../../../deploy/mosquitto');

export interface TestBroker {
  /** Where clients reach it: localhost, or the container engine's host. */
  host: string;
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

export { freePort };

async function waitForListener(broker: BrokerProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (broker.exited()) throw new Error(`mosquitto exited:\n${log()}`);
    // Mosquitto logs "mosquitto version … running" once its listeners are open.
    if (/mosquitto version \S+ running/.test(log())) {
      const open = await new Promise<boolean>((ok) => {
        const socket = connect(broker.port, broker.host);
        socket.once('connect', () => (socket.destroy(), ok(true)));
        socket.once('error', () => ok(false));
      });
      if (open) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${broker.host}:${broker.port}:\n${log()}`);
}

export interface BrokerOptions {
  /** Run through deploy/mosquitto/entrypoint.sh, which reloads the broker when the password file changes. */
  entrypoint?: boolean;
}

/** Why this run has no broker for the tests (no mosquitto binary, no container engine), or undefined. */
export function brokerUnavailable(): string | undefined {
  const choice = inject('semTestBroker');
  return choice?.kind === 'none' ? choice.reason : undefined;
}

/**
 * `describe` for tests that need a broker: skipped, with the reason in its title, when the run has none
 * (or for `otherReason`, such as a missing fixture folder).
 */
export function describeWithBroker(title: string, body: () => void, otherReason?: string): void {
  const reason = otherReason ?? brokerUnavailable();
  describe.skipIf(reason)(reason ? `${title} (skipped: ${reason})` : title, body);
}

export async function startBroker(passwordFileContent: string, options: BrokerOptions = {}): Promise<TestBroker> {
  const choice: BrokerChoice = inject('semTestBroker') ?? { kind: 'local', binary: 'mosquitto' };
  if (choice.kind === 'none') throw new Error(`no broker for the tests: ${choice.reason}`);
  const inContainer = choice.kind === 'container';
  const dir = await mkdtemp(join(tmpdir(), 'sem-mqtt-'));
  try {
    const certDir = join(dir, 'certs');
    const extraNames = inContainer && !['localhost', '127.0.0.1'].includes(choice.host.host) ? [choice.host.host] : [];
    await run('bash', [join(DEPLOY_DIR, 'gen-certs.sh'), certDir, ...extraNames]);
    await mkdir(join(dir, 'config'));
    await mkdir(join(dir, 'passwd'));
    await mkdir(join(dir, 'data'));
    const passwordFile = join(dir, 'passwd', 'passwd');
    await writeFile(passwordFile, passwordFileContent, { mode: 0o600 });
    await writeFile(join(dir, 'config', 'acl'), await readFile(join(DEPLOY_DIR, 'acl')));
    // The container sees the run's temp folder at the same path, but not the repo: take the entrypoint along.
    await copyFile(join(DEPLOY_DIR, 'entrypoint.sh'), join(dir, 'entrypoint.sh'));
    const confFile = join(dir, 'config', 'mosquitto.conf');
    const writeConf = async (listener: string, user: string) => {
      const conf = (await readFile(join(DEPLOY_DIR, 'mosquitto.conf'), 'utf8'))
        .replaceAll('/mosquitto/', `${dir}/`)
        .replace(/^listener 8883$/m, `listener ${listener}`)
        // Piped stdout is block-buffered; the log file is flushed per line, so tests can wait on it.
        .replace(/^log_dest stdout$/m, `log_dest file ${dir}/mosquitto.log`)
        // Started as root, mosquitto would switch to the `mosquitto` user, who cannot read this temp dir.
        .concat(`\nuser ${user}\n`);
      await writeFile(confFile, conf);
    };
    const command: BrokerCommand = {
      dir,
      argv: options.entrypoint ? ['sh', join(dir, 'entrypoint.sh')] : [choice.kind === 'local' ? choice.binary : 'mosquitto', '-c', confFile],
      // entrypoint.sh's mktemp lands in the broker's folder, which stop() removes.
      env: options.entrypoint ? { MOSQUITTO_CONF: confFile, MOSQUITTO_PASSWD: passwordFile, RELOAD_CHECK_SECONDS: '0.2', TMPDIR: dir } : {},
    };
    let broker: BrokerProcess;
    if (choice.kind === 'container') {
      broker = await containerBrokerProcess(choice.host, command, (port) => writeConf(String(port), 'root'));
    } else {
      const port = await freePort();
      await writeConf(`${port} 127.0.0.1`, userInfo().username);
      broker = localBrokerProcess(command, port);
    }
    const output = () => {
      try {
        return broker.stderr() + readFileSync(join(dir, 'mosquitto.log'), 'utf8');
      } catch {
        return broker.stderr();
      }
    };
    try {
      await waitForListener(broker, output);
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return {
      host: broker.host,
      port: broker.port,
      url: `mqtts://${broker.host}:${broker.port}`,
      caFile: join(certDir, 'ca.crt'),
      dir,
      passwordFile,
      log: output,
      async reloadPasswords(content: string) {
        await writeFile(passwordFile, content, { mode: 0o600 });
        const before = output().length;
        // entrypoint.sh notices the new file by itself; a bare broker gets the SIGHUP from us.
        if (!options.entrypoint) await broker.signal('HUP');
        // Mosquitto logs "Reloading config." when it re-reads the files.
        for (let i = 0; i < 100 && !output().slice(before).includes('Reloading config'); i++) await new Promise((r) => setTimeout(r, 20));
      },
      async stop() {
        await broker.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
