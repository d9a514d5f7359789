import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const c = loadConfig({});
    expect(c.http).toEqual({ host: '0.0.0.0', port: 8080, trustProxy: false, enabled: true });
    expect(c.https).toBeUndefined();
    expect(c.opsPort).toBeUndefined();
    expect(c.db).toMatchObject({ host: '127.0.0.1', port: 3306, database: 'sem', user: 'sem_api', password: '' });
    expect(c.adminToken).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.db)).toBe(true);
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ SEM_HTTP_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ SEM_HTTP_PORT: 'eighty' })).toThrow(/SEM_HTTP_PORT/);
    expect(() => loadConfig({ SEM_WRITE_QUEUE_MAX: '0' })).toThrow(/SEM_WRITE_QUEUE_MAX/);
    expect(() => loadConfig({ SEM_ADMIN_TOKEN: 'short' })).toThrow(/SEM_ADMIN_TOKEN/);
  });

  it('reads secrets from *_FILE and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sem-config-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'pw'), 's3cret\n');
    writeFileSync(join(dir, 'admin'), 'a'.repeat(32));
    const c = loadConfig({ SEM_DB_PASSWORD_FILE: join(dir, 'pw'), SEM_ADMIN_TOKEN_FILE: join(dir, 'admin') });
    expect(c.db.password).toBe('s3cret');
    expect(c.adminToken).toBe('a'.repeat(32));
    expect(() => loadConfig({ SEM_DB_PASSWORD: 'x', SEM_DB_PASSWORD_FILE: join(dir, 'pw') })).toThrow(/SEM_DB_PASSWORD/);
    expect(() => loadConfig({ SEM_DB_PASSWORD_FILE: join(dir, 'missing') })).toThrow(/SEM_DB_PASSWORD_FILE/);
  });
});
