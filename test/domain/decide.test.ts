import { describe, expect, it } from 'vitest';
import {
  apply,
  completeItemCommandSchema,
  createEventState,
  eventWindowSchema,
  signOffGateCommandSchema,
  validate,
  type EventState,
} from '../../domain';
import { evidence, tinyTemplate, tinyWindow } from '../support/fixtures';

const now = '2026-09-01T00:00:00.000Z';

function freshState(): EventState {
  return createEventState({
    eventId: 'e1',
    template: tinyTemplate(),
    templateHash: 'sha256:test',
    window: eventWindowSchema.parse(tinyWindow),
    createdBy: 'planner.linh',
    now,
  });
}

const complete = (itemId: string, extra: Record<string, unknown> = {}) =>
  completeItemCommandSchema.parse({ type: 'completeItem', itemId, ...extra });
const decide = (gateId: string, extra: Record<string, unknown> = {}) =>
  signOffGateCommandSchema.parse({ type: 'signOffGate', gateId, decision: 'approve', ...extra });

/** Validates then applies, as the workflow does; throws the rejection code if refused. */
function run(state: EventState, command: ReturnType<typeof complete> | ReturnType<typeof decide>, actorId: string) {
  const verdict = validate(state, command, { id: actorId }, now);
  if (!verdict.ok) throw new Error(verdict.rejection.code);
  return apply(state, command, verdict.person, now);
}

const codeOf = (
  state: EventState,
  command: ReturnType<typeof complete> | ReturnType<typeof decide>,
  actorId: string,
) => {
  const verdict = validate(state, command, { id: actorId }, now);
  return verdict.ok ? 'OK' : verdict.rejection.code;
};

function withPlanningDone(): EventState {
  let state = freshState();
  state = run(state, complete('plan.master'), 'office.mai').state;
  state = run(state, complete('plan.cyber', { evidence }), 'cyber.hung').state;
  return state;
}

describe('completing an item', () => {
  it('records who completed it, when, and the evidence', () => {
    const { state, result } = run(freshState(), complete('plan.master', { note: 'ký ngày 1/9' }), 'office.mai');
    expect(state.items['plan.master']).toMatchObject({
      status: 'done',
      completedBy: 'office.mai',
      completedAt: now,
      note: 'ký ngày 1/9',
    });
    expect(result).toMatchObject({ type: 'itemCompleted', itemId: 'plan.master', gatesOpened: [] });
  });

  it('leaves the previous state untouched (apply is pure)', () => {
    const before = freshState();
    const snapshot = structuredClone(before);
    run(before, complete('plan.master'), 'office.mai');
    expect(before).toEqual(snapshot);
  });

  it.each([
    ['someone not on the roster', complete('plan.master'), 'stranger', 'NOT_IN_ROSTER'],
    ['a member of another unit', complete('plan.master'), 'police.nam', 'NOT_ITEM_OWNER'],
    ['an unknown item', complete('plan.nothing'), 'office.mai', 'ITEM_NOT_FOUND'],
    ['an item whose dependencies are open', complete('plan.cyber', { evidence }), 'cyber.hung', 'DEPENDENCIES_OPEN'],
  ])('refuses %s', (_label, command, actor, code) => {
    expect(codeOf(freshState(), command, actor)).toBe(code);
  });

  it('refuses to complete an item that needs evidence without any', () => {
    const state = run(freshState(), complete('plan.master'), 'office.mai').state;
    expect(codeOf(state, complete('plan.cyber'), 'cyber.hung')).toBe('EVIDENCE_REQUIRED');
  });

  it('refuses to complete an item twice', () => {
    const state = run(freshState(), complete('plan.master'), 'office.mai').state;
    expect(codeOf(state, complete('plan.master'), 'office.mai')).toBe('ITEM_ALREADY_DONE');
  });

  it('reports the gates that the completion opened', () => {
    const state = run(freshState(), complete('plan.master'), 'office.mai').state;
    const { result } = run(state, complete('plan.cyber', { evidence }), 'cyber.hung');
    expect(result).toMatchObject({ gatesOpened: ['plan-approval'] });
  });
});

describe('signing off a gate', () => {
  it('refuses a signature while covered items are open', () => {
    expect(codeOf(freshState(), decide('plan-approval'), 'head.tuan')).toBe('GATE_NOT_OPEN');
  });

  it('refuses an approver who lacks the gate role', () => {
    expect(codeOf(withPlanningDone(), decide('plan-approval'), 'cyber.hung')).toBe('NOT_GATE_APPROVER');
  });

  it('refuses the same person signing twice', () => {
    const state = run(withPlanningDone(), decide('plan-approval'), 'head.tuan').state;
    expect(codeOf(state, decide('plan-approval'), 'head.tuan')).toBe('ALREADY_SIGNED');
  });

  it('does not let one person holding both roles satisfy an "all" rule alone', () => {
    const { state } = run(withPlanningDone(), decide('plan-approval'), 'both.roles');
    expect(state.gates['plan-approval']!.status).toBe('pending');
    expect(state.phase).toBe('planning');
  });

  it('passes the gate when every role has a distinct signer and moves the event to the next phase', () => {
    let state = run(withPlanningDone(), decide('plan-approval'), 'head.tuan').state;
    expect(state.phase).toBe('planning');
    const applied = run(state, decide('plan-approval'), 'office.mai');
    state = applied.state;
    expect(state.gates['plan-approval']).toMatchObject({ status: 'passed', passedAt: now });
    expect(state.gates['plan-approval']!.approvals.map((a) => a.by)).toEqual(['head.tuan', 'office.mai']);
    expect(state.phase).toBe('preparation');
    expect(codeOf(state, decide('plan-approval'), 'both.roles')).toBe('GATE_ALREADY_PASSED');
  });

  it('refuses a decision on a gate of a later phase', () => {
    const state = run(withPlanningDone(), complete('order.routes'), 'police.nam').state;
    expect(codeOf(state, decide('preparation-complete'), 'head.tuan')).toBe('GATE_NOT_IN_CURRENT_PHASE');
  });

  it('on rejection, reopens the named items and voids the approvals so far', () => {
    let state = run(withPlanningDone(), decide('plan-approval'), 'head.tuan').state;
    state = run(
      state,
      decide('plan-approval', { decision: 'reject', reason: 'thiếu phương án dự phòng', reopen: ['plan.cyber'] }),
      'office.mai',
    ).state;
    expect(state.items['plan.cyber']!.status).toBe('todo');
    expect(state.items['plan.master']!.status).toBe('done');
    expect(state.gates['plan-approval']!.approvals).toEqual([]);
    expect(state.gates['plan-approval']!.rejections).toMatchObject([
      { by: 'office.mai', reason: 'thiếu phương án dự phòng', reopened: ['plan.cyber'] },
    ]);
  });

  it('refuses to reopen items the gate does not cover', () => {
    const command = decide('plan-approval', { decision: 'reject', reason: 'no', reopen: ['order.routes'] });
    expect(codeOf(withPlanningDone(), command, 'office.mai')).toBe('REOPEN_NOT_COVERED');
  });

  it('needs a reason to reject (schema)', () => {
    const parsed = signOffGateCommandSchema.safeParse({ type: 'signOffGate', gateId: 'g', decision: 'reject' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['reason']);
  });
});
