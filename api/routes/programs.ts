import { readerOf } from '../auth';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import {
  canReadProgram,
  CARRIED_ITEM_PREFIX,
  createProgramInputSchema,
  offerCarriedActions,
  programIdSchema,
  programRollUp,
  readsEveryProgram,
  toIso,
  toProgramView,
  withCarriedItems,
  type ProgramEventSummary,
  type ProgramResult,
  type ProgramState,
} from '../../domain';
import { eventWorkflowType } from '../../workflows/definitions';
import {
  memoOf,
  programStateQuery,
  programWorkflowId,
  programWorkflowType,
  releaseCarriedActionsUpdate,
  takeUpCarriedActionsUpdate,
  type ProgramMemo,
  type ProgramWorkflowInput,
} from '../../workflows/program-definitions';
import { searchAttributes } from '../../workflows/search-attributes';
import { requireRole } from '../auth';
import { Problem, toProblem } from '../problems';
import { checkTemplate, type LoadedTemplate } from '../templates';
import {
  createProgramResponse,
  listProgramsResponse,
  programResponse,
  responseJsonSchema,
  type CreateProgramResponse,
  type ListProgramsResponse,
  type ProgramResponse,
} from '../responses';
import { parseRequest } from '../validation';

/**
 * Programs (docs/programs.md): `POST /programs` starts the program workflow,
 * `GET /programs` lists them (visibility), `GET /programs/:id` is the program's
 * state (a query) with the roll-up of its events (visibility queries only).
 * `joinProgram` is what `POST /events` does for an event of a program.
 */

export interface ProgramsRouterDeps {
  client: Client;
  taskQueue: string;
}

export const createProgramBody = createProgramInputSchema;
export const listProgramsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

/** The most events one roll-up reads from visibility; beyond, the roll-up says it is truncated. */
export const ROLL_UP_MAX_EVENTS = 10_000;

const programLinks = (id: string) => ({
  self: `/programs/${encodeURIComponent(id)}`,
  events: `/events?program=${encodeURIComponent(id)}`,
});

function programProblem(error: unknown, programId: string): Problem {
  if (error instanceof WorkflowNotFoundError) {
    return new Problem(404, 'PROGRAM_NOT_FOUND', `no program "${programId}"`);
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new Problem(409, 'PROGRAM_EXISTS', `a program "${programId}" already exists`);
  }
  const problem = toProblem(error);
  return problem.code === 'EVENT_NOT_FOUND'
    ? new Problem(404, 'PROGRAM_NOT_FOUND', `no program "${programId}"`)
    : problem;
}

/** The program's state, or undefined when there is no such program. */
async function readProgram(client: Client, programId: string): Promise<ProgramState | undefined> {
  try {
    return await client.workflow.getHandle(programWorkflowId(programId)).query(programStateQuery);
  } catch (error) {
    const problem = programProblem(error, programId);
    if (problem.code === 'PROGRAM_NOT_FOUND') return undefined;
    throw problem;
  }
}

/** Every event of the program as visibility sees it (latest run of each; continued runs left out). */
async function programEvents(
  client: Client,
  programId: string,
): Promise<{ events: ProgramEventSummary[]; truncated: boolean }> {
  const query = [
    `WorkflowType = '${eventWorkflowType}'`,
    `${searchAttributes.program.name} = '${programId}'`,
    `ExecutionStatus != 'ContinuedAsNew'`,
  ].join(' AND ');
  const byId = new Map<string, ProgramEventSummary>();
  let truncated = false;
  for await (const info of client.workflow.list({ query, pageSize: 1000 })) {
    if (byId.size >= ROLL_UP_MAX_EVENTS) {
      truncated = true;
      break;
    }
    const sa = info.typedSearchAttributes;
    const start = sa.get(searchAttributes.eventStart);
    const eventId = info.workflowId.replace(/^event\//, '');
    const summary: ProgramEventSummary = {
      eventId,
      status: info.status.name,
      ...optional('phase', sa.get(searchAttributes.phase)),
      ...optional('eventStart', start ? toIso(start.getTime()) : undefined),
      ...optional('percentComplete', sa.get(searchAttributes.percentComplete)),
      ...optional('overdueCount', sa.get(searchAttributes.overdueCount)),
      ...optional('openIncidents', sa.get(searchAttributes.openIncidents)),
    };
    // Visibility lists the newest first: the first row of a workflow id is its latest run.
    if (!byId.has(eventId)) byId.set(eventId, summary);
  }
  return { events: [...byId.values()], truncated };
}

const optional = <K extends string, V>(key: K, value: V | undefined | null) =>
  (value === undefined || value === null ? {} : { [key]: value }) as Partial<Record<K, V>>;

export function programsRouter(deps: ProgramsRouterDeps): Router {
  const { client } = deps;
  const router = Router();

  router.post('/programs', requireRole('planner'), async (req, res) => {
    const body = parseRequest(createProgramBody, req.body);
    const input: ProgramWorkflowInput = { kind: 'start', program: body, createdBy: req.actor!.id };
    const workflowId = programWorkflowId(body.id);
    try {
      await client.workflow.start(programWorkflowType, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [input],
        // A program id is used once, like an event id.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { ...memoOf(body) },
        typedSearchAttributes: [{ key: searchAttributes.program, value: body.id }],
      });
    } catch (error) {
      throw programProblem(error, body.id);
    }
    res
      .status(201)
      .location(programLinks(body.id).self)
      .json({
        id: body.id,
        workflowId,
        title: body.title,
        ...(body.description ? { description: body.description } : {}),
        policy: body.policy,
        links: programLinks(body.id),
      } satisfies CreateProgramResponse);
  });

  router.get('/programs', async (req, res) => {
    const query = parseRequest(listProgramsQuery, req.query);
    const reader = readerOf(req);
    const clauses = [`WorkflowType = '${programWorkflowType}'`, `ExecutionStatus != 'ContinuedAsNew'`];
    if (!readsEveryProgram(reader)) {
      // Only the programs the token grants; ids outside the closed alphabet never reach the query.
      const granted = reader.programs.filter((p) => programIdSchema.safeParse(p).success).map((p) => `'${p}'`);
      clauses.push(
        granted.length
          ? `${searchAttributes.program.name} IN (${granted.join(', ')})`
          : `${searchAttributes.program.name} = '-'`,
      );
    }
    const programs = [];
    try {
      for await (const info of client.workflow.list({ query: clauses.join(' AND '), pageSize: query.limit })) {
        const id = info.workflowId.replace(/^program\//, '');
        const memo = (info.memo ?? {}) as Partial<ProgramMemo>;
        programs.push({
          id,
          title: memo.title ?? null,
          ...(memo.description ? { description: memo.description } : {}),
          policy: { carryOver: memo.carryOver ?? null },
          status: info.status.name,
          createdAt: info.startTime.toISOString(),
          links: programLinks(id),
        });
        if (programs.length >= query.limit) break;
      }
    } catch (error) {
      throw toProblem(error);
    }
    res.json({ programs, consistency: 'eventual' } satisfies ListProgramsResponse);
  });

  router.get('/programs/:programId', async (req, res) => {
    const programId = parseRequest(programIdSchema, req.params.programId, ['programId']);
    if (!canReadProgram(readerOf(req), programId)) {
      throw new Problem(403, 'READ_FORBIDDEN', `"${req.actor!.id}" may not read program "${programId}"`);
    }
    const state = await readProgram(client, programId);
    if (!state) throw new Problem(404, 'PROGRAM_NOT_FOUND', `no program "${programId}"`);
    let listed;
    try {
      listed = await programEvents(client, programId);
    } catch (error) {
      throw toProblem(error);
    }
    res.json({
      ...toProgramView(state),
      rollUp: {
        ...programRollUp(listed.events, toIso(Date.now())),
        truncated: listed.truncated,
        consistency: 'eventual',
      },
      links: programLinks(programId),
    } satisfies ProgramResponse);
  });

  return router;
}

/** What `POST /events` answers about the program, and what to undo if the event cannot start. */
export interface JoinedProgram {
  /** The template snapshot to start the event with (the carried items added under `require`). */
  loaded: LoadedTemplate;
  response:
    | { id: string; carryOver: 'offer'; offered: ReturnType<typeof offerCarriedActions>; links: { self: string } }
    | {
        id: string;
        carryOver: 'require';
        required: Extract<ProgramResult, { type: 'carriedActionsTakenUp' }>['required'];
        notApplicable: Extract<ProgramResult, { type: 'carriedActionsTakenUp' }>['notApplicable'];
        links: { self: string };
      };
  /** Gives the reserved actions back when the start failed for any reason but "the event exists". */
  abandon(error: unknown): Promise<void>;
}

/**
 * For `POST /events` with a program, before the event starts: the program
 * must exist (422 `PROGRAM_NOT_FOUND` at `program` otherwise). Under `offer`
 * the open carried actions are returned; under `require` the program reserves
 * those whose unit the new plan has (an update, so two starts never take the
 * same action; the program keeps the take-up per event id, so a retried start
 * gets the same ones) and they become the plan's `carried.<n>` planning items.
 */
export async function joinProgram(
  client: Client,
  args: { programId: string; eventId: string; loaded: LoadedTemplate; actorId: string },
): Promise<JoinedProgram> {
  const { programId, eventId, loaded } = args;
  const state = await readProgram(client, programId);
  if (!state) {
    const message = `no program "${programId}": create it first (POST /programs)`;
    throw new Problem(422, 'PROGRAM_NOT_FOUND', message, {
      issues: [{ code: 'PROGRAM_NOT_FOUND', path: ['program'], at: 'program', message }],
    });
  }
  const units = loaded.template.units.map((u) => u.id);
  const links = { self: programLinks(programId).self };
  if (state.policy.carryOver === 'offer') {
    return {
      loaded,
      response: { id: programId, carryOver: 'offer', offered: offerCarriedActions(state, units), links },
      abandon: () => Promise.resolve(),
    };
  }
  const handle = client.workflow.getHandle(programWorkflowId(programId));
  let taken;
  try {
    taken = await handle.executeUpdate(takeUpCarriedActionsUpdate, {
      args: [
        {
          actor: { id: args.actorId },
          command: {
            type: 'takeUpCarriedActions',
            eventId,
            units,
            existingItemIds: loaded.template.items.map((i) => i.id).filter((id) => id.startsWith(CARRIED_ITEM_PREFIX)),
          },
        },
      ],
      // No update id: the program itself answers a repeat for the same event with the same take-up, and a
      // server-side dedupe would replay a take-up that a release has since undone.
    });
  } catch (error) {
    throw programProblem(error, programId);
  }
  if (taken.type !== 'carriedActionsTakenUp') throw new Problem(500, 'INTERNAL', 'unexpected program answer');
  const release = async () => {
    await handle
      .executeUpdate(releaseCarriedActionsUpdate, {
        args: [{ actor: { id: args.actorId }, command: { type: 'releaseCarriedActions', eventId } }],
      })
      .catch(() => undefined);
  };
  let snapshot = loaded;
  if (taken.required.length > 0) {
    const check = checkTemplate(withCarriedItems(loaded.template, taken.required), ['template']);
    if (!check.ok) {
      await release();
      throw new Problem(422, 'TEMPLATE_INVALID', "the plan cannot take the program's carried actions", {
        issues: check.issues,
      });
    }
    snapshot = check.loaded;
  }
  return {
    loaded: snapshot,
    response: {
      id: programId,
      carryOver: 'require',
      required: taken.required,
      notApplicable: taken.notApplicable,
      links,
    },
    // A start refused because the event exists keeps what that event took up.
    abandon: (error) => (error instanceof WorkflowExecutionAlreadyStartedError ? Promise.resolve() : release()),
  };
}

/**
 * The OpenAPI paths of the program routes, generated from the same schemas; `buildOpenApiDocument`
 * spreads them into its `paths` (`...programsOpenApiPaths()`).
 */
export function programsOpenApiPaths() {
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  const problem = {
    description: 'problem+json',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), problem]));
  const limit = (schema(listProgramsQuery) as { properties: Record<string, unknown> }).properties.limit;
  const ok = (description: string, body: z.ZodType) => ({
    description,
    content: { 'application/json': { schema: responseJsonSchema(body) } },
  });
  return {
    '/programs': {
      post: {
        summary:
          'Create a program: starts its long-lived workflow (planner). policy.carryOver: offer (default; later events are told about open carried-over corrective actions) or require (they become planning items of later plans)',
        operationId: 'createProgram',
        requestBody: { required: true, content: { 'application/json': { schema: schema(createProgramBody) } } },
        responses: {
          '201': ok('the program workflow started', createProgramResponse),
          ...errors(400, 401, 403, 409, 503),
        },
      },
      get: {
        summary: 'List programs you may read (eventually consistent visibility query)',
        operationId: 'listPrograms',
        parameters: [{ name: 'limit', in: 'query', required: false, schema: limit }],
        responses: { '200': ok('programs', listProgramsResponse), ...errors(400, 401, 503) },
      },
    },
    '/programs/{programId}': {
      get: {
        summary:
          'A program: its policy, carried-over corrective actions (open, taken up, resolved), lessons learned, and the roll-up of its events from visibility (count by phase, mean percent complete, overdue items, escalating events, open incidents, the ten most at risk by the score of docs/programs.md). Planners, admins and readers of the program',
        operationId: 'getProgram',
        parameters: [{ name: 'programId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': ok('the program and its roll-up', programResponse),
          ...errors(400, 401, 403, 404, 503),
        },
      },
    },
  };
}
