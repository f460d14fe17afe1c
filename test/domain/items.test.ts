import { describe, expect, it } from 'vitest';
import {
  commandSchema,
  decideWaiver,
  isDomainErrorCode,
  nextWakeUp,
  toEventView,
  validate,
  type DomainErrorCode,
  type ItemStatus,
} from '../../domain';
import { evidence } from '../support/fixtures';
import { eventWith, given, play, shift, t0, tickAt, when, type RawCommand, type Step } from './scenario';

// plan.master belongs to unit office (office.mai); plan.cyber to cyber (cyber.hung) and depends on
// plan.master; order.routes to police (police.nam). Gate plan-approval covers the two plan items and is
// signed by office-chief and steering-head; preparation-complete covers order.routes, steering-head only.
const master = (type: string, extra: Record<string, unknown> = {}): Step => [
  'office.mai',
  { type, itemId: 'plan.master', ...extra },
];
const start = master('startItem');
const block = master('blockItem', { reason: 'waiting for the venue contract' });
const unblock = master('unblockItem');
const complete = master('completeItem');
const requestWaiver = (actor: string, itemId: string, extra: Record<string, unknown> = {}): Step => [
  actor,
  { type: 'requestWaiver', itemId, justification: 'covered by the national plan', ...extra },
];
const decide = (actor: string, itemId: string, decision: 'approve' | 'deny'): Step => [
  actor,
  { type: 'decideWaiver', itemId, decision, ...(decision === 'deny' ? { reason: 'still needed' } : {}) },
];
const completeCyber: Step = ['cyber.hung', { type: 'completeItem', itemId: 'plan.cyber', evidence }];
const approveGate = (actor: string, gateId = 'plan-approval'): Step => [
  actor,
  { type: 'signOffGate', gateId, decision: 'approve' },
];
const rejectGate = (reopen: string[], gateId = 'plan-approval'): Step => [
  'office.mai',
  { type: 'signOffGate', gateId, decision: 'reject', reason: 'missing the fallback venue', reopen },
];

describe('item transitions', () => {
  const fromStatus: Record<string, Step[]> = {
    todo: [],
    in_progress: [start],
    blocked: [block],
    'started then blocked': [start, block],
    done: [complete],
  };
  it.each<{ command: Step; from: string; outcome: ItemStatus | DomainErrorCode }>([
    { command: start, from: 'todo', outcome: 'in_progress' },
    { command: start, from: 'in_progress', outcome: 'ITEM_ALREADY_STARTED' },
    { command: start, from: 'blocked', outcome: 'ITEM_BLOCKED' },
    { command: start, from: 'done', outcome: 'ITEM_ALREADY_DONE' },
    { command: block, from: 'todo', outcome: 'blocked' },
    { command: block, from: 'in_progress', outcome: 'blocked' },
    { command: block, from: 'blocked', outcome: 'ITEM_BLOCKED' },
    { command: block, from: 'done', outcome: 'ITEM_ALREADY_DONE' },
    { command: unblock, from: 'blocked', outcome: 'todo' },
    { command: unblock, from: 'started then blocked', outcome: 'in_progress' },
    { command: unblock, from: 'todo', outcome: 'ITEM_NOT_BLOCKED' },
    { command: unblock, from: 'in_progress', outcome: 'ITEM_NOT_BLOCKED' },
    { command: complete, from: 'todo', outcome: 'done' },
    { command: complete, from: 'in_progress', outcome: 'done' },
    { command: complete, from: 'blocked', outcome: 'ITEM_BLOCKED' },
    { command: complete, from: 'done', outcome: 'ITEM_ALREADY_DONE' },
  ])('$command.1.type on a $from item gives $outcome', ({ command, from, outcome }) => {
    const state = given(eventWith(), fromStatus[from]!);
    const { code, state: after } = play(state, [command]);
    const refused = isDomainErrorCode(outcome);
    expect(code).toBe(refused ? outcome : 'OK');
    expect(after.items['plan.master']!.status).toBe(refused ? state.items['plan.master']!.status : outcome);
  });

  it('records who started an item and when', () => {
    const at = shift(t0, { hours: 3 });
    const { state } = play(eventWith(), [['office.mai', { type: 'startItem', itemId: 'plan.master' }, at]]);
    expect(state.items['plan.master']).toMatchObject({ status: 'in_progress', startedBy: 'office.mai', startedAt: at });
  });

  it('records the block (reason, who, when) and tells the owner unit and the first escalation role', () => {
    const state = eventWith((t) => {
      t.escalation = [{ after: { hours: 4 }, role: 'duty-officer' }];
    });
    const at = shift(t0, { hours: 1 });
    const { state: after, effects } = play(state, [
      ['cyber.hung', { type: 'blockItem', itemId: 'plan.cyber', reason: 'no pen-test vendor' }, at],
    ]);
    expect(after.items['plan.cyber']!.blocked).toEqual({ reason: 'no pen-test vendor', by: 'cyber.hung', at });
    expect(effects).toMatchObject([
      {
        kind: 'itemBlocked',
        at,
        subject: { type: 'item', id: 'plan.cyber' },
        to: { units: ['cyber'], roles: ['duty-officer'] },
      },
    ]);
  });

  it('clears the block record when the item is unblocked or completed', () => {
    const unblocked = given(eventWith(), [block, unblock]);
    const completed = given(eventWith(), [block, unblock, complete]);
    expect(unblocked.items['plan.master']!.blocked).toBeUndefined();
    expect(completed.items['plan.master']!.blocked).toBeUndefined();
  });

  const itemCommands: RawCommand[] = [
    { type: 'startItem', itemId: 'plan.cyber' },
    { type: 'blockItem', itemId: 'plan.cyber', reason: 'x' },
    { type: 'unblockItem', itemId: 'plan.cyber' },
    { type: 'completeItem', itemId: 'plan.cyber', evidence },
    { type: 'requestWaiver', itemId: 'plan.cyber', justification: 'x' },
  ];
  // office is cyber's parent unit: belonging to it gives no right over cyber's items.
  it.each(
    ['police.nam', 'office.mai', 'head.tuan'].flatMap((actor) => itemCommands.map((command) => ({ actor, command }))),
  )('refuses $command.type on another unit’s item by $actor (NOT_ITEM_OWNER)', ({ actor, command }) => {
    expect(play(eventWith(), [[actor, command]]).code).toBe('NOT_ITEM_OWNER');
  });
});

describe('blockers in the event view', () => {
  // An item owned by unit cyber but planned in police's work group "order".
  const withCrossItem = () =>
    eventWith((t) => {
      t.items.push({
        id: 'order.cyber-watch',
        title: 'Watch the traffic control systems',
        workGroup: 'order',
        unit: 'cyber',
        phase: 'preparation',
        due: { daysBefore: 2 },
      });
    });
  const at = shift(t0, { days: 2 });
  const blockWatch: Step = [
    'cyber.hung',
    { type: 'blockItem', itemId: 'order.cyber-watch', reason: 'no access to the control room' },
    at,
  ];

  it('lists a blocked item in the event’s blockers, its unit’s and its work group’s', () => {
    const view = toEventView(given(withCrossItem(), [blockWatch]), at);
    const blocker = {
      id: 'order.cyber-watch',
      unit: 'cyber',
      workGroup: 'order',
      reason: 'no access to the control room',
      by: 'cyber.hung',
      at,
    };
    expect(view.blockers).toEqual([blocker]);
    expect(Object.fromEntries(view.units.map((u) => [u.id, u.blockers]))).toEqual({
      office: [],
      cyber: [blocker],
      police: [],
    });
    expect(Object.fromEntries(view.workGroups.map((g) => [g.id, g.blockers]))).toEqual({
      plan: [],
      cyber: [],
      order: [blocker],
    });
    expect(view.progress.blocked).toBe(1);
  });

  it('drops the item from every blocker list once unblocked', () => {
    const state = given(withCrossItem(), [
      blockWatch,
      ['cyber.hung', { type: 'unblockItem', itemId: 'order.cyber-watch' }, at],
    ]);
    const view = toEventView(state, at);
    expect([view.blockers, ...view.units.map((u) => u.blockers), ...view.workGroups.map((g) => g.blockers)]).toEqual(
      Array(1 + view.units.length + view.workGroups.length).fill([]),
    );
  });

  // Regression: a waived item once kept its `blocked` record and stayed listed among the blockers.
  it('drops a blocked item from the blockers once it is waived', () => {
    const state = given(withCrossItem(), [
      blockWatch,
      requestWaiver('cyber.hung', 'order.cyber-watch'),
      decide('head.tuan', 'order.cyber-watch', 'approve'),
    ]);
    const view = toEventView(state, at);
    expect(state.items['order.cyber-watch']!.status).toBe('waived');
    expect(view.progress.blocked).toBe(0);
    expect(view.blockers).toEqual([]);
  });
});

describe('dependencies', () => {
  const masterIn: [string, Step[], string][] = [
    ['todo', [], 'DEPENDENCIES_OPEN'],
    ['in progress', [start], 'DEPENDENCIES_OPEN'],
    ['blocked', [block], 'DEPENDENCIES_OPEN'],
    ['awaiting a waiver decision', [requestWaiver('office.mai', 'plan.master')], 'DEPENDENCIES_OPEN'],
    [
      'with its waiver denied',
      [requestWaiver('office.mai', 'plan.master'), decide('head.tuan', 'plan.master', 'deny')],
      'DEPENDENCIES_OPEN',
    ],
    ['done', [complete], 'OK'],
    ['waived', [requestWaiver('office.mai', 'plan.master'), decide('head.tuan', 'plan.master', 'approve')], 'OK'],
  ];
  it.each(masterIn)('completing plan.cyber while plan.master is %s gives %s', (_label, setup, code) => {
    expect(play(given(eventWith(), setup), [completeCyber]).code).toBe(code);
  });

  it('names the open dependencies in the refusal', () => {
    const verdict = validate(
      eventWith(),
      commandSchema.parse({ type: 'completeItem', itemId: 'plan.cyber', evidence }),
      { id: 'cyber.hung' },
      t0,
    );
    expect(verdict).toMatchObject({
      ok: false,
      rejection: { code: 'DEPENDENCIES_OPEN', details: { dependencies: ['plan.master'] } },
    });
  });
});

describe('waiver requests', () => {
  it.each([
    ['a member of the owner unit', 'office.mai', 'OK'],
    ['a planner', 'planner.linh', 'OK'],
    ['an admin', 'admin.root', 'OK'],
    ['a member of another unit', 'police.nam', 'NOT_ITEM_OWNER'],
    ['an approver outside the unit', 'head.tuan', 'NOT_ITEM_OWNER'],
  ])('from %s (%s) gives %s', (_label, actor, code) => {
    expect(play(eventWith(), [requestWaiver(actor, 'plan.master')]).code).toBe(code);
  });

  it('records the request and asks the approvers of the covering gates', () => {
    const at = shift(t0, { hours: 2 });
    const { state, effects } = play(eventWith(), [
      when(requestWaiver('planner.linh', 'plan.master', { expiresAt: '2026-09-01T07:00:00+07:00' }), at),
    ]);
    expect(state.items['plan.master']).toMatchObject({
      status: 'todo',
      waiver: {
        status: 'requested',
        justification: 'covered by the national plan',
        requestedBy: 'planner.linh',
        requestedAt: at,
        expiresAt: '2026-09-01T00:00:00.000Z',
      },
    });
    expect(effects).toMatchObject([
      {
        kind: 'waiverRequested',
        subject: { type: 'item', id: 'plan.master' },
        to: { units: ['office'], roles: ['office-chief', 'steering-head'] },
      },
    ]);
  });

  it.each([
    ['a second request while one is pending', [requestWaiver('office.mai', 'plan.master')], 'WAIVER_PENDING'],
    [
      'a new request after a denial',
      [requestWaiver('office.mai', 'plan.master'), decide('head.tuan', 'plan.master', 'deny')],
      'OK',
    ],
    ['a request for a done item', [complete], 'ITEM_ALREADY_DONE'],
    [
      'a request for a waived item',
      [requestWaiver('office.mai', 'plan.master'), decide('head.tuan', 'plan.master', 'approve')],
      'ITEM_ALREADY_DONE',
    ],
  ] as [string, Step[], string][])('%s gives %s', (_label, setup, code) => {
    expect(play(given(eventWith(), setup), [requestWaiver('planner.linh', 'plan.master')]).code).toBe(code);
  });
});

describe('waiver decisions', () => {
  it.each([
    ['plan.master', 'head.tuan', 'OK'],
    ['plan.master', 'both.roles', 'OK'],
    ['plan.master', 'office.mai', 'SEPARATION_OF_DUTIES'],
    ['plan.master', 'duty.khoa', 'NOT_WAIVER_APPROVER'],
    ['plan.master', 'planner.linh', 'NOT_WAIVER_APPROVER'],
    ['order.routes', 'head.tuan', 'OK'],
    // office.mai is an office-chief: she signs plan-approval, not the gate that covers order.routes.
    ['order.routes', 'office.mai', 'NOT_WAIVER_APPROVER'],
  ])('of %s by %s gives %s', (itemId, actor, code) => {
    // office.mai requests plan.master's waiver herself; planner.linh requests order.routes'.
    const requester = itemId === 'plan.master' ? 'office.mai' : 'planner.linh';
    const state = given(eventWith(), [requestWaiver(requester, itemId)]);
    expect(play(state, [decide(actor, itemId, 'approve')]).code).toBe(code);
  });

  it('refuses a decision when no waiver was requested (NO_WAIVER_REQUESTED)', () => {
    expect(play(eventWith(), [decide('head.tuan', 'plan.master', 'approve')]).code).toBe('NO_WAIVER_REQUESTED');
  });

  it('needs a reason to deny (schema), and none to approve', () => {
    const denial = { type: 'decideWaiver', itemId: 'plan.master', decision: 'deny' };
    expect(decideWaiver.command.safeParse(denial).error?.issues).toMatchObject([{ path: ['reason'] }]);
    expect(decideWaiver.body.safeParse({ decision: 'deny' }).error?.issues).toMatchObject([{ path: ['reason'] }]);
    expect(commandSchema.safeParse(denial).success).toBe(false);
    expect(commandSchema.safeParse({ ...denial, reason: 'still needed' }).success).toBe(true);
    expect(commandSchema.safeParse({ ...denial, decision: 'approve' }).success).toBe(true);
  });

  it('on approval waives the item, records the decision and opens the gates it completes', () => {
    const at = shift(t0, { days: 1 });
    const { state, effects } = play(eventWith(), [
      complete,
      requestWaiver('cyber.hung', 'plan.cyber'),
      when(decide('head.tuan', 'plan.cyber', 'approve'), at),
    ]);
    expect(state.items['plan.cyber']).toMatchObject({
      status: 'waived',
      waiver: { status: 'approved', requestedBy: 'cyber.hung', decidedBy: 'head.tuan', decidedAt: at },
    });
    expect(effects.filter((e) => e.kind === 'gateOpened')).toMatchObject([
      {
        at,
        subject: { type: 'gate', id: 'plan-approval' },
        to: { units: [], roles: ['office-chief', 'steering-head'] },
      },
    ]);
    expect(play(state, [approveGate('head.tuan')]).code).toBe('OK');
  });

  it('on denial keeps the item open and records the reason', () => {
    const { state, effects } = play(eventWith(), [
      complete,
      requestWaiver('cyber.hung', 'plan.cyber'),
      decide('head.tuan', 'plan.cyber', 'deny'),
    ]);
    expect(state.items['plan.cyber']).toMatchObject({
      status: 'todo',
      waiver: { status: 'denied', decidedBy: 'head.tuan', reason: 'still needed' },
    });
    expect(effects.map((e) => e.kind)).toEqual(['waiverRequested']);
  });
});

describe('waiver expiry', () => {
  const expiresAt = '2026-08-20T00:00:00.000Z';
  // plan.master done, plan.cyber waived until expiresAt, plan-approval signed by head.tuan (still pending).
  const waivedAndSigned = () =>
    given(eventWith(), [
      complete,
      requestWaiver('cyber.hung', 'plan.cyber', { expiresAt }),
      decide('head.tuan', 'plan.cyber', 'approve'),
      approveGate('head.tuan'),
    ]);

  it('wakes the clock at the expiry and does nothing before it', () => {
    const state = waivedAndSigned();
    expect(nextWakeUp(state, t0)).toBe(expiresAt);
    const before = tickAt(state, [shift(expiresAt, { minutes: -1 })]);
    expect(before.effects).toEqual([]);
    expect(before.state.items['plan.cyber']!.status).toBe('waived');
  });

  it('returns the item to todo at the first tick after expiry and tells its unit, once', () => {
    const late = shift(expiresAt, { hours: 5 });
    const { state, effects } = tickAt(waivedAndSigned(), [late, shift(late, { hours: 1 })]);
    expect(state.items['plan.cyber']).toMatchObject({ status: 'todo', waiver: { status: 'expired', expiresAt } });
    expect(effects).toMatchObject([
      {
        kind: 'waiverExpired',
        at: expiresAt,
        subject: { type: 'item', id: 'plan.cyber' },
        to: { units: ['cyber'], roles: [] },
      },
    ]);
  });

  it('voids the approvals of pending gates covering the item', () => {
    const before = waivedAndSigned();
    const late = shift(expiresAt, { hours: 5 });
    const gate = tickAt(before, [late]).state.gates['plan-approval']!;
    expect(gate.status).toBe('pending');
    expect(gate.approvals).toEqual([]);
    expect(gate.revoked).toEqual([
      { at: late, items: ['plan.cyber'], approvals: before.gates['plan-approval']!.approvals },
    ]);
    expect(gate.revoked![0]!.approvals.map((s) => s.by)).toEqual(['head.tuan']);
  });

  // Regression: a waiver approved after completion once turned done into waived, and its expiry then
  // sent the completed item back to todo, losing its completion and evidence.
  it('keeps a completed item done whatever becomes of a waiver requested before completion', () => {
    const state = given(eventWith(), [requestWaiver('office.mai', 'plan.master', { expiresAt })]);
    const played = play(state, [complete, decide('head.tuan', 'plan.master', 'approve')]);
    const after = tickAt(played.state, [shift(expiresAt, { hours: 1 })]).state;
    expect(after.items['plan.master']).toMatchObject({ status: 'done', completedBy: 'office.mai' });
  });
});

describe('rework after a gate rejection', () => {
  it.each([
    ['named', ['plan.cyber'], ['plan.cyber'], ['cyber']],
    ['all', ['plan.cyber'], ['plan.master', 'plan.cyber'], ['cyber', 'office']],
    ['all', [], ['plan.master', 'plan.cyber'], ['cyber', 'office']],
  ])('with rework "%s" and reopen %j sends %j back to todo and tells units %j', (rework, reopen, reopened, units) => {
    const state = eventWith((t) => {
      t.gates![0]!.rework = rework as 'named' | 'all';
    });
    const { state: after, effects } = play(state, [complete, completeCyber, rejectGate(reopen)]);
    for (const itemId of ['plan.master', 'plan.cyber']) {
      expect(after.items[itemId]!.status).toBe(reopened.includes(itemId) ? 'todo' : 'done');
    }
    expect(after.gates['plan-approval']!.rejections).toMatchObject([{ by: 'office.mai', reopened }]);
    expect(effects.filter((e) => e.kind === 'gateRejected')).toMatchObject([
      { subject: { type: 'gate', id: 'plan-approval' }, to: { units, roles: ['office-chief', 'steering-head'] } },
    ]);
  });

  it('voids the approvals of other pending gates covering a reopened item, and leaves passed gates alone', () => {
    const state = eventWith((t) => {
      t.gates!.push(
        {
          id: 'cyber-audit',
          title: 'Cyber audit',
          phase: 'planning',
          covers: ['plan.cyber'],
          approval: { mode: 'quorum', count: 2, roles: ['steering-head', 'office-chief'] },
        },
        {
          id: 'master-check',
          title: 'Master plan check',
          phase: 'planning',
          covers: ['plan.master'],
          approval: { mode: 'any', roles: ['steering-head'] },
        },
      );
    });
    const setup = given(state, [
      complete,
      completeCyber,
      approveGate('head.tuan', 'cyber-audit'),
      approveGate('head.tuan', 'master-check'),
    ]);
    const at = shift(t0, { days: 3 });
    const after = given(setup, [when(rejectGate(['plan.master', 'plan.cyber']), at)]);
    expect(after.gates['cyber-audit']).toMatchObject({
      status: 'pending',
      approvals: [],
      revoked: [{ at, items: ['plan.cyber'], approvals: setup.gates['cyber-audit']!.approvals }],
    });
    expect(after.gates['master-check']).toEqual(setup.gates['master-check']);
    expect(after.gates['master-check']!.status).toBe('passed');
  });

  it('turns the approved waiver of a reopened item into an expired one', () => {
    const after = given(eventWith(), [
      complete,
      requestWaiver('cyber.hung', 'plan.cyber'),
      decide('head.tuan', 'plan.cyber', 'approve'),
      rejectGate(['plan.cyber']),
    ]);
    expect(after.items['plan.cyber']).toMatchObject({ status: 'todo', waiver: { status: 'expired' } });
  });
});
