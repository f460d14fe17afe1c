import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/temporal-server';
import { interrupt, shutDown, isAlive, repoRoot, spawnTs, type Spawned } from '../support/processes';

const run = promisify(execFile);

/** The bash blocks of the README between the quick-tour markers, as a user would paste them. */
async function quickTour(): Promise<string> {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const section = /<!-- quick-tour:start -->([\s\S]*?)<!-- quick-tour:end -->/.exec(readme)?.[1] ?? '';
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks.length).toBeGreaterThan(0);
  return blocks.join('\n');
}

describe('npm start (the embedded stack)', () => {
  let dir: string;
  const launched: Spawned[] = [];
  afterAll(async () => {
    await shutDown(launched);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function launch(ports: { api: number; temporal: number; ui: number }): Promise<Spawned> {
    const stack = spawnTs('scripts/dev.ts', {
      DATA_DIR: path.join(dir, 'data'),
      API_PORT: String(ports.api),
      TEMPORAL_DEV_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      LOG_LEVEL: 'warn',
    });
    launched.push(stack);
    await stack.waitFor('Press Ctrl-C to stop.');
    return stack;
  }

  async function stop(stack: Spawned): Promise<void> {
    interrupt(stack);
    expect(await stack.exited).toBe(0);
  }

  it('runs the README quick tour as written, stops cleanly on Ctrl-C and keeps every event across a restart', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'readiness-e2e-'));
    const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
    const api = `http://127.0.0.1:${ports.api}`;

    const first = await launch(ports);
    expect(first.output()).toContain(`API           ${api}`);
    expect(first.output()).toMatch(/export TOKEN_PLANNER_LINH=ey/);
    expect(first.output()).toContain(`--port ${ports.temporal}`);

    const tour = await run('bash', ['-euo', 'pipefail', '-c', await quickTour()], {
      cwd: dir,
      env: { ...process.env, API: api },
      maxBuffer: 10_000_000,
    });
    expect(tour.stdout).toContain('"code":"NOT_GATE_APPROVER"');
    expect(tour.stdout).toContain('"phase":"preparation"');

    await stop(first);
    // Nothing left listening: neither the API nor the Temporal server.
    await expect(fetch(`${api}/healthz`)).rejects.toThrow();
    const { stdout: leftovers } = await run('bash', ['-c', `pgrep -f -- "--port ${ports.temporal} " || true`]);
    expect(
      leftovers
        .trim()
        .split('\n')
        .filter(Boolean)
        .filter((pid) => isAlive(Number(pid))),
    ).toEqual([]);

    const second = await launch(ports);
    const tokens = await readFile(path.join(dir, 'data', 'dev-tokens.env'), 'utf8');
    const viewer = /TOKEN_VIEWER_TRANG=(\S+)/.exec(tokens)?.[1];
    const res = await fetch(`${api}/events/asean-47`, { headers: { Authorization: `Bearer ${viewer}` } });
    expect(res.status).toBe(200);
    const event = (await res.json()) as { phase: string; progress: { done: number } };
    expect(event.phase).toBe('preparation');
    expect(event.progress.done).toBe(4);
    await stop(second);
  });
});
