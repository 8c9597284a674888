import { defineConfig } from 'vitest/config';

// Tests mirror src/. Integration tests load the real reference model and e2e tests drive
// Debian's Chromium, so timeouts are generous: these machines have 2 shared cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
