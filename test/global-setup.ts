import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { describeProcesses, isAlive, processesWithEnv, stopProcessGroups } from '../scripts/processes';
import { startTemporalDevServer } from '../scripts/temporal-server';
import { RUN_MARKER } from './support/processes';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    workflowBundlePath: string;
    testRunId: string;
  }
}

/**
 * One real Temporal dev server for the whole run (headless, free port,
 * search attributes registered) and one workflow bundle, shared by every
 * test file. The returned teardown runs even when tests fail; it ends with a sweep for any
 * process that a test started and that is still alive, which it kills and reports as a failure.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTemporalDevServer({
    uiPort: false,
    // Small enough that long-running tests exercise continue-as-new.
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 400 },
  });
  const bundlePath = path.join(tmpdir(), `readiness-workflows-${process.pid}.js`);
  try {
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.resolve(__dirname, '../workflows/index.ts'),
      logger: {
        log: () => undefined,
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: console.warn,
        error: console.error,
      },
    });
    await writeFile(bundlePath, code);
  } catch (error) {
    await server.stop();
    throw error;
  }
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  project.provide('workflowBundlePath', bundlePath);
  const runId = randomUUID();
  project.provide('testRunId', runId);
  return async () => {
    await server.stop();
    await rm(bundlePath, { force: true });
    const leftovers = processesWithEnv(RUN_MARKER, runId);
    if (server.pid !== undefined && isAlive(server.pid))
      leftovers.push({ pid: server.pid, ppid: process.pid, args: 'temporal dev server of the run' });
    if (leftovers.length === 0) return;
    await stopProcessGroups(
      leftovers.map((p) => p.pid),
      { sig: 'SIGKILL' },
    );
    throw new Error(`the test run left these processes running (now killed):\n${describeProcesses(leftovers)}`);
  };
}
