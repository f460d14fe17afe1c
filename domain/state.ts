import { z } from 'zod';
import { type LifecyclePhase, type Phase } from './phases';
import {
  durationMs,
  itemUnit,
  personSchema,
  type Due,
  type DrillRating,
  type Person,
  type PlanTemplate,
  type Severity,
} from './template';
import { upgradeTemplate } from './upgrade';
import { addLocalDays, fromLocal, isValidTimeZone, parseClock, toIso, toLocal, toMs } from './time';
import { anyInstantSchema, isInstantInRange } from './instant';

export const eventWindowSchema = z
  .object({
    start: anyInstantSchema,
    end: anyInstantSchema,
    timeZone: z.string().refine(isValidTimeZone, 'an IANA time zone such as "Asia/Ho_Chi_Minh"'),
  })
  .strict()
  .refine((w) => toMs(w.end) > toMs(w.start), { message: 'the event must end after it starts', path: ['end'] })
  .transform((w) => ({ ...w, start: toIso(toMs(w.start)), end: toIso(toMs(w.end)) }));
export type EventWindow = z.infer<typeof eventWindowSchema>;

/** The authenticated caller, as the API (or any direct Temporal client) hands it to the workflow. */
export const actorSchema = z
  .object({
    id: z.string().min(1).max(120),
    name: z.string().max(300).optional(),
  })
  .strict();
export type Actor = z.infer<typeof actorSchema>;

export const evidenceSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2000),
    sha256: z
      .string()
      .regex(/^[a-f0-9]{64}$/, 'a lower-case hex SHA-256 digest')
      .optional(),
    title: z.string().max(300).optional(),
  })
  .strict();
export type Evidence = z.infer<typeof evidenceSchema>;

/** `carried_over`: a corrective action handed on to the program for later events. */
export type ItemStatus = 'todo' | 'in_progress' | 'blocked' | 'done' | 'waived' | 'carried_over';

/** Items the engine adds while the event runs; template items have no origin. */
export type ItemOrigin =
  | { kind: 'remediation'; scenarioId: string; attempt: number; targetId: string }
  | { kind: 'corrective'; lessonId?: string; by: string; at: string };

export interface Waiver {
  /** `withdrawn`: the item was completed while the request waited. */
  status: 'requested' | 'approved' | 'denied' | 'expired' | 'withdrawn';
  justification: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt?: string;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
}

export interface ItemState {
  status: ItemStatus;
  due: string;
  startedBy?: string;
  startedAt?: string;
  blocked?: { reason: string; by: string; at: string };
  completedBy?: string;
  completedAt?: string;
  evidence?: Evidence[];
  note?: string;
  waiver?: Waiver;
  /** How many of the item's reminders have been sent (or skipped because their time had passed). */
  remindersSent?: number;
  /** How many escalation steps have fired for the current deadline. */
  escalationLevel?: number;
  origin?: ItemOrigin;
  carriedOver?: { by: string; at: string; reason: string };
  /** The item's automated check: when it last ran and what it found. */
  check?: ItemCheckState;
}

export interface ItemCheckState {
  /** The scheduled instant of the latest run requested (the cadence counts from it). */
  requestedAt?: string;
  /** The scheduled instant of the run whose result is `last`. */
  lastRunAt?: string;
  last?: {
    ok: boolean;
    target: string;
    checkedAt: string;
    summary: string;
    code?: string;
    details?: Record<string, unknown>;
  };
  passes: number;
  failures: number;
  /** Times a passing, completed item was reopened by a failing check. */
  regressions: number;
}

/** Done or waived: what dependencies and gates wait for. */
export const isSettledStatus = (status: ItemStatus | undefined): boolean =>
  status === 'done' || status === 'waived' || status === 'carried_over';
export const isOpenStatus = (status: ItemStatus | undefined): boolean =>
  status === 'todo' || status === 'in_progress' || status === 'blocked';

export interface Signature {
  /** The person who acted. */
  by: string;
  /** When acting under a delegation: whose authority was used (the person counted by the rule). */
  onBehalfOf?: string;
  delegationId?: string;
  at: string;
  roles: string[];
}

/** Whose signature this counts as: the delegator when delegated, else the signer. */
export const principalOf = (s: Signature): string => s.onBehalfOf ?? s.by;

export interface Delegation {
  id: string;
  from: string;
  to: string;
  roles: string[];
  gates?: string[];
  validFrom: string;
  validUntil: string;
  reason?: string;
  createdAt: string;
  revokedAt?: string;
  revokedBy?: string;
  revocationReason?: string;
}

/** One entry of the launch-blocking list: what stands between the event and a "go", and who owns it. */
export interface LaunchBlocker {
  /** Stable key an approver names to accept the entry as a risk, e.g. `item:cyber.pentest`. */
  key: string;
  kind: 'item' | 'blocker' | 'remediation' | 'drill' | 'check';
  id: string;
  title: string;
  unit: string;
  due?: string;
  overdue: boolean;
  reason?: string;
}

export interface AcceptedRisk extends LaunchBlocker {
  justification: string;
  by: string;
  onBehalfOf?: string;
  at: string;
}

export interface GateState {
  status: 'pending' | 'passed';
  due?: string;
  approvals: Signature[];
  /** Rejections, and for go/no-go gates the "no-go" decisions with the list that stood at the time. */
  rejections: (Signature & { reason: string; reopened: string[]; blocking?: LaunchBlocker[] })[];
  /** Go/no-go gates: entries of the launch-blocking list the approvers accepted as risks. */
  acceptedRisks?: AcceptedRisk[];
  /** Approvals voided because a covered item was reopened after they were given. */
  revoked?: { at: string; items: string[]; approvals: Signature[] }[];
  passedAt?: string;
  escalationLevel?: number;
}

export interface UnitReport {
  by: string;
  at: string;
  status: 'on_track' | 'at_risk' | 'off_track';
  summary?: string;
  blockers: string[];
  recommendations: string[];
  late: boolean;
}

export interface ProgressReview {
  id: string;
  at: string;
  dueBy: string;
  agenda: {
    blockers: { itemId: string; unit: string; reason: string }[];
    overdue: { itemId: string; unit: string; due: string; escalationLevel: number }[];
  };
  expectedUnits: string[];
  reports: Record<string, UnitReport>;
  /** Units that had not reported by `dueBy`: themselves overdue. */
  missed?: string[];
}

export interface DrillAttempt {
  attempt: number;
  at: string;
  by: string;
  ratings: { targetId: string; rating: DrillRating; observation?: string }[];
  observations?: string;
  strengths: string[];
  gaps: string[];
  outcome: 'passed' | 'failed';
  /** Remediation items this attempt created (failed targets only). */
  remediation: string[];
}

export interface DrillState {
  status: 'scheduled' | 'passed' | 'failed' | 'waived';
  /** The current deadline: the scenario's own, or its re-test's after a failure. */
  due: string;
  attempts: DrillAttempt[];
  waiver?: { by: string; onBehalfOf?: string; at: string; justification: string };
  escalationLevel?: number;
}

export interface IncidentStep {
  id: string;
  title: string;
  unit: string;
  status: 'open' | 'done' | 'not_needed';
  by?: string;
  at?: string;
  note?: string;
}

export interface Incident {
  id: string;
  type: string;
  severity: Severity;
  sessionId?: string;
  description: string;
  location?: string;
  reportedBy: string;
  reportedAt: string;
  status: 'reported' | 'acknowledged' | 'resolved';
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  resolvedBy?: string;
  resolvedAt?: string;
  resolution?: string;
  /** Its type's procedure, as a checklist. */
  steps: IncidentStep[];
  /** Escalations fired because nobody acknowledged it (the first, for a critical incident, is immediate). */
  escalations: number;
  reopened: { by: string; at: string; reason: string }[];
}

export interface Handover {
  id: string;
  shiftId: string;
  /** Absent when the first officer takes duty. */
  from?: string;
  to: string;
  at: string;
  openIncidents: string[];
  note?: string;
}

export interface Lesson {
  id: string;
  title: string;
  observation: string;
  recommendation?: string;
  workGroup?: string;
  by: string;
  at: string;
}

/** The readiness declaration: the "go" that passed the go/no-go gates. */
export interface ReadinessDeclaration {
  declaredAt: string;
  signers: Signature[];
  acceptedRisks: AcceptedRisk[];
}

/** A recent idempotent request: its key, a fingerprint of its body, and the result it returned. */
export interface RecentRequest {
  key: string;
  fingerprint: string;
  result: unknown;
}

export interface EventState {
  eventId: string;
  program?: string;
  template: PlanTemplate;
  templateHash: string;
  window: EventWindow;
  roster: Person[];
  phase: Phase;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  items: Record<string, ItemState>;
  gates: Record<string, GateState>;
  delegations: Delegation[];
  reviews: ProgressReview[];
  /** Instant of the last review opened or skipped: the cadence resumes after it. */
  reviewsThrough?: string;
  cancelled?: { by: string; at: string; reason: string };
  drills: Record<string, DrillState>;
  readiness?: ReadinessDeclaration;
  incidents: Incident[];
  handovers: Handover[];
  lessons: Lesson[];
  /** Duty shifts that began without a handover (flagged once). */
  missedHandovers?: string[];
  /** When each phase was entered. */
  phaseChanges: { phase: Phase; at: string }[];
  rescheduled?: { by: string; at: string; reason: string; from: EventWindow }[];
}

export const startEventInputSchema = z
  .object({
    eventId: z
      .string()
      .min(1)
      .max(120)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-"'),
    program: z.string().min(1).max(120).optional(),
    window: eventWindowSchema,
    roster: z.array(personSchema).optional(),
  })
  .strict();

/** Resolves a template deadline to an instant, in the event's time zone. */
export function resolveDue(due: Due, window: EventWindow): string {
  if ('absolute' in due) return toIso(toMs(due.absolute));
  const anchorMs = toMs(due.from === 'end' ? window.end : window.start);
  const anchor = toLocal(anchorMs, window.timeZone);
  const days = 'daysBefore' in due ? -due.daysBefore : due.daysAfter;
  const date = addLocalDays(anchor, days);
  if (due.at) return toIso(fromLocal({ ...date, ...parseClock(due.at) }, window.timeZone));
  // Same local time as the anchor, to the millisecond (the wall-clock conversion works in minutes).
  const subMinute = ((anchorMs % 60_000) + 60_000) % 60_000;
  return toIso(fromLocal({ ...date, hour: anchor.hour, minute: anchor.minute }, window.timeZone) + subMinute);
}

export interface CreateEventArgs {
  eventId: string;
  program?: string;
  template: PlanTemplate;
  templateHash: string;
  window: EventWindow;
  roster?: Person[];
  createdBy: string;
  now: string;
}

export function createEventState(args: CreateEventArgs): EventState {
  const { window } = args;
  const template = upgradeTemplate(args.template);
  const items: Record<string, ItemState> = {};
  for (const item of template.items) {
    const due = resolveDue(item.due, window);
    items[item.id] = { status: 'todo', due, remindersSent: remindersPassed(template, item, due, args.now) };
  }
  const gates: Record<string, GateState> = {};
  for (const gate of template.gates) {
    gates[gate.id] = {
      status: 'pending',
      approvals: [],
      rejections: [],
      ...(gate.due ? { due: resolveDue(gate.due, window) } : {}),
    };
  }
  const drills: Record<string, DrillState> = {};
  for (const scenario of template.drills?.scenarios ?? []) {
    drills[scenario.id] = { status: 'scheduled', due: resolveDue(scenario.due, window), attempts: [] };
  }
  const firstPhase: LifecyclePhase = 'planning';
  return {
    eventId: args.eventId,
    ...(args.program ? { program: args.program } : {}),
    template,
    templateHash: args.templateHash,
    window,
    roster: args.roster ?? template.people,
    phase: firstPhase,
    createdAt: args.now,
    createdBy: args.createdBy,
    updatedAt: args.now,
    items,
    gates,
    delegations: [],
    reviews: [],
    reviewsThrough: args.now,
    drills,
    incidents: [],
    handovers: [],
    lessons: [],
    phaseChanges: [{ phase: firstPhase, at: args.now }],
  };
}

/** Reminder offsets of an item, longest first (the order they fall due). */
export function reminderOffsets(template: PlanTemplate, item: PlanTemplate['items'][number]): number[] {
  return (item.reminders ?? template.defaultReminders).map(durationMs).sort((a, b) => b - a);
}

/** Reminders whose time is already past at `now`: they are skipped, not sent late in a burst. */
export function remindersPassed(
  template: PlanTemplate,
  item: PlanTemplate['items'][number],
  due: string,
  now: string,
): number {
  return reminderOffsets(template, item).filter((offset) => toMs(due) - offset <= toMs(now)).length;
}

export const isPlanner = (person: Person): boolean =>
  person.roles.includes('planner') || person.roles.includes('admin');

export function findItem(state: EventState, itemId: string) {
  return state.template.items.find((item) => item.id === itemId);
}

export function findGate(state: EventState, gateId: string) {
  return state.template.gates.find((gate) => gate.id === gateId);
}

export function ownerUnit(state: EventState, itemId: string): string | undefined {
  const item = findItem(state, itemId);
  return item ? itemUnit(state.template, item) : undefined;
}

export function isSettled(item: ItemState | undefined): boolean {
  return isSettledStatus(item?.status);
}

/**
 * Items due after the gate that covers them, once the window fixes every
 * deadline (the template check alone cannot compare deadlines with different
 * anchors, e.g. one absolute and one relative).
 */
export function dueConflicts(
  template: PlanTemplate,
  window: EventWindow,
): { gateId: string; itemId: string; itemDue: string; gateDue: string }[] {
  const conflicts: { gateId: string; itemId: string; itemDue: string; gateDue: string }[] = [];
  for (const gate of template.gates) {
    if (!gate.due) continue;
    const gateDue = resolveDue(gate.due, window);
    for (const itemId of gate.covers) {
      const item = template.items.find((i) => i.id === itemId);
      if (!item) continue;
      const itemDue = resolveDue(item.due, window);
      if (itemDue > gateDue) conflicts.push({ gateId: gate.id, itemId, itemDue, gateDue });
    }
  }
  return conflicts;
}

/**
 * Deadlines this window would put outside the years RFC 3339 can write (0000–9999 in UTC): a window
 * near the end of year 9999 with deadlines after its end. Each with its template path.
 */
export function deadlinesOutOfRange(
  template: PlanTemplate,
  window: EventWindow,
): { path: (string | number)[]; due: Due }[] {
  const dues: { path: (string | number)[]; due: Due | undefined }[] = [
    ...template.items.map((item, i) => ({ path: ['items', i, 'due'], due: item.due })),
    ...template.gates.map((gate, i) => ({ path: ['gates', i, 'due'], due: gate.due })),
    ...(template.drills?.scenarios ?? []).flatMap((scenario, i) => [
      { path: ['drills', 'scenarios', i, 'start'], due: scenario.start },
      { path: ['drills', 'scenarios', i, 'due'], due: scenario.due },
    ]),
    ...(['sessions', 'dutyShifts'] as const).flatMap((list) =>
      template[list].flatMap((span, i) => [
        { path: [list, i, 'start'], due: span.start },
        { path: [list, i, 'end'], due: span.end },
      ]),
    ),
  ];
  return dues.flatMap(({ path, due }) =>
    due && !isInstantInRange(toMs(resolveDue(due, window))) ? [{ path, due }] : [],
  );
}
