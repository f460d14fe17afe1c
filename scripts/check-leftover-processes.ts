import path from 'node:path';
import { describeProcesses, processesNaming, stopProcessGroups } from './processes';

/**
 * The last step of CI: no process whose command line names this checkout may outlive the run.
 * Whatever is found is listed, killed, and fails the step, so a leak is caught the day it is written.
 */
const root = path.resolve(__dirname, '..');
async function main(): Promise<void> {
  const leftovers = processesNaming(root);
  if (leftovers.length === 0) {
    console.log(`no process of ${root} is left running`);
    return;
  }
  console.error(`processes of ${root} still running after the run (killing them):\n${describeProcesses(leftovers)}`);
  await stopProcessGroups(
    leftovers.map((p) => p.pid),
    { graceMs: 5_000 },
  );
  process.exitCode = 1;
}

void main();
