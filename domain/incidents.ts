import { type CommandOf } from './commands';
import { type Notification } from './effects';
import { rejection, type Rejection } from './errors';
import { isDutyStaff } from './access';
import { notification } from './notifications';
import { isPlanner, resolveDue, type EventState, type Handover, type Incident } from './state';
import { durationMs, type Person } from './template';
import { toIso, toMs } from './time';

/**
 * The event itself: incidents worked through their type's procedure, and
 * the duty roster's handovers. A critical incident escalates along the whole
 * chain at once; one nobody acknowledges escalates again, one step further,
 * every `acknowledgeWithin`.
 */

export type IncidentCommand = CommandOf<
  'reportIncident' | 'acknowledgeIncident' | 'updateIncidentStep' | 'resolveIncident' | 'reopenIncident'
>;

export type IncidentResult =
  { type: 'incidentUpdated'; incident: Incident } | { type: 'dutyHandedOver'; handover: Handover; onDuty: string };

const reportPhases = ['readiness', 'live'];
/** Incidents still open when the event ends are worked to the end in the review. */
const workPhases = ['readiness', 'live', 'review'];

export const onDuty = (state: EventState): string | undefined => state.handovers.at(-1)?.to;

export function checkIncidentCommand(
  state: EventState,
  command: IncidentCommand,
  person: Person,
): Rejection | undefined {
  if (command.type === 'reportIncident') {
    // Anyone on duty in a unit may raise the alarm; viewers were refused before this.
    if (!isDutyStaff(person) && person.units.length === 0) {
      return rejection('NOT_DUTY_STAFF', 'incidents are reported by duty staff or unit members');
    }
    if (!reportPhases.includes(state.phase)) {
      return rejection('WRONG_PHASE', `incidents are reported in readiness or live; the event is ${state.phase}`);
    }
    const types = state.template.incidents?.types ?? [];
    if (!types.some((t) => t.id === command.incidentType)) {
      return rejection('UNKNOWN_REFERENCE', `unknown incident type "${command.incidentType}"`, {
        path: ['incidentType'],
        known: types.map((t) => t.id),
      });
    }
    if (command.sessionId && !state.template.sessions.some((s) => s.id === command.sessionId)) {
      return rejection('UNKNOWN_REFERENCE', `unknown session "${command.sessionId}"`, { path: ['sessionId'] });
    }
    return undefined;
  }
  const incident = state.incidents.find((i) => i.id === command.incidentId);
  if (!incident) return rejection('INCIDENT_NOT_FOUND', `no incident "${command.incidentId}"`);
  const wrongPhase = () =>
    rejection('WRONG_PHASE', `incidents are worked in readiness, live or review; the event is ${state.phase}`);
  if (command.type === 'updateIncidentStep') {
    const step = incident.steps.find((s) => s.id === command.stepId);
    if (!step) return rejection('STEP_NOT_FOUND', `incident "${incident.id}" has no step "${command.stepId}"`);
    if (!isDutyStaff(person) && !person.units.includes(step.unit)) {
      return rejection('NOT_UNIT_MEMBER', `step "${step.id}" belongs to unit "${step.unit}"`, { unit: step.unit });
    }
    if (!workPhases.includes(state.phase)) return wrongPhase();
    if (incident.status === 'resolved') return rejection('INCIDENT_RESOLVED', `incident "${incident.id}" is resolved`);
    if (step.status !== 'open') return rejection('STEP_ALREADY_SETTLED', `step "${step.id}" is already ${step.status}`);
    return undefined;
  }
  if (!isDutyStaff(person)) return rejection('NOT_DUTY_STAFF', `only duty staff ${command.type} incidents`);
  if (!workPhases.includes(state.phase)) return wrongPhase();
  switch (command.type) {
    case 'acknowledgeIncident':
      if (incident.status === 'resolved')
        return rejection('INCIDENT_RESOLVED', `incident "${incident.id}" is resolved`);
      if (incident.status === 'acknowledged') {
        return rejection(
          'INCIDENT_ALREADY_ACKNOWLEDGED',
          `incident "${incident.id}" was acknowledged by ${incident.acknowledgedBy}`,
        );
      }
      return undefined;
    case 'resolveIncident': {
      if (incident.status === 'resolved')
        return rejection('INCIDENT_RESOLVED', `incident "${incident.id}" is resolved`);
      if (incident.status === 'reported') {
        return rejection('INCIDENT_NOT_ACKNOWLEDGED', `acknowledge incident "${incident.id}" before resolving it`);
      }
      const open = incident.steps.filter((s) => s.status === 'open').map((s) => s.id);
      if (open.length > 0) {
        return rejection('INCIDENT_STEPS_OPEN', `procedure steps still open: ${open.join(', ')}`, { steps: open });
      }
      return undefined;
    }
    case 'reopenIncident':
      if (incident.status !== 'resolved') {
        return rejection('INCIDENT_NOT_RESOLVED', `incident "${incident.id}" is ${incident.status}, not resolved`);
      }
      return undefined;
  }
}

export function applyIncidentCommand(
  state: EventState,
  command: IncidentCommand,
  person: Person,
  now: string,
): { state: EventState; result: IncidentResult; effects: Notification[] } {
  const effects: Notification[] = [];
  let incident: Incident;
  if (command.type === 'reportIncident') {
    const type = state.template.incidents!.types.find((t) => t.id === command.incidentType)!;
    const procedure = state.template.incidents!.procedures.find((p) => p.id === type.procedure);
    incident = {
      id: `inc-${state.incidents.length + 1}`,
      type: type.id,
      severity: command.severity,
      ...(command.sessionId ? { sessionId: command.sessionId } : {}),
      description: command.description,
      ...(command.location ? { location: command.location } : {}),
      reportedBy: person.id,
      reportedAt: now,
      status: 'reported',
      steps: (procedure?.steps ?? []).map((s) => ({ id: s.id, title: s.title, unit: s.unit, status: 'open' as const })),
      escalations: 0,
      reopened: [],
    };
    const units = incident.steps.map((s) => s.unit);
    effects.push(
      notification(
        state,
        'incidentReported',
        { type: 'incident', id: incident.id },
        now,
        { units, roles: ['duty-officer'] },
        type.title,
        {
          details: { severity: incident.severity, sessionId: incident.sessionId, description: incident.description },
        },
      ),
    );
    if (incident.severity === 'critical') {
      // Top severity: the whole chain hears of it at once.
      const roles = state.template.escalation.map((s) => s.role);
      effects.push(
        notification(state, 'escalation', { type: 'incident', id: incident.id }, now, { units, roles }, type.title, {
          level: roles.length,
          details: { severity: incident.severity },
        }),
      );
    }
    return withIncident(state, incident, now, effects);
  }
  const before = state.incidents.find((i) => i.id === command.incidentId)!;
  switch (command.type) {
    case 'acknowledgeIncident':
      incident = { ...before, status: 'acknowledged', acknowledgedBy: person.id, acknowledgedAt: now };
      break;
    case 'updateIncidentStep':
      incident = {
        ...before,
        steps: before.steps.map((s) =>
          s.id === command.stepId
            ? { ...s, status: command.outcome, by: person.id, at: now, ...(command.note ? { note: command.note } : {}) }
            : s,
        ),
      };
      break;
    case 'resolveIncident':
      incident = {
        ...before,
        status: 'resolved',
        resolvedBy: person.id,
        resolvedAt: now,
        resolution: command.resolution,
      };
      effects.push(
        notification(
          state,
          'incidentResolved',
          { type: 'incident', id: before.id },
          now,
          unitsOf(before),
          before.type,
          {
            details: { resolution: command.resolution },
          },
        ),
      );
      break;
    case 'reopenIncident': {
      const { resolvedAt: _at, resolvedBy: _by, resolution: _r, ...open } = before;
      incident = {
        ...open,
        status: 'acknowledged',
        reopened: [...before.reopened, { by: person.id, at: now, reason: command.reason }],
      };
      effects.push(
        notification(
          state,
          'incidentReopened',
          { type: 'incident', id: before.id },
          now,
          unitsOf(before),
          before.type,
          {
            details: { reason: command.reason, times: incident.reopened.length },
          },
        ),
      );
      break;
    }
  }
  return withIncident(state, incident, now, effects);
}

const unitsOf = (incident: Incident) => ({ units: incident.steps.map((s) => s.unit), roles: ['duty-officer'] });

function withIncident(state: EventState, incident: Incident, now: string, effects: Notification[]) {
  const exists = state.incidents.some((i) => i.id === incident.id);
  const incidents = exists
    ? state.incidents.map((i) => (i.id === incident.id ? incident : i))
    : [...state.incidents, incident];
  return {
    state: { ...state, updatedAt: now, incidents },
    result: { type: 'incidentUpdated' as const, incident },
    effects,
  };
}

export function checkHandover(
  state: EventState,
  command: CommandOf<'handOverDuty'>,
  person: Person,
): Rejection | undefined {
  if (!isDutyStaff(person)) return rejection('NOT_DUTY_STAFF', 'duty is handed over by duty officers');
  const current = onDuty(state);
  if (current && current !== person.id && !isPlanner(person)) {
    return rejection('NOT_ON_DUTY', `"${current}" is on duty: only they hand over`, { onDuty: current });
  }
  if (!reportPhases.includes(state.phase)) {
    return rejection('WRONG_PHASE', `duty is handed over in readiness or live; the event is ${state.phase}`);
  }
  if (!state.template.dutyShifts.some((s) => s.id === command.shiftId)) {
    return rejection('SHIFT_NOT_FOUND', `no duty shift "${command.shiftId}"`);
  }
  const incoming = state.roster.find((p) => p.id === command.to);
  if (!incoming?.roles.includes('duty-officer')) {
    return rejection('INVALID_HANDOVER', `"${command.to}" is not a duty officer of this event`);
  }
  if (incoming.id === current) return rejection('INVALID_HANDOVER', `"${command.to}" is already on duty`);
  return undefined;
}

export function applyHandover(state: EventState, command: CommandOf<'handOverDuty'>, _person: Person, now: string) {
  const current = onDuty(state);
  const handover: Handover = {
    id: `handover-${state.handovers.length + 1}`,
    shiftId: command.shiftId,
    ...(current ? { from: current } : {}),
    to: command.to,
    at: now,
    openIncidents: state.incidents.filter((i) => i.status !== 'resolved').map((i) => i.id),
    ...(command.note ? { note: command.note } : {}),
  };
  return {
    state: { ...state, updatedAt: now, handovers: [...state.handovers, handover] },
    result: { type: 'dutyHandedOver' as const, handover, onDuty: command.to },
    effects: [] as Notification[],
  };
}

/** A shift that began this long ago without a handover is flagged (the same grace as acknowledging an incident). */
const handoverDeadline = (state: EventState, shift: EventState['template']['dutyShifts'][number]): string =>
  toIso(
    toMs(resolveDue(shift.start, state.window)) +
      durationMs(state.template.incidents?.acknowledgeWithin ?? { minutes: 15 }),
  );

/** When the n-th (1-based) unacknowledged-incident escalation is due. */
const reescalationAt = (state: EventState, incident: Incident, n: number): number =>
  toMs(incident.reportedAt) + n * durationMs(state.template.incidents?.acknowledgeWithin ?? { minutes: 15 });

const maxReescalations = (state: EventState) => Math.max(state.template.escalation.length, 1);

/** Clock work of the live event: re-escalate unacknowledged incidents, flag shifts that began without a handover. */
export function tickOperations(state: EventState, now: string): { state: EventState; effects: Notification[] } {
  const effects: Notification[] = [];
  const chain = state.template.escalation.map((s) => s.role);
  const incidents = state.incidents.map((incident) => {
    let escalations = incident.escalations;
    while (
      incident.status === 'reported' &&
      escalations < maxReescalations(state) &&
      reescalationAt(state, incident, escalations + 1) <= toMs(now)
    ) {
      escalations++;
      const roles =
        incident.severity === 'critical' ? chain : [chain[Math.min(escalations, chain.length) - 1] ?? 'duty-officer'];
      effects.push(
        notification(
          state,
          'escalation',
          { type: 'incident', id: incident.id },
          toIso(reescalationAt(state, incident, escalations)),
          { units: incident.steps.map((s) => s.unit), roles: [...roles, 'duty-officer'] },
          incident.type,
          { level: escalations, details: { unacknowledged: true, severity: incident.severity } },
        ),
      );
    }
    return escalations === incident.escalations ? incident : { ...incident, escalations };
  });
  let missed = state.missedHandovers ?? [];
  if (reportPhases.includes(state.phase)) {
    for (const shift of state.template.dutyShifts) {
      const start = handoverDeadline(state, shift);
      if (start > now || missed.includes(shift.id) || state.handovers.some((h) => h.shiftId === shift.id)) continue;
      missed = [...missed, shift.id];
      effects.push(
        notification(
          state,
          'handoverMissed',
          { type: 'shift', id: shift.id },
          start,
          { units: [], roles: ['duty-officer', ...chain.slice(0, 1)] },
          shift.title,
        ),
      );
    }
  }
  const changed = effects.length > 0;
  return {
    state: changed ? { ...state, incidents, ...(missed.length ? { missedHandovers: missed } : {}) } : state,
    effects,
  };
}

/** The next instant the live event's clock work is due. */
export function nextOperationsWakeUp(state: EventState, now: string): number[] {
  const out: number[] = [];
  for (const incident of state.incidents) {
    if (incident.status !== 'reported' || incident.escalations >= maxReescalations(state)) continue;
    out.push(reescalationAt(state, incident, incident.escalations + 1));
  }
  if (reportPhases.includes(state.phase)) {
    for (const shift of state.template.dutyShifts) {
      if ((state.missedHandovers ?? []).includes(shift.id) || state.handovers.some((h) => h.shiftId === shift.id))
        continue;
      out.push(toMs(handoverDeadline(state, shift)));
    }
  }
  return out.filter((t) => t > toMs(now));
}
