import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process bookkeeping for whatever this repository starts: find processes by a marker in their
 * environment (inherited by every descendant, so grandchildren that a wrapper left behind are found
 * too) or by their command line, and stop process groups with a bound.
 * Linux only (/proc); elsewhere the listings are empty.
 */

export interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    // Gone in the meantime, or not ours to read: either way not a process to report.
    return undefined;
  }
}

function pids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

function info(pid: number): ProcessInfo | undefined {
  const cmdline = readProc(pid, 'cmdline');
  const stat = readProc(pid, 'stat');
  if (cmdline === undefined || stat === undefined) return undefined;
  // The command name in stat is parenthesised and may hold spaces: fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // A zombie has already exited; it holds nothing but a table slot until its parent reaps it.
  if (fields[0] === 'Z') return undefined;
  return { pid, ppid: Number(fields[1]), args: cmdline.split('\0').join(' ').trim() };
}

/** This process and its ancestors: never reported, whatever their command lines say. */
function selfAndAncestors(): Set<number> {
  const chain = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !chain.has(pid)) {
    chain.add(pid);
    pid = info(pid)?.ppid ?? 0;
  }
  return chain;
}

/** Live processes whose environment has `name=value`. */
export function processesWithEnv(name: string, value: string): ProcessInfo[] {
  const wanted = `${name}=${value}`;
  const skip = selfAndAncestors();
  return pids()
    .filter((pid) => !skip.has(pid))
    .filter((pid) => readProc(pid, 'environ')?.split('\0').includes(wanted))
    .map(info)
    .filter((p): p is ProcessInfo => p !== undefined);
}

/**
 * Live processes whose command line contains `text`; this process, its ancestors and its own
 * descendants (the TypeScript loader's esbuild service, say) excepted.
 */
export function processesNaming(text: string): ProcessInfo[] {
  const skip = selfAndAncestors();
  const all = pids()
    .map(info)
    .filter((p): p is ProcessInfo => p !== undefined);
  const parentOf = new Map(all.map((p) => [p.pid, p.ppid]));
  const descendsFromSelf = (pid: number): boolean => {
    const seen = new Set<number>();
    for (let at = parentOf.get(pid); at !== undefined && at > 1 && !seen.has(at); at = parentOf.get(at)) {
      if (at === process.pid) return true;
      seen.add(at);
    }
    return false;
  };
  return all.filter((p) => !skip.has(p.pid) && !descendsFromSelf(p.pid) && p.args.includes(text));
}

export function isAlive(pid: number): boolean {
  if (info(pid) === undefined && process.platform === 'linux') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    // ESRCH: already gone, which is what we want.
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

/**
 * Sends `sig` to each process's group (and the process itself, in case it left its group), waits
 * up to `graceMs` for all of them to exit, then SIGKILLs what is left and waits again.
 * Resolves with the pids that needed SIGKILL; rejects if any survives even that.
 */
export async function stopProcessGroups(
  pidList: number[],
  { sig = 'SIGTERM', graceMs = 10_000 }: { sig?: NodeJS.Signals; graceMs?: number } = {},
): Promise<number[]> {
  const live = () => pidList.filter(isAlive);
  for (const pid of live()) {
    signal(pid, sig, true);
    signal(pid, sig, false);
  }
  if (await waitUntil(() => live().length === 0, graceMs)) return [];
  const stubborn = live();
  for (const pid of stubborn) {
    signal(pid, 'SIGKILL', true);
    signal(pid, 'SIGKILL', false);
  }
  if (!(await waitUntil(() => live().length === 0, 5_000))) {
    throw new Error(`processes survived SIGKILL: ${live().join(', ')}`);
  }
  return stubborn;
}

export function describeProcesses(list: ProcessInfo[]): string {
  return list.map((p) => `  pid ${p.pid} (parent ${p.ppid}): ${p.args.slice(0, 300)}`).join('\n');
}
