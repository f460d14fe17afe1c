import { type Client, type WorkflowHandle } from '@temporalio/client';
import { Router, type Request } from 'express';
import {
  dueConflicts,
  eventWindowSchema,
  listAccess,
  participantsOf,
  readAccess,
  afterActionRecord,
  reconstruct,
  scopeView,
  toEventView,
  toIso,
  type EventState,
  type Reader,
} from '../../domain';
import {
  eventWorkflowId,
  eventWorkflowType,
  deliveriesQuery,
  notificationFailuresQuery,
  stateQuery,
  type EventWorkflowInput,
} from '../../workflows/definitions';
import { searchAttributes } from '../../workflows/search-attributes';
import { requireRole } from '../auth';
import { parseRequest } from '../validation';
import { registerCommandRoutes } from './commands';
import { timelineCsv } from '../csv';
import { readHistorySteps } from '../history';
import { Problem, toProblem } from '../problems';
import { eventIdParam, eventReadQuery, listEventsQuery, startEventBody, timelineQuery } from '../schemas';
import { checkTemplate, type TemplateStore } from '../templates';

export interface EventsRouterDeps {
  client: Client;
  taskQueue: string;
  templates: TemplateStore;
  /** Builds the Temporal Web UI link of a workflow, when a UI is known. */
  uiLink?: (workflowId: string) => string;
}

const readerOf = (req: Request): Reader => ({
  id: req.actor!.id,
  roles: req.actor!.roles,
  units: req.actor!.units,
  programs: req.actor!.programs ?? [],
});

/** A visibility-query clause for what the reader may list; undefined when they may list everything. */
function listScope(reader: Reader): string | undefined {
  const access = listAccess(reader);
  if (access.all) return undefined;
  // Token claims are not trusted into a query string: only values in the ids' closed alphabet are used.
  const quote = (values: string[]) =>
    values
      .filter((v) => /^[A-Za-z0-9][A-Za-z0-9:._-]*$/.test(v))
      .map((v) => `'${v}'`)
      .join(', ');
  const participants = quote(access.participants);
  const programs = quote(access.programs);
  const clauses = [
    ...(participants ? [`${searchAttributes.participants.name} IN (${participants})`] : []),
    ...(programs ? [`${searchAttributes.program.name} IN (${programs})`] : []),
  ];
  // Nothing to match on: a clause no event satisfies.
  return clauses.length ? `(${clauses.join(' OR ')})` : `${searchAttributes.participants.name} = '-'`;
}

export function eventsRouter(deps: EventsRouterDeps): Router {
  const { client, templates } = deps;
  const router = Router();
  const handleOf = (eventId: string): WorkflowHandle => client.workflow.getHandle(eventWorkflowId(eventId));

  const readState = async (eventId: string): Promise<EventState> => {
    try {
      return await handleOf(eventId).query(stateQuery);
    } catch (error) {
      throw toProblem(error, { eventId });
    }
  };

  const links = (eventId: string) => ({
    self: `/events/${encodeURIComponent(eventId)}`,
    ...(deps.uiLink ? { ui: deps.uiLink(eventWorkflowId(eventId)) } : {}),
  });

  router.post('/events', requireRole('planner'), async (req, res) => {
    const body = parseRequest(startEventBody, req.body);
    let loaded;
    if (typeof body.template === 'string') {
      loaded = templates.get(body.template);
      if (!loaded) {
        throw new Problem(422, 'TEMPLATE_NOT_FOUND', `no template "${body.template}"`, {
          issues: [
            {
              code: 'TEMPLATE_NOT_FOUND',
              path: ['template'],
              at: 'template',
              message: `no template "${body.template}"`,
            },
          ],
        });
      }
    } else {
      const check = checkTemplate(body.template, ['template']);
      if (!check.ok)
        throw new Problem(422, 'TEMPLATE_INVALID', 'the inline template is not valid', { issues: check.issues });
      loaded = check.loaded;
    }
    const window = parseRequest(
      eventWindowSchema,
      { ...body.window, timeZone: body.window.timeZone ?? loaded.template.defaultTimeZone },
      ['window'],
    );
    const conflicts = dueConflicts(loaded.template, window);
    if (conflicts.length > 0) {
      throw new Problem(422, 'DUE_AFTER_GATE', 'in this window some items fall due after the gate that covers them', {
        issues: conflicts.map((c) => ({
          code: 'DUE_AFTER_GATE',
          path: ['template', 'gates', c.gateId, 'covers', c.itemId],
          at: `template.gates[${c.gateId}].covers[${c.itemId}]`,
          message: `item "${c.itemId}" is due ${c.itemDue}, after gate "${c.gateId}" (${c.gateDue})`,
        })),
      });
    }
    const roster = body.roster ?? loaded.template.people;
    if (roster.length === 0) {
      throw new Problem(422, 'ROSTER_EMPTY', 'the event needs people: send a roster or use a template with one');
    }
    const input: EventWorkflowInput = {
      kind: 'start',
      eventId: body.eventId,
      ...(body.program ? { program: body.program } : {}),
      template: loaded.template,
      templateHash: loaded.hash,
      window: window,
      roster,
      createdBy: req.actor!.id,
    };
    const workflowId = eventWorkflowId(body.eventId);
    try {
      await client.workflow.start(eventWorkflowType, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [input],
        // An event id is used once: a second start, even after the first ended, is a conflict.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: searchAttributes.phase, value: 'planning' },
          { key: searchAttributes.template, value: loaded.template.id },
          { key: searchAttributes.eventStart, value: new Date(window.start) },
          { key: searchAttributes.participants, value: participantsOf(loaded.template) },
          ...(body.program ? [{ key: searchAttributes.program, value: body.program }] : []),
        ],
      });
    } catch (error) {
      throw toProblem(error, { eventId: body.eventId });
    }
    res
      .status(201)
      .location(links(body.eventId).self)
      .json({
        eventId: body.eventId,
        workflowId,
        phase: 'planning',
        template: { id: loaded.template.id, hash: loaded.hash },
        window: window,
        links: links(body.eventId),
      });
  });

  router.get('/events', async (req, res) => {
    const query = parseRequest(listEventsQuery, req.query);
    const clauses = [`WorkflowType = '${eventWorkflowType}'`];
    if (query.phase) clauses.push(`${searchAttributes.phase.name} = '${query.phase}'`);
    if (query.program) clauses.push(`${searchAttributes.program.name} = '${query.program}'`);
    if (query.template) clauses.push(`${searchAttributes.template.name} = '${query.template}'`);
    const scope = listScope(readerOf(req));
    if (scope) clauses.push(scope);
    const events = [];
    try {
      for await (const info of client.workflow.list({ query: clauses.join(' AND '), pageSize: query.limit })) {
        const sa = info.typedSearchAttributes;
        const start = sa.get(searchAttributes.eventStart);
        const eventId = info.workflowId.replace(/^event\//, '');
        events.push({
          eventId,
          status: info.status.name,
          phase: sa.get(searchAttributes.phase) ?? null,
          program: sa.get(searchAttributes.program) ?? null,
          template: sa.get(searchAttributes.template) ?? null,
          eventStart: start ? start.toISOString() : null,
          percentComplete: sa.get(searchAttributes.percentComplete) ?? null,
          overdueCount: sa.get(searchAttributes.overdueCount) ?? null,
          startedAt: info.startTime.toISOString(),
          links: links(eventId),
        });
        if (events.length >= query.limit) break;
      }
    } catch (error) {
      throw toProblem(error);
    }
    res.json({ events, consistency: 'eventual' });
  });

  /** Reads the event (live, or rebuilt from history at `asOf`) and checks the reader may see it. */
  const readFor = async (req: Request, eventId: string, asOf?: string) => {
    let state: EventState | undefined;
    let timeline;
    if (asOf === undefined) {
      state = await readState(eventId);
    } else {
      const steps = await readHistorySteps(client, eventId).catch((error: unknown) => {
        throw toProblem(error, { eventId });
      });
      ({ state, timeline } = reconstruct(steps, toIso(new Date(asOf).getTime())));
      if (!state) throw new Problem(404, 'EVENT_NOT_STARTED', `event "${eventId}" had not started at ${asOf}`);
    }
    const reader = readerOf(req);
    const access = readAccess(state, reader);
    if (access.level === 'none')
      throw new Problem(403, 'READ_FORBIDDEN', `"${reader.id}" may not read event "${eventId}"`);
    return { state, access, reader, timeline };
  };

  router.get('/events/:eventId', async (req, res) => {
    const eventId = parseRequest(eventIdParam, req.params.eventId, ['eventId']);
    const query = parseRequest(eventReadQuery, req.query);
    const asOf = query.asOf === undefined ? undefined : toIso(new Date(query.asOf).getTime());
    const { state, access, reader } = await readFor(req, eventId, asOf);
    const view = scopeView(toEventView(state, asOf ?? toIso(Date.now())), access, reader.id);
    // Notifications that gave up: an operational problem for full readers to chase, never a blocker.
    const notificationFailures =
      asOf === undefined && access.level === 'full'
        ? await handleOf(eventId)
            .query(notificationFailuresQuery)
            .catch(() => [])
        : undefined;
    res.json({
      ...view,
      ...(asOf ? { asOf } : {}),
      ...(notificationFailures ? { notificationFailures } : {}),
      links: links(eventId),
    });
  });

  router.get('/events/:eventId/timeline', async (req, res) => {
    const eventId = parseRequest(eventIdParam, req.params.eventId, ['eventId']);
    const query = parseRequest(timelineQuery, req.query);
    const steps = await readHistorySteps(client, eventId).catch((error: unknown) => {
      throw toProblem(error, { eventId });
    });
    const { state, timeline } = reconstruct(steps, query.asOf);
    if (!state) throw new Problem(404, 'EVENT_NOT_FOUND', `no event "${eventId}"`);
    // The timeline shows every action of every unit: it is for full readers only.
    if (readAccess(state, readerOf(req)).level !== 'full') {
      throw new Problem(403, 'READ_FORBIDDEN', 'the timeline needs read access to the whole event');
    }
    const csv =
      query.format === 'csv' ||
      (query.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    if (csv) {
      res.type('text/csv; charset=utf-8').attachment(`${eventId}-timeline.csv`).send(timelineCsv(timeline));
    } else {
      res.json({ eventId, entries: timeline });
    }
  });

  router.get('/events/:eventId/review', async (req, res) => {
    const eventId = parseRequest(eventIdParam, req.params.eventId, ['eventId']);
    const steps = await readHistorySteps(client, eventId).catch((error: unknown) => {
      throw toProblem(error, { eventId });
    });
    const { state, timeline } = reconstruct(steps);
    if (!state) throw new Problem(404, 'EVENT_NOT_FOUND', `no event "${eventId}"`);
    // Like the timeline, the record shows every unit's work: full readers only.
    if (readAccess(state, readerOf(req)).level !== 'full') {
      throw new Problem(403, 'READ_FORBIDDEN', 'the after-action record needs read access to the whole event');
    }
    res.json({ ...afterActionRecord(state, timeline, toIso(Date.now())), links: links(eventId) });
  });

  /**
   * The delivery log of an event's side effects (notifications, checks): sent, gave up with the last
   * error, or pending; a pending one the server is retrying shows its attempt and last failure.
   */
  router.get('/events/:eventId/deliveries', async (req, res) => {
    const eventId = parseRequest(eventIdParam, req.params.eventId, ['eventId']);
    const state = await readState(eventId);
    if (readAccess(state, readerOf(req)).level !== 'full') {
      throw new Problem(403, 'READ_FORBIDDEN', 'the delivery log needs read access to the whole event');
    }
    const handle = handleOf(eventId);
    const [log, description] = await Promise.all([
      handle.query(deliveriesQuery).catch((error: unknown) => {
        throw toProblem(error, { eventId });
      }),
      handle.describe().catch(() => undefined),
    ]);
    const pending = new Map((description?.raw.pendingActivities ?? []).map((a) => [a.activityId ?? '', a]));
    const deliveries = log.map((entry) => {
      const activity = entry.status === 'pending' && entry.activityId ? pending.get(entry.activityId) : undefined;
      if (!activity || (activity.attempt ?? 1) <= 1) return entry;
      return {
        ...entry,
        status: 'retrying' as const,
        attempt: activity.attempt,
        ...(activity.lastFailure?.message ? { lastError: activity.lastFailure.message } : {}),
      };
    });
    res.json({ eventId, deliveries });
  });

  registerCommandRoutes(router, { client, handleOf });

  return router;
}
