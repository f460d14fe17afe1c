import { unsettledScenarios } from './drills';
import { openCorrectiveActions } from './review';
import { isSettled, principalOf, type EventState, type Signature } from './state';
import { maxDistinctRoleCover, type ApprovalRule } from './template';

/** Whether the signatures so far satisfy the rule, counting each person once. */
export function ruleMet(rule: ApprovalRule, approvals: Signature[], state: Pick<EventState, 'roster'>): boolean {
  const signers = approvals
    .filter((s, i) => approvals.findIndex((o) => principalOf(o) === principalOf(s)) === i)
    .map((s) => ({ id: principalOf(s), roles: s.roles.filter((r) => rule.roles.includes(r)) }))
    .filter((s) => s.roles.length > 0);
  switch (rule.mode) {
    case 'any':
      return signers.length >= 1;
    case 'quorum':
      return signers.length >= rule.count;
    case 'percent': {
      const eligible = state.roster.filter((p) => p.roles.some((r) => rule.roles.includes(r))).length;
      return eligible > 0 && (signers.length / eligible) * 100 >= rule.percent;
    }
    case 'all':
      return maxDistinctRoleCover(rule.roles, signers) === new Set(rule.roles).size;
  }
}

/** The roles of the rule still without a distinct signer (for the "who still has to sign" view). */
export function missingRoles(rule: ApprovalRule, approvals: Signature[]): string[] {
  if (rule.mode !== 'all') return [];
  const signed = new Set(approvals.flatMap((s) => s.roles));
  return rule.roles.filter((role) => !signed.has(role));
}

/**
 * Items a gate waits for that are not yet settled: those it covers and, for
 * a review gate, every open corrective action.
 */
export function gateBlockers(state: EventState, gateId: string): string[] {
  const gate = state.template.gates.find((g) => g.id === gateId);
  if (!gate) return [];
  const covered = gate.covers.filter((itemId) => !isSettled(state.items[itemId]));
  return gate.phase === 'review' ? [...new Set([...covered, ...openCorrectiveActions(state)])] : covered;
}

/** Everything a gate waits for: unsettled items and drill scenarios. It opens when both are empty. */
export function gateWaitsFor(state: EventState, gateId: string): { items: string[]; scenarios: string[] } {
  const gate = state.template.gates.find((g) => g.id === gateId);
  if (!gate) return { items: [], scenarios: [] };
  return { items: gateBlockers(state, gateId), scenarios: unsettledScenarios(state, gate) };
}

export const gateIsOpen = (state: EventState, gateId: string): boolean => {
  const waits = gateWaitsFor(state, gateId);
  return waits.items.length === 0 && waits.scenarios.length === 0;
};
