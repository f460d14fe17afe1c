import { z } from 'zod';
import { type LifecyclePhase, type Phase } from './phases';
import { durationMs, itemUnit, personSchema, type Due, type Person, type PlanTemplate } from './template';
import { upgradeTemplate } from './upgrade';
import { addLocalDays, fromLocal, isValidTimeZone, parseClock, toIso, toLocal, toMs } from './time';

export const eventWindowSchema = z
  .object({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
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

export type ItemStatus = 'todo' | 'in_progress' | 'blocked' | 'done' | 'waived';

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
}

/** Done or waived: what dependencies and gates wait for. */
export const isSettledStatus = (status: ItemStatus | undefined): boolean => status === 'done' || status === 'waived';
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

export interface GateState {
  status: 'pending' | 'passed';
  due?: string;
  approvals: Signature[];
  rejections: (Signature & { reason: string; reopened: string[] })[];
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
