// Entry point: parse config, wait for the database, start the write engine, then sync the registry to the
// broker and subscribe. SIGTERM/SIGINT or an uncaught error: finish the message in hand, drain the engine, exit
// (forced after the grace period).
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createKysely } from '@sem/db';
import { createIngest, pingDatabase } from '@sem/ingest';
import { onShutdown, waitForDatabase } from '@sem/service-kit';
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

try {
  await waitForDatabase(() => pingDatabase(db), {
    retries: config.ingest.dbConnect.retries,
    maxDelayMs: config.ingest.dbConnect.maxDelayMs,
    onWait: ({ attempt, delayMs, reason }) => log.warn({ attempt, delayMs, code: reason }, 'database not ready, retrying'),
  });
} catch (error) {
  log.fatal({ err: error }, 'database unreachable, giving up');
  await db.destroy();
  process.exit(1);
}

const metrics = new Registry();
collectDefaultMetrics({ register: metrics });
const engine = createIngest({ db, config: config.ingest, log, metrics });
const ingest = await startMqttIngest({ engine, metrics, config, log });
log.info({ broker: config.broker.url, clientId: config.broker.clientId }, 'mqtt ingest running');

// Finish the message in hand, drain the engine (held rollups written), close the pool.
onShutdown(log, async () => {
  await ingest.close();
  await engine.close();
  await db.destroy();
});
