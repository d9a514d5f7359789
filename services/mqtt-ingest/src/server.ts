// Entry point: parse config, wait for the database, start the write engine, then sync the registry to the
// broker and subscribe. SIGTERM/SIGINT: finish the message in hand, drain the engine, exit.
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createKysely } from '@sem/db';
import { createIngest, pingDatabase } from '@sem/ingest';
import { loadMqttConfig, MqttConfigError, type MqttIngestConfig } from './config.ts';
import { startMqttIngest } from './mqtt-ingest.ts';

let config: MqttIngestConfig;
try {
  config = loadMqttConfig(process.env);
} catch (error) {
  console.error(error instanceof MqttConfigError ? error.message : error);
  process.exit(2);
}

const log = pino({ level: config.logLevel }).child({ service: 'mqtt-ingest' });
const db = createKysely(config.ingest.db);

// The pod does not order container starts: wait for the database with capped backoff.
for (let attempt = 0; ; attempt++) {
  try {
    await pingDatabase(db);
    break;
  } catch (error) {
    if (attempt >= config.ingest.dbConnect.retries) {
      log.fatal({ err: error }, 'database unreachable, giving up');
      await db.destroy();
      process.exit(1);
    }
    const delay = Math.min(config.ingest.dbConnect.maxDelayMs, 250 * 2 ** attempt);
    log.warn({ attempt: attempt + 1, delayMs: delay }, 'database not ready, retrying');
    await sleep(delay);
  }
}

const metrics = new Registry();
collectDefaultMetrics({ register: metrics });
const engine = createIngest({ db, config: config.ingest, log, metrics });
const ingest = await startMqttIngest({ engine, metrics, config, log });
log.info({ broker: config.broker.url, clientId: config.broker.clientId }, 'mqtt ingest running');

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    ingest
      .close()
      .then(() => engine.close())
      .then(() => db.destroy())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'error during shutdown');
          process.exit(1);
        },
      );
  });
}
