import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Finds (or builds) the Temporal CLI that runs the embedded dev server.
 * See docs/temporal-server.md for the lookup order and fallbacks.
 */

export type TemporalCli =
  | { kind: 'path'; path: string; source: 'env' | 'path' | 'tools' | 'built'; version: string }
  | { kind: 'sdk-download' };

export type TemporalCliErrorCode = 'CLI_PATH_INVALID' | 'CLI_VERIFY_FAILED' | 'BUILD_FAILED';

export class TemporalCliError extends Error {
  readonly code: TemporalCliErrorCode;
  constructor(code: TemporalCliErrorCode, message: string) {
    super(message);
    this.name = 'TemporalCliError';
    this.code = code;
  }
}

export type EnsureTemporalCliOptions = {
  log?: (line: string) => void;
  /** Injected by tests so they never read or mutate process.env. */
  env?: NodeJS.ProcessEnv;
  /** Injected by tests so they never see (or build into) the real .tools folder. */
  repoRoot?: string;
};

// v1.5.1 is the newest tag `go install …@version` accepts: later tags carry a
// `replace` directive in go.mod, which go install refuses for remote modules.
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

const VERSION_TIMEOUT_MS = 20_000;
const HEARTBEAT_MS = 15_000;
const DOWNLOAD_REPORT_EVERY = 25;
const OUTPUT_TAIL_LINES = 20;
const CHECKSUM_ERROR = /sum\.golang\.org|verifying module|checksum database|verifying .*: checksum/i;

export const defaultRepoRoot = path.resolve(__dirname, '..');

export function toolsBinDir(repoRoot: string = defaultRepoRoot): string {
  return path.join(repoRoot, '.tools', 'bin');
}

export async function ensureTemporalCli(options: EnsureTemporalCliOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const repoRoot = options.repoRoot ?? defaultRepoRoot;
  const log = options.log ?? (() => undefined);

  // An explicit path is a statement of intent: falling through to another
  // binary would hide a typo, so it fails loudly instead.
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (!isExecutableFile(resolved)) {
      throw new TemporalCliError(
        'CLI_PATH_INVALID',
        `TEMPORAL_CLI_PATH is set to ${explicit}, but that is not an existing executable file. ` +
          'Point it at a `temporal` binary or unset it.',
      );
    }
    const version = await cliVersion(resolved);
    if (version === undefined) {
      throw new TemporalCliError(
        'CLI_VERIFY_FAILED',
        `TEMPORAL_CLI_PATH=${explicit} did not answer \`--version\` within ${VERSION_TIMEOUT_MS / 1000}s.`,
      );
    }
    return { kind: 'path', path: resolved, source: 'env', version };
  }

  // A broken binary on PATH or in .tools is not fatal: the next source may still work.
  const candidates: Array<{ path: string | undefined; source: 'path' | 'tools' }> = [
    { path: findOnPath('temporal', env), source: 'path' },
    { path: existingExecutable(path.join(toolsBinDir(repoRoot), 'temporal')), source: 'tools' },
  ];
  for (const candidate of candidates) {
    if (!candidate.path) continue;
    const version = await cliVersion(candidate.path);
    if (version !== undefined) return { kind: 'path', path: candidate.path, source: candidate.source, version };
    log(`ignoring ${candidate.path}: \`--version\` failed`);
  }

  const go = findOnPath('go', env);
  if (!go) return { kind: 'sdk-download' };

  const built = await buildWithGo(go, env, toolsBinDir(repoRoot), log);
  const version = await cliVersion(built);
  if (version === undefined) {
    throw new TemporalCliError('BUILD_FAILED', `go install produced ${built}, but it does not answer \`--version\`.`);
  }
  return { kind: 'path', path: built, source: 'built', version };
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function existingExecutable(file: string): string | undefined {
  return isExecutableFile(file) ? file : undefined;
}

/** Resolves against the given env's PATH, not the parent's, so tests stay hermetic. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

/** First line of `<cli> --version`, or undefined if it cannot run. */
export function cliVersion(cliPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cliPath, ['--version'], { timeout: VERSION_TIMEOUT_MS }, (error, stdout) => {
      const line = stdout.toString().trim().split('\n')[0];
      resolve(error || !line ? undefined : line);
    });
  });
}

async function buildWithGo(
  go: string,
  env: NodeJS.ProcessEnv,
  gobin: string,
  log: (line: string) => void,
): Promise<string> {
  fs.mkdirSync(gobin, { recursive: true });
  log(`building Temporal CLI ${TEMPORAL_CLI_VERSION} with go into ${gobin}, this takes a few minutes the first time`);
  const baseEnv: NodeJS.ProcessEnv = { ...env, GOBIN: gobin };
  let result = await runGoInstall(go, baseEnv, log);
  if (result.code !== 0 && CHECKSUM_ERROR.test(result.tail.join('\n'))) {
    // Registries-only networks often reach the module proxy but not
    // sum.golang.org; the proxy stays the only download source.
    log('checksum database unreachable; retrying once with GOSUMDB=off (GOPROXY unchanged)');
    const goflags = [env.GOFLAGS, '-mod=mod'].filter(Boolean).join(' ');
    result = await runGoInstall(go, { ...baseEnv, GOSUMDB: 'off', GONOSUMCHECK: '1', GOFLAGS: goflags }, log);
  }
  const built = path.join(gobin, 'temporal');
  if (result.code !== 0 || !isExecutableFile(built)) {
    throw new TemporalCliError(
      'BUILD_FAILED',
      [
        `Could not build the Temporal CLI (go install ${TEMPORAL_CLI_MODULE} exited with ${result.code}).`,
        'To fix, do one of:',
        '  - install Go (https://go.dev/dl/) with access to a Go module proxy, then rerun `npm run provision`;',
        '  - set TEMPORAL_CLI_PATH to an existing `temporal` binary;',
        '  - run on a machine with internet access (the SDK then downloads its own dev server).',
        `Last lines of go's output:`,
        ...result.tail.map((line) => `  ${line}`),
      ].join('\n'),
    );
  }
  return built;
}

function runGoInstall(
  go: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<{ code: number; tail: string[] }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tail: string[] = [];
    let downloads = 0;
    const child = spawn(go, ['install', TEMPORAL_CLI_MODULE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const heartbeat = setInterval(
      () => log(`  still building Temporal CLI (${formatElapsed(Date.now() - started)} elapsed)`),
      HEARTBEAT_MS,
    );

    const onLine = (line: string): void => {
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      // Hundreds of "go: downloading" lines drown the log; a running count is enough.
      if (line.startsWith('go: downloading')) {
        downloads += 1;
        if (downloads % DOWNLOAD_REPORT_EVERY === 0) log(`  go: downloaded ${downloads} modules so far`);
      } else {
        log(`  ${line}`);
      }
    };
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);

    let finished = false;
    const finish = (code: number): void => {
      // A failed spawn can emit both 'error' and 'close'.
      if (finished) return;
      finished = true;
      clearInterval(heartbeat);
      onLine(pending);
      if (downloads % DOWNLOAD_REPORT_EVERY !== 0) log(`  go: downloaded ${downloads} modules`);
      log(`go install finished with exit code ${code} after ${formatElapsed(Date.now() - started)}`);
      resolve({ code, tail });
    };
    child.on('error', (error) => {
      tail.push(String(error));
      finish(-1);
    });
    child.on('close', (code) => finish(code ?? -1));
  });
}

function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}
