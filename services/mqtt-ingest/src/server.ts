// Entry point: parse config, build ingest-api's app (never listening), wait for the database, then
// sync the registry to the broker and subscribe. SIGTERM/SIGINT: finish the message in hand, drain, exit.
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp, pingDatabase } from './ingest-api-bridge.ts';
import { loadMqttConfig, MqttConfigError, type MqttIngestConfig } from './config.ts';
import { startMqttIngest } from './mqtt-ingest.ts';

let config: MqttIngestConfig;
try {
  config = loadMqttConfig(process.env);
} catch (error) {
  console.error(error instanceof MqttConfigError ? error.message : error);
  process.exit(2);
}

const app = await buildApp(config.api);
await app.ready();
const log = app.log.child({ service: 'mqtt-ingest' });

// The pod does not order container starts: wait for the database with capped backoff.
for (let attempt = 0; ; attempt++) {
  try {
    await pingDatabase(app.db);
    break;
  } catch (error) {
    if (attempt >= config.api.dbConnect.retries) {
      log.fatal({ err: error }, 'database unreachable, giving up');
      await app.close();
      process.exit(1);
    }
    const delay = Math.min(config.api.dbConnect.maxDelayMs, 250 * 2 ** attempt);
    log.warn({ attempt: attempt + 1, delayMs: delay }, 'database not ready, retrying');
    await sleep(delay);
  }
}

const ingest = await startMqttIngest(app, config, log);
log.info({ broker: config.broker.url, clientId: config.broker.clientId }, 'mqtt ingest running');

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    ingest
      .close()
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'error during shutdown');
          process.exit(1);
        },
      );
  });
}
