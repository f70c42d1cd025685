import { defineConfig } from 'vitest/config';

/**
 * End-to-end suite: every test boots a QEMU guest (scripts/vm/run.sh; prepare once with
 * `sudo scripts/vm/setup.sh`). Guests are CPU-bound under software emulation, so files run one at a time.
 * A machine without QEMU fails the suite loudly; BAOMI_SKIP_E2E=1 skips it.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
