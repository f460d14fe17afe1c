import { readerOf } from '../auth';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  deadlinesOutOfRange,
  dueAfterEnd,
  dueConflicts,
  earliestInstant,
  eventWindowSchema,
  formatPath,
  latestInstant,
  fingerprint,
  listAccess,
  readAccess,
  rosterParticipants,
  rosterProblem,
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
import {
  startEventResponse,
  type AfterActionResponse,
  type DeliveriesResponse,
  type EventResponse,
  type ListEventsResponse,
  type StartEventResponse,
  type TimelineResponse,
} from '../responses';
import { parseRequest } from '../validation';
import { registerCommandRoutes } from './commands';
import { timelineCsv } from '../csv';
import { readHistorySteps } from '../history';
import { Problem, toProblem } from '../problems';
import {
  eventIdParam,
  eventReadQuery,
  idempotencyKey,
  listEventsQuery,
  startEventBody,
  timelineQuery,
  type EventSortKey,
  type ListEventsQuery,
} from '../schemas';
import { checkTemplate, type TemplateStore } from '../templates';
import {
  and,
  datetimeComparisons,
  decodeCursor,
  encodeCursor,
  invalidCursor,
  isSafeId,
  listPage,
  numberComparisons,
  orderedPage,
  quote,
  type Ordering,
  type Position,
  type VisibleWorkflow,
} from '../visibility';
import { joinProgram } from './programs';

/**
 * What a start with an `Idempotency-Key` leaves in the workflow's memo: the key, a fingerprint of the
 * caller and body, and the 201 body it answered. A retry reads it back from Temporal (any API replica
 * can answer it), from the chain's first run so that continue-as-new does not lose it.
 */
const startRequestMemoKey = 'startRequest';
const startRequestMemo = z.object({
  key: idempotencyKey,
  fingerprint: z.string(),
  response: startEventResponse,
});
type StartRequestMemo = z.infer<typeof startRequestMemo>;

async function startRequestOf(client: Client, workflowId: string): Promise<StartRequestMemo | undefined> {
  const latest = await client.workflow.getHandle(workflowId).describe();
  const firstRunId = latest.raw.workflowExecutionInfo?.firstRunId;
  const first =
    firstRunId && firstRunId !== latest.runId
      ? await client.workflow.getHandle(workflowId, firstRunId).describe()
      : latest;
  const parsed = startRequestMemo.safeParse(first.memo?.[startRequestMemoKey]);
  return parsed.success ? parsed.data : undefined;
}

interface StartIssue {
  code: string;
  path: (string | number)[];
  at: string;
  message: string;
}

/** A start that its window makes impossible: 422 with one issue per offending place, if there is any. */
function refuseWindow(code: string, detail: string, issues: StartIssue[]): void {
  if (issues.length > 0) throw new Problem(422, code, detail, { issues });
}

export interface EventsRouterDeps {
  client: Client;
  taskQueue: string;
  templates: TemplateStore;
  /** Builds the Temporal Web UI link of a workflow, when a UI is known. */
  uiLink?: (workflowId: string) => string;
}

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

/** The list's filters as visibility clauses; every value is validated by `listEventsQuery` and quoted by `quote`. */
function filterClauses(q: ListEventsQuery): string[] {
  const sa = searchAttributes;
  const eventStart = datetimeComparisons(sa.eventStart.name);
  return [
    q.phase !== undefined && `${sa.phase.name} = ${quote(q.phase)}`,
    q.program !== undefined && `${sa.program.name} = ${quote(q.program)}`,
    q.template !== undefined && `${sa.template.name} = ${quote(q.template)}`,
    q.overdue !== undefined && `${sa.overdueCount.name} ${q.overdue ? '> 0' : '= 0'}`,
    q.startsAfter !== undefined && eventStart.gt(Date.parse(q.startsAfter)),
    q.startsBefore !== undefined && eventStart.lt(Date.parse(q.startsBefore)),
    q.pendingUnits !== undefined && `${sa.pendingUnits.name} IN (${q.pendingUnits.map(quote).join(', ')})`,
    q.pendingRoles !== undefined && `${sa.pendingRoles.name} IN (${q.pendingRoles.map(quote).join(', ')})`,
  ].filter((c): c is string => typeof c === 'string');
}

/**
 * Pending-work filters say which units and roles an event waits for; a reader
 * who does not read every event may ask only about their own, so that a
 * filter never tells them about other units' work in the events they list.
 */
function refuseForeignPendingFilters(reader: Reader, q: ListEventsQuery): void {
  if (listAccess(reader).all) return;
  const foreign = (field: 'pendingUnits' | 'pendingRoles', own: string[], what: string) =>
    (q[field] ?? []).flatMap((value, i) =>
      own.includes(value)
        ? []
        : [
            {
              code: 'FILTER_FORBIDDEN',
              path: [field, i],
              at: `${field}[${i}]`,
              message: `"${value}" is not one of your ${what}`,
            },
          ],
    );
  const issues = [...foreign('pendingUnits', reader.units, 'units'), ...foreign('pendingRoles', reader.roles, 'roles')];
  if (issues.length > 0) {
    throw new Problem(403, 'FILTER_FORBIDDEN', 'pending work can be filtered by your own units and roles only', {
      issues,
    });
  }
}

const positionSchema = z
  .object({
    value: z.union([z.number(), z.iso.datetime(), z.null()]),
    id: z.string().max(251).refine(isSafeId),
  })
  .strict();
/** A list cursor: the server's next-page token, or a keyset position in a sorted list; bound to its list. */
const listCursorSchema = z.union([
  z
    .object({
      list: z.string().max(40),
      token: z
        .string()
        .max(3000)
        .regex(/^[A-Za-z0-9_-]+$/),
    })
    .strict(),
  z.object({ list: z.string().max(40), phase: z.enum(['value', 'null']), after: positionSchema.optional() }).strict(),
]);
type ListCursor = z.infer<typeof listCursorSchema>;
type SortCursor = Extract<ListCursor, { phase: string }>;

const sortAttributes = {
  eventStart: { key: searchAttributes.eventStart, kind: 'datetime' },
  nextDeadline: { key: searchAttributes.nextDeadline, kind: 'datetime' },
  overdueCount: { key: searchAttributes.overdueCount, kind: 'number' },
  percentComplete: { key: searchAttributes.percentComplete, kind: 'number' },
} as const;

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * (value, workflow id) ascending, or both descending. Ids are ASCII
 * (`event/<eventId>`), so the store's binary string order is JavaScript's.
 */
export function valueOrdering(sort: EventSortKey, order: 'asc' | 'desc'): Ordering {
  const { key, kind } = sortAttributes[sort];
  const name = key.name;
  const compare = kind === 'datetime' ? datetimeComparisons(name) : numberComparisons(name);
  const value = (p: Position) => (kind === 'datetime' ? Date.parse(p.value as string) : (p.value as number));
  const [beyond, before, idBeyond, idNotBeyond] =
    order === 'asc' ? [compare.gt, compare.lt, '>', '<='] : [compare.lt, compare.gt, '<', '>='];
  return {
    keyOf: (row) => {
      const v = row.attributes.get(key);
      return { value: v instanceof Date ? v.toISOString() : (v ?? null), id: row.workflowId };
    },
    compare: (a, b) => (order === 'asc' ? 1 : -1) * (value(a) - value(b) || compareIds(a.id, b.id)),
    after: (p) => `(${beyond(value(p))} OR (${compare.eq(value(p))} AND WorkflowId ${idBeyond} ${quote(p.id)}))`,
    notAfter: (p) => `(${before(value(p))} OR (${compare.eq(value(p))} AND WorkflowId ${idNotBeyond} ${quote(p.id)}))`,
  };
}

/** Events without a value for the sort key come last, by workflow id. */
const idOrdering: Ordering = {
  keyOf: (row) => ({ value: null, id: row.workflowId }),
  compare: (a, b) => compareIds(a.id, b.id),
  after: (p) => `WorkflowId > ${quote(p.id)}`,
  notAfter: (p) => `WorkflowId <= ${quote(p.id)}`,
};

/** One exact page of a sorted list: events with a value first, then those without; and the cursor after it. */
async function sortedEvents(
  client: Client,
  base: string,
  sort: EventSortKey,
  order: 'asc' | 'desc',
  cursor: SortCursor | undefined,
  limit: number,
  list: string,
): Promise<{ rows: VisibleWorkflow[]; next?: ListCursor }> {
  const name = sortAttributes[sort].key.name;
  const kind = sortAttributes[sort].kind;
  const budget = { scanned: 0 };
  const rows: VisibleWorkflow[] = [];
  if (cursor?.phase !== 'null') {
    const after = cursor?.after;
    if (after && (after.value === null || (kind === 'number') !== (typeof after.value === 'number'))) {
      throw invalidCursor();
    }
    const ordering = valueOrdering(sort, order);
    const page = await orderedPage(client, and(base, `${name} IS NOT NULL`), ordering, after, limit, budget);
    rows.push(...page.rows);
    if (page.more) return { rows, next: { list, phase: 'value', after: ordering.keyOf(rows.at(-1)!) } };
  }
  const nulls = and(base, `${name} IS NULL`);
  if (rows.length === limit) {
    const probe = await listPage(client, nulls, 1);
    return probe.rows.length > 0 ? { rows, next: { list, phase: 'null' } } : { rows };
  }
  const after = cursor?.phase === 'null' ? cursor.after : undefined;
  const page = await orderedPage(client, nulls, idOrdering, after, limit - rows.length, budget);
  rows.push(...page.rows);
  return page.more ? { rows, next: { list, phase: 'null', after: idOrdering.keyOf(rows.at(-1)!) } } : { rows };
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
    const key = parseRequest(idempotencyKey.optional(), req.header('Idempotency-Key'), ['headers', 'Idempotency-Key']);
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
    refuseWindow(
      'DEADLINE_OUT_OF_RANGE',
      'in this window some deadlines fall after the year 9999',
      deadlinesOutOfRange(loaded.template, window).map(({ path }) => ({
        code: 'INSTANT_OUT_OF_RANGE',
        path: ['template', ...path],
        at: formatPath(['template', ...path]),
        message: `this deadline falls outside ${earliestInstant} – ${latestInstant}`,
      })),
    );
    refuseWindow(
      'DUE_AFTER_GATE',
      'in this window some items fall due after the gate that covers them',
      dueConflicts(loaded.template, window).map((c) => ({
        code: 'DUE_AFTER_GATE',
        path: ['template', 'gates', c.gateId, 'covers', c.itemId],
        at: `template.gates[${c.gateId}].covers[${c.itemId}]`,
        message: `item "${c.itemId}" is due ${c.itemDue}, after gate "${c.gateId}" (${c.gateDue})`,
      })),
    );
    refuseWindow(
      'DUE_AFTER_END',
      'in this window some items fall due after the event ends',
      dueAfterEnd(loaded.template, window).map((l) => ({
        code: 'DUE_AFTER_END',
        path: ['template', 'items', l.itemId, 'due'],
        at: `template.items[${l.itemId}].due`,
        message: `item "${l.itemId}" is due ${l.due}, after the event ends (${window.end})`,
      })),
    );
    const roster = body.roster ?? loaded.template.people;
    if (roster.length === 0) {
      throw new Problem(422, 'ROSTER_EMPTY', 'the event needs people: send a roster or use a template with one');
    }
    // A roster that repeats people, names unknown units or roles, or leaves a gate no one can pass is refused.
    const rosterRefusal = rosterProblem(loaded.template, roster);
    if (rosterRefusal) {
      const { code, ...extra } = rosterRefusal;
      throw new Problem(422, code, 'the roster cannot run this event', extra);
    }
    // An event of a program: the program must exist; it offers (or, under `require`, adds) its carried actions.
    const joined = body.program
      ? await joinProgram(client, { programId: body.program, eventId: body.eventId, loaded, actorId: req.actor!.id })
      : undefined;
    if (joined) loaded = joined.loaded;
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
    const response = {
      eventId: body.eventId,
      workflowId,
      phase: 'planning',
      template: { id: loaded.template.id, hash: loaded.hash },
      window: window,
      ...(joined ? { program: joined.response } : {}),
      links: links(body.eventId),
    } satisfies StartEventResponse;
    const request = key ? { key, fingerprint: fingerprint({ actor: req.actor!.id, body }) } : undefined;
    try {
      await client.workflow.start(eventWorkflowType, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [input],
        // An event id is used once: a second start, even after the first ended, is a conflict.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        ...(request ? { memo: { [startRequestMemoKey]: { ...request, response } satisfies StartRequestMemo } } : {}),
        typedSearchAttributes: [
          { key: searchAttributes.phase, value: 'planning' },
          { key: searchAttributes.template, value: loaded.template.id },
          { key: searchAttributes.eventStart, value: new Date(window.start) },
          { key: searchAttributes.participants, value: rosterParticipants(roster) },
          ...(body.program ? [{ key: searchAttributes.program, value: body.program }] : []),
        ],
      });
    } catch (error) {
      await joined?.abandon(error);
      // A retry of a start that already happened answers what the start answered; the same key with
      // another body (or caller) is refused; a start without the key, or with another, is a conflict.
      const earlier =
        request && error instanceof WorkflowExecutionAlreadyStartedError
          ? await startRequestOf(client, workflowId).catch(() => undefined)
          : undefined;
      if (!earlier || earlier.key !== request?.key) throw toProblem(error, { eventId: body.eventId });
      if (earlier.fingerprint !== request?.fingerprint) {
        throw new Problem(409, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
      }
      res.status(201).location(links(body.eventId).self).json(earlier.response);
      return;
    }
    res.status(201).location(links(body.eventId).self).json(response);
  });

  /**
   * Events the reader may list, from visibility (eventually consistent). Filters only narrow the
   * reader's scope. Without `sort`, pages follow the server's order and its next-page token; with
   * `sort`, pages are exact keyset pages computed without ORDER BY (see `orderedPage`). What the
   * workflow publishes is listable after a lag (idle dev server: 8–14 ms after an update answered,
   * 47–153 ms after a start; seconds under load).
   */
  router.get('/events', async (req, res) => {
    const query = parseRequest(listEventsQuery, req.query);
    const reader = readerOf(req);
    refuseForeignPendingFilters(reader, query);
    const scope = listScope(reader);
    const base = and(`WorkflowType = '${eventWorkflowType}'`, ...filterClauses(query), scope);
    // A cursor belongs to one list: the same filters and sort (the page size may change).
    const { limit: _limit, cursor: _cursor, ...shape } = query;
    const listId = fingerprint(shape);
    const cursor = query.cursor === undefined ? undefined : decodeCursor(listCursorSchema, query.cursor);
    if (cursor && (cursor.list !== listId || 'token' in cursor === (query.sort !== undefined))) {
      throw new Problem(400, 'CURSOR_MISMATCH', 'this cursor belongs to a list with other filters or sort', {
        issues: [
          {
            code: 'CURSOR_MISMATCH',
            path: ['cursor'],
            at: 'cursor',
            message: 'keep the parameters of the `next` link',
          },
        ],
      });
    }
    let rows: VisibleWorkflow[];
    let next: ListCursor | undefined;
    try {
      if (query.sort === undefined) {
        const token = cursor && 'token' in cursor ? Buffer.from(cursor.token, 'base64url') : undefined;
        const page = await listPage(client, base, query.limit, token);
        rows = page.rows;
        if (page.nextPageToken) next = { list: listId, token: Buffer.from(page.nextPageToken).toString('base64url') };
      } else {
        ({ rows, next } = await sortedEvents(
          client,
          base,
          query.sort,
          query.order ?? 'asc',
          cursor && 'phase' in cursor ? cursor : undefined,
          query.limit,
          listId,
        ));
      }
    } catch (error) {
      // The server refuses a token it did not issue (or one from another list); that is the cursor's fault.
      if (
        cursor &&
        isGrpcServiceError(error) &&
        [GrpcStatus.INVALID_ARGUMENT, GrpcStatus.UNKNOWN].includes(error.code)
      ) {
        throw invalidCursor();
      }
      throw toProblem(error);
    }
    const events = rows.map((info) => {
      const sa = info.attributes;
      const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
      const eventId = info.workflowId.replace(/^event\//, '');
      return {
        eventId,
        status: info.status,
        phase: sa.get(searchAttributes.phase) ?? null,
        program: sa.get(searchAttributes.program) ?? null,
        template: sa.get(searchAttributes.template) ?? null,
        eventStart: iso(sa.get(searchAttributes.eventStart)),
        nextDeadline: iso(sa.get(searchAttributes.nextDeadline)),
        percentComplete: sa.get(searchAttributes.percentComplete) ?? null,
        overdueCount: sa.get(searchAttributes.overdueCount) ?? null,
        openIncidents: sa.get(searchAttributes.openIncidents) ?? null,
        startedAt: iso(info.startTime),
        links: links(eventId),
      };
    });
    const nextCursor = next ? encodeCursor(next) : null;
    const params = new URLSearchParams(
      Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'cursor'),
    );
    if (nextCursor) params.set('cursor', nextCursor);
    res.json({
      events,
      consistency: 'eventual',
      ...(query.sort ? { sort: { key: query.sort, order: query.order ?? 'asc' } } : {}),
      nextCursor,
      links: { next: nextCursor ? `/events?${params.toString()}` : null },
    } satisfies ListEventsResponse);
  });

  /** Reads the event (live, or rebuilt from history at `asOf`, a canonical instant) and checks the reader may see it. */
  const readFor = async (req: Request, eventId: string, asOf?: string) => {
    let state: EventState | undefined;
    let timeline;
    if (asOf === undefined) {
      state = await readState(eventId);
    } else {
      const steps = await readHistorySteps(client, eventId).catch((error: unknown) => {
        throw toProblem(error, { eventId });
      });
      ({ state, timeline } = reconstruct(steps, asOf));
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
    const { asOf } = query;
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
    } satisfies EventResponse);
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
      res.json({ eventId, entries: timeline } satisfies TimelineResponse);
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
    res.json({
      ...afterActionRecord(state, timeline, toIso(Date.now())),
      links: links(eventId),
    } satisfies AfterActionResponse);
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
    res.json({ eventId, deliveries } satisfies DeliveriesResponse);
  });

  registerCommandRoutes(router, { client, handleOf });

  return router;
}
