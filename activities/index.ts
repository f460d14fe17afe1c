import { createNotifyActivities, type NotifyDeps } from './notify';
import { createReadinessCheckActivities, type ReadinessCheckDeps } from './readiness-checks';

/**
 * Every activity the event worker registers. The worker passes the result to
 * `createEventWorker({ activities })`; workflows `import type { Activities }`
 * and call them through `proxyActivities` (never a value import: lint-enforced).
 */
export type ActivityDeps = NotifyDeps & {
  /** Automated checks: the client that reports results, extra trusted CAs for TLS checks. */
  checks?: Omit<ReadinessCheckDeps, 'logger'>;
};

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotifyActivities(deps),
    ...createReadinessCheckActivities({ logger: deps.logger, ...deps.checks }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export type { NotifyDeps, NotifyLogger, NotifyResult, WebhookFailureDetails } from './notify';
export { WEBHOOK_REJECTED, WEBHOOK_UNAVAILABLE } from './notify';
