import { z } from 'zod';
import { phases } from './phases';
import { isValidTimeZone } from './time';

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
  z.object({ absolute: z.iso.datetime({ offset: true }) }).strict(),
]);
export type Due = z.infer<typeof dueSchema>;

export const systemRoles = ['planner', 'admin', 'viewer', 'duty-officer'] as const;

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
            covers: z.array(id).min(1),
            approval: approvalRuleSchema,
            /** Separation of duties: whoever completed a covered item may not approve this gate. */
            forbidCompleterApproval: z.boolean().default(false),
            due: dueSchema.optional(),
          })
          .strict(),
      )
      .default([]),
    people: z.array(personSchema).default([]),
  })
  .strict();

type TemplateShape = z.infer<typeof templateShape>;

/** Cross-reference rules that zod's shape cannot express, each reported at its exact path. */
function checkReferences(t: TemplateShape, ctx: z.RefinementCtx): void {
  const report = (path: (string | number)[], message: string, code: string) =>
    ctx.addIssue({ code: 'custom', path, message, params: { code } });

  const indexIds = (list: { id: string }[], path: string) => {
    const seen = new Set<string>();
    list.forEach((entry, i) => {
      if (seen.has(entry.id)) report([path, i, 'id'], `duplicate id "${entry.id}"`, 'DUPLICATE_ID');
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
  t.people.forEach((person, i) => {
    person.roles.forEach((role, j) => {
      if (!roleIds.has(role)) report(['people', i, 'roles', j], `unknown role "${role}"`, 'UNKNOWN_REFERENCE');
    });
    person.units.forEach((unit, j) => {
      if (!unitIds.has(unit)) report(['people', i, 'units', j], `unknown unit "${unit}"`, 'UNKNOWN_REFERENCE');
    });
  });
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
