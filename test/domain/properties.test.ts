import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apply,
  commandSchema,
  createEventState,
  errorKinds,
  eventWindowSchema,
  findItem,
  isSettled,
  planTemplateSchema,
  principalOf,
  reconstruct,
  ruleMet,
  tick,
  validate,
  type EventState,
  type HistoryStep,
  type PlanTemplateInput,
  type Verdict,
} from '../../domain';
import { evidence, tinyTemplateInput, tinyWindow } from '../support/fixtures';
import { shift, t0, type RawCommand } from './scenario';

/**
 * Random runs of the event: sequences of commands of every type, from random people of the roster
 * (and a stranger), at increasing instants, with clock ticks in between. Each command goes through
 * `validate` and, when accepted, `apply` then `tick`, as the workflow does. After every step the rules'
 * invariants must hold, and the history fold must rebuild the same state.
 */

// The tiny plan with every clock-driven rule switched on, and gates of every approval mode.
function propertyTemplate(variant: { rework: 'named' | 'all'; forbidCompleterApproval: boolean }) {
  const t: PlanTemplateInput = structuredClone(tinyTemplateInput);
  t.defaultReminders = [{ days: 7 }, { days: 1 }];
  t.escalation = [
    { after: { hours: 4 }, role: 'duty-officer' },
    { after: { days: 1 }, role: 'steering-head' },
  ];
  t.reviews = {
    cadence: [
      { from: { daysBefore: 60 }, every: { days: 7 } },
      { from: { daysBefore: 7 }, every: { days: 1 } },
    ],
    reportWithin: { hours: 12 },
  };
  t.gates![0] = { ...t.gates![0]!, ...variant }; // plan-approval: mode all
  t.gates![1]!.due = { daysBefore: 2 }; // preparation-complete: mode any
  t.gates!.push(
    {
      id: 'cyber-audit',
      title: 'Cyber audit',
      phase: 'planning',
      covers: ['plan.cyber'],
      approval: { mode: 'quorum', count: 2, roles: ['steering-head', 'office-chief'] },
    },
    {
      id: 'master-review',
      title: 'Master plan review',
      phase: 'preparation',
      covers: ['plan.master'],
      approval: { mode: 'percent', percent: 60, roles: ['steering-head', 'office-chief'] },
    },
  );
  return planTemplateSchema.parse(t);
}

const everyone = [...tinyTemplateInput.people.map((p) => p.id), 'stranger'];
const approvers = ['head.tuan', 'office.mai', 'both.roles'];
const planners = ['planner.linh', 'admin.root'];
const itemIds = ['plan.master', 'plan.cyber', 'order.routes', 'no.such-item'];
const gateIds = ['plan-approval', 'cyber-audit', 'preparation-complete', 'master-review', 'no-such-gate'];

/** Mostly the plausible choices, sometimes anything at all (refusals are part of the run). */
const mostly = <T>(plausible: fc.Arbitrary<T>, anything: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: plausible }, { weight: 1, arbitrary: anything });
const anyone = fc.constantFrom(...everyone);
const actorOf = (plausible: string[]) => mostly(fc.constantFrom(...plausible), anyone);
/** An item and who acts on it: mostly a member of its owner unit. */
const itemAndActor = mostly<[string, string]>(
  fc.constantFrom(['plan.master', 'office.mai'], ['plan.cyber', 'cyber.hung'], ['order.routes', 'police.nam']),
  fc.tuple(fc.constantFrom(...itemIds), anyone),
);
const unitAndMember = mostly<[string, string]>(
  fc.constantFrom(['office', 'office.mai'], ['cyber', 'cyber.hung'], ['police', 'police.nam']),
  fc.tuple(fc.constantFrom('office', 'cyber', 'police'), anyone),
);
// The planning gates come first in a run: they are drawn more often.
const gateId = mostly(fc.constantFrom(...gateIds.slice(0, 2), ...gateIds.slice(0, 4)), fc.constantFrom(...gateIds));
const reason = fc.constantFrom('not ready', 'see the attached minutes', 'lý do');
/** Minutes from the step's own instant: the command's time fields are filled in when the step runs. */
const minutesAhead = fc.integer({ min: -600, max: 30 * 24 * 60 });

interface CommandSpec {
  actor: string;
  command: { type: string } & Record<string, unknown>;
  /** Time fields, in minutes from the step's instant. */
  relative?: Record<string, number>;
}
/** Ids that only the state knows: the latest review or delegation (or one that does not exist yet). */
const LATEST = 'latest';

const itemCommand = (
  type: string,
  extra: Record<string, fc.Arbitrary<unknown>> = {},
  actors?: fc.Arbitrary<string>,
): fc.Arbitrary<CommandSpec> =>
  fc
    .record({ target: itemAndActor, extra: fc.record(extra), actor: actors ?? fc.constant(undefined) })
    .map(({ target: [itemId, owner], extra: fields, actor }) => ({
      actor: actor ?? owner,
      command: { type, itemId, ...fields },
    }));

const commandArbitraries: [weight: number, arbitrary: fc.Arbitrary<CommandSpec>][] = [
  [
    35,
    itemCommand('completeItem', {
      evidence: fc.constantFrom(evidence, evidence, []),
      note: fc.constant('done as planned'),
    }),
  ],
  [8, itemCommand('startItem')],
  [5, itemCommand('blockItem', { reason })],
  [6, itemCommand('unblockItem')],
  [8, itemCommand('requestWaiver', { justification: reason })],
  [4, itemCommand('requestWaiver', { justification: reason }, actorOf(planners))],
  [
    8,
    fc
      .record({ spec: itemCommand('requestWaiver', { justification: reason }), expiresAt: minutesAhead })
      .map(({ spec, expiresAt }) => ({ ...spec, relative: { expiresAt } })),
  ],
  [
    16,
    fc.record({
      actor: actorOf(approvers),
      command: fc.record({
        type: fc.constant('decideWaiver'),
        itemId: fc.constantFrom(...itemIds),
        decision: fc.constantFrom('approve', 'approve', 'deny'),
        reason,
      }),
    }),
  ],
  [
    70,
    fc.record({
      actor: actorOf(approvers),
      command: fc.record({ type: fc.constant('signOffGate'), gateId, decision: fc.constant('approve') }),
    }),
  ],
  [
    8,
    fc.record({
      actor: actorOf(['duty.khoa', ...approvers]),
      command: fc.record({
        type: fc.constant('signOffGate'),
        gateId,
        decision: fc.constant('approve'),
        onBehalfOf: fc.constantFrom(...approvers),
      }),
    }),
  ],
  [
    8,
    fc.record({
      actor: actorOf(approvers),
      command: fc.record({
        type: fc.constant('signOffGate'),
        gateId,
        decision: fc.constant('reject'),
        reason,
        reopen: fc.subarray(itemIds.slice(0, 3)),
      }),
    }),
  ],
  [
    8,
    fc.record({
      actor: actorOf(approvers),
      command: fc.record(
        {
          type: fc.constant('delegate'),
          to: actorOf(['duty.khoa', ...approvers]),
          roles: fc.subarray(['steering-head', 'office-chief'], { minLength: 1 }),
          gates: fc.subarray(gateIds.slice(0, 4), { minLength: 1 }),
        },
        { requiredKeys: ['type', 'to'] },
      ),
      relative: fc.record({ validUntil: minutesAhead }),
    }),
  ],
  [
    4,
    fc.record({
      actor: actorOf([...approvers, 'admin.root']),
      command: fc.record({ type: fc.constant('revokeDelegation'), delegationId: fc.constantFrom(LATEST, 'dlg-1') }),
    }),
  ],
  [
    16,
    fc
      .record({
        target: unitAndMember,
        reviewId: fc.constantFrom(LATEST, LATEST, 'review-1'),
        status: fc.constantFrom('on_track', 'at_risk', 'off_track'),
      })
      .map(({ target: [unit, actor], reviewId, status }) => ({
        actor,
        command: { type: 'submitProgressReport', reviewId, unit, status },
      })),
  ],
  [
    5,
    fc
      .record(
        {
          actor: actorOf(planners),
          days: fc.integer({ min: -40, max: 60 }),
          hours: fc.integer({ min: -6, max: 200 }),
          timeZone: fc.constantFrom('Asia/Ho_Chi_Minh', 'Europe/Berlin', 'Nowhere/Atlantis'),
        },
        { requiredKeys: ['actor', 'days', 'hours'] },
      )
      .map(({ actor, days, hours, timeZone }) => {
        const start = shift(tinyWindow.start, { days });
        const window = { start, end: shift(start, { hours }), ...(timeZone ? { timeZone } : {}) };
        return { actor, command: { type: 'reschedule', window, reason: 'moved' } };
      }),
  ],
  [1, fc.record({ actor: actorOf(planners), command: fc.constant({ type: 'cancel', reason: 'called off' }) })],
];

type Action = { kind: 'tick' } | ({ kind: 'command' } & CommandSpec);
const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'tick' as const }) },
  {
    weight: 4,
    arbitrary: fc
      .oneof(...commandArbitraries.map(([weight, arbitrary]) => ({ weight, arbitrary })))
      .map((command) => ({ kind: 'command' as const, ...command })),
  },
);
const stepArbitrary = fc.record({
  /** Minutes since the previous step: often a few hours, sometimes days. */
  advance: fc.oneof(fc.integer({ min: 0, max: 6 * 60 }), fc.integer({ min: 0, max: 5 * 24 * 60 })),
  action: actionArbitrary,
});
const runArbitrary = fc.record({
  variant: fc.record({
    rework: fc.constantFrom('named' as const, 'all' as const),
    forbidCompleterApproval: fc.boolean(),
  }),
  /** Days after t0 the event is created: before, among or after the reminders and reviews. */
  createdAfter: fc.integer({ min: 0, max: 80 }),
  /** Half the runs begin with the planning items done, so that gates open and get decided often. */
  warmStart: fc.boolean(),
  steps: fc.array(stepArbitrary, { minLength: 10, maxLength: 60, size: 'max' }),
});
const planningDone: { advance: number; action: Action }[] = [
  {
    advance: 0,
    action: { kind: 'command', actor: 'office.mai', command: { type: 'completeItem', itemId: 'plan.master' } },
  },
  {
    advance: 60,
    action: { kind: 'command', actor: 'cyber.hung', command: { type: 'completeItem', itemId: 'plan.cyber', evidence } },
  },
];

/** The command as sent at `now`: time fields filled in, "latest" ids resolved against the state. */
function materialize({ command, relative }: CommandSpec, state: EventState, now: string): RawCommand {
  const latest: Record<string, string> = {
    reviewId: state.reviews.at(-1)?.id ?? 'review-1',
    delegationId: `dlg-${Math.max(1, state.delegations.length)}`,
  };
  const resolved = Object.entries(command).map(([key, value]) => [key, value === LATEST ? latest[key] : value]);
  const times = Object.entries(relative ?? {}).map(([key, minutes]) => [key, shift(now, { minutes })]);
  return Object.fromEntries([...resolved, ...times]) as RawCommand;
}

/** (b) Every passed gate's rule holds over its approvals, which are by distinct principals. */
function expectPassedGatesSound(state: EventState) {
  for (const gate of state.template.gates) {
    const gateState = state.gates[gate.id]!;
    if (gateState.status !== 'passed') continue;
    expect(ruleMet(gate.approval, gateState.approvals, state), `gate ${gate.id} passed without its rule`).toBe(true);
    const principals = gateState.approvals.map(principalOf);
    expect(new Set(principals).size, `gate ${gate.id} counts a principal twice`).toBe(principals.length);
  }
}

/** How often each kind of command was accepted across all runs: the properties must not hold vacuously. */
const accepted: Record<string, number> = {};
let passedGates = 0;

type Run = typeof runArbitrary extends fc.Arbitrary<infer T> ? T : never;

function simulate({ variant, createdAfter, warmStart, steps }: Run) {
  const template = propertyTemplate(variant);
  const args = {
    eventId: 'prop',
    template,
    templateHash: 'sha256:prop',
    window: eventWindowSchema.parse(tinyWindow),
    roster: template.people,
    createdBy: 'planner.linh',
  };
  let now = shift(t0, { days: createdAfter });
  const history: HistoryStep[] = [{ kind: 'started', at: now, args }];
  let state = tick(createEventState({ ...args, now }), now).state;
  [...(warmStart ? planningDone : []), ...steps].forEach(({ advance, action }, i) => {
    now = shift(now, { minutes: advance });
    if (action.kind === 'tick') {
      const before = structuredClone(state);
      const ticked = tick(state, now);
      expect(state).toStrictEqual(before); // (d) for the clock too
      // (f) a tick is idempotent: ticking again at the same instant changes nothing and sends nothing.
      const again = tick(ticked.state, now);
      expect(again.effects).toEqual([]);
      expect(again.state).toStrictEqual(ticked.state);
      state = ticked.state;
      history.push({ kind: 'tick', at: now });
    } else {
      const raw = materialize(action, state, now);
      const parsed = commandSchema.safeParse(raw);
      if (!parsed.success) return; // the workflow's validator refuses it before the rules see it
      const command = parsed.data;
      const before = structuredClone(state);
      let verdict: Verdict;
      try {
        verdict = validate(state, command, { id: action.actor }, now);
      } catch (error) {
        throw new Error(`(c) validate threw on ${JSON.stringify(raw)}: ${String(error)}`);
      }
      if (!verdict.ok) {
        expect(errorKinds).toHaveProperty(verdict.rejection.code); // a stable, known code
        expect(state).toStrictEqual(before);
        return;
      }
      const applied = apply(state, command, verdict.person, now);
      expect(state).toStrictEqual(before); // (d)
      if (command.type === 'completeItem') {
        // (a) at completion time, every dependency is done or waived.
        for (const dependency of findItem(state, command.itemId)!.dependsOn) {
          expect(isSettled(applied.state.items[dependency]), `${command.itemId} completed before ${dependency}`).toBe(
            true,
          );
        }
      }
      const afterApply = structuredClone(applied.state);
      const ticked = tick(applied.state, now); // the workflow ticks after every accepted command
      expect(applied.state).toStrictEqual(afterApply);
      state = ticked.state;
      history.push({ kind: 'command', at: now, updateId: `u-${i}`, actor: { id: action.actor }, command: raw });
      accepted[command.type] = (accepted[command.type] ?? 0) + 1;
    }
    expectPassedGatesSound(state);
  });
  passedGates += Object.values(state.gates).filter((gate) => gate.status === 'passed').length;
  // (e) the history fold rebuilds the live state, refusing nothing the live run accepted.
  const rebuilt = reconstruct(history);
  expect(rebuilt.timeline.filter((entry) => entry.type === 'unreplayable')).toEqual([]);
  expect(rebuilt.state).toStrictEqual(state);
}

describe('properties of random runs', () => {
  it('keep the rules’ invariants, never throw in validate, never mutate, and fold back from history', () => {
    fc.assert(fc.property(runArbitrary, simulate), { numRuns: 100, seed: 20261202 });
    // Guard against vacuous runs: the generators reach the interesting commands.
    for (const type of ['completeItem', 'signOffGate', 'startItem', 'requestWaiver', 'decideWaiver', 'reschedule']) {
      expect(accepted[type], `no ${type} was ever accepted`).toBeGreaterThan(0);
    }
    expect(passedGates, 'no gate ever passed').toBeGreaterThan(0);
  });
});
