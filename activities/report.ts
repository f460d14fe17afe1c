import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { readHistorySteps } from '../api/history';
import {
  afterActionRecord,
  fingerprint,
  reconstruct,
  startEventInputSchema,
  toIso,
  type AfterActionRecord,
} from '../domain';
import { renderHtml } from './report/html';
import { renderMarkdown } from './report/markdown';

/**
 * The after-action report activity: reads the event's history, folds it into
 * the after-action record, renders Markdown and HTML and stores both under
 * `<reportsDir>/<eventId>/` with a `report.json` naming the record's
 * fingerprint. A report whose fingerprint (and renderer version) matches the
 * current record is kept as it is, so a retried activity, a second call and
 * the API's `GET /events/:id/report` all share one copy and one code path
 * (`ensureReport`).
 */

export { renderHtml, REPORT_CSP } from './report/html';
export { renderMarkdown } from './report/markdown';

/** Bumped whenever the renderers' output changes: stored reports of another version are rendered again. */
export const REPORT_RENDERER_VERSION = 1;

export const REPORT_FILES = { markdown: 'report.md', html: 'report.html', meta: 'report.json' } as const;

/** The event has no history (never started): not retryable. */
export const EVENT_NOT_FOUND = 'EVENT_NOT_FOUND';

export type ReportFormat = 'md' | 'html';

export interface ReportPaths {
  markdown: string;
  html: string;
  json: string;
}

export interface StoredReport {
  fingerprint: string;
  generatedAt: string;
  paths: ReportPaths;
  /** `stored`: the copy on disk already matched; `rendered`: rendered and written now. */
  source: 'stored' | 'rendered';
  markdown: string;
  html: string;
}

const reportMetaSchema = z.object({
  eventId: z.string(),
  fingerprint: z.string(),
  generatedAt: z.string(),
  renderer: z.number(),
  files: z.object({ markdown: z.string(), html: z.string() }),
});
export type ReportMeta = z.infer<typeof reportMetaSchema>;

/**
 * What identifies a record's content: its fingerprint without `generatedAt`, so the same history read
 * twice gives the same fingerprint (anything that depends on the clock, like items open past due, is in it).
 */
export function recordFingerprint(record: AfterActionRecord): string {
  return fingerprint({ ...record, generatedAt: undefined });
}

/** `<reportsDir>/<eventId>`, refusing any id that is not a plain event id (no path can escape the directory). */
export function reportDir(reportsDir: string, eventId: string): string {
  const parsed = startEventInputSchema.shape.eventId.safeParse(eventId);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`"${eventId}" is not an event id`, 'INVALID_EVENT_ID');
  const root = path.resolve(reportsDir);
  const dir = path.resolve(root, eventId);
  if (path.dirname(dir) !== root)
    throw ApplicationFailure.nonRetryable(`"${eventId}" is not an event id`, 'INVALID_EVENT_ID');
  return dir;
}

export function reportPaths(reportsDir: string, eventId: string): ReportPaths {
  const dir = reportDir(reportsDir, eventId);
  return {
    markdown: path.join(dir, REPORT_FILES.markdown),
    html: path.join(dir, REPORT_FILES.html),
    json: path.join(dir, REPORT_FILES.meta),
  };
}

/**
 * Writes a file so readers see the old content or the new, never a part: a temporary file in the same
 * directory, flushed to disk, then renamed over the target.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The stored report's description, or undefined when there is none (or it cannot be read). */
export async function readReportMeta(reportsDir: string, eventId: string): Promise<ReportMeta | undefined> {
  try {
    const parsed = reportMetaSchema.safeParse(
      JSON.parse(await readFile(reportPaths(reportsDir, eventId).json, 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * The report of this record: the stored one when its fingerprint and renderer version match, else rendered
 * and stored now (Markdown and HTML first, `report.json` last, each atomically: a `report.json` only ever
 * names files that are in place).
 */
export async function ensureReport(reportsDir: string, record: AfterActionRecord): Promise<StoredReport> {
  const paths = reportPaths(reportsDir, record.eventId);
  const current = recordFingerprint(record);
  const meta = await readReportMeta(reportsDir, record.eventId);
  if (meta && meta.fingerprint === current && meta.renderer === REPORT_RENDERER_VERSION) {
    try {
      const [markdown, html] = await Promise.all([readFile(paths.markdown, 'utf8'), readFile(paths.html, 'utf8')]);
      return { fingerprint: current, generatedAt: meta.generatedAt, paths, source: 'stored', markdown, html };
    } catch (error) {
      // A file removed by hand: render again below.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const markdown = renderMarkdown(record);
  const html = renderHtml(record);
  await mkdir(path.dirname(paths.json), { recursive: true });
  await writeFileAtomic(paths.markdown, markdown);
  await writeFileAtomic(paths.html, html);
  const written: ReportMeta = {
    eventId: record.eventId,
    fingerprint: current,
    generatedAt: record.generatedAt,
    renderer: REPORT_RENDERER_VERSION,
    files: { markdown: REPORT_FILES.markdown, html: REPORT_FILES.html },
  };
  await writeFileAtomic(paths.json, `${JSON.stringify(written, null, 2)}\n`);
  return { fingerprint: current, generatedAt: record.generatedAt, paths, source: 'rendered', markdown, html };
}

/** The event's after-action record from its workflow history (every run), as of `now`; undefined before it started. */
export async function loadAfterActionRecord(
  client: Client,
  eventId: string,
  now: string,
): Promise<{ record: AfterActionRecord; state: NonNullable<ReturnType<typeof reconstruct>['state']> } | undefined> {
  const steps = await readHistorySteps(client, eventId);
  const { state, timeline } = reconstruct(steps);
  if (!state) return undefined;
  return { record: afterActionRecord(state, timeline, now), state };
}

export interface ReportDeps {
  /** Reads the event's workflow history. */
  client: Client;
  /** Where reports are written: `<reportsDir>/<eventId>/report.{md,html,json}`. */
  reportsDir: string;
  /** The clock of the record (`generatedAt`, items open past due); the system clock by default. */
  now?: () => Date;
}

export interface RenderReportInput {
  eventId: string;
}

export interface RenderReportResult {
  fingerprint: string;
  paths: ReportPaths;
}

export function createReportActivities(deps: ReportDeps) {
  const now = deps.now ?? (() => new Date());
  return {
    /** Renders (or finds up to date) the event's after-action report in both formats. */
    renderReport: async (input: RenderReportInput): Promise<RenderReportResult> => {
      // Checked before any read, so a bad id never reaches the file system.
      reportDir(deps.reportsDir, input.eventId);
      let loaded;
      try {
        loaded = await loadAfterActionRecord(deps.client, input.eventId, toIso(now().getTime()));
      } catch (error) {
        if (isNotFound(error)) {
          throw ApplicationFailure.nonRetryable(`no event "${input.eventId}"`, EVENT_NOT_FOUND);
        }
        throw error;
      }
      if (!loaded) throw ApplicationFailure.nonRetryable(`event "${input.eventId}" has not started`, EVENT_NOT_FOUND);
      const report = await ensureReport(deps.reportsDir, loaded.record);
      return { fingerprint: report.fingerprint, paths: report.paths };
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;

/** No such workflow: the client's own error, or the server's NOT_FOUND when the history is fetched. */
function isNotFound(error: unknown): boolean {
  if (error instanceof WorkflowNotFoundError) return true;
  const grpc = isGrpcServiceError(error)
    ? error
    : error instanceof ServiceError && isGrpcServiceError(error.cause)
      ? error.cause
      : undefined;
  return grpc?.code === GrpcStatus.NOT_FOUND;
}
