import { type EventState } from './state';
import { type PlanTemplate } from './template';

/**
 * A running event keeps the template snapshot, and the state, that older
 * code produced. Fields added since are filled with their neutral value here,
 * so running events pick up new capabilities without breaking (the replay
 * tests hold older histories to this).
 */
export function upgradeTemplate(template: PlanTemplate): PlanTemplate {
  return {
    ...template,
    defaultReminders: template.defaultReminders ?? [],
    escalation: template.escalation ?? [],
    sessions: template.sessions ?? [],
    dutyShifts: template.dutyShifts ?? [],
    gates: template.gates.map((gate) => ({
      ...gate,
      scenarios: gate.scenarios ?? [],
      forbidCompleterApproval: gate.forbidCompleterApproval ?? false,
      rework: gate.rework ?? 'named',
    })),
  };
}

export function upgradeState(state: EventState): EventState {
  return {
    ...state,
    template: upgradeTemplate(state.template),
    delegations: state.delegations ?? [],
    reviews: state.reviews ?? [],
    drills: state.drills ?? {},
    incidents: state.incidents ?? [],
    handovers: state.handovers ?? [],
    lessons: state.lessons ?? [],
    phaseChanges: state.phaseChanges ?? [],
  };
}
