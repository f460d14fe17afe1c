import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal worker is a native addon, not safe to share across worker threads: forks.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // One real Temporal dev server and one workflow bundle for the whole run.
    globalSetup: ['test/global-setup.ts'],
    // After each file: stop every process it started (test/support/processes.ts) and fail on strays.
    setupFiles: ['test/support/process-cleanup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
