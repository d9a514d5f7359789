import { migrateToLatest } from '@sem/db';
import { onShutdown, waitForDatabase } from '@sem/service-kit';
import { buildApp } from './app.ts';
import type { AppConfig } from './config.ts';
import { retentionPlugin } from './plugins/retention.plugin.ts';
import { startListeners, type Listeners } from './http/listeners.ts';
import { announceListening } from './processes/api-processes.ts';

/**
 * One API process: wait for the database, optionally migrate, listen; drain and close on SIGTERM/SIGINT or an
 * uncaught error (forced exit after the grace period). `index` is its number among SEM_API_PROCESSES: only
 * process 1 migrates and runs the retention job.
 */
export async function serveApi(config: AppConfig, index: number): Promise<void> {
  const app = await buildApp(config);

  // Stop: no new connections, answers in flight finish, the write engine drains and writes what it holds, the pool closes.
  // Installed before the wait: as a container's PID 1, node has no default SIGTERM action, so a stop while the
  // database is still unreachable would otherwise wait for podman's SIGKILL.
  const started: { listeners?: Listeners } = {};
  onShutdown(app.log, () => started.listeners?.close() ?? app.close());

  try {
    await waitForDatabase(() => app.ingest.ping(), {
      retries: config.dbConnect.retries,
      maxDelayMs: config.dbConnect.maxDelayMs,
      onWait: ({ attempt, delayMs, reason }) => app.log.warn({ attempt, delayMs, code: reason }, 'database not ready, retrying'),
    });
  } catch (err) {
    app.log.fatal({ err }, 'database unreachable, giving up');
    await app.close();
    process.exit(1);
  }

  if (config.migrateOnStart && index === 1) {
    const results = await migrateToLatest(app.db);
    app.log.info({ applied: results.map((r) => r.migrationName) }, 'migrations done');
  }

  // Raw rows expire; rollups stay (@sem/ingest retention). Not part of buildApp, so tests never purge. One process per host runs it.
  if (index === 1) await app.register(retentionPlugin, { rawRetentionDays: config.rawRetentionDays });

  // HTTPS, plain HTTP (switchable) and the internal ops port, all the same app (src/http/listeners.ts).
  started.listeners = await startListeners(app, config, { shared: config.apiProcesses > 1, index });
  announceListening();
}
