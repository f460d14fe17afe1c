import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, processesNaming, processesWithEnv, stopProcessGroups } from '../../scripts/processes';
import { crash, SPAWNER_MARKER, spawnTs, stopEverythingStarted, type Spawned } from '../support/processes';

const entry = 'test/scripts/fixtures/process-tree.ts';
const launched: Spawned[] = [];
afterAll(async () => {
  await Promise.all(launched.map(crash));
});

async function launchTree(): Promise<{ launcher: Spawned; helperPid: number }> {
  const launcher = spawnTs(entry, {});
  launched.push(launcher);
  await launcher.waitFor('helper ', 30_000);
  const helperPid = Number(/helper (\d+)/.exec(launcher.output())?.[1]);
  expect(isAlive(helperPid)).toBe(true);
  return { launcher, helperPid };
}

function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

describe('processes started by tests', () => {
  it('run as the node process itself, with no wrapper process whose death would orphan it', async () => {
    const { launcher, helperPid } = await launchTree();
    const pid = launcher.child.pid!;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(entry);
    // Its only child is the helper it started on purpose: no second node process running the entry.
    expect(childrenOf(pid)).toEqual([helperPid]);
    await stopProcessGroups([helperPid], { sig: 'SIGKILL' });
  });

  it('are found by their marker after the launcher is killed, and the sweep kills what it finds', async () => {
    const { launcher, helperPid } = await launchTree();
    await crash(launcher);
    expect(isAlive(helperPid)).toBe(true);
    expect(processesWithEnv(SPAWNER_MARKER, String(process.pid)).map((p) => p.pid)).toContain(helperPid);
    // Orphaned, it is no descendant of ours any more: the CI check by command line finds it too.
    expect(processesNaming('setInterval(() => {}, 1000)').map((p) => p.pid)).toContain(helperPid);

    const killed = await stopEverythingStarted(2_000);
    expect(killed.some((args) => args.includes('setInterval'))).toBe(true);
    expect(isAlive(helperPid)).toBe(false);
    expect(processesNaming(entry)).toEqual([]);
  });

  it('are stopped by SIGKILL after the grace period when they ignore SIGTERM', async () => {
    const stubborn = spawnTs('test/scripts/fixtures/ignores-sigterm.ts', {});
    launched.push(stubborn);
    await stubborn.waitFor('ignoring SIGTERM', 30_000);
    const pid = stubborn.child.pid!;
    await expect(stopProcessGroups([pid], { graceMs: 500 })).resolves.toEqual([pid]);
    expect(isAlive(pid)).toBe(false);
  });
});
