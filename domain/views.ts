import { injectSchedule, isDrillSettled } from './drills';
import { gateBlockers, gateWaitsFor, missingRoles } from './gates';
import { delegateKey, pendingWork } from './inbox';
import { onDuty } from './incidents';
import { isTerminal } from './phases';
import { launchBlockingList } from './readiness';
import { isOpenStatus, principalOf, resolveDue, type EventState } from './state';
import { itemUnit, type PlanTemplate } from './template';

/**
 * Read models derived from the state at a given instant. Derived, never
 * stored: what is overdue depends on when you ask.
 */
export function toEventView(state: EventState, now: string) {
  const { template } = state;
  const items = template.items.map((item) => {
    const s = state.items[item.id]!;
    return {
      id: item.id,
      title: item.title,
      workGroup: item.workGroup,
      unit: itemUnit(template, item),
      phase: item.phase,
      due: s.due,
      dependsOn: item.dependsOn,
      evidenceRequired: item.evidenceRequired,
      status: s.status,
      overdue: isOpenStatus(s.status) && s.due < now,
      escalationLevel: s.escalationLevel ?? 0,
      ...(s.startedBy ? { startedBy: s.startedBy, startedAt: s.startedAt } : {}),
      ...(s.blocked ? { blocked: s.blocked } : {}),
      ...(s.completedBy ? { completedBy: s.completedBy, completedAt: s.completedAt } : {}),
      ...(s.evidence?.length ? { evidence: s.evidence } : {}),
      ...(s.note ? { note: s.note } : {}),
      ...(s.waiver ? { waiver: s.waiver } : {}),
      ...(s.origin ? { origin: s.origin } : {}),
      ...(s.carriedOver ? { carriedOver: s.carriedOver } : {}),
    };
  });
  /** Done and waived both settle an item; the counts keep them apart. */
  const progressOf = (list: typeof items) => {
    const count = (status: string) => list.filter((i) => i.status === status).length;
    const settled = count('done') + count('waived') + count('carried_over');
    return {
      total: list.length,
      done: count('done'),
      waived: count('waived'),
      carriedOver: count('carried_over'),
      inProgress: count('in_progress'),
      blocked: count('blocked'),
      overdue: list.filter((i) => i.overdue).length,
      percent: list.length ? Math.round((settled / list.length) * 1000) / 10 : 100,
    };
  };
  const blockerOf = (i: (typeof items)[number]) => ({ id: i.id, unit: i.unit, workGroup: i.workGroup, ...i.blocked! });
  const workGroups = template.workGroups.map((group) => {
    const mine = items.filter((i) => i.workGroup === group.id);
    return {
      id: group.id,
      title: group.title,
      unit: group.unit,
      ...progressOf(mine),
      blockers: mine.filter((i) => i.blocked).map(blockerOf),
    };
  });
  const latestReview = state.reviews.at(-1);
  const units = template.units
    .map((unit) => {
      const mine = items.filter((i) => i.unit === unit.id);
      return {
        id: unit.id,
        title: unit.title,
        ...progressOf(mine),
        blockers: mine.filter((i) => i.blocked).map(blockerOf),
        // A unit that missed the latest progress review's report is itself overdue.
        missedReview: latestReview?.missed?.includes(unit.id) ? latestReview.id : undefined,
      };
    })
    .filter((u) => u.total > 0);
  const gates = template.gates.map((gate) => {
    const s = state.gates[gate.id]!;
    const { items: blockers, scenarios: scenarioBlockers } = gateWaitsFor(state, gate.id);
    const signed = new Set(s.approvals.map(principalOf));
    return {
      id: gate.id,
      title: gate.title,
      phase: gate.phase,
      covers: gate.covers,
      scenarios: gate.scenarios,
      kind: gate.phase === 'readiness' ? ('go-no-go' as const) : ('sign-off' as const),
      approval: gate.approval,
      status:
        s.status === 'passed'
          ? ('passed' as const)
          : blockers.length > 0 || (scenarioBlockers.length > 0 && gate.phase !== 'readiness')
            ? ('waiting' as const)
            : ('open' as const),
      waitingFor: blockers,
      waitingForScenarios: scenarioBlockers,
      ...(s.acceptedRisks?.length ? { acceptedRisks: s.acceptedRisks } : {}),
      approvals: s.approvals,
      rejections: s.rejections,
      missingRoles: s.status === 'passed' ? [] : missingRoles(gate.approval, s.approvals),
      eligibleSigners:
        s.status === 'passed'
          ? []
          : state.roster
              .filter((p) => !signed.has(p.id) && p.roles.some((r) => gate.approval.roles.includes(r)))
              .map((p) => p.id),
      ...(s.due ? { due: s.due } : {}),
      ...(s.passedAt ? { passedAt: s.passedAt } : {}),
    };
  });
  return {
    eventId: state.eventId,
    ...(state.program ? { program: state.program } : {}),
    template: { id: template.id, title: template.title, hash: state.templateHash },
    window: state.window,
    phase: state.phase,
    createdAt: state.createdAt,
    createdBy: state.createdBy,
    updatedAt: state.updatedAt,
    progress: progressOf(items),
    workGroups,
    units,
    gates,
    blockers: items.filter((i) => i.blocked).map(blockerOf),
    overdue: items
      .filter((i) => i.overdue)
      .map((i) => ({ id: i.id, unit: i.unit, due: i.due, escalationLevel: i.escalationLevel })),
    /** Units that missed the latest progress review's report: overdue themselves. */
    overdueReports: (latestReview?.missed ?? []).map((unit) => ({
      unit,
      reviewId: latestReview!.id,
      dueBy: latestReview!.dueBy,
    })),
    waiversPending: items
      .filter((i) => i.waiver?.status === 'requested')
      .map((i) => ({ id: i.id, unit: i.unit, ...i.waiver! })),
    reviews: state.reviews,
    ...(state.cancelled ? { cancelled: state.cancelled } : {}),
    ...(state.rescheduled?.length ? { rescheduled: state.rescheduled } : {}),
    delegations: state.delegations.map((d) => ({
      ...d,
      active: !d.revokedAt && d.validFrom <= now && now < d.validUntil,
    })),
    ...operationsView(state, now),
    correctiveActions: items.filter((i) => i.origin?.kind === 'corrective'),
    items,
  };
}

/** Rehearsal, readiness, live and review: what the second half of the lifecycle shows. */
function operationsView(state: EventState, now: string) {
  const { template, window } = state;
  const span = (w: { start: Parameters<typeof resolveDue>[0]; end: Parameters<typeof resolveDue>[0] }) => ({
    start: resolveDue(w.start, window),
    end: resolveDue(w.end, window),
  });
  const beforeLive = ['planning', 'preparation', 'rehearsal', 'readiness'].includes(state.phase);
  const current = onDuty(state);
  return {
    phaseChanges: state.phaseChanges,
    drills: (template.drills?.scenarios ?? []).map((scenario) => {
      const d = state.drills[scenario.id]!;
      return {
        id: scenario.id,
        title: scenario.title,
        severity: scenario.severity,
        units: scenario.units,
        status: d.status,
        due: d.due,
        overdue: !isDrillSettled(d) && d.due < now,
        escalationLevel: d.escalationLevel ?? 0,
        injects: injectSchedule(state, scenario),
        targets: scenario.targets,
        attempts: d.attempts,
        ...(d.waiver ? { waiver: d.waiver } : {}),
      };
    }),
    /** Empty once the event is live: by then the list has been decided on. */
    launchBlocking: beforeLive ? launchBlockingList(state, now) : [],
    ...(state.readiness ? { readiness: state.readiness } : {}),
    sessions: template.sessions.map((session) => ({
      id: session.id,
      title: session.title,
      weight: session.weight,
      ...span(session),
    })),
    incidents: state.incidents,
    openIncidents: state.incidents.filter((i) => i.status !== 'resolved').length,
    duty: {
      ...(current ? { onDuty: current } : {}),
      shifts: template.dutyShifts.map((shift) => ({ id: shift.id, title: shift.title, ...span(shift) })),
      handovers: state.handovers,
      missedHandovers: state.missedHandovers ?? [],
    },
    lessons: state.lessons,
  };
}
export type EventView = ReturnType<typeof toEventView>;

/**
 * Values for the event's search attributes: ids and numbers only, no free text.
 * Pending units and roles come from `pendingWork` (the inbox's own rules), so
 * a person's inbox can always find the events that wait for them; a delegate
 * is listed by `delegateKey` among the pending roles. `nextDeadline` is the
 * earliest upcoming deadline of open work (items, awaited gates, drills);
 * a closed or cancelled event has nothing pending or overdue.
 */
export function searchAttributeValues(state: EventState, now: string) {
  const { phase, program, template, eventStart, percentComplete, overdueCount } = searchAttributeValuesV1(state, now);
  const terminal = isTerminal(state.phase);
  const pending = pendingWork(state, now);
  const dues = [
    ...state.template.items.filter((i) => isOpenStatus(state.items[i.id]?.status)).map((i) => state.items[i.id]!.due),
    ...state.template.gates.flatMap((g) => {
      const s = state.gates[g.id];
      return s && s.status !== 'passed' && s.due ? [s.due] : [];
    }),
    ...Object.values(state.drills).flatMap((d) => (isDrillSettled(d) ? [] : [d.due])),
  ];
  const upcoming = terminal ? [] : dues.filter((d) => d >= now).sort();
  return {
    phase,
    program,
    template,
    eventStart,
    nextDeadline: upcoming[0],
    overdueCount: terminal ? 0 : overdueCount,
    openIncidents: state.incidents.filter((i) => i.status !== 'resolved').length,
    percentComplete,
    pendingUnits: pending.units,
    pendingRoles: [...pending.roles, ...pending.delegates.map(delegateKey)].sort(),
    participants: participantsOf(state.template),
  };
}

/**
 * The values published before pending work, incidents and gate deadlines
 * were (`patched('pending-work-attributes')`): frozen, because events
 * started before must replay the same upserts. Do not change.
 */
export function searchAttributeValuesV1(state: EventState, now: string) {
  const open = state.template.items.filter((item) => isOpenStatus(state.items[item.id]?.status));
  const pendingGates = state.template.gates.filter(
    (g) => g.phase === state.phase && state.gates[g.id]?.status !== 'passed' && gateBlockers(state, g.id).length === 0,
  );
  const dues = open.map((item) => state.items[item.id]!.due);
  const upcoming = dues.filter((d) => d >= now).sort();
  const total = state.template.items.length;
  return {
    phase: state.phase,
    program: state.program,
    template: state.template.id,
    eventStart: state.window.start,
    nextDeadline: upcoming[0],
    overdueCount: dues.filter((d) => d < now).length + (state.reviews.at(-1)?.missed?.length ?? 0),
    percentComplete: total ? Math.round(((total - open.length) / total) * 1000) / 10 : 100,
    pendingUnits: [
      ...new Set(
        open.map((item) => item.unit ?? state.template.workGroups.find((g) => g.id === item.workGroup)?.unit ?? ''),
      ),
    ].sort(),
    pendingRoles: [...new Set(pendingGates.flatMap((g) => g.approval.roles))].sort(),
    participants: participantsOf(state.template),
  };
}

/** `unit:<id>` and `role:<id>` of everything in the plan: whose lists the event belongs in. */
export function participantsOf(template: PlanTemplate): string[] {
  return [
    ...new Set([
      ...template.items.map((item) => `unit:${itemUnit(template, item)}`),
      ...template.gates.flatMap((g) => g.approval.roles.map((r) => `role:${r}`)),
    ]),
  ].sort();
}
