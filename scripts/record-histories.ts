import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { startTinyEvent } from '../test/support/events';
import { scenarios } from '../test/replay/scenarios';
import { createEventWorker } from '../worker/worker';
import { ensureTemporalCli } from './temporal-cli';
import { startTemporalDevServer } from './temporal-server';

/**
 * Runs every replay scenario on a fresh dev server with the current workflow
 * code and writes each history to test/fixtures/histories/<scenario>.json.
 * Usage: npm run record-histories [-- scenario-name ...]
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const cli = await ensureTemporalCli();
  if (cli.kind !== 'path') throw new Error('recording needs a local Temporal CLI binary');
  const server = await startTemporalDevServer({ uiPort: false });
  try {
    const connection = await Connection.connect({ address: server.address });
    const native = await NativeConnection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    const taskQueue = 'record-histories';
    // Notifications only log here: scenarios that run to the end wait for their deliveries to settle.
    const quiet = { info: () => undefined, warn: () => undefined };
    const worker = await createEventWorker({
      connection: native,
      namespace: server.namespace,
      taskQueue,
      activities: createActivities({ logger: quiet }),
    });
    await worker.runUntil(async () => {
      for (const [name, scenario] of Object.entries(scenarios)) {
        if (only.length > 0 && !only.includes(name)) continue;
        const started = typeof scenario === 'function' ? { run: scenario } : scenario;
        const handle = await startTinyEvent(
          client,
          taskQueue,
          `replay-${name}`,
          'start' in started ? started.start() : {},
        );
        await started.run(handle);
        const file = path.resolve(__dirname, '../test/fixtures/histories', `${name}.json`);
        // The CLI's JSON is the canonical history format that every SDK's replayer reads.
        const { stdout } = await promisify(execFile)(
          cli.path,
          ['workflow', 'show', '--workflow-id', handle.workflowId, '--output', 'json', '--address', server.address],
          { maxBuffer: 100_000_000 },
        );
        await writeFile(file, stdout);
        console.log(`recorded ${path.relative(process.cwd(), file)}`);
      }
    });
    await native.close();
    await connection.close();
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
