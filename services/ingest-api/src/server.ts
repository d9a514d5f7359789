// Entry point: parse config, wait for the database, optionally migrate, listen; drain and close on SIGTERM/SIGINT.
import { setTimeout as sleep } from 'node:timers/promises';
import { migrateToLatest } from '@sem/db';
import { buildApp } from './app.ts';
import { loadConfigOrExit } from './config.ts';
import { pingDatabase } from '@sem/ingest';
import { retentionPlugin } from './plugins/retention.plugin.ts';

const config = loadConfigOrExit(process.env);

const app = await buildApp(config);

// The pod does not order container starts: retry the database with capped exponential backoff.
for (let attempt = 0; ; attempt++) {
  try {
    await pingDatabase(app.db);
    break;
  } catch (err) {
    if (attempt >= config.dbConnect.retries) {
      app.log.fatal({ err }, 'database unreachable, giving up');
      await app.close();
      process.exit(1);
    }
    const delay = Math.min(config.dbConnect.maxDelayMs, 250 * 2 ** attempt);
    app.log.warn({ attempt: attempt + 1, delayMs: delay, code: (err as { code?: string }).code }, 'database not ready, retrying');
    await sleep(delay);
  }
}

if (config.migrateOnStart) {
  const results = await migrateToLatest(app.db);
  app.log.info({ applied: results.map((r) => r.migrationName) }, 'migrations done');
}

// Raw rows expire; rollups stay (@sem/ingest retention). Not part of buildApp, so tests never purge.
await app.register(retentionPlugin, { rawRetentionDays: config.rawRetentionDays });

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining the write queue');
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  });
}

await app.listen({ host: config.http.host, port: config.http.port });
