import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

describe('HTTP server timeouts', () => {
  it('bounds the headers, the whole request and an idle keep-alive connection', async () => {
    const app = await buildApp(loadConfig({ SEM_LOG_LEVEL: 'silent' }), { logger: false });
    try {
      expect(app.server.headersTimeout).toBe(10_000);
      expect(app.server.requestTimeout).toBe(30_000);
      expect(app.server.keepAliveTimeout).toBe(72_000);
    } finally {
      await app.close();
    }
  });
});
