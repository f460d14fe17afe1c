import { type Client } from '@temporalio/client';
import { Router } from 'express';
import { toIso, type EventState } from '../../domain';
import { compareTasks, delegateKey, inboxTasks } from '../../domain/inbox';
import { eventWorkflowId, eventWorkflowType, stateQuery } from '../../workflows/definitions';
import { searchAttributes } from '../../workflows/search-attributes';
import { toProblem } from '../problems';
import { inboxQuery } from '../schemas';
import { type InboxResponse } from '../responses';
import { parseRequest } from '../validation';
import { and, listPage, mapConcurrent, quoteSafe, type VisibleWorkflow } from '../visibility';

export interface InboxRouterDeps {
  client: Client;
}

/** Events read per inbox: beyond this the answer says `truncated`. */
export const INBOX_MAX_EVENTS = 500;
/** State queries in flight at once for one inbox. */
export const INBOX_CONCURRENCY = 16;
/** Bound on one event's state query: an event whose worker is down must not hold the inbox up. */
export const INBOX_QUERY_TIMEOUT_MS = 2_000;
/** Bound on all the state queries of one inbox; events not read by then are listed as unavailable. */
export const INBOX_BUDGET_MS = 8_000;

/**
 * `GET /me/tasks`: what awaits the caller across all events. Candidate events
 * come from one visibility query on the pending units and roles the workflows
 * publish (the token's units and roles, and the caller's delegate key), never
 * from a scan of every event. Each candidate's state is then read by query —
 * current, not eventually consistent — and its tasks computed from its roster
 * by `inboxTasks`: a token that claims a unit or role the roster does not give
 * shows nothing for it. So the lag is in discovery only: an event that just
 * began waiting for the caller appears once visibility has the upsert (on an
 * idle dev server 8–14 ms after the update answered, 47–153 ms after a start;
 * seconds under load), and a task the caller just settled is gone at once.
 */
export function inboxRouter(deps: InboxRouterDeps): Router {
  const { client } = deps;
  const router = Router();

  router.get('/me/tasks', async (req, res) => {
    const query = parseRequest(inboxQuery, req.query);
    const actor = req.actor!;
    const units = quoteSafe(actor.units);
    const roles = quoteSafe([...actor.roles, delegateKey(actor.id)]);
    const waitingFor = [
      ...(units ? [`${searchAttributes.pendingUnits.name} IN (${units})`] : []),
      `${searchAttributes.pendingRoles.name} IN (${roles})`,
    ];
    const candidatesQuery = and(
      `WorkflowType = '${eventWorkflowType}'`,
      `ExecutionStatus = 'Running'`,
      `(${waitingFor.join(' OR ')})`,
    );
    const candidates: VisibleWorkflow[] = [];
    let truncated = false;
    try {
      let token: Uint8Array | undefined;
      do {
        const page = await listPage(client, candidatesQuery, Math.min(INBOX_MAX_EVENTS, 200), token);
        candidates.push(...page.rows);
        token = page.nextPageToken;
      } while (token && candidates.length < INBOX_MAX_EVENTS);
      truncated = token !== undefined || candidates.length > INBOX_MAX_EVENTS;
    } catch (error) {
      throw toProblem(error);
    }
    const chosen = candidates.slice(0, INBOX_MAX_EVENTS);
    const eventIds = chosen.map((c) => c.workflowId.replace(/^event\//, ''));
    const budgetEnds = Date.now() + INBOX_BUDGET_MS;
    const states = await mapConcurrent(eventIds, INBOX_CONCURRENCY, (eventId): Promise<EventState | undefined> => {
      const deadline = Math.min(Date.now() + INBOX_QUERY_TIMEOUT_MS, budgetEnds);
      if (deadline <= Date.now()) return Promise.resolve(undefined);
      return client
        .withDeadline(deadline, () => client.workflow.getHandle(eventWorkflowId(eventId)).query(stateQuery))
        .catch(() => undefined);
    });
    const now = toIso(Date.now());
    const tasks = states
      .flatMap((state) => (state ? inboxTasks(state, actor.id, now) : []))
      .sort(compareTasks)
      .map((task) => ({ ...task, links: { event: `/events/${encodeURIComponent(task.eventId)}` } }));
    res.json({
      tasks: tasks.slice(0, query.limit),
      total: tasks.length,
      events: {
        candidates: chosen.length,
        truncated,
        // Listed but not read in time (ended since, or no worker answers): their tasks are missing here.
        unavailable: eventIds.filter((_, i) => states[i] === undefined),
      },
      consistency: 'eventual',
    } satisfies InboxResponse);
  });

  return router;
}
