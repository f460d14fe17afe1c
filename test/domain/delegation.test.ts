import { describe, expect, it } from 'vitest';
import {
  apply,
  commandSchema,
  createEventState,
  eventWindowSchema,
  planTemplateSchema,
  validate,
  type EventState,
} from '../../domain';
import { evidence, tinyTemplateInput, tinyWindow } from '../support/fixtures';

const t0 = '2026-09-01T00:00:00.000Z';
const later = (minutes: number) => new Date(new Date(t0).getTime() + minutes * 60_000).toISOString();

function stateWith(mutate: (t: typeof tinyTemplateInput) => void = () => undefined): EventState {
  const input = structuredClone(tinyTemplateInput);
  mutate(input);
  return createEventState({
    eventId: 'e',
    template: planTemplateSchema.parse(input),
    templateHash: 'sha256:t',
    window: eventWindowSchema.parse(tinyWindow),
    createdBy: 'planner.linh',
    now: t0,
  });
}

/** Runs commands in order as the workflow does; returns the final state or the first refusal code. */
function play(state: EventState, steps: [actor: string, command: Record<string, unknown>, at?: string][]) {
  let current = state;
  for (const [actor, raw, at = t0] of steps) {
    const command = commandSchema.parse(raw);
    const verdict = validate(current, command, { id: actor }, at);
    if (!verdict.ok) return { code: verdict.rejection.code, state: current };
    current = apply(current, command, verdict.person, at).state;
  }
  return { code: 'OK', state: current };
}

const planningDone: [string, Record<string, unknown>][] = [
  ['office.mai', { type: 'completeItem', itemId: 'plan.master' }],
  ['cyber.hung', { type: 'completeItem', itemId: 'plan.cyber', evidence }],
];
const delegateHead = (extra: Record<string, unknown> = {}): [string, Record<string, unknown>] => [
  'head.tuan',
  { type: 'delegate', to: 'duty.khoa', validUntil: later(60), ...extra },
];
const approve = (extra: Record<string, unknown> = {}) => ({
  type: 'signOffGate',
  gateId: 'plan-approval',
  decision: 'approve',
  ...extra,
});

describe('delegation', () => {
  it('lets the delegate sign on behalf of the delegator, recording both', () => {
    const { code, state } = play(stateWith(), [
      ...planningDone,
      delegateHead(),
      ['duty.khoa', approve({ onBehalfOf: 'head.tuan' })],
    ]);
    expect(code).toBe('OK');
    expect(state.gates['plan-approval']!.approvals).toEqual([
      { by: 'duty.khoa', onBehalfOf: 'head.tuan', delegationId: 'dlg-1', at: t0, roles: ['steering-head'] },
    ]);
  });

  it('counts the delegator once: the delegator cannot also sign after the delegate did', () => {
    const { code } = play(stateWith(), [
      ...planningDone,
      delegateHead(),
      ['duty.khoa', approve({ onBehalfOf: 'head.tuan' })],
      ['head.tuan', approve()],
    ]);
    expect(code).toBe('ALREADY_SIGNED');
  });

  it('refuses a signature after the delegation window has closed, by the clock of the command', () => {
    const { code } = play(stateWith(), [
      ...planningDone,
      delegateHead(),
      ['duty.khoa', approve({ onBehalfOf: 'head.tuan' }), later(61)],
    ]);
    expect(code).toBe('NO_ACTIVE_DELEGATION');
  });

  it('refuses a signature before the delegation window opens', () => {
    const { code } = play(stateWith(), [
      ...planningDone,
      delegateHead({ validFrom: later(30) }),
      ['duty.khoa', approve({ onBehalfOf: 'head.tuan' }), later(10)],
    ]);
    expect(code).toBe('NO_ACTIVE_DELEGATION');
  });

  it('refuses a signature under a revoked delegation', () => {
    const { code } = play(stateWith(), [
      ...planningDone,
      delegateHead(),
      ['head.tuan', { type: 'revokeDelegation', delegationId: 'dlg-1', reason: 'trở lại nhiệm sở' }],
      ['duty.khoa', approve({ onBehalfOf: 'head.tuan' })],
    ]);
    expect(code).toBe('NO_ACTIVE_DELEGATION');
  });

  it('does not cascade: a delegate cannot delegate what they only hold by delegation', () => {
    const { code } = play(stateWith(), [
      delegateHead(),
      ['duty.khoa', { type: 'delegate', to: 'police.nam', validUntil: later(30) }],
    ]);
    expect(code).toBe('NOT_AN_APPROVER');
  });

  it('restricts the delegate to the delegated gates', () => {
    const { code } = play(stateWith(), [
      ...planningDone,
      delegateHead({ gates: ['preparation-complete'] }),
      ['duty.khoa', approve({ onBehalfOf: 'head.tuan' })],
    ]);
    expect(code).toBe('NO_ACTIVE_DELEGATION');
  });

  it.each([
    ['roles the delegator does not hold', delegateHead({ roles: ['office-chief'] }), 'INVALID_DELEGATION'],
    [
      'a delegate outside the roster',
      ['head.tuan', { type: 'delegate', to: 'stranger', validUntil: later(60) }],
      'INVALID_DELEGATION',
    ],
    ['oneself', ['head.tuan', { type: 'delegate', to: 'head.tuan', validUntil: later(60) }], 'INVALID_DELEGATION'],
    ['a window already over', delegateHead({ validUntil: later(-1) }), 'INVALID_DELEGATION'],
    ['an unknown gate', delegateHead({ gates: ['no-gate'] }), 'GATE_NOT_FOUND'],
    [
      'someone with no approver role',
      ['cyber.hung', { type: 'delegate', to: 'police.nam', validUntil: later(60) }],
      'NOT_AN_APPROVER',
    ],
  ] as [string, [string, Record<string, unknown>], string][])('refuses delegating %s', (_label, step, code) => {
    expect(play(stateWith(), [step]).code).toBe(code);
  });

  it('lets only the delegator or an admin revoke, once', () => {
    expect(
      play(stateWith(), [delegateHead(), ['office.mai', { type: 'revokeDelegation', delegationId: 'dlg-1' }]]).code,
    ).toBe('NOT_DELEGATOR');
    expect(
      play(stateWith(), [delegateHead(), ['admin.root', { type: 'revokeDelegation', delegationId: 'dlg-1' }]]).code,
    ).toBe('OK');
    expect(
      play(stateWith(), [
        delegateHead(),
        ['head.tuan', { type: 'revokeDelegation', delegationId: 'dlg-1' }],
        ['head.tuan', { type: 'revokeDelegation', delegationId: 'dlg-1' }],
      ]).code,
    ).toBe('DELEGATION_REVOKED');
    expect(
      play(stateWith(), [delegateHead(), ['head.tuan', { type: 'revokeDelegation', delegationId: 'dlg-9' }]]).code,
    ).toBe('DELEGATION_NOT_FOUND');
  });
});

describe('separation of duties', () => {
  const withSod = () =>
    stateWith((t) => {
      (t.gates[0] as Record<string, unknown>).forbidCompleterApproval = true;
    });

  it('refuses an approval by the person who completed a covered item, when the template forbids it', () => {
    // office.mai completed plan.master and holds office-chief.
    expect(play(withSod(), [...planningDone, ['office.mai', approve()]]).code).toBe('SEPARATION_OF_DUTIES');
  });

  it('also refuses it through a delegation from that person', () => {
    const { code } = play(withSod(), [
      ...planningDone,
      ['office.mai', { type: 'delegate', to: 'duty.khoa', validUntil: later(60) }],
      ['duty.khoa', approve({ onBehalfOf: 'office.mai' })],
    ]);
    expect(code).toBe('SEPARATION_OF_DUTIES');
  });

  it('allows the same approval when the template does not forbid it', () => {
    expect(play(stateWith(), [...planningDone, ['office.mai', approve()]]).code).toBe('OK');
  });
});
