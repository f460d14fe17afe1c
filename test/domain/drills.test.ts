import { describe, expect, it } from 'vitest';
import { commandSchema, planTemplateSchema, recordDrillResult, validate, type DrillState } from '../../domain';
import { lifecycleTemplateInput } from '../support/fixtures';
import {
  essentials,
  given,
  lifecycleEvent,
  passAll,
  play,
  shift,
  t0,
  throughPreparation,
  tickAt,
  type Step,
} from './scenario';

const inRehearsal = () => given(lifecycleEvent(), throughPreparation);

const ddosWithFailover = (failover: string): Step => [
  'eval.an',
  {
    type: 'recordDrillResult',
    scenarioId: 'ddos',
    ratings: [
      { targetId: 'detect', rating: 'performed' },
      { targetId: 'failover', rating: failover, observation: 'standby platform took 25 minutes' },
      { targetId: 'inform', rating: 'major_challenges' },
    ],
    strengths: ['Detection was fast'],
    gaps: ['No runbook for the failover'],
  },
];

describe('recording a drill', () => {
  it('passes a scenario whose every target is rated at or above the pass rating', () => {
    const played = play(inRehearsal(), [
      [
        'eval.an',
        {
          type: 'recordDrillResult',
          scenarioId: 'ddos',
          ratings: [
            { targetId: 'detect', rating: 'performed' },
            { targetId: 'failover', rating: 'some_challenges' },
            { targetId: 'inform', rating: 'performed' },
          ],
        },
      ],
    ]);
    expect(played.code).toBe('OK');
    const drill = played.state.drills.ddos!;
    expect(drill.status).toBe('passed');
    expect(drill.attempts).toHaveLength(1);
    expect(drill.attempts[0]).toMatchObject({ attempt: 1, by: 'eval.an', outcome: 'passed', remediation: [] });
    expect(played.effects).toEqual([]);
  });

  it('fails a scenario on a target rated below the pass rating, creating remediation for each failed target', () => {
    const played = play(inRehearsal(), [ddosWithFailover('unable')]);
    expect(played.code).toBe('OK');
    const drill = played.state.drills.ddos!;
    expect(drill.status).toBe('failed');
    expect(drill.attempts[0]!.remediation).toEqual(['remediation.ddos.1.failover', 'remediation.ddos.1.inform']);
    // Remediation is due two days before the start (08:00 Hanoi), the re-test one day before.
    expect(drill.due).toBe('2026-11-09T01:00:00.000Z');
    const failover = played.state.items['remediation.ddos.1.failover']!;
    expect(failover).toMatchObject({
      status: 'todo',
      due: '2026-11-08T01:00:00.000Z',
      origin: { kind: 'remediation', scenarioId: 'ddos', attempt: 1, targetId: 'failover' },
    });
    const definition = played.state.template.items.find((i) => i.id === 'remediation.ddos.1.inform')!;
    // A target with its own unit is remediated by that unit; others by the scenario's first unit.
    expect(definition).toMatchObject({ unit: 'office', workGroup: 'plan', phase: 'rehearsal', evidenceRequired: true });
    expect(played.state.template.items.find((i) => i.id === 'remediation.ddos.1.failover')!.unit).toBe('cyber');
    expect(played.effects.map(essentials)).toEqual([
      {
        kind: 'remediationAssigned',
        at: t0,
        subject: { type: 'item', id: 'remediation.ddos.1.failover' },
        to: { units: ['cyber'], roles: [] },
        level: undefined,
      },
      {
        kind: 'remediationAssigned',
        at: t0,
        subject: { type: 'item', id: 'remediation.ddos.1.inform' },
        to: { units: ['office'], roles: [] },
        level: undefined,
      },
      {
        kind: 'drillFailed',
        at: t0,
        subject: { type: 'drill', id: 'ddos' },
        to: { units: ['cyber'], roles: ['steering-head'] },
        level: undefined,
      },
    ]);
  });

  it('refuses a re-test while remediation is open, and passes it once remediation is done', () => {
    const failed = given(inRehearsal(), [ddosWithFailover('unable')]);
    const retest = passAll('ddos', ['detect', 'failover', 'inform']);
    const early = play(failed, [retest]);
    expect(early.code).toBe('REMEDIATION_OPEN');

    const evidence = [{ url: 'https://docs.example.org/runbook.pdf' }];
    const played = play(failed, [
      ['cyber.hung', { type: 'completeItem', itemId: 'remediation.ddos.1.failover', evidence }],
      ['office.mai', { type: 'completeItem', itemId: 'remediation.ddos.1.inform', evidence }],
      retest,
    ]);
    expect(played.code).toBe('OK');
    expect(played.state.drills.ddos).toMatchObject({ status: 'passed' });
    expect(played.state.drills.ddos!.attempts.map((a) => a.outcome)).toEqual(['failed', 'passed']);
  });

  it.each<[string, Step, string]>([
    [
      'someone who is not an evaluator',
      ['head.tuan', passAll('ddos', ['detect', 'failover', 'inform'])[1]],
      'NOT_EVALUATOR',
    ],
    ['an unknown scenario', passAll('flood', ['x']), 'SCENARIO_NOT_FOUND'],
    ['ratings missing a target', passAll('ddos', ['detect', 'failover']), 'DRILL_TARGETS_MISMATCH'],
    ['ratings of an unknown target', passAll('power', ['restore', 'lights']), 'DRILL_TARGETS_MISMATCH'],
  ])('refuses %s', (_what, step, code) => {
    expect(play(inRehearsal(), [step]).code).toBe(code);
  });

  it('names the missing and unknown targets', () => {
    const command = commandSchema.parse(passAll('ddos', ['detect', 'failover', 'lights'])[1]);
    const verdict = validate(inRehearsal(), command, { id: 'eval.an' }, t0);
    expect(verdict.ok ? undefined : verdict.rejection).toMatchObject({
      code: 'DRILL_TARGETS_MISMATCH',
      details: { missing: ['inform'], unknown: ['lights'] },
    });
  });

  it('refuses drills before preparation (WRONG_PHASE) and after a pass (DRILL_ALREADY_PASSED)', () => {
    expect(play(lifecycleEvent(), [passAll('power', ['restore'])]).code).toBe('WRONG_PHASE');
    expect(play(inRehearsal(), [passAll('power', ['restore']), passAll('power', ['restore'])]).code).toBe(
      'DRILL_ALREADY_PASSED',
    );
  });

  it('rejects a body that rates the same target twice, at the path of the repeat', () => {
    const parsed = recordDrillResult.body.safeParse({
      ratings: [
        { targetId: 'restore', rating: 'performed' },
        { targetId: 'restore', rating: 'unable' },
      ],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['ratings', 1, 'targetId']);
  });
});

describe('the rehearsal gate', () => {
  it('waits for its scenarios, naming them', () => {
    const played = play(inRehearsal(), [
      passAll('power', ['restore']),
      ['head.tuan', { type: 'signOffGate', gateId: 'rehearsal-complete', decision: 'approve' }],
    ]);
    expect(played.code).toBe('GATE_NOT_OPEN');
  });

  it("passes once a failed scenario's failure is waived by the gate's approver with a justification", () => {
    const failed = given(inRehearsal(), [ddosWithFailover('unable'), passAll('power', ['restore'])]);
    expect(play(failed, [['eval.an', { type: 'waiveDrill', scenarioId: 'ddos', justification: 'x' }]]).code).toBe(
      'NOT_GATE_APPROVER',
    );
    const waived = play(failed, [
      ['head.tuan', { type: 'waiveDrill', scenarioId: 'ddos', justification: 'Standby platform replaced' }],
    ]);
    expect(waived.code).toBe('OK');
    expect(waived.state.drills.ddos).toMatchObject({
      status: 'waived',
      waiver: { by: 'head.tuan', justification: 'Standby platform replaced', at: t0 },
    });
    expect(waived.effects.map((e) => [e.kind, e.subject.id])).toEqual([['gateOpened', 'rehearsal-complete']]);
    const signed = play(waived.state, [
      ['head.tuan', { type: 'signOffGate', gateId: 'rehearsal-complete', decision: 'approve' }],
    ]);
    expect(signed.state.phase).toBe('readiness');
    expect(signed.state.phaseChanges.map((p) => p.phase)).toEqual([
      'planning',
      'preparation',
      'rehearsal',
      'readiness',
    ]);
  });

  it('waives only a failure (DRILL_NOT_FAILED)', () => {
    expect(
      play(inRehearsal(), [['head.tuan', { type: 'waiveDrill', scenarioId: 'power', justification: 'not held' }]]).code,
    ).toBe('DRILL_NOT_FAILED');
  });
});

describe('the clock of drills', () => {
  it('escalates a scenario with no passing result after its deadline, along the chain', () => {
    const state = inRehearsal();
    const due = state.drills.power!.due;
    const { state: after, effects } = tickAt(state, [shift(due, { hours: 1 }), shift(due, { hours: 4 })]);
    const escalations = effects.filter((e) => e.subject.type === 'drill' && e.subject.id === 'power');
    expect(escalations.map((e) => [e.level, e.to.roles, e.to.units])).toEqual([
      [1, ['office-chief'], ['police']],
      [2, ['steering-head'], ['police']],
    ]);
    expect((after.drills.power as DrillState).escalationLevel).toBe(2);
  });
});

describe('the drill programme of a template', () => {
  it('refuses a scenario that no gate waits for, at its path', () => {
    const input = lifecycleTemplateInput();
    input.gates = input.gates!.filter((g) => g.id !== 'rehearsal-complete');
    const parsed = planTemplateSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    const codes = parsed.error!.issues.map((i) => [(i as { params?: { code?: string } }).params?.code, i.path]);
    expect(codes).toContainEqual(['SCENARIO_NOT_GATED', ['drills', 'scenarios', 0, 'id']]);
  });

  it('refuses unknown units, evaluator roles and gate scenarios', () => {
    const input = lifecycleTemplateInput();
    input.drills!.evaluatorRoles = ['ghost'];
    input.drills!.scenarios[1]!.units = ['nowhere'];
    input.gates!.find((g) => g.id === 'rehearsal-complete')!.scenarios = ['ddos', 'power', 'flood'];
    const parsed = planTemplateSchema.safeParse(input);
    const paths = parsed.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['drills.evaluatorRoles.0', 'drills.scenarios.1.units.0', 'gates.2.scenarios.2']),
    );
  });
});
