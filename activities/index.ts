import { createNotifyActivities, type NotifyDeps } from './notify';
import { createProgramActivities, type ProgramActivityDeps } from './program';
import { ApplicationFailure } from '@temporalio/common';
import { createReadinessCheckActivities, type ReadinessCheckDeps } from './readiness-checks';
import { createReportActivities, type ReportActivities, type ReportDeps } from './report';

/**
 * Every activity the event worker registers. The worker passes the result to
 * `createEventWorker({ activities })`; workflows `import type { Activities }`
 * and call them through `proxyActivities` (never a value import: lint-enforced).
 */
export type ActivityDeps = NotifyDeps & {
  /** Automated checks: the client that reports results, extra trusted CAs for TLS checks. */
  checks?: Omit<ReadinessCheckDeps, 'logger'>;
  /** After-action reports: the client that reads the event's history, and where reports are stored. */
  reports?: ReportDeps;
  /** Reports to program workflows: the client that sends them. */
  program?: Omit<ProgramActivityDeps, 'logger'>;
};

/** Without a reports folder the worker cannot render: the workflow logs that and goes on. */
const reportsUnconfigured: ReportActivities = {
  renderReport: () =>
    Promise.reject(ApplicationFailure.nonRetryable('the worker has no reports folder', 'REPORTS_UNCONFIGURED')),
};

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotifyActivities(deps),
    ...createReadinessCheckActivities({ logger: deps.logger, ...deps.checks }),
    ...createProgramActivities({ logger: deps.logger, ...deps.program }),
    ...(deps.reports ? createReportActivities(deps.reports) : reportsUnconfigured),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export type { NotifyDeps, NotifyLogger, NotifyResult, WebhookFailureDetails } from './notify';
export { WEBHOOK_REJECTED, WEBHOOK_UNAVAILABLE } from './notify';
