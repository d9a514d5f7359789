/**
 * A stop while the database is still unreachable (a fresh pod before migrate has granted the tables)
 * ends the process at once and cleanly, instead of waiting for podman's SIGKILL: the shutdown handler
 * is in place before the wait for the database.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stopWhileWaitingForDatabase } from '@sem/service-kit/testing';

describe('mqtt-ingest server: SIGTERM while waiting for the database', () => {
  it('shuts down with exit code 0 within a second, not by the signal', async () => {
    const stop = await stopWhileWaitingForDatabase(join(import.meta.dirname, '../src/server.ts'), {
      SEM_DB_PASSWORD: 'not-used-nothing-listens',
      SEM_MQTT_PASSWORD: 'not-used-no-broker-either',
      SEM_MQTT_DEVICE_SECRET: 'stop-while-waiting-device-secret-0123456789',
      SEM_HA_MQTT_PASSWORD: 'not-used-no-broker-either',
    });
    expect({ code: stop.code, signal: stop.signal }, stop.output).toEqual({ code: 0, signal: null });
    expect(stop.stopMs).toBeLessThan(1000);
    expect(stop.output).toContain('"msg":"shutting down"');
  });
});
