import { defineConfig } from 'vitest/config';

/** Unit and integration tests: real probes on captured trees, no VM. The VM suite has its own config. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
    setupFiles: ['test/setup.ts'],
  },
});
