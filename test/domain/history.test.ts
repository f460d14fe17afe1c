import { describe, expect, it } from 'vitest';
import { eventWindowSchema, reconstruct, type HistoryStep } from '../../domain';
import { evidence, tinyTemplate, tinyWindow } from '../support/fixtures';

const args = {
  eventId: 'e',
  template: tinyTemplate(),
  templateHash: 'sha256:t',
  window: eventWindowSchema.parse(tinyWindow),
  roster: tinyTemplate().people,
  createdBy: 'planner.linh',
};
const steps: HistoryStep[] = [
  { kind: 'started', at: '2026-09-01T00:00:00.000Z', args },
  {
    kind: 'command',
    at: '2026-09-02T00:00:00.000Z',
    updateId: 'u1',
    actor: { id: 'office.mai' },
    command: { type: 'completeItem', itemId: 'plan.master', note: 'xong' },
  },
  {
    kind: 'command',
    at: '2026-09-03T00:00:00.000Z',
    updateId: 'u2',
    actor: { id: 'cyber.hung' },
    command: { type: 'completeItem', itemId: 'plan.cyber', evidence },
  },
  {
    kind: 'command',
    at: '2026-09-04T00:00:00.000Z',
    updateId: 'u3',
    actor: { id: 'head.tuan' },
    command: { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' },
  },
  {
    kind: 'command',
    at: '2026-09-05T00:00:00.000Z',
    updateId: 'u4',
    actor: { id: 'office.mai' },
    command: { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' },
  },
];

describe('reconstruction from history', () => {
  it('still folds a command accepted before instants were limited to the years 0000–9999', () => {
    const { state, timeline } = reconstruct([
      steps[0]!,
      {
        kind: 'command',
        at: '2026-09-02T00:00:00.000Z',
        updateId: 'late',
        actor: { id: 'planner.linh' },
        command: {
          type: 'requestWaiver',
          itemId: 'plan.master',
          justification: 'x',
          expiresAt: '9999-12-31T23:00:00-05:00',
        },
      },
    ]);
    expect(state!.items['plan.master']!.waiver).toMatchObject({ status: 'requested' });
    expect(timeline.filter((e) => e.kind === 'action').map((e) => e.type)).toEqual(['requestWaiver']);
  });

  it('rebuilds the state as it was at an instant', () => {
    const { state } = reconstruct(steps, '2026-09-02T12:00:00.000Z');
    expect(state?.items['plan.master']).toMatchObject({
      status: 'done',
      completedBy: 'office.mai',
      completedAt: '2026-09-02T00:00:00.000Z',
    });
    expect(state?.items['plan.cyber']?.status).toBe('todo');
    expect(state?.phase).toBe('planning');
  });

  it('has no state before the event started', () => {
    expect(reconstruct(steps, '2026-08-01T00:00:00.000Z').state).toBeUndefined();
  });

  it('lists every action with its actor, and the system changes they caused, in order', () => {
    const { timeline } = reconstruct(steps);
    expect(timeline.map((e) => [e.seq, e.kind, e.type, e.actor ?? null, e.target ?? null])).toEqual([
      [1, 'system', 'eventStarted', 'planner.linh', null],
      [2, 'action', 'completeItem', 'office.mai', 'plan.master'],
      [3, 'action', 'completeItem', 'cyber.hung', 'plan.cyber'],
      [4, 'system', 'gateOpened', null, 'plan-approval'],
      [5, 'action', 'signOffGate', 'head.tuan', 'plan-approval'],
      [6, 'action', 'signOffGate', 'office.mai', 'plan-approval'],
      [7, 'system', 'gatePassed', null, 'plan-approval'],
      [8, 'system', 'phaseChanged', null, null],
    ]);
    expect(timeline[1]?.note).toBe('xong');
    expect(timeline[7]?.detail).toEqual({ from: 'planning', to: 'preparation' });
  });

  it('surfaces a step the rules refuse instead of skipping it silently', () => {
    const broken: HistoryStep[] = [
      ...steps.slice(0, 1),
      {
        kind: 'command',
        at: '2026-09-02T00:00:00.000Z',
        updateId: 'x',
        actor: { id: 'intruder' },
        command: { type: 'completeItem', itemId: 'plan.master' },
      },
    ];
    expect(reconstruct(broken).timeline.at(-1)).toMatchObject({
      type: 'unreplayable',
      detail: { reason: 'NOT_IN_ROSTER' },
    });
  });
});
