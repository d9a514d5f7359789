import { createConnection } from 'mysql2/promise';
import type { DbConnectionConfig } from '@sem/db';
import { waitForDatabase } from '@sem/service-kit';

// Pods and podman-compose start containers together, not in health order: steps that need the
// database wait for it themselves (the shared waitForDatabase backoff), before doing any work.
export async function waitForDb(
  config: DbConnectionConfig,
  opts: { deadlineMs?: number; log?: (line: string) => void } = {},
): Promise<void> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const where = `${config.socketPath ?? `${config.host}:${config.port}`} as ${config.user}`;
  let lastReason = '';
  const ping = async () => {
    const conn = await createConnection({
      host: config.host,
      port: config.port,
      socketPath: config.socketPath,
      user: config.user,
      password: config.password,
      database: config.database,
      connectTimeout: 5000,
    });
    try {
      await conn.query('SELECT 1');
    } finally {
      await conn.end();
    }
  };
  try {
    await waitForDatabase(ping, {
      deadlineMs: opts.deadlineMs ?? 180_000,
      onWait: ({ reason }) => {
        if (reason !== lastReason) log(`waiting for the database at ${where}: ${reason}`);
        lastReason = reason;
      },
    });
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`database not reachable in time (${reason})`);
  }
}
