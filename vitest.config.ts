import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Worker-pool and LMDB tests spawn threads and processes of their own; two forks keep a 2-core box responsive.
    pool: 'forks',
    maxWorkers: 2,
  },
});
