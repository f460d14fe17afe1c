import { type Command } from './commands';
import { rejection, type Rejection } from './errors';
import { fingerprint } from './fingerprint';
import { isPlanner, type Actor, type EventState } from './state';
import { itemUnit, type Person, type PlanTemplate } from './template';
import { type EventView } from './views';

/** Who is reading: the authenticated person and the grants their token carries. */
export interface Reader {
  id: string;
  roles: string[];
  units: string[];
  /** Program-wide read grants; '*' reads every program. */
  programs: string[];
}

export type ReadAccess = { level: 'full' } | { level: 'scoped'; units: string[]; roles: string[] } | { level: 'none' };

/**
 * Planners and admins read everything; so does anyone granted the event's
 * program. Everyone else reads an event only if they are on its roster, and
 * then only what their units or roles touch (from the roster, not the token).
 */
export function readAccess(state: EventState, reader: Reader): ReadAccess {
  if (reader.roles.includes('admin') || reader.roles.includes('planner')) return { level: 'full' };
  if (reader.programs.includes('*') || (state.program !== undefined && reader.programs.includes(state.program))) {
    return { level: 'full' };
  }
  const person = state.roster.find((p) => p.id === reader.id);
  if (!person) return { level: 'none' };
  return { level: 'scoped', units: person.units, roles: person.roles };
}

export type ListAccess = { all: true } | { all: false; participants: string[]; programs: string[] };

/**
 * The `ReadinessParticipants` entry that lists an event to a person of its
 * roster: a fingerprint of the id (like `delegateKey`), so that no person id
 * is stored in clear in the visibility store. Pseudonymous, not secret.
 */
export function participantKey(personId: string): string {
  return `person:${fingerprint({ person: personId })}`;
}

/** What an event publishes as its participants: one key per roster person, sorted. */
export function rosterParticipants(roster: readonly Pick<Person, 'id'>[]): string[] {
  return [...new Set(roster.map((p) => participantKey(p.id)))].sort();
}

/**
 * Which events a reader finds in lists: the same rule as `readAccess`, said
 * in terms a visibility query can use, because lists cannot load each
 * event's roster. Full readers list everything; anyone else lists the events
 * whose roster holds them (their `participantKey` among the published
 * participants) or whose program they may read. Unit and role claims never
 * widen a list: the roster decides, as it does for reads.
 */
export function listAccess(reader: Reader): ListAccess {
  if (reader.roles.includes('admin') || reader.roles.includes('planner') || reader.programs.includes('*')) {
    return { all: true };
  }
  return { all: false, participants: [participantKey(reader.id)], programs: reader.programs };
}

/** Duty staff work incidents and hand over duty: duty officers, planners and admins. */
export const isDutyStaff = (person: Person): boolean => person.roles.includes('duty-officer') || isPlanner(person);

/** The planner who started the event can always cancel it, on the roster or not, whatever the roster gives them. */
export const startedEvent = (state: EventState, actorId: string): boolean => state.createdBy === actorId;

/** The starter of an event who is not on its roster, as the person a cancel is recorded under. */
export const starterAsPerson = (actor: Actor): Person => ({
  id: actor.id,
  name: actor.name ?? actor.id,
  roles: [],
  units: [],
});

const rolesOf = (gates: readonly PlanTemplate['gates'][number][]): string[] => [
  ...new Set(gates.flatMap((g) => g.approval.roles)),
];
const holdsAny = (person: Person, roles: readonly string[]) => person.roles.some((r) => roles.includes(r));

/**
 * Whether the person could ever run a command of this kind in this event,
 * from their roster entry alone: checked before anything that depends on what
 * exists or on the phase, so that someone without the authority learns
 * nothing about the event's items, gates, reviews or incidents from a
 * refusal. Commands whose authority depends on their target (an item's
 * owner unit, a gate's approver roles, an incident step's unit) check the
 * target afterwards; this refuses those who hold no unit or role that any
 * target of the kind would accept. Never stricter than the commands' own
 * rules: every command they accept passes here.
 */
export function commandAuthority(state: EventState, command: Command, person: Person): Rejection | undefined {
  const { template } = state;
  switch (command.type) {
    case 'completeItem':
    case 'startItem':
    case 'blockItem':
    case 'unblockItem':
    case 'requestWaiver': {
      // Planners may ask for a waiver on any item; everything else is the owner unit's.
      if (command.type === 'requestWaiver' && isPlanner(person)) return undefined;
      const owners = new Set(template.items.map((item) => itemUnit(template, item)));
      if (person.units.some((u) => owners.has(u))) return undefined;
      return rejection('NOT_ITEM_OWNER', `"${person.id}" belongs to no unit that owns items of this event`);
    }
    case 'decideWaiver': {
      const roles = rolesOf(template.gates);
      if (holdsAny(person, roles)) return undefined;
      return rejection('NOT_WAIVER_APPROVER', `waivers are decided by ${roles.join(', ') || 'no role'}`, { roles });
    }
    case 'signOffGate':
    case 'decideGoNoGo':
    case 'waiveDrill': {
      if (command.onBehalfOf !== undefined && command.onBehalfOf !== person.id) {
        if (state.delegations.some((d) => d.to === person.id && !d.revokedAt)) return undefined;
        return rejection('NO_ACTIVE_DELEGATION', `no delegation from "${command.onBehalfOf}" to "${person.id}"`);
      }
      const gates =
        command.type === 'signOffGate'
          ? template.gates
          : command.type === 'decideGoNoGo'
            ? template.gates.filter((g) => g.phase === 'readiness')
            : template.gates.filter((g) => g.scenarios.length > 0);
      const roles = rolesOf(gates);
      if (holdsAny(person, roles)) return undefined;
      return rejection('NOT_GATE_APPROVER', `these gates are signed by ${roles.join(', ') || 'no role'}`, { roles });
    }
    case 'delegate':
      if (holdsAny(person, rolesOf(template.gates))) return undefined;
      return rejection('NOT_AN_APPROVER', `"${person.id}" holds no approver role to delegate`);
    case 'revokeDelegation':
      if (person.roles.includes('admin') || state.delegations.some((d) => d.from === person.id)) return undefined;
      return rejection('NOT_DELEGATOR', 'only the delegator or an admin can revoke a delegation');
    case 'submitProgressReport':
      if (person.units.includes(command.unit)) return undefined;
      return rejection('NOT_UNIT_MEMBER', `"${person.id}" does not belong to unit "${command.unit}"`);
    case 'reschedule':
      if (isPlanner(person)) return undefined;
      return rejection('NOT_PLANNER', `only planners ${command.type} an event`);
    case 'cancel':
      if (isPlanner(person) || startedEvent(state, person.id)) return undefined;
      return rejection('NOT_PLANNER', `only planners ${command.type} an event`);
    case 'recordDrillResult': {
      const evaluators = template.drills?.evaluatorRoles ?? [];
      if (holdsAny(person, evaluators)) return undefined;
      return rejection('NOT_EVALUATOR', `drill results are recorded by ${evaluators.join(', ') || 'no role'}`, {
        roles: evaluators,
      });
    }
    case 'reportIncident':
      // Anyone on duty in a unit may raise the alarm; viewers were refused before this.
      if (isDutyStaff(person) || person.units.length > 0) return undefined;
      return rejection('NOT_DUTY_STAFF', 'incidents are reported by duty staff or unit members');
    case 'updateIncidentStep': {
      if (isDutyStaff(person)) return undefined;
      const stepUnits = new Set([
        ...(template.incidents?.procedures ?? []).flatMap((p) => p.steps.map((s) => s.unit)),
        ...state.incidents.flatMap((i) => i.steps.map((s) => s.unit)),
      ]);
      if (person.units.some((u) => stepUnits.has(u))) return undefined;
      return rejection('NOT_UNIT_MEMBER', `"${person.id}" belongs to no unit with incident steps`);
    }
    case 'acknowledgeIncident':
    case 'resolveIncident':
    case 'reopenIncident':
      if (isDutyStaff(person)) return undefined;
      return rejection('NOT_DUTY_STAFF', `only duty staff ${command.type} incidents`);
    case 'handOverDuty':
      if (isDutyStaff(person)) return undefined;
      return rejection('NOT_DUTY_STAFF', 'duty is handed over by duty officers');
    case 'addLesson':
    case 'addCorrectiveAction':
    case 'carryOverCorrectiveAction':
      if (isPlanner(person)) return undefined;
      return rejection('NOT_PLANNER', `only planners ${command.type}`);
    case 'recordCheckResult':
      return rejection('NOT_SYSTEM', 'check results are recorded by the check activity');
  }
}

/** The part of the view a scoped reader may see; overall progress stays, details narrow. */
export function scopeView(
  view: EventView,
  access: ReadAccess,
  readerId: string,
): EventView & { scope: 'full' | 'scoped' } {
  if (access.level !== 'scoped') return { ...view, scope: 'full' };
  const items = view.items.filter((item) => access.units.includes(item.unit));
  const itemIds = new Set(items.map((i) => i.id));
  return {
    ...view,
    scope: 'scoped',
    items,
    workGroups: view.workGroups.filter((g) => items.some((i) => i.workGroup === g.id)),
    gates: view.gates.filter(
      (g) => g.approval.roles.some((r) => access.roles.includes(r)) || g.covers.some((id) => itemIds.has(id)),
    ),
    overdue: view.overdue.filter((o) => itemIds.has(o.id)),
    units: view.units.filter((u) => access.units.includes(u.id)),
    overdueReports: view.overdueReports.filter((r) => access.units.includes(r.unit)),
    blockers: view.blockers.filter((b) => itemIds.has(b.id)),
    waiversPending: view.waiversPending.filter((w) => itemIds.has(w.id)),
    reviews: view.reviews.map((review) => ({
      ...review,
      agenda: {
        blockers: review.agenda.blockers.filter((b) => access.units.includes(b.unit)),
        overdue: review.agenda.overdue.filter((o) => access.units.includes(o.unit)),
      },
      reports: Object.fromEntries(Object.entries(review.reports).filter(([unit]) => access.units.includes(unit))),
    })),
    delegations: view.delegations.filter((d) => d.from === readerId || d.to === readerId),
    drills: view.drills.filter((d) => d.units.some((u) => access.units.includes(u))),
    launchBlocking: view.launchBlocking.filter((e) => access.units.includes(e.unit)),
    // Duty officers work every incident; others see those their units have steps in, or that they reported.
    incidents: access.roles.includes('duty-officer')
      ? view.incidents
      : view.incidents.filter(
          (i) => i.reportedBy === readerId || i.steps.some((step) => access.units.includes(step.unit)),
        ),
    correctiveActions: view.correctiveActions.filter((c) => access.units.includes(c.unit)),
  };
}
