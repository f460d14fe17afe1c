import { z } from 'zod';
import {
  approvalRuleSchema,
  evidenceSchema,
  phases,
  type afterActionRecord,
  type CommandResult,
  type EventView,
  type LaunchBlocker,
  type programRollUp,
  type Signature,
  type TimelineEntry,
  type toProgramView,
  type Waiver,
} from '../domain';
import { type InboxTask } from '../domain/inbox';
import { type DeliveryRecord, type NotificationFailure } from '../workflows/definitions';
import { type JoinedProgram } from './routes/programs';
import { eventSortKeys } from './schemas';

/**
 * Response bodies at the HTTP edge, as zod schemas: the OpenAPI document's 2xx schemas are generated
 * from them (`responseJsonSchema`), and the types below check them against what the routes and the
 * domain's views produce, so a field added to a view without its schema fails the typecheck.
 *
 * Records nested deep in the domain's state (drill attempts, incidents, reviews, the after-action
 * sections, program actions) are `domainRecord`s: their TypeScript type is the domain's own, their
 * JSON Schema an object or array described by name. Everything a client branches on is spelled out.
 */
const domainRecord = <T>(meta: { type: 'object' | 'array'; description: string }) =>
  z
    .custom<T>((v) => typeof v === 'object' && v !== null && Array.isArray(v) === (meta.type === 'array'))
    .meta(meta.type === 'array' ? { ...meta, items: { type: 'object' } } : meta);

const instant = z.string().describe('an RFC 3339 instant in UTC');
const phase = z.enum(phases);
const links = z.object({ self: z.string(), ui: z.string().optional() });

export const windowResponse = z.object({ start: instant, end: instant, timeZone: z.string() });
const templateRef = z.object({ id: z.string(), hash: z.string() });

// ── POST /events ──────────────────────────────────────────────────────────

export const startEventResponse = z.object({
  eventId: z.string(),
  workflowId: z.string(),
  phase: z.literal('planning'),
  template: templateRef,
  window: windowResponse,
  program: domainRecord<JoinedProgram['response']>({
    type: 'object',
    description: "the event's program: its carry-over policy and the carried actions offered or required",
  }).optional(),
  links,
});
export type StartEventResponse = z.infer<typeof startEventResponse>;

// ── GET /events ───────────────────────────────────────────────────────────

export const listEventsResponse = z.object({
  events: z.array(
    z.object({
      eventId: z.string(),
      status: z.string().describe("the workflow's execution status: RUNNING, COMPLETED, CANCELLED, TERMINATED, …"),
      phase: z.string().nullable(),
      program: z.string().nullable(),
      template: z.string().nullable(),
      eventStart: instant.nullable(),
      nextDeadline: instant.nullable(),
      percentComplete: z.number().nullable(),
      overdueCount: z.number().nullable(),
      openIncidents: z.number().nullable(),
      startedAt: instant.nullable(),
      links,
    }),
  ),
  consistency: z.literal('eventual'),
  sort: z.object({ key: z.enum(eventSortKeys), order: z.enum(['asc', 'desc']) }).optional(),
  nextCursor: z.string().nullable(),
  links: z.object({ next: z.string().nullable() }),
});
export type ListEventsResponse = z.infer<typeof listEventsResponse>;

// ── GET /events/:eventId ──────────────────────────────────────────────────

const by = { by: z.string(), at: instant };
const waiver = z.object({
  status: z.enum(['requested', 'approved', 'denied', 'expired', 'withdrawn']),
  justification: z.string(),
  requestedBy: z.string(),
  requestedAt: instant,
  expiresAt: instant.optional(),
  decidedBy: z.string().optional(),
  decidedAt: instant.optional(),
  reason: z.string().optional(),
}) satisfies z.ZodType<Waiver>;
const blocked = z.object({ reason: z.string(), ...by });
const itemStatus = z.enum(['todo', 'in_progress', 'blocked', 'done', 'waived', 'carried_over']);
const itemView = z.object({
  id: z.string(),
  title: z.string(),
  workGroup: z.string(),
  unit: z.string(),
  phase,
  due: instant,
  dependsOn: z.array(z.string()),
  evidenceRequired: z.boolean(),
  status: itemStatus,
  overdue: z.boolean(),
  escalationLevel: z.number(),
  startedBy: z.string().optional(),
  startedAt: instant.optional(),
  blocked: blocked.optional(),
  completedBy: z.string().optional(),
  completedAt: instant.optional(),
  evidence: z.array(evidenceSchema).optional(),
  note: z.string().optional(),
  waiver: waiver.optional(),
  origin: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('remediation'), scenarioId: z.string(), attempt: z.number(), targetId: z.string() }),
      z.object({ kind: z.literal('corrective'), lessonId: z.string().optional(), ...by }),
    ])
    .optional(),
  carriedOver: z.object({ ...by, reason: z.string() }).optional(),
});
const progress = {
  total: z.number(),
  done: z.number(),
  waived: z.number(),
  carriedOver: z.number(),
  inProgress: z.number(),
  blocked: z.number(),
  overdue: z.number(),
  percent: z.number(),
};
const blocker = z.object({ id: z.string(), unit: z.string(), workGroup: z.string(), ...blocked.shape });
const signature = z.object({
  by: z.string(),
  onBehalfOf: z.string().optional(),
  delegationId: z.string().optional(),
  at: instant,
  roles: z.array(z.string()),
}) satisfies z.ZodType<Signature>;
type View = EventView;
const gateView = z.object({
  id: z.string(),
  title: z.string(),
  phase,
  covers: z.array(z.string()),
  scenarios: z.array(z.string()),
  kind: z.enum(['go-no-go', 'sign-off']),
  approval: approvalRuleSchema,
  status: z.enum(['passed', 'waiting', 'open']),
  waitingFor: z.array(z.string()),
  waitingForScenarios: z.array(z.string()),
  acceptedRisks: domainRecord<View['gates'][number]['acceptedRisks']>({
    type: 'array',
    description: 'launch-blocking entries accepted as risks: key, kind, id, unit, justification, by, at',
  }).optional(),
  approvals: z.array(signature),
  rejections: z.array(
    signature.extend({
      reason: z.string(),
      reopened: z.array(z.string()),
      blocking: domainRecord<LaunchBlocker[]>({
        type: 'array',
        description: 'the launch-blocking list as it stood at a no-go',
      }).optional(),
    }),
  ),
  missingRoles: z.array(z.string()),
  eligibleSigners: z.array(z.string()),
  due: instant.optional(),
  passedAt: instant.optional(),
});
const delegationView = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  roles: z.array(z.string()),
  gates: z.array(z.string()).optional(),
  validFrom: instant,
  validUntil: instant,
  reason: z.string().optional(),
  createdAt: instant,
  revokedAt: instant.optional(),
  revokedBy: z.string().optional(),
  revocationReason: z.string().optional(),
  active: z.boolean(),
});
const viewRecord = <K extends keyof View>(type: 'object' | 'array', description: string) =>
  domainRecord<View[K]>({ type, description });
const span = z.object({ id: z.string(), title: z.string(), start: instant, end: instant });

/** `toEventView`'s output, field by field. */
export const eventViewSchema = z.object({
  eventId: z.string(),
  program: z.string().optional(),
  template: z.object({ id: z.string(), title: z.string(), hash: z.string() }),
  window: windowResponse,
  phase: z.enum([...phases, 'cancelled']),
  createdAt: instant,
  createdBy: z.string(),
  updatedAt: instant,
  progress: z.object(progress),
  workGroups: z.array(
    z.object({ id: z.string(), title: z.string(), unit: z.string(), ...progress, blockers: z.array(blocker) }),
  ),
  units: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      ...progress,
      blockers: z.array(blocker),
      missedReview: z.string().optional().describe('the latest review whose report this unit missed'),
    }),
  ),
  gates: z.array(gateView),
  blockers: z.array(blocker),
  overdue: z.array(z.object({ id: z.string(), unit: z.string(), due: instant, escalationLevel: z.number() })),
  overdueReports: z.array(z.object({ unit: z.string(), reviewId: z.string(), dueBy: instant })),
  waiversPending: z.array(z.object({ id: z.string(), unit: z.string(), ...waiver.shape })),
  reviews: viewRecord<'reviews'>('array', 'progress reviews: agenda, expected units, reports, missed units'),
  cancelled: z.object({ ...by, reason: z.string() }).optional(),
  rescheduled: viewRecord<'rescheduled'>('array', 'earlier windows and who moved them, with the reason').optional(),
  delegations: z.array(delegationView),
  phaseChanges: viewRecord<'phaseChanges'>('array', 'phase changes: from, to, at, by'),
  drills: viewRecord<'drills'>('array', 'drill scenarios: status, due, overdue, injects, targets, attempts'),
  launchBlocking: viewRecord<'launchBlocking'>('array', 'the launch-blocking list: key, kind, id, unit, due'),
  readiness: viewRecord<'readiness'>('object', 'the readiness declaration: signers and accepted risks').optional(),
  sessions: z.array(span.extend({ weight: z.number().optional() })),
  incidents: viewRecord<'incidents'>('array', 'incidents: type, severity, status, steps, escalations'),
  openIncidents: z.number(),
  duty: viewRecord<'duty'>('object', 'on duty now, the shifts, handovers and missed handovers'),
  lessons: viewRecord<'lessons'>('array', 'lessons learned in the review'),
  correctiveActions: z.array(itemView),
  items: z.array(itemView),
});

export const eventResponse = eventViewSchema.extend({
  scope: z.enum(['full', 'scoped']),
  asOf: instant.optional(),
  notificationFailures: domainRecord<NotificationFailure[]>({
    type: 'array',
    description: 'notifications that gave up: id, kind, at, failedAt, error (full readers, live reads)',
  }).optional(),
  links,
});
export type EventResponse = z.infer<typeof eventResponse>;

// ── Timeline, after-action record, deliveries ─────────────────────────────

export const timelineEntrySchema = z.object({
  seq: z.number(),
  at: instant,
  kind: z.enum(['action', 'system']),
  type: z.string(),
  actor: z.string().optional(),
  onBehalfOf: z.string().optional(),
  target: z.string().optional(),
  reason: z.string().optional(),
  note: z.string().optional(),
  updateId: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export const timelineResponse = z.object({ eventId: z.string(), entries: z.array(timelineEntrySchema) });
export type TimelineResponse = z.infer<typeof timelineResponse>;

type Record_ = ReturnType<typeof afterActionRecord>;
const recordPart = <K extends keyof Record_>(type: 'object' | 'array', description: string) =>
  domainRecord<Record_[K]>({ type, description });
export const afterActionResponse = z.object({
  eventId: z.string(),
  title: z.string(),
  program: z.string().optional(),
  template: templateRef,
  window: windowResponse,
  phase: z.enum([...phases, 'cancelled']),
  generatedAt: instant,
  phases: recordPart<'phases'>('array', 'phase changes: from, to, at, by'),
  timeline: z.array(timelineEntrySchema),
  completion: recordPart<'completion'>('object', 'completion overall and per work group against deadlines'),
  overdue: recordPart<'overdue'>('object', 'late and open-past-due counts by unit; escalations by level and subject'),
  burnUp: recordPart<'burnUp'>('array', 'a daily readiness burn-up'),
  drills: recordPart<'drills'>('array', 'drill attempts and ratings'),
  readiness: recordPart<'readiness'>('object', 'the readiness declaration and the no-go decisions'),
  incidents: recordPart<'incidents'>('object', 'incidents with minutes to acknowledge and resolve, per session'),
  sessions: recordPart<'sessions'>('array', 'sessions with their incidents'),
  handovers: recordPart<'handovers'>('array', 'duty handovers'),
  lessons: recordPart<'lessons'>('array', 'lessons learned'),
  correctiveActions: recordPart<'correctiveActions'>('array', 'corrective actions and their status'),
  links,
});

export type AfterActionResponse = z.infer<typeof afterActionResponse>;

const deliveryStatus = z.enum(['pending', 'sent', 'gave_up', 'retrying']);
export const deliveriesResponse = z.object({
  eventId: z.string(),
  deliveries: z.array(
    z.object({
      id: z.string(),
      activityId: z.string().optional(),
      kind: z.string(),
      at: instant,
      activity: z.enum(['notify', 'check', 'report', 'program']),
      status: deliveryStatus,
      scheduledAt: instant.optional(),
      completedAt: instant.optional(),
      channels: z.record(z.string(), z.string()).optional(),
      error: z.string().optional(),
      attempt: z.number().nullable().optional().describe('retrying: the attempt the server reports'),
      lastError: z.string().optional(),
    }),
  ),
});

export type DeliveriesResponse = z.infer<typeof deliveriesResponse>;

// ── The inbox, commands, programs, operations ─────────────────────────────

const inboxTask = z.object({
  eventId: z.string(),
  kind: z.string(),
  id: z.string(),
  title: z.string(),
  due: instant.optional(),
  overdue: z.boolean(),
  escalationLevel: z.number(),
  unit: z.string().optional(),
  roles: z.array(z.string()).optional(),
  onBehalfOf: z.string().optional(),
  delegationId: z.string().optional(),
  status: z.string().optional(),
  incidentId: z.string().optional(),
  blocking: z.number().optional(),
  links: z.object({ event: z.string() }),
});
export const inboxResponse = z.object({
  tasks: z.array(inboxTask),
  total: z.number(),
  events: z.object({ candidates: z.number(), truncated: z.boolean(), unavailable: z.array(z.string()) }),
  consistency: z.literal('eventual'),
});

export type InboxResponse = z.infer<typeof inboxResponse>;

/** Every result type a command answers with; the check below keeps the list complete. */
const commandResultTypes = [
  'itemCompleted',
  'gateDecided',
  'delegated',
  'delegationRevoked',
  'itemUpdated',
  'reportSubmitted',
  'rescheduled',
  'cancelled',
  'drillRecorded',
  'drillWaived',
  'incidentUpdated',
  'dutyHandedOver',
  'lessonAdded',
  'correctiveActionAdded',
  'checkRecorded',
  'goNoGoDecided',
] as const satisfies readonly CommandResult['type'][];
export const commandResponse = z
  .looseObject({ type: z.enum(commandResultTypes).describe('what happened; the other fields depend on it') })
  .describe('the result of the action');

const programPolicy = z.object({ carryOver: z.enum(['offer', 'require']) });
const programLinks = z.object({ self: z.string(), events: z.string().optional() });
export const createProgramResponse = z.object({
  id: z.string(),
  workflowId: z.string(),
  title: z.string(),
  description: z.string().optional(),
  policy: programPolicy,
  links: programLinks,
});
export type CreateProgramResponse = z.infer<typeof createProgramResponse>;
export const listProgramsResponse = z.object({
  programs: z.array(
    z.object({
      id: z.string(),
      title: z.string().nullable(),
      description: z.string().optional(),
      policy: z.object({ carryOver: programPolicy.shape.carryOver.nullable() }),
      status: z.string(),
      createdAt: instant,
      links: programLinks,
    }),
  ),
  consistency: z.literal('eventual'),
});
export type ListProgramsResponse = z.infer<typeof listProgramsResponse>;
type ProgramView = ReturnType<typeof toProgramView>;
export const programResponse = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  policy: programPolicy,
  createdBy: z.string(),
  createdAt: instant,
  updatedAt: instant,
  carriedActions: domainRecord<ProgramView['carriedActions']>({
    type: 'object',
    description: 'carried-over corrective actions: counts (open, takenUp, resolved) and the items',
  }),
  lessons: domainRecord<ProgramView['lessons']>({ type: 'array', description: "lessons from the program's events" }),
  reportingEvents: domainRecord<ProgramView['reportingEvents']>({
    type: 'array',
    description: 'the events that reported to the program, with their last report',
  }),
  rollUp: domainRecord<ReturnType<typeof programRollUp> & { truncated: boolean; consistency: 'eventual' }>({
    type: 'object',
    description: 'events by phase, mean percent complete, overdue items, escalating events, open incidents, at risk',
  }),
  links: programLinks,
});

export type ProgramResponse = z.infer<typeof programResponse>;

const checkOutcome = z.looseObject({
  status: z.enum(['ok', 'failed', 'skipped']),
  code: z.string().optional(),
  detail: z.string().optional(),
});
export const healthResponse = z.object({ status: z.literal('ok') });
export type HealthResponse = z.infer<typeof healthResponse>;
export const readyResponse = z.object({
  status: z.literal('ready'),
  checks: z.object({ temporal: checkOutcome, namespace: checkOutcome, searchAttributes: checkOutcome }),
  checkedAt: instant,
});

export type ReadyResponse = z.infer<typeof readyResponse>;

/** A response schema as JSON Schema, the way the OpenAPI document carries it: what the API sends (output). */
export const responseJsonSchema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' });

// ── Checks: each schema documents what its producer sends, field for field ─────

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** True when the schema accepts every value of `T` and names exactly its fields. */
type Documents<S extends z.ZodType, T> = [T] extends [z.input<S>] ? Same<keyof T, keyof z.input<S>> : false;
type ScopedView = EventView & { scope: 'full' | 'scoped'; asOf?: string; links: z.infer<typeof links> };
const checks: [
  Documents<typeof eventViewSchema, EventView>,
  Documents<ReturnType<typeof eventResponse.omit<{ notificationFailures: true }>>, ScopedView>,
  Documents<typeof afterActionResponse, Record_ & { links: z.infer<typeof links> }>,
  Documents<
    typeof deliveriesResponse.shape.deliveries.element,
    Omit<DeliveryRecord, 'status'> & {
      status: DeliveryRecord['status'] | 'retrying';
      attempt?: number | null;
      lastError?: string;
    }
  >,
  Documents<typeof inboxTask, InboxTask & { links: { event: string } }>,
  Documents<typeof timelineEntrySchema, TimelineEntry>,
  Same<Exclude<CommandResult['type'], (typeof commandResultTypes)[number]>, never>,
] = [true, true, true, true, true, true, true];
void checks;
