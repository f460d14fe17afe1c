import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTemporalCli, TemporalCliError } from '../../scripts/temporal-cli';

const tempDirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-cli-test-'));
  tempDirs.push(dir);
  return dir;
}

function writeScript(dir: string, name: string, body: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** A stand-in `temporal` whose version line says where it came from. */
function fakeCli(dir: string, label: string): string {
  return writeScript(dir, 'temporal', `echo "temporal version ${label}"`);
}

/**
 * A stand-in `go` that fails like an unreachable checksum database unless
 * GOSUMDB=off, then "builds" a fake CLI into $GOBIN. No real go ever runs.
 */
function fakeGo(dir: string, options: { alwaysFail?: boolean } = {}): string {
  return writeScript(
    dir,
    'go',
    [
      'PATH=/usr/bin:/bin',
      `if [ "$GOSUMDB" = "off" ] && [ "${options.alwaysFail ? 'yes' : 'no'}" = "no" ]; then`,
      '  mkdir -p "$GOBIN"',
      `  printf '#!/bin/sh\\necho "temporal version built-by-fake-go"\\n' > "$GOBIN/temporal"`,
      '  chmod +x "$GOBIN/temporal"',
      '  exit 0',
      'fi',
      'echo "go: downloading github.com/temporalio/cli v1.5.1" >&2',
      'echo "verifying github.com/temporalio/cli@v1.5.1: checksum database lookup failed" >&2',
      'exit 1',
    ].join('\n'),
  );
}

afterEach(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('ensureTemporalCli', () => {
  it('prefers TEMPORAL_CLI_PATH over a temporal on PATH', async () => {
    const explicit = fakeCli(tempDir(), 'from-env');
    const onPath = tempDir();
    fakeCli(onPath, 'from-path');

    const cli = await ensureTemporalCli({ env: { TEMPORAL_CLI_PATH: explicit, PATH: onPath }, repoRoot: tempDir() });

    expect(cli).toEqual({ kind: 'path', path: explicit, source: 'env', version: 'temporal version from-env' });
  });

  it('throws CLI_PATH_INVALID when TEMPORAL_CLI_PATH does not exist, instead of falling back to PATH', async () => {
    const onPath = tempDir();
    fakeCli(onPath, 'from-path');
    const missing = path.join(tempDir(), 'no-such-temporal');

    const attempt = ensureTemporalCli({ env: { TEMPORAL_CLI_PATH: missing, PATH: onPath }, repoRoot: tempDir() });

    await expect(attempt).rejects.toBeInstanceOf(TemporalCliError);
    await expect(attempt).rejects.toMatchObject({ code: 'CLI_PATH_INVALID' });
  });

  it('throws CLI_PATH_INVALID when TEMPORAL_CLI_PATH is not executable', async () => {
    const file = path.join(tempDir(), 'temporal');
    fs.writeFileSync(file, 'not a program', { mode: 0o644 });

    await expect(
      ensureTemporalCli({ env: { TEMPORAL_CLI_PATH: file, PATH: '' }, repoRoot: tempDir() }),
    ).rejects.toMatchObject({ code: 'CLI_PATH_INVALID' });
  });

  it('uses the temporal on PATH when TEMPORAL_CLI_PATH is unset', async () => {
    const empty = tempDir();
    const onPath = tempDir();
    const expected = fakeCli(onPath, 'from-path');
    const repoRoot = tempDir();
    fakeCli(path.join(repoRoot, '.tools', 'bin'), 'from-tools');

    const cli = await ensureTemporalCli({ env: { PATH: [empty, onPath].join(path.delimiter) }, repoRoot });

    expect(cli).toEqual({ kind: 'path', path: expected, source: 'path', version: 'temporal version from-path' });
  });

  it("uses the repo's .tools/bin/temporal when nothing is on PATH", async () => {
    const repoRoot = tempDir();
    const expected = fakeCli(path.join(repoRoot, '.tools', 'bin'), 'from-tools');

    const cli = await ensureTemporalCli({ env: { PATH: tempDir() }, repoRoot });

    expect(cli).toEqual({ kind: 'path', path: expected, source: 'tools', version: 'temporal version from-tools' });
  });

  it('falls back to the SDK download only when go is not on PATH', async () => {
    const cli = await ensureTemporalCli({ env: { PATH: tempDir() }, repoRoot: tempDir() });

    expect(cli).toEqual({ kind: 'sdk-download' });
  });

  it('builds into .tools/bin with go, retrying without the checksum database when it is unreachable', async () => {
    const goDir = tempDir();
    fakeGo(goDir);
    const repoRoot = tempDir();
    const lines: string[] = [];

    const cli = await ensureTemporalCli({ env: { PATH: goDir }, repoRoot, log: (line) => lines.push(line) });

    expect(cli).toEqual({
      kind: 'path',
      path: path.join(repoRoot, '.tools', 'bin', 'temporal'),
      source: 'built',
      version: 'temporal version built-by-fake-go',
    });
    expect(lines[0]).toMatch(/building Temporal CLI v1\.5\.1 with go/);
    expect(lines.some((line) => line.includes('GOSUMDB=off'))).toBe(true);
  });

  it("throws BUILD_FAILED with instructions and go's output when the build fails", async () => {
    const goDir = tempDir();
    fakeGo(goDir, { alwaysFail: true });

    const attempt = ensureTemporalCli({ env: { PATH: goDir }, repoRoot: tempDir() });

    await expect(attempt).rejects.toMatchObject({ code: 'BUILD_FAILED' });
    await expect(attempt).rejects.toThrow(/TEMPORAL_CLI_PATH[\s\S]*checksum database lookup failed/);
  });
});
