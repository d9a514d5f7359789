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

// Finish the message in hand, drain the engine (held rollups written), close the pool. Installed before the
// wait: as a container's PID 1, node has no default SIGTERM action, so a stop while the database is still
// unreachable would otherwise wait for podman's SIGKILL.
const running: { ingest?: Awaited<ReturnType<typeof startMqttIngest>>; engine?: ReturnType<typeof createIngest> } = {};
onShutdown(log, async () => {
  await running.ingest?.close();
  await running.engine?.close();
  await db.destroy();
});

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
running.engine = createIngest({ db, config: config.ingest, log, metrics });
running.ingest = await startMqttIngest({ engine: running.engine, metrics, config, log });
log.info({ broker: config.broker.url, clientId: config.broker.clientId }, 'mqtt ingest running');
