/**
 * A stop while the database is still unreachable (a fresh pod before migrate has granted the tables,
 * or deploy/restore.sh stopping the API) ends the process at once and cleanly, instead of waiting for
 * podman's SIGKILL: the shutdown handler is in place before the wait for the database.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stopWhileWaitingForDatabase } from '@sem/service-kit/testing';

describe('ingest-api server: SIGTERM while waiting for the database', () => {
  it('shuts down with exit code 0 within a second, not by the signal', async () => {
    const stop = await stopWhileWaitingForDatabase(join(import.meta.dirname, '../src/server.ts'), {
      SEM_DB_PASSWORD: 'not-used-nothing-listens',
      SEM_ADMIN_TOKEN: 'stop-while-waiting-admin-token-0123456789',
      SEM_HTTP_HOST: '127.0.0.1',
      SEM_HTTP_PORT: '0',
      SEM_OPS_PORT: '0',
    });
    expect({ code: stop.code, signal: stop.signal }, stop.output).toEqual({ code: 0, signal: null });
    expect(stop.stopMs).toBeLessThan(1000);
    expect(stop.output).toContain('"msg":"shutting down"');
  });
});
