import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,services}/*/test/**/*.test.ts', 'db/test/**/*.test.ts', 'test/**/*.test.ts', 'grafana/test/**/*.test.ts'],
    // One MariaDB (and broker container) per run, handed to the workers; the end-of-run leak check.
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
