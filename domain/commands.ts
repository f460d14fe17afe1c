import { z } from 'zod';
import { actorSchema, evidenceSchema } from './state';
import { checkResultSchema } from './checks';
import { drillRatings, severities } from './template';
import { rejection, type Rejection } from './errors';
import { anyInstantSchema, instantSchema, isInstantInRange } from './instant';
import { toMs } from './time';

const ref = z.string().min(1).max(80);

/** What a unit member sends to complete an item (the item comes from the URL or the command). */
const completionShape = {
  evidence: z.array(evidenceSchema).max(20).default([]),
  note: z.string().trim().max(4000).optional(),
};
export const itemCompletionSchema = z.object(completionShape).strict();
export const completeItemCommandSchema = z
  .object({ type: z.literal('completeItem'), itemId: ref, ...completionShape })
  .strict();

/** What an approver sends to decide a gate. */
const decisionShape = {
  decision: z.enum(['approve', 'reject']),
  /** Sign with the authority delegated by this person (the record keeps both names). */
  onBehalfOf: ref.optional(),
  reason: z.string().trim().min(1).max(4000).optional(),
  /** On rejection: covered items sent back to rework. */
  reopen: z.array(ref).max(5000).default([]),
};
const decisionRules = (cmd: { decision: string; reason?: string; reopen: string[] }, ctx: z.RefinementCtx) => {
  if (cmd.decision === 'reject' && !cmd.reason) {
    ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a rejection needs a reason' });
  }
  if (cmd.decision === 'approve' && cmd.reopen.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['reopen'], message: 'only a rejection reopens items' });
  }
};
export const gateDecisionSchema = z.object(decisionShape).strict().superRefine(decisionRules);
export const signOffGateCommandSchema = z
  .object({ type: z.literal('signOffGate'), gateId: ref, ...decisionShape })
  .strict()
  .superRefine(decisionRules);

/**
 * Instants in commands: the HTTP body (and the update validator, through `instantRangeRefusal`)
 * takes them in range only; the command schema, which the update handler and the history fold
 * parse again, takes any RFC 3339 instant, so commands accepted before the range existed replay.
 */
type Instant = typeof anyInstantSchema;

/** An approver lends their signing right to another person of the roster for a time window. */
const delegationShape = (instant: Instant) => ({
  to: ref,
  /** Which of the delegator's approver roles; all of them when omitted. */
  roles: z.array(ref).min(1).max(50).optional(),
  /** Restrict to these gates; every gate when omitted. */
  gates: z.array(ref).min(1).max(500).optional(),
  validFrom: instant.optional(),
  validUntil: instant,
  reason: z.string().trim().min(1).max(4000).optional(),
});
export const delegationRequestSchema = z.object(delegationShape(instantSchema)).strict();
export const delegateCommandSchema = z
  .object({ type: z.literal('delegate'), ...delegationShape(anyInstantSchema) })
  .strict();

const revocationShape = { reason: z.string().trim().min(1).max(4000).optional() };
export const revocationRequestSchema = z.object(revocationShape).strict();
export const revokeDelegationCommandSchema = z
  .object({ type: z.literal('revokeDelegation'), delegationId: ref, ...revocationShape })
  .strict();

/** A body schema (what HTTP sends) and its command (body plus the ids from the URL and the type). */
function commandPair<T extends string, U extends z.ZodRawShape, B extends z.ZodRawShape>(
  type: T,
  urlShape: U,
  bodyShape: B | ((instant: Instant) => B),
) {
  const shape = (instant: Instant) => (typeof bodyShape === 'function' ? bodyShape(instant) : bodyShape);
  return {
    body: z.object(shape(instantSchema)).strict(),
    command: z.object({ type: z.literal(type), ...urlShape, ...shape(anyInstantSchema) }).strict(),
  };
}
const itemUrl = { itemId: ref };
const text = (max = 4000) => z.string().trim().min(1).max(max);

export const startItem = commandPair('startItem', itemUrl, { note: text().optional() });
export const blockItem = commandPair('blockItem', itemUrl, { reason: text() });
export const unblockItem = commandPair('unblockItem', itemUrl, { note: text().optional() });
export const requestWaiver = commandPair('requestWaiver', itemUrl, (instant) => ({
  justification: text(),
  /** The waiver lapses then: the item returns to todo and its unit is told. */
  expiresAt: instant.optional(),
}));
const waiverDecisionShape = { decision: z.enum(['approve', 'deny']), reason: text().optional() };
const waiverDecisionRules = (cmd: { decision: string; reason?: string }, ctx: z.RefinementCtx) => {
  if (cmd.decision === 'deny' && !cmd.reason) {
    ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a denial needs a reason' });
  }
};
export const decideWaiver = {
  body: z.object(waiverDecisionShape).strict().superRefine(waiverDecisionRules),
  command: z
    .object({ type: z.literal('decideWaiver'), ...itemUrl, ...waiverDecisionShape })
    .strict()
    .superRefine(waiverDecisionRules),
};
export const submitProgressReport = commandPair(
  'submitProgressReport',
  { reviewId: ref },
  {
    unit: ref,
    status: z.enum(['on_track', 'at_risk', 'off_track']),
    summary: text().optional(),
    blockers: z.array(text(1000)).max(50).default([]),
    recommendations: z.array(text(1000)).max(50).default([]),
  },
);
export const reschedule = commandPair('reschedule', {}, (instant) => ({
  window: z
    .object({
      start: instant,
      end: instant,
      timeZone: z.string().optional(),
    })
    .strict(),
  reason: text(),
}));
export const cancel = commandPair('cancel', {}, { reason: text() });

/** Body and command of a pair whose rules span several fields. */
function refinedPair<T extends string, U extends z.ZodRawShape, B extends z.ZodRawShape>(
  type: T,
  urlShape: U,
  bodyShape: B,
  rules: (cmd: z.infer<z.ZodObject<B>>, ctx: z.RefinementCtx) => void,
) {
  return {
    body: z.object(bodyShape).strict().superRefine(rules),
    command: z
      .object({ type: z.literal(type), ...urlShape, ...bodyShape })
      .strict()
      .superRefine((cmd, ctx) => rules(cmd as z.infer<z.ZodObject<B>>, ctx)),
  };
}
const needs = (ctx: z.RefinementCtx, path: string, message: string) =>
  ctx.addIssue({ code: 'custom', path: [path], message });

// Rehearsal
export const recordDrillResult = refinedPair(
  'recordDrillResult',
  { scenarioId: ref },
  {
    /** One rating per capability target of the scenario. */
    ratings: z
      .array(z.object({ targetId: ref, rating: z.enum(drillRatings), observation: text(2000).optional() }).strict())
      .min(1)
      .max(50),
    observations: text().optional(),
    strengths: z.array(text(1000)).max(50).default([]),
    gaps: z.array(text(1000)).max(50).default([]),
  },
  (cmd, ctx) => {
    const seen = new Set<string>();
    cmd.ratings.forEach((r, i) => {
      if (seen.has(r.targetId))
        ctx.addIssue({ code: 'custom', path: ['ratings', i, 'targetId'], message: 'each target is rated once' });
      seen.add(r.targetId);
    });
  },
);
export const waiveDrill = commandPair(
  'waiveDrill',
  { scenarioId: ref },
  { justification: text(), onBehalfOf: ref.optional() },
);

// Readiness
export const decideGoNoGo = refinedPair(
  'decideGoNoGo',
  { gateId: ref },
  {
    decision: z.enum(['go', 'no_go']),
    onBehalfOf: ref.optional(),
    reason: text().optional(),
    /** Entries of the launch-blocking list accepted as risks (by their key), each with a justification. */
    acceptRisks: z
      .array(z.object({ key: z.string().min(1).max(200), justification: text() }).strict())
      .max(1000)
      .default([]),
  },
  (cmd, ctx) => {
    if (cmd.decision === 'no_go' && !cmd.reason) needs(ctx, 'reason', 'a no-go needs a reason');
    if (cmd.decision === 'no_go' && cmd.acceptRisks.length > 0) needs(ctx, 'acceptRisks', 'only a go accepts risks');
  },
);

// Live
const incidentUrl = { incidentId: ref };
export const reportIncident = commandPair(
  'reportIncident',
  {},
  {
    /** One of the template's incident types (`type` names the command itself). */
    incidentType: ref,
    severity: z.enum(severities),
    sessionId: ref.optional(),
    description: text(),
    location: text(300).optional(),
  },
);
export const acknowledgeIncident = commandPair('acknowledgeIncident', incidentUrl, { note: text().optional() });
export const updateIncidentStep = refinedPair(
  'updateIncidentStep',
  { ...incidentUrl, stepId: ref },
  { outcome: z.enum(['done', 'not_needed']), note: text().optional() },
  (cmd, ctx) => {
    if (cmd.outcome === 'not_needed' && !cmd.note) needs(ctx, 'note', 'say why the step is not needed');
  },
);
export const resolveIncident = commandPair('resolveIncident', incidentUrl, { resolution: text() });
export const reopenIncident = commandPair('reopenIncident', incidentUrl, { reason: text() });
export const handOverDuty = commandPair('handOverDuty', {}, { shiftId: ref, to: ref, note: text().optional() });

// Review
export const addLesson = commandPair(
  'addLesson',
  {},
  { title: text(300), observation: text(), recommendation: text().optional(), workGroup: ref.optional() },
);
export const addCorrectiveAction = commandPair('addCorrectiveAction', {}, (instant) => ({
  title: text(300),
  /** The owner unit: its members close the action like any item. */
  unit: ref,
  due: instant,
  lessonId: ref.optional(),
}));
export const carryOverCorrectiveAction = commandPair('carryOverCorrectiveAction', itemUrl, { reason: text() });

/** Sent by the check activity (actor `system:checks`), never through the HTTP API. */
export const recordCheckResult = commandPair(
  'recordCheckResult',
  { itemId: ref },
  { runAt: anyInstantSchema, result: checkResultSchema },
);

export const commandSchema = z.union([
  completeItemCommandSchema,
  signOffGateCommandSchema,
  delegateCommandSchema,
  revokeDelegationCommandSchema,
  startItem.command,
  blockItem.command,
  unblockItem.command,
  requestWaiver.command,
  decideWaiver.command,
  submitProgressReport.command,
  reschedule.command,
  cancel.command,
  recordDrillResult.command,
  waiveDrill.command,
  decideGoNoGo.command,
  reportIncident.command,
  acknowledgeIncident.command,
  updateIncidentStep.command,
  resolveIncident.command,
  reopenIncident.command,
  handOverDuty.command,
  addLesson.command,
  addCorrectiveAction.command,
  carryOverCorrectiveAction.command,
  recordCheckResult.command,
]);
export type Command = z.infer<typeof commandSchema>;
export type DelegateCommand = z.infer<typeof delegateCommandSchema>;
export type RevokeDelegationCommand = z.infer<typeof revokeDelegationCommandSchema>;
export type CommandOf<T extends Command['type']> = Extract<Command, { type: T }>;
export type CompleteItemCommand = z.infer<typeof completeItemCommandSchema>;
export type SignOffGateCommand = z.infer<typeof signOffGateCommandSchema>;

/** What every update carries: who asks, and what. The actor comes from authentication, never a request body. */
export const commandRequestSchema = <T extends z.ZodType>(command: T) =>
  z
    .object({
      actor: actorSchema,
      command,
      /** The client's Idempotency-Key: remembered with the result across continue-as-new. */
      idempotencyKey: z.string().min(1).max(128).optional(),
    })
    .strict();

/** The instants a command carries, by path: what `instantRangeRefusal` checks. */
function instantsOf(command: Command): { path: string[]; value: string | undefined }[] {
  switch (command.type) {
    case 'reschedule':
      return [
        { path: ['window', 'start'], value: command.window.start },
        { path: ['window', 'end'], value: command.window.end },
      ];
    case 'delegate':
      return [
        { path: ['validFrom'], value: command.validFrom },
        { path: ['validUntil'], value: command.validUntil },
      ];
    case 'requestWaiver':
      return [{ path: ['expiresAt'], value: command.expiresAt }];
    case 'addCorrectiveAction':
      return [{ path: ['due'], value: command.due }];
    default:
      return [];
  }
}

/**
 * A command whose instants fall outside the years RFC 3339 can write (what the HTTP body schemas
 * refuse; here for every other client): applied at admission only (`admissionRefusal`).
 */
export function instantRangeRefusal(command: Command): Rejection | undefined {
  const outside = instantsOf(command).filter(({ value }) => value !== undefined && !isInstantInRange(toMs(value)));
  if (outside.length === 0) return undefined;
  return rejection('INSTANT_OUT_OF_RANGE', 'an instant falls outside the years 0000–9999', {
    issues: outside.map(({ path }) => ({
      code: 'INSTANT_OUT_OF_RANGE',
      path,
      at: path.join('.'),
      message: 'an instant between 0000-01-01 and 9999-12-31 (UTC)',
    })),
  });
}
