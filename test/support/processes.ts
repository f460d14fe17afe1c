import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output contains `text`; rejects if the process exits first or time runs out. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry point of this repo in its own process group, as a terminal would. */
export function spawnTs(entry: string, env: Record<string, string>): Spawned {
  const child = spawn(tsx, [path.join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    waitFor(text, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const timer = setInterval(() => {
          if (out.includes(text)) {
            clearInterval(timer);
            resolve();
          } else if (child.exitCode !== null || Date.now() - started > timeoutMs) {
            clearInterval(timer);
            reject(new Error(`"${text}" did not appear (exit ${child.exitCode}):\n${out.slice(-3000)}`));
          }
        }, 100);
      });
    },
  };
}

/** Ctrl-C: SIGINT to the whole process group. */
export function interrupt(spawned: Spawned): void {
  if (spawned.child.pid && spawned.child.exitCode === null) process.kill(-spawned.child.pid, 'SIGINT');
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
