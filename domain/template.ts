import { z } from 'zod';
import { checkSpecSchema } from './checks';
import { phases } from './phases';
import { isValidTimeZone } from './time';
import { instantSchema } from './instant';

/**
 * Plan templates: the reusable description of an event's readiness plan.
 * A running event keeps a snapshot of the parsed template, so everything here
 * must be JSON-safe.
 */

const id = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'ids are lower-case letters, digits, ".", "_" and "-"');
const label = z.string().trim().min(1).max(300);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour clock time such as "17:00"');

/** Relative to the event start (or end) in the event's time zone, or an absolute instant. */
export const dueSchema = z.union([
  z
    .object({
      daysBefore: z.number().int().min(0).max(3650),
      at: clock.optional(),
      from: z.enum(['start', 'end']).default('start'),
    })
    .strict(),
  z
    .object({
      daysAfter: z.number().int().min(0).max(3650),
      at: clock.optional(),
      from: z.enum(['start', 'end']).default('start'),
    })
    .strict(),
  z.object({ absolute: instantSchema }).strict(),
]);
export type Due = z.infer<typeof dueSchema>;

/** A length of time, written the way people say it: `{ days: 7 }`, `{ hours: 4 }`. */
export const durationSchema = z
  .object({
    days: z.number().int().min(0).max(3650).optional(),
    hours: z.number().int().min(0).max(100_000).optional(),
    minutes: z.number().int().min(0).max(1_000_000).optional(),
    seconds: z.number().int().min(0).max(10_000_000).optional(),
  })
  .strict()
  .refine((d) => durationMs(d) > 0, 'a duration longer than zero, e.g. { days: 1 }');
export type Duration = z.infer<typeof durationSchema>;

export function durationMs(d: { days?: number; hours?: number; minutes?: number; seconds?: number }): number {
  return ((((d.days ?? 0) * 24 + (d.hours ?? 0)) * 60 + (d.minutes ?? 0)) * 60 + (d.seconds ?? 0)) * 1000;
}

/** A deadline relative to the event (not absolute): review cadences start from one. */
const relativeDueSchema = z.union([dueSchema.options[0], dueSchema.options[1]]);

export const systemRoles = ['planner', 'admin', 'viewer', 'duty-officer'] as const;

/** Severity of a drill scenario or an incident, least to most severe. */
export const severities = ['low', 'moderate', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/**
 * The HSEEP four-step rating of a capability target, best first: performed
 * without challenges (P), with some challenges (S), with major challenges (M),
 * unable to be performed (U).
 */
export const drillRatings = ['performed', 'some_challenges', 'major_challenges', 'unable'] as const;
export type DrillRating = (typeof drillRatings)[number];

const drillsSchema = z
  .object({
    /** Who records drill results (evaluators, controllers). */
    evaluatorRoles: z.array(id).min(1),
    /** The worst rating that still passes; any target rated worse fails the scenario. */
    passRating: z.enum(drillRatings).default('some_challenges'),
    /** Deadline of remediation items a failed drill creates (a moment before the event). */
    remediationDue: dueSchema.default({ daysBefore: 2, from: 'start' }),
    /** Deadline of the re-test of a failed scenario. */
    retestDue: dueSchema.default({ daysBefore: 1, from: 'start' }),
    scenarios: z
      .array(
        z
          .object({
            id,
            title: label,
            severity: z.enum(severities),
            description: z.string().max(5000).optional(),
            /** Units taking part; remediation of a target without its own unit goes to the first. */
            units: z.array(id).min(1),
            /** When the drill begins (injects are timed from here); the deadline when omitted. */
            start: dueSchema.optional(),
            /** By when a passing result must be recorded. */
            due: dueSchema,
            injects: z
              .array(
                z
                  .object({
                    /** Time after the drill's start; at the start when omitted. */
                    after: durationSchema.optional(),
                    title: label,
                    description: z.string().max(2000).optional(),
                  })
                  .strict(),
              )
              .max(100)
              .default([]),
            targets: z
              .array(z.object({ id, title: label, unit: id.optional() }).strict())
              .min(1)
              .max(50),
          })
          .strict(),
      )
      .min(1)
      .max(200),
  })
  .strict();

const incidentsSchema = z
  .object({
    /** An incident nobody acknowledged within this is escalated again, one step further each time. */
    acknowledgeWithin: durationSchema.default({ minutes: 15 }),
    procedures: z
      .array(
        z
          .object({
            id,
            title: label,
            steps: z
              .array(z.object({ id, title: label, unit: id }).strict())
              .min(1)
              .max(50),
          })
          .strict(),
      )
      .max(200)
      .default([]),
    types: z
      .array(z.object({ id, title: label, procedure: id.optional() }).strict())
      .min(1)
      .max(200),
  })
  .strict();

/** A window of the event relative to its start or end (sessions, duty shifts). */
const windowShape = { id, title: label, start: dueSchema, end: dueSchema };

export const approvalRuleSchema = z.discriminatedUnion('mode', [
  /** Every listed role signs, each by a different person. */
  z.object({ mode: z.literal('all'), roles: z.array(id).min(1) }).strict(),
  /** One signature from anyone holding a listed role. */
  z.object({ mode: z.literal('any'), roles: z.array(id).min(1) }).strict(),
  /** N distinct people holding any listed role. */
  z.object({ mode: z.literal('quorum'), count: z.number().int().min(1), roles: z.array(id).min(1) }).strict(),
  /** A percentage of the roster's holders of the listed roles. */
  z.object({ mode: z.literal('percent'), percent: z.number().min(1).max(100), roles: z.array(id).min(1) }).strict(),
]);
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

export const personSchema = z
  .object({
    id,
    name: label,
    roles: z.array(id).default([]),
    units: z.array(id).default([]),
    /** Where notifications for this person's units and roles are emailed (when the worker has SMTP). */
    email: z.email().max(254).optional(),
  })
  .strict();
export type Person = z.infer<typeof personSchema>;

const templateShape = z
  .object({
    id,
    title: label,
    description: z.string().max(5000).optional(),
    source: z.string().max(1000).optional(),
    defaultTimeZone: z.string().refine(isValidTimeZone, 'an IANA time zone such as "Asia/Ho_Chi_Minh"').optional(),
    roles: z.array(z.object({ id, title: label }).strict()).min(1),
    units: z.array(z.object({ id, title: label, parent: id.optional() }).strict()).min(1),
    workGroups: z.array(z.object({ id, title: label, unit: id }).strict()).min(1),
    items: z
      .array(
        z
          .object({
            id,
            title: label,
            workGroup: id,
            unit: id.optional(),
            phase: z.enum(phases),
            due: dueSchema,
            dependsOn: z.array(id).default([]),
            evidenceRequired: z.boolean().default(false),
            /** Reminders before the deadline; the template's `defaultReminders` when omitted. */
            reminders: z.array(durationSchema).max(10).optional(),
            /** An automated check: a pass completes the item, a fail blocks it, a later fail reopens it. */
            check: checkSpecSchema.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(5000),
    gates: z
      .array(
        z
          .object({
            id,
            title: label,
            phase: z.enum(phases),
            /** Items that must be done or waived before the gate opens. */
            covers: z.array(id).default([]),
            /** Drill scenarios that must pass (or have their failure waived) before the gate opens. */
            scenarios: z.array(id).default([]),
            approval: approvalRuleSchema,
            /** Separation of duties: whoever completed a covered item may not approve this gate. */
            forbidCompleterApproval: z.boolean().default(false),
            /** What a rejection sends back to rework: the items the rejection names, or every covered item. */
            rework: z.enum(['named', 'all']).default('named'),
            due: dueSchema.optional(),
          })
          .strict(),
      )
      .default([]),
    people: z.array(personSchema).default([]),
    defaultReminders: z.array(durationSchema).max(10).default([]),
    /**
     * Escalation chain for overdue items and gates: after each step's delay past
     * the deadline, the step's role is notified (in the owner unit or the
     * nearest parent unit that has a holder; else every holder of the role).
     */
    escalation: z
      .array(z.object({ after: durationSchema, role: id }).strict())
      .max(10)
      .default([]),
    /** Progress reviews: from each cadence's start, a review every `every`; units report within `reportWithin`. */
    reviews: z
      .object({
        cadence: z
          .array(z.object({ from: relativeDueSchema, every: durationSchema }).strict())
          .min(1)
          .max(10),
        reportWithin: durationSchema.default({ hours: 24 }),
      })
      .strict()
      .optional(),
    /** Drill programme of the rehearsal phase. */
    drills: drillsSchema.optional(),
    /** Sessions of the event (opening, plenary, closing…), with their weight for the after-action record. */
    sessions: z
      .array(z.object({ ...windowShape, weight: z.number().min(0).max(100).default(1) }).strict())
      .max(200)
      .default([]),
    /** Incident types and the procedures duty staff follow for them. */
    incidents: incidentsSchema.optional(),
    /** Operational periods of the duty roster: each begins with a handover. */
    dutyShifts: z.array(z.object(windowShape).strict()).max(500).default([]),
  })
  .strict();

type TemplateShape = z.infer<typeof templateShape>;

/** Cross-reference rules that zod's shape cannot express, each reported at its exact path. */
function checkReferences(t: TemplateShape, ctx: z.RefinementCtx): void {
  const report = (path: (string | number)[], message: string, code: string) =>
    ctx.addIssue({ code: 'custom', path, message, params: { code } });

  const indexIds = (list: { id: string }[], path: string | string[]) => {
    const seen = new Set<string>();
    list.forEach((entry, i) => {
      if (seen.has(entry.id)) report([...[path].flat(), i, 'id'], `duplicate id "${entry.id}"`, 'DUPLICATE_ID');
      seen.add(entry.id);
    });
    return seen;
  };
  const roleIds = indexIds(t.roles, 'roles');
  for (const role of systemRoles) roleIds.add(role);
  const unitIds = indexIds(t.units, 'units');
  const groupIds = indexIds(t.workGroups, 'workGroups');
  const itemIds = indexIds(t.items, 'items');
  indexIds(t.gates, 'gates');
  indexIds(t.people, 'people');

  t.units.forEach((unit, i) => {
    if (unit.parent && !unitIds.has(unit.parent))
      report(['units', i, 'parent'], `unknown unit "${unit.parent}"`, 'UNKNOWN_REFERENCE');
  });
  t.workGroups.forEach((group, i) => {
    if (!unitIds.has(group.unit))
      report(['workGroups', i, 'unit'], `unknown unit "${group.unit}"`, 'UNKNOWN_REFERENCE');
  });
  t.items.forEach((item, i) => {
    if (!groupIds.has(item.workGroup))
      report(['items', i, 'workGroup'], `unknown work group "${item.workGroup}"`, 'UNKNOWN_REFERENCE');
    if (item.unit && !unitIds.has(item.unit))
      report(['items', i, 'unit'], `unknown unit "${item.unit}"`, 'UNKNOWN_REFERENCE');
    item.dependsOn.forEach((dep, j) => {
      if (!itemIds.has(dep)) report(['items', i, 'dependsOn', j], `unknown item "${dep}"`, 'UNKNOWN_REFERENCE');
      else if (dep === item.id) report(['items', i, 'dependsOn', j], `item depends on itself`, 'DEPENDENCY_CYCLE');
    });
  });
  const cycle = findCycle(t.items);
  if (cycle) {
    const at = t.items.findIndex((item) => item.id === cycle[0]);
    report(['items', at, 'dependsOn'], `dependency cycle: ${cycle.join(' → ')}`, 'DEPENDENCY_CYCLE');
  }
  t.gates.forEach((gate, i) => {
    gate.covers.forEach((itemId, j) => {
      if (!itemIds.has(itemId)) report(['gates', i, 'covers', j], `unknown item "${itemId}"`, 'UNKNOWN_REFERENCE');
    });
    gate.approval.roles.forEach((role, j) => {
      if (!roleIds.has(role))
        report(['gates', i, 'approval', 'roles', j], `unknown role "${role}"`, 'UNKNOWN_REFERENCE');
    });
    if (t.people.length > 0 && !ruleSatisfiable(gate.approval, t.people)) {
      report(['gates', i, 'approval'], `no one in the roster can satisfy this approval rule`, 'UNSATISFIABLE_RULE');
    }
  });
  t.escalation.forEach((step, i) => {
    if (!roleIds.has(step.role)) report(['escalation', i, 'role'], `unknown role "${step.role}"`, 'UNKNOWN_REFERENCE');
    const previous = t.escalation[i - 1];
    if (previous && durationMs(step.after) <= durationMs(previous.after)) {
      report(['escalation', i, 'after'], 'each escalation step comes later than the one before', 'ESCALATION_ORDER');
    }
  });
  t.gates.forEach((gate, i) => {
    if (!gate.due) return;
    gate.covers.forEach((itemId, j) => {
      const item = t.items.find((candidate) => candidate.id === itemId);
      if (item && dueAfter(item.due, gate.due!)) {
        report(['gates', i, 'covers', j], `item "${itemId}" is due after the gate that covers it`, 'DUE_AFTER_GATE');
      }
    });
  });
  const scenarioIds = indexIds(t.drills?.scenarios ?? [], ['drills', 'scenarios']);
  t.gates.forEach((gate, i) => {
    gate.scenarios.forEach((scenarioId, j) => {
      if (!scenarioIds.has(scenarioId))
        report(['gates', i, 'scenarios', j], `unknown drill scenario "${scenarioId}"`, 'UNKNOWN_REFERENCE');
    });
  });
  if (t.drills) checkDrills(t, t.drills, roleIds, unitIds, report);
  if (t.incidents) checkIncidents(t.incidents, unitIds, report);
  for (const key of ['sessions', 'dutyShifts'] as const) {
    indexIds(t[key], key);
    t[key].forEach((window, i) => {
      if (!dueAfter(window.end, window.start))
        report([key, i, 'end'], 'the end must come after the start (same anchor)', 'WINDOW_ORDER');
    });
  }
  t.people.forEach((person, i) => {
    person.roles.forEach((role, j) => {
      if (!roleIds.has(role)) report(['people', i, 'roles', j], `unknown role "${role}"`, 'UNKNOWN_REFERENCE');
    });
    person.units.forEach((unit, j) => {
      if (!unitIds.has(unit)) report(['people', i, 'units', j], `unknown unit "${unit}"`, 'UNKNOWN_REFERENCE');
    });
  });
}

type Report = (path: (string | number)[], message: string, code: string) => void;

function checkDrills(
  t: TemplateShape,
  drills: NonNullable<TemplateShape['drills']>,
  roleIds: Set<string>,
  unitIds: Set<string>,
  report: Report,
): void {
  drills.evaluatorRoles.forEach((role, j) => {
    if (!roleIds.has(role)) report(['drills', 'evaluatorRoles', j], `unknown role "${role}"`, 'UNKNOWN_REFERENCE');
  });
  drills.scenarios.forEach((scenario, i) => {
    const path = ['drills', 'scenarios', i];
    scenario.units.forEach((unit, j) => {
      if (!unitIds.has(unit)) report([...path, 'units', j], `unknown unit "${unit}"`, 'UNKNOWN_REFERENCE');
    });
    const targets = new Set<string>();
    scenario.targets.forEach((target, j) => {
      if (targets.has(target.id)) report([...path, 'targets', j, 'id'], `duplicate id "${target.id}"`, 'DUPLICATE_ID');
      targets.add(target.id);
      if (target.unit && !unitIds.has(target.unit))
        report([...path, 'targets', j, 'unit'], `unknown unit "${target.unit}"`, 'UNKNOWN_REFERENCE');
    });
    // A scenario no gate waits for could fail without anyone having to act on it.
    if (!t.gates.some((gate) => gate.scenarios.includes(scenario.id)))
      report([...path, 'id'], `no gate covers drill scenario "${scenario.id}"`, 'SCENARIO_NOT_GATED');
  });
}

function checkIncidents(
  incidents: NonNullable<TemplateShape['incidents']>,
  unitIds: Set<string>,
  report: Report,
): void {
  const procedures = new Set<string>();
  incidents.procedures.forEach((procedure, i) => {
    if (procedures.has(procedure.id))
      report(['incidents', 'procedures', i, 'id'], `duplicate id "${procedure.id}"`, 'DUPLICATE_ID');
    procedures.add(procedure.id);
    const steps = new Set<string>();
    procedure.steps.forEach((step, j) => {
      const path = ['incidents', 'procedures', i, 'steps', j];
      if (steps.has(step.id)) report([...path, 'id'], `duplicate id "${step.id}"`, 'DUPLICATE_ID');
      steps.add(step.id);
      if (!unitIds.has(step.unit)) report([...path, 'unit'], `unknown unit "${step.unit}"`, 'UNKNOWN_REFERENCE');
    });
  });
  const types = new Set<string>();
  incidents.types.forEach((type, i) => {
    if (types.has(type.id)) report(['incidents', 'types', i, 'id'], `duplicate id "${type.id}"`, 'DUPLICATE_ID');
    types.add(type.id);
    if (type.procedure && !procedures.has(type.procedure))
      report(['incidents', 'types', i, 'procedure'], `unknown procedure "${type.procedure}"`, 'UNKNOWN_REFERENCE');
  });
}

/**
 * Whether deadline `a` certainly falls after `b`, judged without an event
 * window: comparable when both are absolute, or both relative to the same
 * anchor (days, then time of day). Otherwise the check happens at event start.
 */
export function dueAfter(a: Due, b: Due): boolean {
  if ('absolute' in a || 'absolute' in b) {
    return 'absolute' in a && 'absolute' in b && new Date(a.absolute).getTime() > new Date(b.absolute).getTime();
  }
  if (a.from !== b.from) return false;
  const offset = (d: typeof a) => ('daysBefore' in d ? -d.daysBefore : d.daysAfter);
  if (offset(a) !== offset(b)) return offset(a) > offset(b);
  return a.at !== undefined && b.at !== undefined && a.at > b.at;
}

/** Depth-first search; returns the ids along the first cycle found, closed (a → b → a). */
function findCycle(items: { id: string; dependsOn: string[] }[]): string[] | undefined {
  const deps = new Map(items.map((item) => [item.id, item.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const dep of deps.get(node) ?? []) {
      if (dep === node || !deps.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const item of items) {
    const found = visit(item.id);
    if (found) return found;
  }
  return undefined;
}

/** Whether the given people could, by signing, satisfy the rule. */
export function ruleSatisfiable(rule: ApprovalRule, people: Pick<Person, 'id' | 'roles'>[]): boolean {
  const eligible = people.filter((p) => p.roles.some((r) => rule.roles.includes(r)));
  switch (rule.mode) {
    case 'any':
    case 'percent':
      return eligible.length > 0;
    case 'quorum':
      return eligible.length >= rule.count;
    case 'all':
      return maxDistinctRoleCover(rule.roles, eligible) === rule.roles.length;
  }
}

/**
 * Size of the largest assignment of roles to distinct people (bipartite
 * matching by augmenting paths), so that one person holding two roles cannot
 * sign for both.
 */
export function maxDistinctRoleCover(roles: string[], people: Pick<Person, 'id' | 'roles'>[]): number {
  const holderOf = new Map<string, string>(); // personId -> role
  const roleHolder = new Map<string, string>(); // role -> personId
  const tryAssign = (role: string, seen: Set<string>): boolean => {
    for (const person of people) {
      if (!person.roles.includes(role) || seen.has(person.id)) continue;
      seen.add(person.id);
      const current = holderOf.get(person.id);
      if (current === undefined || tryAssign(current, seen)) {
        holderOf.set(person.id, role);
        roleHolder.set(role, person.id);
        return true;
      }
    }
    return false;
  };
  let matched = 0;
  for (const role of new Set(roles)) if (tryAssign(role, new Set())) matched++;
  return matched;
}

export const planTemplateSchema = templateShape.superRefine(checkReferences);
export type PlanTemplate = z.infer<typeof planTemplateSchema>;
/** What a template author writes (defaults not yet applied). */
export type PlanTemplateInput = z.input<typeof planTemplateSchema>;

/** The unit that owns an item: its own, else its work group's. */
export function itemUnit(template: PlanTemplate, item: PlanTemplate['items'][number]): string {
  return item.unit ?? template.workGroups.find((g) => g.id === item.workGroup)?.unit ?? '';
}
