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

/** Items a gate covers that are not yet settled: the gate opens when this is empty. */
export function gateBlockers(state: EventState, gateId: string): string[] {
  const gate = state.template.gates.find((g) => g.id === gateId);
  if (!gate) return [];
  return gate.covers.filter((itemId) => !isSettled(state.items[itemId]));
}
