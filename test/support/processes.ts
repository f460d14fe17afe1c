import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { processesWithEnv, stopProcessGroups } from '../../scripts/processes';

export { isAlive } from '../../scripts/processes';

export const repoRoot = path.resolve(__dirname, '../..');

/**
 * Every process a test starts carries these in its environment, and so does everything it starts
 * in turn: the run's id (the global teardown's last-resort sweep) and the pid of the test process
 * that started it (the per-file sweep). `test/support/process-cleanup.ts` sets them in each test
 * process's own environment, so spawnTs children, Temporal servers and browsers all inherit them.
 */
export const RUN_MARKER = 'READINESS_TEST_RUN';
export const SPAWNER_MARKER = 'READINESS_TEST_SPAWNER';

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output contains `text`; rejects if the process exits first or time runs out. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

const started = new Set<Spawned>();

/**
 * Runs a TypeScript entry point of this repo in its own process group, as a terminal would.
 * It is `node --import tsx`, not the `tsx` command: that one is a wrapper around a second node
 * process, and a signal to the wrapper alone left the real process running.
 */
export function spawnTs(entry: string, env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawned: Spawned = {
    child,
    output: () => out,
    exited,
    waitFor(text, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const since = Date.now();
        const timer = setInterval(() => {
          if (out.includes(text)) {
            clearInterval(timer);
            resolve();
          } else if (child.exitCode !== null || Date.now() - since > timeoutMs) {
            clearInterval(timer);
            reject(new Error(`"${text}" did not appear (exit ${child.exitCode}):\n${out.slice(-3000)}`));
          }
        }, 100);
      });
    },
  };
  started.add(spawned);
  void exited.then(() => started.delete(spawned));
  return spawned;
}

function signalGroup(spawned: Spawned, sig: NodeJS.Signals): void {
  const { pid, exitCode, signalCode } = spawned.child;
  if (pid === undefined || exitCode !== null || signalCode !== null) return;
  try {
    process.kill(-pid, sig);
  } catch (error) {
    // The group can be gone before node has seen its leader exit.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Ctrl-C: SIGINT to the whole process group. */
export function interrupt(spawned: Spawned): void {
  signalGroup(spawned, 'SIGINT');
}

/**
 * Teardown: Ctrl-C to each process group, then SIGKILL for any still running after `graceMs`;
 * resolves once every one of them has exited.
 */
export async function shutDown(spawned: Spawned[], graceMs = 15_000): Promise<void> {
  const pids = spawned.map((s) => s.child.pid).filter((pid): pid is number => pid !== undefined);
  await stopProcessGroups(pids, { sig: 'SIGINT', graceMs });
  await Promise.all(spawned.map((s) => s.exited));
}

/** kill -9 of the whole process group, as a crash would; resolves once the process has exited. */
export async function crash(spawned: Spawned): Promise<number | null> {
  signalGroup(spawned, 'SIGKILL');
  return spawned.exited;
}

/**
 * Stops everything this test process started and is still running: SIGTERM to each group, SIGKILL
 * after a bound, then a sweep for any descendant that left its group (a server a launcher started
 * detached, say). Returns the command lines of what the sweep had to kill.
 */
export async function stopEverythingStarted(graceMs = 10_000): Promise<string[]> {
  const pids = [...started].map((s) => s.child.pid).filter((pid): pid is number => pid !== undefined);
  await stopProcessGroups(pids, { graceMs });
  await Promise.all([...started].map((s) => s.exited));
  const strays = processesWithEnv(SPAWNER_MARKER, String(process.pid));
  await stopProcessGroups(
    strays.map((p) => p.pid),
    { sig: 'SIGKILL', graceMs: 5_000 },
  );
  return strays.map((p) => p.args);
}
