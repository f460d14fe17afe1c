import { createNotifyActivities, type NotifyDeps } from './notify';

/**
 * Every activity the event worker registers. The worker passes the result to
 * `createEventWorker({ activities })`; workflows `import type { Activities }`
 * and call them through `proxyActivities` (never a value import: lint-enforced).
 */
export type ActivityDeps = NotifyDeps;

export function createActivities(deps: ActivityDeps) {
  return { ...createNotifyActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;

export type { NotifyDeps, NotifyLogger, NotifyResult, WebhookFailureDetails } from './notify';
export { WEBHOOK_REJECTED, WEBHOOK_UNAVAILABLE } from './notify';
