import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/**
 * For activities that report back to a workflow by update (check results to
 * their event, event snapshots to their program): why the report need not be
 * retried — the workflow is gone, or it refused with one of `settled` — or
 * undefined when the error is worth a retry.
 */
export function settledRefusal(error: unknown, settled: ReadonlySet<string>): string | undefined {
  if (error instanceof WorkflowNotFoundError) return 'WORKFLOW_NOT_FOUND';
  const refusal =
    error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure
      ? error.cause.type
      : undefined;
  return refusal && settled.has(refusal) ? refusal : undefined;
}
