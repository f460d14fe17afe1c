import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** `npm start` and a bare `npm run api`/`worker` keep reports beside the embedded server's data. */
export const defaultReportsDir = path.resolve(__dirname, '..', 'data', 'reports');

/**
 * A directory the process can write into, resolved to an absolute path: an existing writable directory, or one
 * it can create (its nearest existing ancestor is a writable directory). Checked at start, so a typo or a
 * read-only mount stops the process instead of failing the first report.
 */
const writableDirectory = z
  .string()
  .trim()
  .min(1)
  .transform((dir) => path.resolve(dir))
  .superRefine((dir, ctx) => {
    const problem = writableDirectoryProblem(dir);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

function writableDirectoryProblem(dir: string): string | undefined {
  for (let probe = dir; ; probe = path.dirname(probe)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(probe).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${probe} cannot be read (${code})`;
      if (path.dirname(probe) === probe) return `no part of ${dir} exists`;
      continue;
    }
    if (!isDirectory) return `${probe} is not a directory`;
    try {
      accessSync(probe, constants.W_OK | constants.X_OK);
    } catch {
      return `${probe} is not writable`;
    }
    return undefined;
  }
}

/** `REPORTS_DIR`: where after-action reports are stored, read by the API and written by the worker too. */
export const reportsDirSchema = writableDirectory
  .prefault(defaultReportsDir)
  .describe('where after-action reports are stored: <dir>/<eventId>/report.{md,html,json}');
