import { rejection, type Rejection } from './errors';
import { principalOf, type Delegation, type EventState } from './state';
import { type Person, type PlanTemplate } from './template';

/**
 * Who may sign what: a person's own approver roles, or the roles a
 * delegation in force lends them. Shared by gate sign-offs, go/no-go and
 * drill waivers.
 */

/** A delegation in force at `now` from `from` to `to` for this gate and one of these roles. */
export function activeDelegation(
  state: EventState,
  from: string,
  to: string,
  gateId: string,
  roles: string[],
  now: string,
): Delegation | undefined {
  return state.delegations.find(
    (d) =>
      d.from === from &&
      d.to === to &&
      !d.revokedAt &&
      d.validFrom <= now &&
      now < d.validUntil &&
      (!d.gates || d.gates.includes(gateId)) &&
      d.roles.some((r) => roles.includes(r)),
  );
}

export type Authority =
  { ok: true; principal: string; roles: string[]; delegationId?: string } | { ok: false; rejection: Rejection };

/**
 * Who signs, with which roles. Delegated authority never exceeds the
 * delegator's own roster roles, and delegated rights cannot be delegated
 * again (a delegation is validated against the delegator's own roles only).
 */
export function signingAuthority(
  state: EventState,
  gate: PlanTemplate['gates'][number],
  person: Person,
  onBehalfOf: string | undefined,
  now: string,
): Authority {
  if (!onBehalfOf || onBehalfOf === person.id) {
    const roles = person.roles.filter((role) => gate.approval.roles.includes(role));
    if (roles.length === 0) {
      return {
        ok: false,
        rejection: rejection('NOT_GATE_APPROVER', `gate "${gate.id}" is signed by ${gate.approval.roles.join(', ')}`, {
          roles: gate.approval.roles,
        }),
      };
    }
    return { ok: true, principal: person.id, roles };
  }
  const principal = state.roster.find((p) => p.id === onBehalfOf);
  const principalRoles = principal?.roles.filter((role) => gate.approval.roles.includes(role)) ?? [];
  const delegation = principal && activeDelegation(state, principal.id, person.id, gate.id, principalRoles, now);
  if (!delegation) {
    return {
      ok: false,
      rejection: rejection(
        'NO_ACTIVE_DELEGATION',
        `no delegation from "${onBehalfOf}" to "${person.id}" covers gate "${gate.id}" now`,
      ),
    };
  }
  return {
    ok: true,
    principal: onBehalfOf,
    roles: principalRoles.filter((r) => delegation.roles.includes(r)),
    delegationId: delegation.id,
  };
}

/**
 * Why this person may not add an approval to the gate: one signature per
 * person in whatever capacity and one per principal; with separation of
 * duties, nobody approves what they completed.
 */
export function approvalConflict(
  state: EventState,
  gate: PlanTemplate['gates'][number],
  person: Person,
  principal: string,
): Rejection | undefined {
  const gateState = state.gates[gate.id]!;
  if (gateState.approvals.some((s) => s.by === person.id || principalOf(s) === principal)) {
    return rejection('ALREADY_SIGNED', `"${principal}" has already approved gate "${gate.id}"`);
  }
  if (gate.forbidCompleterApproval) {
    const own = gate.covers.filter((itemId) => {
      const by = state.items[itemId]?.completedBy;
      return by !== undefined && (by === person.id || by === principal);
    });
    if (own.length > 0) {
      return rejection(
        'SEPARATION_OF_DUTIES',
        `gate "${gate.id}" may not be approved by whoever completed ${own.join(', ')}`,
        { items: own },
      );
    }
  }
  return undefined;
}
