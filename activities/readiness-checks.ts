import { type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { SYSTEM_CHECKS, type CheckRequest } from '../domain';
import { eventWorkflowId, recordCheckResultUpdate } from '../workflows/definitions';
import { settledRefusal } from './report-back';
import { createCheckActivities, type CheckDeps } from './checks';

/**
 * The activity the event workflow runs for each automated check that falls
 * due: it runs the probe, then reports the result back to the event as the
 * `recordCheckResult` update, so the result enters the event's history like
 * any action (the timeline and `asOf` see it). The update id names the item
 * and the scheduled run: a retried report is applied once.
 */

export const CHECKS_UNCONFIGURED = 'CHECKS_UNCONFIGURED';

export interface ReadinessCheckDeps extends CheckDeps {
  /** Reports results to the event workflow. */
  client?: Client;
}

/** Refusals that mean "nothing to record any more" (the event ended, a later run won): not worth retrying. */
const settledRefusals = new Set(['EVENT_CLOSED', 'STALE_CHECK_RESULT', 'ITEM_NOT_FOUND', 'NO_CHECK']);

export function createReadinessCheckActivities(deps: ReadinessCheckDeps) {
  const { runCheck } = createCheckActivities(deps);

  async function runReadinessCheck(request: CheckRequest): Promise<{ ok: boolean; recorded: boolean }> {
    const { client } = deps;
    if (!client) {
      throw ApplicationFailure.create({
        type: CHECKS_UNCONFIGURED,
        message: 'the worker runs checks without a Temporal client to report them',
        nonRetryable: true,
      });
    }
    const result = await runCheck({
      spec: request.spec,
      mustBeValidUntil: request.mustBeValidUntil,
      eventId: request.eventId,
      itemId: request.itemId,
    });
    try {
      await client.workflow.getHandle(eventWorkflowId(request.eventId)).executeUpdate(recordCheckResultUpdate, {
        args: [
          {
            actor: { id: SYSTEM_CHECKS },
            command: { type: 'recordCheckResult', itemId: request.itemId, runAt: request.runAt, result },
          },
        ],
        updateId: `check:${request.itemId}:${request.runAt}`,
      });
      return { ok: result.ok, recorded: true };
    } catch (error) {
      const refusal = settledRefusal(error, settledRefusals);
      if (!refusal) throw error;
      deps.logger.info(
        { eventId: request.eventId, itemId: request.itemId, runAt: request.runAt, refusal },
        'check result not recorded',
      );
      return { ok: result.ok, recorded: false };
    }
  }

  return { runReadinessCheck };
}
