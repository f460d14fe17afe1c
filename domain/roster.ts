import { formatPath, type ValidationIssue } from './issues';
import { maxDistinctRoleCover, ruleSatisfiable, systemRoles, type Person, type PlanTemplate } from './template';

/**
 * The people an event may start with. Each roster person is one entry of the
 * event's published participants (`participantKey`, 26 bytes of the 2 KiB a
 * search attribute value may hold), which bounds a roster at 75 people.
 */
export const MAX_ROSTER = 75;

export interface RosterIssue extends ValidationIssue {
  /** The gate nobody on the roster can pass, and the roles it lacks. */
  gate?: string;
  roles?: string[];
}

export type RosterProblem =
  | { code: 'ROSTER_INVALID'; issues: RosterIssue[] }
  | { code: 'ROSTER_UNSATISFIABLE'; gate: string; roles: string[]; issues: RosterIssue[] };

const issue = (code: string, path: (string | number)[], message: string, extra: Partial<RosterIssue> = {}) => ({
  code,
  path,
  at: formatPath(path),
  message,
  ...extra,
});

/** The roles a rule needs that no one of these people can bring (for `all`, the roles left unmatched). */
function missingRoles(rule: PlanTemplate['gates'][number]['approval'], signers: Person[]): string[] {
  const held = rule.roles.filter((role) => signers.some((p) => p.roles.includes(role)));
  const unheld = rule.roles.filter((role) => !held.includes(role));
  if (rule.mode === 'all') {
    if (unheld.length > 0) return unheld;
    // Every role has a holder, but not a distinct one each: the roles are short of people together.
    return maxDistinctRoleCover(rule.roles, signers) < rule.roles.length ? rule.roles : [];
  }
  return rule.roles;
}

/**
 * Why an event may not start with this roster, or undefined when it may.
 * Structure first (size, each person once, known units and roles), then
 * whether someone can pass every gate: each approval rule must be satisfiable
 * by the people who can sign (viewers never act), and a gate that waits for
 * drill scenarios needs someone holding an evaluator role. A roster that
 * fails this would leave the event stuck in a phase no one can end.
 */
export function rosterProblem(
  template: PlanTemplate,
  roster: readonly Person[],
  at: string = 'roster',
): RosterProblem | undefined {
  const structural: RosterIssue[] = [];
  if (roster.length > MAX_ROSTER) {
    structural.push(issue('ROSTER_TOO_LARGE', [at], `a roster holds at most ${MAX_ROSTER} people`));
  }
  const roles = new Set<string>([...template.roles.map((r) => r.id), ...systemRoles]);
  const units = new Set(template.units.map((u) => u.id));
  const seen = new Set<string>();
  roster.forEach((person, i) => {
    if (seen.has(person.id)) {
      structural.push(issue('ROSTER_DUPLICATE_PERSON', [at, i, 'id'], `"${person.id}" is on the roster twice`));
    }
    seen.add(person.id);
    person.roles.forEach((role, j) => {
      if (!roles.has(role)) structural.push(issue('UNKNOWN_REFERENCE', [at, i, 'roles', j], `unknown role "${role}"`));
    });
    person.units.forEach((unit, j) => {
      if (!units.has(unit)) structural.push(issue('UNKNOWN_REFERENCE', [at, i, 'units', j], `unknown unit "${unit}"`));
    });
  });
  if (structural.length > 0) return { code: 'ROSTER_INVALID', issues: structural };

  const actors = roster.filter((p) => !p.roles.includes('viewer'));
  const evaluators = template.drills?.evaluatorRoles ?? [];
  const unsatisfiable: RosterIssue[] = template.gates.flatMap((gate) => {
    const found: RosterIssue[] = [];
    if (!ruleSatisfiable(gate.approval, actors)) {
      const lacking = missingRoles(gate.approval, actors);
      found.push(
        issue(
          'GATE_UNSATISFIABLE',
          [at],
          `no one on the roster can pass gate "${gate.id}": it lacks ${lacking.join(', ')}`,
          {
            gate: gate.id,
            roles: lacking,
          },
        ),
      );
    }
    if (gate.scenarios.length > 0 && !actors.some((p) => p.roles.some((r) => evaluators.includes(r)))) {
      found.push(
        issue('GATE_UNSATISFIABLE', [at], `no one on the roster can evaluate the drills gate "${gate.id}" waits for`, {
          gate: gate.id,
          roles: evaluators,
        }),
      );
    }
    return found;
  });
  const first = unsatisfiable[0];
  if (first) return { code: 'ROSTER_UNSATISFIABLE', gate: first.gate!, roles: first.roles!, issues: unsatisfiable };
  return undefined;
}
