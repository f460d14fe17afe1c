import { signingAuthority } from './authority';
import { type CommandOf } from './commands';
import { type Notification } from './effects';
import { rejection, type Rejection } from './errors';
import { notification } from './notifications';
import {
  isSettled,
  remindersPassed,
  resolveDue,
  type DrillAttempt,
  type DrillState,
  type EventState,
  type ItemState,
} from './state';
import { drillRatings, durationMs, type DrillRating, type Person, type PlanTemplate } from './template';
import { toIso, toMs } from './time';

/**
 * Rehearsal, after the HSEEP cycle: an evaluator rates each capability
 * target of a drill scenario; a target rated worse than the template's pass
 * rating fails the scenario, creates a remediation item for the responsible
 * unit and schedules a re-test, which can be recorded once the remediation is
 * settled. Gates wait for their scenarios to pass, or for their approvers to
 * waive a failure with a justification.
 */

export type Scenario = NonNullable<PlanTemplate['drills']>['scenarios'][number];

export type DrillResult =
  | { type: 'drillRecorded'; scenarioId: string; drill: DrillState; remediation: string[] }
  | { type: 'drillWaived'; scenarioId: string; drill: DrillState };

const DAY_MS = 86_400_000;
/** Phases in which drills are held and re-tested. */
const drillPhases = ['preparation', 'rehearsal'];

export function findScenario(state: EventState, scenarioId: string): Scenario | undefined {
  return state.template.drills?.scenarios.find((s) => s.id === scenarioId);
}

export const ratingWorseThan = (rating: DrillRating, threshold: DrillRating): boolean =>
  drillRatings.indexOf(rating) > drillRatings.indexOf(threshold);

export const isDrillSettled = (drill: DrillState | undefined): boolean =>
  drill?.status === 'passed' || drill?.status === 'waived';

/** Scenarios a gate waits for that have neither passed nor had their failure waived. */
export function unsettledScenarios(state: EventState, gate: PlanTemplate['gates'][number]): string[] {
  return gate.scenarios.filter((id) => !isDrillSettled(state.drills[id]));
}

/** The first work group of the unit, or of its nearest parent that has one. */
export function workGroupOfUnit(template: PlanTemplate, unit: string): string {
  let current: string | undefined = unit;
  const seen = new Set<string>();
  while (current && !seen.has(current)) {
    seen.add(current);
    const group = template.workGroups.find((g) => g.unit === current);
    if (group) return group.id;
    current = template.units.find((u) => u.id === current)?.parent;
  }
  return template.workGroups[0]!.id;
}

function openRemediation(state: EventState, drill: DrillState): string[] {
  return (drill.attempts.at(-1)?.remediation ?? []).filter((id) => !isSettled(state.items[id]));
}

export function checkDrillCommand(
  state: EventState,
  command: CommandOf<'recordDrillResult' | 'waiveDrill'>,
  person: Person,
  now: string,
): Rejection | undefined {
  const evaluators = state.template.drills?.evaluatorRoles ?? [];
  if (command.type === 'recordDrillResult' && !person.roles.some((r) => evaluators.includes(r))) {
    return rejection('NOT_EVALUATOR', `drill results are recorded by ${evaluators.join(', ')}`, { roles: evaluators });
  }
  const scenario = findScenario(state, command.scenarioId);
  const drill = state.drills[command.scenarioId];
  if (!scenario || !drill) return rejection('SCENARIO_NOT_FOUND', `no drill scenario "${command.scenarioId}"`);
  if (command.type === 'waiveDrill') {
    const gate = state.template.gates.find((g) => g.scenarios.includes(scenario.id));
    if (!gate) return rejection('NOT_GATE_APPROVER', `no gate covers drill scenario "${scenario.id}"`);
    const authority = signingAuthority(state, gate, person, command.onBehalfOf, now);
    if (!authority.ok) return authority.rejection;
    if (drill.status !== 'failed') {
      return rejection('DRILL_NOT_FAILED', `drill "${scenario.id}" is ${drill.status}: only a failure is waived`);
    }
    return undefined;
  }
  if (!drillPhases.includes(state.phase)) {
    return rejection('WRONG_PHASE', `drills are recorded in preparation or rehearsal; the event is ${state.phase}`);
  }
  if (isDrillSettled(drill))
    return rejection('DRILL_ALREADY_PASSED', `drill "${scenario.id}" is already ${drill.status}`);
  const open = openRemediation(state, drill);
  if (open.length > 0) {
    return rejection('REMEDIATION_OPEN', `re-test "${scenario.id}" once its remediation is settled`, { items: open });
  }
  const expected = scenario.targets.map((t) => t.id);
  const rated = command.ratings.map((r) => r.targetId);
  const missing = expected.filter((id) => !rated.includes(id));
  const unknown = rated.filter((id) => !expected.includes(id));
  if (missing.length > 0 || unknown.length > 0) {
    return rejection('DRILL_TARGETS_MISMATCH', `rate exactly the targets of "${scenario.id}"`, { missing, unknown });
  }
  return undefined;
}

export function applyDrillCommand(
  state: EventState,
  command: CommandOf<'recordDrillResult' | 'waiveDrill'>,
  person: Person,
  now: string,
): { state: EventState; result: DrillResult; effects: Notification[] } {
  const scenario = findScenario(state, command.scenarioId)!;
  const before = state.drills[scenario.id]!;
  if (command.type === 'waiveDrill') {
    const gate = state.template.gates.find((g) => g.scenarios.includes(scenario.id))!;
    const authority = signingAuthority(state, gate, person, command.onBehalfOf, now);
    const onBehalfOf = authority.ok && authority.principal !== person.id ? authority.principal : undefined;
    const drill: DrillState = {
      ...before,
      status: 'waived',
      waiver: { by: person.id, ...(onBehalfOf ? { onBehalfOf } : {}), at: now, justification: command.justification },
    };
    return {
      state: { ...state, updatedAt: now, drills: { ...state.drills, [scenario.id]: drill } },
      result: { type: 'drillWaived', scenarioId: scenario.id, drill },
      effects: [],
    };
  }
  const drills = state.template.drills!;
  const failed = command.ratings.filter((r) => ratingWorseThan(r.rating, drills.passRating));
  const attemptNo = before.attempts.length + 1;
  const remediationDue = laterOf(resolveDue(drills.remediationDue, state.window), toIso(toMs(now) + DAY_MS));
  const template: PlanTemplate = { ...state.template, items: [...state.template.items] };
  const items: Record<string, ItemState> = { ...state.items };
  const remediation: { id: string; unit: string; title: string }[] = [];
  for (const rating of failed) {
    const target = scenario.targets.find((t) => t.id === rating.targetId)!;
    const unit = target.unit ?? scenario.units[0]!;
    const id = `remediation.${scenario.id}.${attemptNo}.${target.id}`;
    const item: PlanTemplate['items'][number] = {
      id,
      title: `${target.title} — ${scenario.title}`,
      workGroup: workGroupOfUnit(state.template, unit),
      unit,
      phase: 'rehearsal',
      due: { absolute: remediationDue },
      dependsOn: [],
      evidenceRequired: true,
    };
    template.items.push(item);
    items[id] = {
      status: 'todo',
      due: remediationDue,
      remindersSent: remindersPassed(template, item, remediationDue, now),
      origin: { kind: 'remediation', scenarioId: scenario.id, attempt: attemptNo, targetId: target.id },
    };
    remediation.push({ id, unit, title: item.title });
  }
  const attempt: DrillAttempt = {
    attempt: attemptNo,
    at: now,
    by: person.id,
    ratings: command.ratings,
    ...(command.observations ? { observations: command.observations } : {}),
    strengths: command.strengths,
    gaps: command.gaps,
    outcome: failed.length > 0 ? 'failed' : 'passed',
    remediation: remediation.map((r) => r.id),
  };
  const retestDue = laterOf(resolveDue(drills.retestDue, state.window), remediationDue);
  const drill: DrillState = {
    ...before,
    status: attempt.outcome,
    attempts: [...before.attempts, attempt],
    // A failure gives the scenario a new deadline, with a fresh escalation ladder.
    ...(attempt.outcome === 'failed' ? { due: retestDue, escalationLevel: 0 } : {}),
  };
  const effects: Notification[] = [];
  if (attempt.outcome === 'failed') {
    for (const r of remediation) {
      effects.push(
        notification(
          state,
          'remediationAssigned',
          { type: 'item', id: r.id },
          now,
          { units: [r.unit], roles: [] },
          r.title,
          {
            details: { due: remediationDue, scenarioId: scenario.id },
          },
        ),
      );
    }
    const approvers = state.template.gates.filter((g) => g.scenarios.includes(scenario.id));
    effects.push(
      notification(
        state,
        'drillFailed',
        { type: 'drill', id: scenario.id },
        now,
        { units: scenario.units, roles: approvers.flatMap((g) => g.approval.roles) },
        scenario.title,
        { details: { attempt: attemptNo, failedTargets: failed.map((r) => r.targetId), retestDue } },
      ),
    );
  }
  return {
    state: { ...state, template, items, updatedAt: now, drills: { ...state.drills, [scenario.id]: drill } },
    result: { type: 'drillRecorded', scenarioId: scenario.id, drill, remediation: attempt.remediation },
    effects,
  };
}

const laterOf = (a: string, b: string): string => (toMs(a) >= toMs(b) ? a : b);

/** The instants a scenario's injects fall at, from its start (its deadline when it has no start). */
export function injectSchedule(state: EventState, scenario: Scenario) {
  const start = toMs(resolveDue(scenario.start ?? scenario.due, state.window));
  return scenario.injects.map((inject) => ({
    title: inject.title,
    ...(inject.description ? { description: inject.description } : {}),
    at: toIso(start + (inject.after ? durationMs(inject.after) : 0)),
  }));
}
