import { afterAll, inject } from 'vitest';
import { RUN_MARKER, SPAWNER_MARKER, stopEverythingStarted } from './processes';

// Inherited by every process this test file starts, however it starts it (see processes.ts).
process.env[RUN_MARKER] = inject('testRunId');
process.env[SPAWNER_MARKER] = String(process.pid);

// Runs after every test file, passed or failed or timed out: no process it started outlives it.
afterAll(async () => {
  const strays = await stopEverythingStarted();
  if (strays.length > 0) {
    throw new Error(`processes outlived the test file that started them and were killed:\n${strays.join('\n')}`);
  }
}, 30_000);
