import { z } from 'zod';
import { type Reader } from './access';
import { workGroupOfUnit } from './drills';
import { isTerminal, phases, type Phase } from './phases';
import { isCorrectiveAction } from './review';
import { actorSchema, type Actor, type EventState, type ItemStatus } from './state';
import { itemUnit, type Due, type PlanTemplate } from './template';
import { toMs } from './time';
import { anyInstantSchema } from './instant';

/**
 * Programs: a chairmanship year, a congress — many events under one id. Each
 * event carries its program as a search attribute, so roll-ups are visibility
 * queries (`programRollUp`). The program workflow owns only what crosses
 * events: corrective actions an event's review carried over, and lessons
 * learned. Events started later in the program are offered the open carried
 * actions, or (policy `require`) get them as planning items of their plan.
 * Everything here is pure and JSON-safe: the program workflow keeps it as its
 * state and carries it across continue-as-new.
 */

/** The same closed alphabet as event ids: a program id goes into visibility queries and URLs. */
export const programIdSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-"');

/** `offer`: later events are told about open carried actions. `require`: they get them as planning items. */
export const carryOverPolicies = ['offer', 'require'] as const;
export type CarryOverPolicy = (typeof carryOverPolicies)[number];

export const programPolicySchema = z.object({ carryOver: z.enum(carryOverPolicies).default('offer') }).strict();
export type ProgramPolicy = z.infer<typeof programPolicySchema>;

export const createProgramInputSchema = z
  .object({
    id: programIdSchema,
    title: z.string().trim().min(1).max(300),
    description: z.string().trim().min(1).max(5000).optional(),
    policy: programPolicySchema.default({ carryOver: 'offer' }),
  })
  .strict();
export type CreateProgramInput = z.infer<typeof createProgramInputSchema>;

/** The actor of the `reportEvent` update: the event workflow's `reportToProgram` activity. */
export const SYSTEM_PROGRAM = 'system:program';

/** Item ids of carried actions in the plan of the event that took them up. */
export const CARRIED_ITEM_PREFIX = 'carried.';
const carriedItemId = /^carried\.(\d+)$/;

// ── State ────────────────────────────────────────────────────────────────

/** A corrective action an event's review carried over to the program. */
export interface CarriedAction {
  /** `<eventId>:<itemId>` of the event that carried it over: stable, so reports are idempotent. */
  id: string;
  from: { eventId: string; itemId: string; lessonId?: string };
  title: string;
  /** The owner unit in the event that carried it over; a later event takes it up only if it has that unit. */
  unit: string;
  reason: string;
  carriedBy: string;
  carriedAt: string;
  receivedAt: string;
  /** `open`: waiting for an event to take it up; `taken_up`: an item of a later event; `resolved`: that item was done or waived. */
  status: 'open' | 'taken_up' | 'resolved';
  takenUp?: { eventId: string; itemId: string; at: string; by: string };
  resolved?: { eventId: string; itemId: string; status: 'done' | 'waived'; at: string };
  /** Events that could not take it up: their plan has no such unit. */
  notApplicable: { eventId: string; at: string }[];
  /** Events that took it up and ended (cancelled, or closed) without settling it: it went back to open. */
  returned: { eventId: string; itemId: string; at: string }[];
}

export interface ProgramLesson {
  /** `<eventId>:<lessonId>`. */
  id: string;
  eventId: string;
  lessonId: string;
  title: string;
  observation: string;
  recommendation?: string;
  workGroup?: string;
  by: string;
  at: string;
  receivedAt: string;
}

/** What a started event received under the `require` policy; kept so a retried start gets the same answer. */
export interface TakeUpRecord {
  eventId: string;
  by: string;
  at: string;
  required: { actionId: string; itemId: string }[];
  notApplicable: { actionId: string; unit: string }[];
}

export interface ProgramState {
  id: string;
  title: string;
  description?: string;
  policy: ProgramPolicy;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  actions: CarriedAction[];
  lessons: ProgramLesson[];
  /** The latest report of each event that reported (phase as of the report). */
  events: { eventId: string; phase: Phase; reportedAt: string }[];
  takeUps: TakeUpRecord[];
}

export function createProgramState(args: CreateProgramInput & { createdBy: string; now: string }): ProgramState {
  return {
    id: args.id,
    title: args.title,
    ...(args.description ? { description: args.description } : {}),
    policy: args.policy,
    createdBy: args.createdBy,
    createdAt: args.now,
    updatedAt: args.now,
    actions: [],
    lessons: [],
    events: [],
    takeUps: [],
  };
}

// ── What an event reports ────────────────────────────────────────────────

const ref = z.string().min(1).max(120);
const instant = anyInstantSchema;

/**
 * A snapshot of what an event has that crosses events. The event sends the
 * whole snapshot each time (after a carry-over, a lesson, and when it ends),
 * so reports are idempotent and order-insensitive: the program merges them.
 */
export const programReportSchema = z
  .object({
    eventId: ref,
    program: programIdSchema,
    phase: z.enum([...phases, 'cancelled']),
    at: instant,
    lessons: z
      .array(
        z
          .object({
            id: ref,
            title: z.string().max(300),
            observation: z.string().max(5000),
            recommendation: z.string().max(5000).optional(),
            workGroup: ref.optional(),
            by: ref,
            at: instant,
          })
          .strict(),
      )
      .max(1000),
    carriedOver: z
      .array(
        z
          .object({
            itemId: ref,
            title: z.string().min(1).max(300),
            unit: ref,
            reason: z.string().max(5000),
            by: ref,
            at: instant,
            lessonId: ref.optional(),
          })
          .strict(),
      )
      .max(1000),
    /** Statuses of the event's `carried.<n>` items (actions it took up from the program). */
    carriedItems: z
      .array(
        z.object({ itemId: ref, status: z.enum(['todo', 'in_progress', 'blocked', 'done', 'waived', 'carried_over']) }),
      )
      .max(1000),
  })
  .strict();
export type ProgramReport = z.infer<typeof programReportSchema>;

/**
 * The event's report to its program; undefined for an event outside any
 * program, and for one with nothing that crosses events (no lessons, no
 * carried-over action, no carried item): the roll-up comes from visibility,
 * so hundreds of plain events never queue updates on their program.
 */
export function programReportOf(state: EventState): ProgramReport | undefined {
  if (!state.program) return undefined;
  const report: ProgramReport = {
    eventId: state.eventId,
    program: state.program,
    phase: state.phase,
    at: state.updatedAt,
    lessons: state.lessons.map((l) => ({
      id: l.id,
      title: l.title,
      observation: l.observation,
      ...(l.recommendation ? { recommendation: l.recommendation } : {}),
      ...(l.workGroup ? { workGroup: l.workGroup } : {}),
      by: l.by,
      at: l.at,
    })),
    carriedOver: state.template.items
      .filter((i) => isCorrectiveAction(state, i.id) && state.items[i.id]?.status === 'carried_over')
      .map((i) => {
        const item = state.items[i.id]!;
        const origin = item.origin?.kind === 'corrective' ? item.origin : undefined;
        return {
          itemId: i.id,
          title: i.title,
          unit: itemUnit(state.template, i),
          reason: item.carriedOver?.reason ?? '',
          by: item.carriedOver?.by ?? '',
          at: item.carriedOver?.at ?? state.updatedAt,
          ...(origin?.lessonId ? { lessonId: origin.lessonId } : {}),
        };
      }),
    carriedItems: state.template.items
      .filter((i) => carriedItemId.test(i.id))
      .map((i) => ({ itemId: i.id, status: state.items[i.id]?.status ?? 'todo' })),
  };
  const crosses = report.lessons.length + report.carriedOver.length + report.carriedItems.length > 0;
  return crosses ? report : undefined;
}

// ── Commands ─────────────────────────────────────────────────────────────

export const programCommandSchema = z.discriminatedUnion('type', [
  /** From the event's `reportToProgram` activity (actor `system:program`). */
  z.object({ type: z.literal('reportEvent'), report: programReportSchema }).strict(),
  /**
   * From `POST /events` under the `require` policy, before the event starts: reserves every open
   * action whose unit the new plan has. `units` are the new plan's units; `existingItemIds` its
   * `carried.*` item ids (a template may already use some), so the new ids do not collide.
   */
  z
    .object({
      type: z.literal('takeUpCarriedActions'),
      eventId: ref,
      units: z.array(ref).max(5000),
      existingItemIds: z.array(ref).max(5000).default([]),
    })
    .strict(),
  /** From `POST /events` when the event could not be started after all: the reservation goes back. */
  z.object({ type: z.literal('releaseCarriedActions'), eventId: ref }).strict(),
]);
export type ProgramCommand = z.infer<typeof programCommandSchema>;
export type ProgramCommandOf<T extends ProgramCommand['type']> = Extract<ProgramCommand, { type: T }>;

export const programCommandRequestSchema = z.object({ actor: actorSchema, command: programCommandSchema }).strict();
export interface ProgramCommandRequest<C extends ProgramCommand = ProgramCommand> {
  actor: Actor;
  command: C;
}

/** Refusals of the program workflow, by kind (the API maps kinds to statuses as for events). */
export const programErrorKinds = {
  INVALID_COMMAND: 'invalid',
  NOT_SYSTEM: 'forbidden',
  SYSTEM_ACTOR: 'forbidden',
  PROGRAM_MISMATCH: 'rule',
} as const;
export type ProgramErrorCode = keyof typeof programErrorKinds;
export interface ProgramRejection {
  code: ProgramErrorCode;
  message: string;
}

export interface RequiredCarriedAction {
  actionId: string;
  itemId: string;
  title: string;
  unit: string;
  from: CarriedAction['from'];
  reason: string;
}

export type ProgramResult =
  | {
      type: 'eventReported';
      eventId: string;
      newActions: string[];
      newLessons: string[];
      resolved: string[];
      returned: string[];
    }
  | {
      type: 'carriedActionsTakenUp';
      eventId: string;
      required: RequiredCarriedAction[];
      notApplicable: { actionId: string; title: string; unit: string }[];
      /** The event had already taken them up (a retried start): the same answer again. */
      repeated: boolean;
    }
  | { type: 'carriedActionsReleased'; eventId: string; released: string[] };

export function checkProgramCommand(
  state: ProgramState,
  command: ProgramCommand,
  actor: Actor,
): ProgramRejection | undefined {
  switch (command.type) {
    case 'reportEvent':
      if (actor.id !== SYSTEM_PROGRAM) return { code: 'NOT_SYSTEM', message: 'only events report to their program' };
      if (command.report.program !== state.id) {
        return {
          code: 'PROGRAM_MISMATCH',
          message: `event "${command.report.eventId}" belongs to program "${command.report.program}", not "${state.id}"`,
        };
      }
      return undefined;
    case 'takeUpCarriedActions':
    case 'releaseCarriedActions':
      if (actor.id.startsWith('system:')) return { code: 'SYSTEM_ACTOR', message: 'a person starts events' };
      return undefined;
  }
}

/** The carried actions a new plan with these units can take up now, and those it cannot. */
export function planTakeUp(
  state: ProgramState,
  units: readonly string[],
): { applicable: CarriedAction[]; notApplicable: CarriedAction[] } {
  const open = state.actions.filter((a) => a.status === 'open');
  const has = new Set(units);
  return { applicable: open.filter((a) => has.has(a.unit)), notApplicable: open.filter((a) => !has.has(a.unit)) };
}

/** `carried.<n>` ids for `count` new items, numbered from 1 and skipping ids the plan already has. */
export function carriedItemIds(count: number, existing: readonly string[]): string[] {
  const taken = new Set(existing);
  const ids: string[] = [];
  for (let n = 1; ids.length < count; n++) {
    const id = `${CARRIED_ITEM_PREFIX}${n}`;
    if (!taken.has(id)) ids.push(id);
  }
  return ids;
}

const takeUpResult = (state: ProgramState, record: TakeUpRecord, repeated: boolean): ProgramResult => {
  const byId = new Map(state.actions.map((a) => [a.id, a]));
  return {
    type: 'carriedActionsTakenUp',
    eventId: record.eventId,
    required: record.required.map(({ actionId, itemId }) => {
      const action = byId.get(actionId)!;
      return { actionId, itemId, title: action.title, unit: action.unit, from: action.from, reason: action.reason };
    }),
    notApplicable: record.notApplicable.map(({ actionId, unit }) => ({
      actionId,
      unit,
      title: byId.get(actionId)?.title ?? '',
    })),
    repeated,
  };
};

const settledCarried = (status: ItemStatus): status is 'done' | 'waived' => status === 'done' || status === 'waived';

export function applyProgramCommand(
  state: ProgramState,
  command: ProgramCommand,
  actor: Actor,
  now: string,
): { state: ProgramState; result: ProgramResult } {
  switch (command.type) {
    case 'reportEvent': {
      const { report } = command;
      const known = new Set(state.actions.map((a) => a.id));
      const newActions: CarriedAction[] = report.carriedOver
        .map((c) => ({
          id: `${report.eventId}:${c.itemId}`,
          from: { eventId: report.eventId, itemId: c.itemId, ...(c.lessonId ? { lessonId: c.lessonId } : {}) },
          title: c.title,
          unit: c.unit,
          reason: c.reason,
          carriedBy: c.by,
          carriedAt: c.at,
          receivedAt: now,
          status: 'open' as const,
          notApplicable: [],
          returned: [],
        }))
        .filter((a) => !known.has(a.id));
      const knownLessons = new Set(state.lessons.map((l) => l.id));
      const newLessons: ProgramLesson[] = report.lessons
        .map((l) => ({
          id: `${report.eventId}:${l.id}`,
          eventId: report.eventId,
          lessonId: l.id,
          title: l.title,
          observation: l.observation,
          ...(l.recommendation ? { recommendation: l.recommendation } : {}),
          ...(l.workGroup ? { workGroup: l.workGroup } : {}),
          by: l.by,
          at: l.at,
          receivedAt: now,
        }))
        .filter((l) => !knownLessons.has(l.id));
      // Actions this event took up: settled items resolve them; an ended event gives back the unsettled ones.
      const statusOf = new Map(report.carriedItems.map((c) => [c.itemId, c.status]));
      const ended = isTerminal(report.phase);
      const resolved: string[] = [];
      const returned: string[] = [];
      const actions = state.actions.map((action): CarriedAction => {
        if (action.status !== 'taken_up' || action.takenUp?.eventId !== report.eventId) return action;
        const status = statusOf.get(action.takenUp.itemId);
        if (status !== undefined && settledCarried(status)) {
          resolved.push(action.id);
          return {
            ...action,
            status: 'resolved',
            resolved: { eventId: report.eventId, itemId: action.takenUp.itemId, status, at: report.at },
          };
        }
        if (ended) {
          returned.push(action.id);
          const { takenUp, ...rest } = action;
          return {
            ...rest,
            status: 'open',
            returned: [...action.returned, { eventId: report.eventId, itemId: takenUp.itemId, at: report.at }],
          };
        }
        return action;
      });
      const previous = state.events.find((e) => e.eventId === report.eventId);
      const events =
        previous &&
        (previous.reportedAt > report.at || (previous.reportedAt === report.at && previous.phase === report.phase))
          ? state.events
          : [
              ...state.events.filter((e) => e.eventId !== report.eventId),
              { eventId: report.eventId, phase: report.phase, reportedAt: report.at },
            ];
      const changed =
        newActions.length + newLessons.length + resolved.length + returned.length > 0 || events !== state.events;
      return {
        state: changed
          ? {
              ...state,
              updatedAt: now,
              actions: [...actions, ...newActions],
              lessons: [...state.lessons, ...newLessons],
              events,
            }
          : state,
        result: {
          type: 'eventReported',
          eventId: report.eventId,
          newActions: newActions.map((a) => a.id),
          newLessons: newLessons.map((l) => l.id),
          resolved,
          returned,
        },
      };
    }
    case 'takeUpCarriedActions': {
      const earlier = state.takeUps.find((t) => t.eventId === command.eventId);
      if (earlier) return { state, result: takeUpResult(state, earlier, true) };
      const { applicable, notApplicable } = planTakeUp(state, command.units);
      const ids = carriedItemIds(applicable.length, command.existingItemIds);
      const required = applicable.map((a, i) => ({ actionId: a.id, itemId: ids[i]! }));
      const itemOf = new Map(required.map((r) => [r.actionId, r.itemId]));
      const record: TakeUpRecord = {
        eventId: command.eventId,
        by: actor.id,
        at: now,
        required,
        notApplicable: notApplicable.map((a) => ({ actionId: a.id, unit: a.unit })),
      };
      const skipped = new Set(record.notApplicable.map((n) => n.actionId));
      const next: ProgramState = {
        ...state,
        updatedAt: now,
        takeUps: [...state.takeUps, record],
        actions: state.actions.map((a) => {
          const itemId = itemOf.get(a.id);
          if (itemId)
            return { ...a, status: 'taken_up', takenUp: { eventId: command.eventId, itemId, at: now, by: actor.id } };
          if (skipped.has(a.id))
            return { ...a, notApplicable: [...a.notApplicable, { eventId: command.eventId, at: now }] };
          return a;
        }),
      };
      return { state: next, result: takeUpResult(next, record, false) };
    }
    case 'releaseCarriedActions': {
      const record = state.takeUps.find((t) => t.eventId === command.eventId);
      if (!record) return { state, result: { type: 'carriedActionsReleased', eventId: command.eventId, released: [] } };
      const released: string[] = [];
      const actions = state.actions.map((a): CarriedAction => {
        const notApplicable = a.notApplicable.filter((n) => n.eventId !== command.eventId);
        if (a.status === 'taken_up' && a.takenUp?.eventId === command.eventId) {
          released.push(a.id);
          const { takenUp: _takenUp, ...rest } = a;
          return { ...rest, status: 'open', notApplicable };
        }
        return notApplicable.length === a.notApplicable.length ? a : { ...a, notApplicable };
      });
      return {
        state: {
          ...state,
          updatedAt: now,
          actions,
          takeUps: state.takeUps.filter((t) => t.eventId !== command.eventId),
        },
        result: { type: 'carriedActionsReleased', eventId: command.eventId, released },
      };
    }
  }
}

// ── Carried actions in a new plan ────────────────────────────────────────

/**
 * The plan with the required carried actions added as planning items:
 * `carried.<n>`, owned by the action's unit (in that unit's work group, or
 * the nearest parent's), due with the first planning gate (or at the event
 * start when that gate has no deadline) and covered by that gate, so the plan
 * cannot be approved while one is open.
 */
export function withCarriedItems(
  template: PlanTemplate,
  required: readonly Pick<RequiredCarriedAction, 'itemId' | 'title' | 'unit'>[],
): PlanTemplate {
  if (required.length === 0) return template;
  const gate = template.gates.find((g) => g.phase === 'planning');
  const due: Due = gate?.due ?? { daysBefore: 0, from: 'start' };
  const items: PlanTemplate['items'] = required.map((r) => ({
    id: r.itemId,
    title: r.title,
    workGroup: workGroupOfUnit(template, r.unit),
    unit: r.unit,
    phase: 'planning',
    due,
    dependsOn: [],
    evidenceRequired: false,
  }));
  const ids = items.map((i) => i.id);
  return {
    ...template,
    items: [...template.items, ...items],
    gates: template.gates.map((g) => (g === gate ? { ...g, covers: [...g.covers, ...ids] } : g)),
  };
}

/** The open carried actions as offered to a new event, each marked whether its plan has the owner unit. */
export function offerCarriedActions(state: ProgramState, units: readonly string[]) {
  const has = new Set(units);
  return state.actions
    .filter((a) => a.status === 'open')
    .map((a) => ({
      actionId: a.id,
      title: a.title,
      unit: a.unit,
      from: a.from,
      reason: a.reason,
      applicable: has.has(a.unit),
    }));
}

// ── Reading ──────────────────────────────────────────────────────────────

/** Planners, admins and holders of `'*'` in their `programs` grant read every program. */
export const readsEveryProgram = (reader: Reader): boolean =>
  reader.roles.includes('admin') || reader.roles.includes('planner') || reader.programs.includes('*');

/** Those who read every program, and holders of this one in their `programs` grant. */
export const canReadProgram = (reader: Reader, programId: string): boolean =>
  readsEveryProgram(reader) || reader.programs.includes(programId);

export function toProgramView(state: ProgramState) {
  const count = (status: CarriedAction['status']) => state.actions.filter((a) => a.status === status).length;
  return {
    id: state.id,
    title: state.title,
    ...(state.description ? { description: state.description } : {}),
    policy: state.policy,
    createdBy: state.createdBy,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    carriedActions: {
      open: count('open'),
      takenUp: count('taken_up'),
      resolved: count('resolved'),
      items: state.actions,
    },
    lessons: state.lessons,
    reportingEvents: state.events,
  };
}

// ── Roll-up and risk ─────────────────────────────────────────────────────

/** One event of the program as visibility sees it (search attributes; absent until first published). */
export interface ProgramEventSummary {
  eventId: string;
  /** The workflow's execution status (`RUNNING`, `COMPLETED`, `TERMINATED`…). */
  status: string;
  phase?: string;
  eventStart?: string;
  percentComplete?: number;
  overdueCount?: number;
  openIncidents?: number;
}

const DAY_MS = 86_400_000;

/** Weights of the risk score (docs/programs.md). */
export const riskWeights = {
  /** Points per overdue item (or missed progress report). */
  overdue: 3,
  /** Points per open incident. */
  incident: 10,
  /** Days before the start at which the readiness gap counts half. */
  halfLifeDays: 30,
} as const;

/** Events still in work: running, and neither closed nor cancelled. */
export const isActiveEvent = (e: ProgramEventSummary): boolean =>
  e.status === 'RUNNING' && e.phase !== undefined && e.phase !== 'closed' && e.phase !== 'cancelled';

/**
 * How much an event is at risk now:
 *
 *   3 × overdue items + 10 × open incidents + (100 − percent complete) × 30 / (30 + days to start)
 *
 * The readiness gap weighs fully from the start on (live), half 30 days
 * before, a quarter 90 days before; an event in review no longer counts it
 * (it is over). An event whose percent is not yet published counts as 0 %; an
 * unknown start counts as the start (the gap weighs fully). Inactive events
 * score 0. One decimal.
 */
export function riskScore(e: ProgramEventSummary, now: string) {
  if (!isActiveEvent(e)) return { score: 0, overdue: 0, incidents: 0, readinessGap: 0 };
  const overdue = riskWeights.overdue * (e.overdueCount ?? 0);
  const incidents = riskWeights.incident * (e.openIncidents ?? 0);
  const days = e.eventStart ? Math.max(0, (toMs(e.eventStart) - toMs(now)) / DAY_MS) : 0;
  const proximity = riskWeights.halfLifeDays / (riskWeights.halfLifeDays + days);
  const gap = e.phase === 'review' ? 0 : (100 - Math.min(100, Math.max(0, e.percentComplete ?? 0))) * proximity;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    score: round(overdue + incidents + gap),
    overdue: round(overdue),
    incidents: round(incidents),
    readinessGap: round(gap),
  };
}

export const AT_RISK_LIMIT = 10;

/**
 * The program's roll-up from its events' search attributes: counts by phase
 * (every event; one that ended abnormally by its status, e.g. `terminated`), and over active events the mean percent complete, overdue
 * items, events escalating (at least one overdue item), open incidents, and
 * the ten events most at risk (score > 0; ties: earlier start, then id).
 */
export function programRollUp(events: readonly ProgramEventSummary[], now: string) {
  const byPhase: Record<string, number> = {};
  for (const e of events) {
    // A workflow that ended abnormally (terminated, failed, timed out) keeps a stale phase: count it by its status.
    const phase = e.status === 'RUNNING' || e.status === 'COMPLETED' ? (e.phase ?? 'unknown') : e.status.toLowerCase();
    byPhase[phase] = (byPhase[phase] ?? 0) + 1;
  }
  const active = events.filter(isActiveEvent);
  const percents = active.map((e) => e.percentComplete).filter((p): p is number => p !== undefined);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const atRisk = active
    .map((e) => ({ e, risk: riskScore(e, now) }))
    .filter(({ risk }) => risk.score > 0)
    .sort(
      (a, b) =>
        b.risk.score - a.risk.score ||
        (a.e.eventStart ?? '').localeCompare(b.e.eventStart ?? '') ||
        a.e.eventId.localeCompare(b.e.eventId),
    )
    .slice(0, AT_RISK_LIMIT)
    .map(({ e, risk }) => ({
      eventId: e.eventId,
      phase: e.phase ?? null,
      eventStart: e.eventStart ?? null,
      percentComplete: e.percentComplete ?? null,
      overdueCount: e.overdueCount ?? 0,
      openIncidents: e.openIncidents ?? 0,
      risk,
    }));
  return {
    events: events.length,
    active: active.length,
    byPhase,
    meanPercentComplete: percents.length ? Math.round((sum(percents) / percents.length) * 10) / 10 : null,
    overdueItems: sum(active.map((e) => e.overdueCount ?? 0)),
    escalatingEvents: active.filter((e) => (e.overdueCount ?? 0) > 0).length,
    openIncidents: sum(active.map((e) => e.openIncidents ?? 0)),
    atRisk,
  };
}
export type ProgramRollUp = ReturnType<typeof programRollUp>;
