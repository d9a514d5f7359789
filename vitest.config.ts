import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,services}/*/test/**/*.test.ts', 'db/test/**/*.test.ts', 'test/**/*.test.ts', 'grafana/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
