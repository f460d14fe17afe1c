import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { scenarios } from './scenarios';

const dir = path.resolve(__dirname, '../fixtures/histories');

describe('replay of recorded histories', () => {
  it('has a recorded history for every scenario', async () => {
    const recorded = (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    expect(recorded.sort()).toEqual(expect.arrayContaining(Object.keys(scenarios).sort()));
  });

  it('replays every recorded history with the current workflow code without nondeterminism', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    const histories = await Promise.all(
      files.map(async (file) => ({
        workflowId: file,
        history: historyFromJSON(JSON.parse(await readFile(path.join(dir, file), 'utf8'))),
      })),
    );
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, replayName: 'ci-replay' },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(histories.length).toBeGreaterThan(0);
  });
});
