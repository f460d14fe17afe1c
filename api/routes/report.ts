import { readerOf } from '../auth';
import { type Client } from '@temporalio/client';
import { Router } from 'express';
import { readAccess, toIso } from '../../domain';
import { ensureReport, loadAfterActionRecord, REPORT_CSP, type ReportFormat } from '../../activities/report';
import { Problem, toProblem } from '../problems';
import { eventIdParam, reportQuery } from '../schemas';
import { parseRequest } from '../validation';

export interface ReportRouterDeps {
  client: Client;
  /** Where reports are stored (`REPORTS_DIR`): `<reportsDir>/<eventId>/report.{md,html,json}`. */
  reportsDir: string;
}

/** `data/reports` at the repository root, beside the dev server's data. */
export { defaultReportsDir } from '../../config/paths';

const mediaTypes: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

/**
 * `GET /events/:eventId/report`: the after-action report, HTML by default,
 * Markdown with `Accept: text/markdown` (`?format=md|html` wins over Accept).
 * Full readers only, like `/review`. The stored report is served when its
 * fingerprint is the current record's; otherwise it is rendered and stored
 * first, by the same `ensureReport` the `renderReport` activity runs.
 */
export function reportRouter(deps: ReportRouterDeps): Router {
  const router = Router();
  router.get('/events/:eventId/report', async (req, res) => {
    const eventId = parseRequest(eventIdParam, req.params.eventId, ['eventId']);
    const query = parseRequest(reportQuery, req.query);
    const loaded = await loadAfterActionRecord(deps.client, eventId, toIso(Date.now())).catch((error: unknown) => {
      throw toProblem(error, { eventId });
    });
    if (!loaded) throw new Problem(404, 'EVENT_NOT_FOUND', `no event "${eventId}"`);
    // The report shows every unit's work: full readers only.
    if (readAccess(loaded.state, readerOf(req)).level !== 'full') {
      throw new Problem(403, 'READ_FORBIDDEN', 'the after-action report needs read access to the whole event');
    }
    const format: ReportFormat =
      query.format ?? (req.accepts(['text/html', 'text/markdown']) === 'text/markdown' ? 'md' : 'html');
    const report = await ensureReport(deps.reportsDir, loaded.record);
    if (query.format === undefined) res.vary('Accept');
    res
      .status(200)
      .type(mediaTypes[format])
      .set({
        'Cache-Control': 'private, no-cache',
        ETag: `"${report.fingerprint}-${format}"`,
        'X-Report-Fingerprint': report.fingerprint,
        'X-Report-Generated-At': report.generatedAt,
        'X-Report-Source': report.source,
        'Content-Disposition': `inline; filename="${eventId}-report.${format}"`,
        // The document needs nothing but its own inline styles and SVG.
        'Content-Security-Policy': `${REPORT_CSP}; frame-ancestors 'none'`,
      })
      .send(format === 'md' ? report.markdown : report.html);
  });
  return router;
}
