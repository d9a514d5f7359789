import { createConnection } from 'mysql2/promise';
import type { DbConnectionConfig } from '@sem/db';

// Pods and podman-compose start containers together, not in health order: steps that need the
// database wait for it themselves, with backoff, before doing any work.
export async function waitForDb(
  config: DbConnectionConfig,
  opts: { deadlineMs?: number; log?: (line: string) => void } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.deadlineMs ?? 180_000);
  const log = opts.log ?? ((line: string) => console.error(line));
  let delayMs = 250;
  let lastReason = '';
  for (;;) {
    try {
      const conn = await createConnection({
        host: config.host,
        port: config.port,
        socketPath: config.socketPath,
        user: config.user,
        password: config.password,
        database: config.database,
        connectTimeout: 5000,
      });
      await conn.query('SELECT 1');
      await conn.end();
      return;
    } catch (err) {
      const reason = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
      if (reason !== lastReason) log(`waiting for the database at ${config.socketPath ?? `${config.host}:${config.port}`} as ${config.user}: ${reason}`);
      lastReason = reason;
      if (Date.now() + delayMs > deadline) throw new Error(`database not reachable in time (${reason})`);
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(delayMs * 2, 5000);
    }
  }
}
