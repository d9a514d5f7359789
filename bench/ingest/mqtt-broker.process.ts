import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The delivery settings of deploy/mosquitto/mosquitto.conf that decide how a backlog reaches the ingest. */
export interface BrokerSettings {
  maxInflightMessages: number;
  maxQueuedMessages: number;
  maxQueuedBytes: number;
}

const DEPLOY_CONF = fileURLToPath(new URL('../../deploy/mosquitto/mosquitto.conf', import.meta.url));

/** The settings the stack ships (deploy/mosquitto/mosquitto.conf), so the storm measures what is deployed. */
export function stackBrokerSettings(conf: string = readFileSync(DEPLOY_CONF, 'utf8')): BrokerSettings {
  const value = (name: string) => {
    const m = new RegExp(`^${name}\\s+(\\d+)\\s*$`, 'm').exec(conf);
    if (!m) throw new Error(`${DEPLOY_CONF} has no ${name}`);
    return Number(m[1]);
  };
  return { maxInflightMessages: value('max_inflight_messages'), maxQueuedMessages: value('max_queued_messages'), maxQueuedBytes: value('max_queued_bytes') };
}

export interface BenchBroker {
  port: number;
  settings: BrokerSettings;
  stop(): Promise<void>;
}

/**
 * A private Mosquitto on its own port for the MQTT storm: the stack's delivery settings, plain TCP on loopback,
 * anonymous clients and no ACL (the bench measures delivery, not TLS or accounts), no persistence. Never the shared
 * broker on 1883.
 */
export async function startBenchBroker(port: number, settings: BrokerSettings = stackBrokerSettings()): Promise<BenchBroker> {
  if (await answers(port)) throw new Error(`port ${port} is already in use; choose another with --mqtt-port`);
  const dir = mkdtempSync(join(tmpdir(), 'sem-bench-mqtt-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      `max_inflight_messages ${settings.maxInflightMessages}`,
      `max_queued_messages ${settings.maxQueuedMessages}`,
      `max_queued_bytes ${settings.maxQueuedBytes}`,
      'max_packet_size 262144',
      'max_connections -1',
      `log_dest file ${join(dir, 'mosquitto.log')}`,
      'log_type error',
      'log_type warning',
      `user ${userInfo().username}`,
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; !(await answers(port)); i++) {
    if (exited || i > 100) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`mosquitto did not listen on 127.0.0.1:${port}`);
    }
    await sleep(50);
  }
  return {
    port,
    settings,
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
