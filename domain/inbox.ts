import { isDrillSettled, type Scenario } from './drills';
import { fingerprint } from './fingerprint';
import { gateIsOpen, missingRoles } from './gates';
import { waiverApproverRoles } from './items';
import { isTerminal } from './phases';
import { unacceptedBlockers } from './readiness';
import {
  isOpenStatus,
  isSettled,
  isSettledStatus,
  principalOf,
  type Delegation,
  type EventState,
  type GateState,
} from './state';
import { itemUnit, type Person, type PlanTemplate } from './template';

/**
 * What an event waits for, and from whom: the work of units (open items,
 * incident steps, drills to take part in, progress reports) and the decisions
 * of roles (gate sign-offs, go/no-go, waivers, drill evaluations). One source
 * for both the search attributes that let lists find an event by its pending
 * units and roles, and each person's inbox, so what the inbox shows can always
 * be found by them (tested in test/domain/inbox.test.ts).
 */

type Gate = PlanTemplate['gates'][number];

/** Phases in which drills are held, evaluated and re-tested. */
const drillPhases = new Set(['preparation', 'rehearsal']);

/**
 * The roles whose signature still counts toward the gate's rule. For `all`,
 * the roles nobody has signed for yet; when each role has a signature but the
 * rule is still unmet (one person held two roles), every role of the rule.
 */
function usefulRoles(gate: Gate, gateState: GateState): string[] {
  if (gate.approval.mode !== 'all') return gate.approval.roles;
  const missing = missingRoles(gate.approval, gateState.approvals);
  return missing.length > 0 ? missing : gate.approval.roles;
}

interface AwaitedGate {
  gate: Gate;
  state: GateState;
  kind: 'gate' | 'go-no-go';
  roles: string[];
}

/**
 * Gates a decision is awaited on now: sign-offs of the current phase whose
 * covered items and scenarios are settled, and in readiness its go/no-go
 * gates (decided on the launch-blocking list, whatever is still open).
 */
function awaitedGates(state: EventState): AwaitedGate[] {
  if (isTerminal(state.phase)) return [];
  return state.template.gates.flatMap((gate): AwaitedGate[] => {
    const gateState = state.gates[gate.id];
    if (!gateState || gateState.status === 'passed' || gate.phase !== state.phase) return [];
    if (gate.phase === 'readiness')
      return [{ gate, state: gateState, kind: 'go-no-go', roles: usefulRoles(gate, gateState) }];
    if (!gateIsOpen(state, gate.id)) return [];
    return [{ gate, state: gateState, kind: 'gate', roles: usefulRoles(gate, gateState) }];
  });
}

/** Items waiting for a waiver decision (open, with a request pending). */
function requestedWaivers(state: EventState) {
  if (isTerminal(state.phase)) return [];
  return state.template.items.filter((item) => {
    const s = state.items[item.id];
    return s !== undefined && !isSettledStatus(s.status) && s.waiver?.status === 'requested';
  });
}

/** Scenarios an evaluator can rate now: unsettled, in a drill phase, with no remediation still open. */
function scenariosAwaitingEvaluation(state: EventState): Scenario[] {
  if (!drillPhases.has(state.phase)) return [];
  return (state.template.drills?.scenarios ?? []).filter((scenario) => {
    const drill = state.drills[scenario.id];
    if (!drill || isDrillSettled(drill)) return false;
    return (drill.attempts.at(-1)?.remediation ?? []).every((id) => isSettled(state.items[id]));
  });
}

/** The units taking part in a scenario: its own and those of its targets. */
const scenarioUnits = (scenario: Scenario): string[] => [
  ...new Set([...scenario.units, ...scenario.targets.map((t) => t.unit ?? scenario.units[0]!)]),
];

/** Units expected to report on the latest progress review that have not reported yet. */
function reportsAwaited(state: EventState) {
  const review = state.reviews.at(-1);
  if (!review || isTerminal(state.phase)) return [];
  return review.expectedUnits.filter((unit) => !review.reports[unit]).map((unit) => ({ review, unit }));
}

const openIncidentSteps = (state: EventState) =>
  isTerminal(state.phase)
    ? []
    : state.incidents
        .filter((incident) => incident.status !== 'resolved')
        .flatMap((incident) => incident.steps.filter((s) => s.status === 'open').map((step) => ({ incident, step })));

/** Delegations not revoked and not yet over: those that may lend authority now or later. */
const liveDelegations = (state: EventState, now: string): Delegation[] =>
  state.delegations.filter((d) => !d.revokedAt && now < d.validUntil);

const coversGate = (d: Delegation, gate: AwaitedGate): boolean =>
  (!d.gates || d.gates.includes(gate.gate.id)) && d.roles.some((r) => gate.roles.includes(r));

export interface PendingWork {
  /** Units with work to do: open items, open incident steps, drills to take part in, reports to send. */
  units: string[];
  /** Roles a decision waits for: open gates of the phase, go/no-go, waivers, drill evaluations. */
  roles: string[];
  /** People holding a live delegation of a role some awaited gate needs (their ids, for `delegateKey`). */
  delegates: string[];
}

/** Who the event waits for, as sorted sets. Terminal events wait for nobody. */
export function pendingWork(state: EventState, now: string): PendingWork {
  if (isTerminal(state.phase)) return { units: [], roles: [], delegates: [] };
  const { template } = state;
  const units = new Set<string>();
  for (const item of template.items) {
    if (isOpenStatus(state.items[item.id]?.status)) units.add(itemUnit(template, item));
  }
  for (const { step } of openIncidentSteps(state)) units.add(step.unit);
  const evaluations = scenariosAwaitingEvaluation(state);
  for (const scenario of evaluations) for (const unit of scenarioUnits(scenario)) units.add(unit);
  for (const { unit } of reportsAwaited(state)) units.add(unit);

  const gates = awaitedGates(state);
  const roles = new Set<string>(gates.flatMap((g) => g.roles));
  for (const item of requestedWaivers(state)) for (const role of waiverApproverRoles(state, item.id)) roles.add(role);
  if (evaluations.length > 0) for (const role of template.drills?.evaluatorRoles ?? []) roles.add(role);

  const delegates = new Set(
    liveDelegations(state, now)
      .filter((d) => gates.some((g) => coversGate(d, g)))
      .map((d) => d.to),
  );
  const sorted = (set: Set<string>) => [...set].filter((v) => v !== '').sort();
  return { units: sorted(units), roles: sorted(roles), delegates: sorted(delegates) };
}

/**
 * The pending-roles entry that finds a delegate's events: a fingerprint of the
 * person id, so that no person id is stored in clear in the visibility store.
 * Pseudonymous, not secret: anyone who knows an id can compute its key.
 */
export function delegateKey(personId: string): string {
  return `delegate:${fingerprint({ delegate: personId })}`;
}

export const inboxTaskKinds = [
  'incident-step',
  'item',
  'review-report',
  'drill',
  'gate',
  'go-no-go',
  'waiver',
  'drill-evaluation',
] as const;
export type InboxTaskKind = (typeof inboxTaskKinds)[number];

export interface InboxTask {
  eventId: string;
  kind: InboxTaskKind;
  /** The subject: item, gate, drill scenario, incident step or review id. */
  id: string;
  title: string;
  /** Absent when the task has no deadline (incident steps, gates without one). */
  due?: string;
  overdue: boolean;
  escalationLevel: number;
  /** The unit the work belongs to (unit tasks). */
  unit?: string;
  /** The caller's roles that make the decision theirs (role tasks), or the delegated roles. */
  roles?: string[];
  /** A decision the caller takes under a delegation: whose authority, which delegation. */
  onBehalfOf?: string;
  delegationId?: string;
  /** Item status, for item tasks; the incident, for incident steps. */
  status?: string;
  incidentId?: string;
  /** Go/no-go: entries of the launch-blocking list nobody has accepted as a risk yet. */
  blocking?: number;
}

const kindRank = new Map<string, number>(inboxTaskKinds.map((kind, i) => [kind, i]));

/**
 * Inbox order: open incident steps first (live operations come before the
 * plan), then by deadline, earliest first; tasks without a deadline last.
 * Ties by kind, event and subject, so the order is stable.
 */
export function compareTasks(a: InboxTask, b: InboxTask): number {
  const rank = (t: InboxTask) => (t.kind === 'incident-step' ? 0 : t.due !== undefined ? 1 : 2);
  return (
    rank(a) - rank(b) ||
    (a.due ?? '').localeCompare(b.due ?? '') ||
    kindRank.get(a.kind)! - kindRank.get(b.kind)! ||
    a.eventId.localeCompare(b.eventId) ||
    a.id.localeCompare(b.id) ||
    (a.onBehalfOf ?? '').localeCompare(b.onBehalfOf ?? '')
  );
}

/**
 * The tasks of one event awaiting a person, computed from the event's roster
 * (never from token claims): the open work of their units and the decisions
 * of their roles, or of roles delegated to them now. Someone not on the
 * roster, a viewer, or anyone in a closed event has none.
 */
export function inboxTasks(state: EventState, personId: string, now: string): InboxTask[] {
  const person = state.roster.find((p) => p.id === personId);
  if (!person || person.roles.includes('viewer') || isTerminal(state.phase)) return [];
  const { template, eventId } = state;
  const mine = new Set(person.units);
  const timing = (due: string | undefined, escalationLevel: number | undefined) => ({
    ...(due !== undefined ? { due } : {}),
    overdue: due !== undefined && due < now,
    escalationLevel: escalationLevel ?? 0,
  });
  const tasks: InboxTask[] = [];

  for (const item of template.items) {
    const s = state.items[item.id]!;
    const unit = itemUnit(template, item);
    if (!mine.has(unit) || !isOpenStatus(s.status)) continue;
    tasks.push({
      eventId,
      kind: 'item',
      id: item.id,
      title: item.title,
      ...timing(s.due, s.escalationLevel),
      unit,
      status: s.status,
    });
  }
  for (const { incident, step } of openIncidentSteps(state)) {
    if (!mine.has(step.unit)) continue;
    tasks.push({
      eventId,
      kind: 'incident-step',
      id: step.id,
      title: step.title,
      ...timing(undefined, incident.escalations),
      unit: step.unit,
      incidentId: incident.id,
      status: incident.status,
    });
  }
  const evaluations = scenariosAwaitingEvaluation(state);
  for (const scenario of evaluations) {
    const drill = state.drills[scenario.id]!;
    const unit = scenarioUnits(scenario).find((u) => mine.has(u));
    if (unit === undefined) continue;
    tasks.push({
      eventId,
      kind: 'drill',
      id: scenario.id,
      title: scenario.title,
      ...timing(drill.due, drill.escalationLevel),
      unit,
      status: drill.status,
    });
  }
  for (const { review, unit } of reportsAwaited(state)) {
    if (!mine.has(unit)) continue;
    tasks.push({
      eventId,
      kind: 'review-report',
      id: review.id,
      title: `Progress report for review ${review.id}`,
      ...timing(review.dueBy, review.missed?.includes(unit) ? 1 : 0),
      unit,
    });
  }

  for (const awaited of awaitedGates(state)) {
    const { gate, state: gateState, kind } = awaited;
    const signed = (principal: string) =>
      gateState.approvals.some((s) => s.by === person.id || principalOf(s) === principal);
    const base = {
      eventId,
      kind,
      id: gate.id,
      title: gate.title,
      ...timing(gateState.due, gateState.escalationLevel),
      ...(kind === 'go-no-go' ? { blocking: unacceptedBlockers(state, gate.id, now).length } : {}),
    };
    const own = person.roles.filter((r) => awaited.roles.includes(r));
    if (own.length > 0 && !signed(person.id)) tasks.push({ ...base, roles: own });
    for (const delegated of delegatedAuthority(state, person, awaited, now)) {
      if (!signed(delegated.principal)) tasks.push({ ...base, ...delegated.task });
    }
  }
  for (const item of requestedWaivers(state)) {
    const s = state.items[item.id]!;
    const roles = waiverApproverRoles(state, item.id);
    const own = person.roles.filter((r) => roles.includes(r));
    if (own.length === 0 || s.waiver!.requestedBy === person.id) continue;
    tasks.push({
      eventId,
      kind: 'waiver',
      id: item.id,
      title: item.title,
      ...timing(s.due, s.escalationLevel),
      unit: itemUnit(template, item),
      roles: own,
    });
  }
  const evaluatorRoles = person.roles.filter((r) => template.drills?.evaluatorRoles.includes(r));
  if (evaluatorRoles.length > 0) {
    for (const scenario of evaluations) {
      const drill = state.drills[scenario.id]!;
      tasks.push({
        eventId,
        kind: 'drill-evaluation',
        id: scenario.id,
        title: scenario.title,
        ...timing(drill.due, drill.escalationLevel),
        roles: evaluatorRoles,
        status: drill.status,
      });
    }
  }
  return tasks.sort(compareTasks);
}

/**
 * The gate decisions a person may take for others now: one per delegator
 * whose delegation is in force, covers the gate, and lends a role the
 * delegator holds on the roster and the gate still needs (the rule of
 * `signingAuthority`).
 */
function delegatedAuthority(state: EventState, person: Person, awaited: AwaitedGate, now: string) {
  const seen = new Set<string>();
  const out: { principal: string; task: Pick<InboxTask, 'onBehalfOf' | 'delegationId' | 'roles'> }[] = [];
  for (const d of state.delegations) {
    if (d.to !== person.id || d.revokedAt || now < d.validFrom || now >= d.validUntil || seen.has(d.from)) continue;
    if (d.gates && !d.gates.includes(awaited.gate.id)) continue;
    const principal = state.roster.find((p) => p.id === d.from);
    const roles = (principal?.roles ?? []).filter((r) => d.roles.includes(r) && awaited.roles.includes(r));
    if (!principal || roles.length === 0) continue;
    seen.add(d.from);
    out.push({ principal: d.from, task: { onBehalfOf: d.from, delegationId: d.id, roles } });
  }
  return out;
}
