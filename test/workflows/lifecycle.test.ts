import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTemplateSchema, reconstruct, type Notification } from '../../domain';
import { readHistorySteps } from '../../api/history';
import { stateQuery } from '../../workflows/definitions';
import { passAll, throughPreparation, throughRehearsal, type Step } from '../domain/scenario';
import { sendStep, sendSteps, startTinyEvent } from '../support/events';
import { evidence, lifecycleTemplateInput } from '../support/fixtures';
import {
  connectTestTemporal,
  eventually,
  uniqueEventId,
  type RunningWorker,
  type TestTemporal,
} from '../support/temporal';

/**
 * The second half of the lifecycle on a real server: drills and their
 * remediation, go/no-go, the phases the clock drives (live at the start,
 * review at the end), incidents and their re-escalation, and the review that
 * closes the event. Windows are seconds away so the workflow's own timer
 * moves the event; the template's relative deadlines are then in the past.
 */
let temporal: TestTemporal;
let worker: RunningWorker;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  worker = await temporal.startWorker();
});
afterAll(async () => temporal?.close());

const ACKNOWLEDGE_WITHIN_MS = 3_000;
const template = () => {
  const input = lifecycleTemplateInput();
  input.incidents!.acknowledgeWithin = { seconds: ACKNOWLEDGE_WITHIN_MS / 1000 };
  return planTemplateSchema.parse(input);
};

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const windowOf = (startInMs: number, endInMs: number) => ({
  start: inMs(startInMs),
  end: inMs(endInMs),
  timeZone: 'Asia/Ho_Chi_Minh',
});
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const send = sendStep;
const run = sendSteps;

/** The refusal of a step: the update fails with the domain's code as the ApplicationFailure type. */
async function refusal(
  handle: WorkflowHandle,
  step: Step,
): Promise<{ type: string | null | undefined; details: unknown }> {
  const error: unknown = await send(handle, step).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: (cause as ApplicationFailure).type, details: (cause as ApplicationFailure).details?.[0] };
}

async function startEvent(label: string, window: ReturnType<typeof windowOf>, steps: Step[] = []) {
  const eventId = uniqueEventId(label);
  const handle = await startTinyEvent(temporal.client, temporal.taskQueue, eventId, { template: template(), window });
  await run(handle, steps);
  return { eventId, handle };
}

const state = (handle: WorkflowHandle) => handle.query(stateQuery);
const sentFor = (eventId: string, kind: Notification['kind']) =>
  worker.notifications.filter((n) => n.eventId === eventId && n.kind === kind);
const sent = (
  eventId: string,
  kind: Notification['kind'],
  check: (list: Notification[]) => boolean,
  timeoutMs?: number,
) => eventually(() => Promise.resolve(sentFor(eventId, kind)), check, timeoutMs);

const ddosFailover = (rating: string): Step => [
  'eval.an',
  {
    type: 'recordDrillResult',
    scenarioId: 'ddos',
    ratings: [
      { targetId: 'detect', rating: 'performed' },
      { targetId: 'failover', rating, observation: 'the standby platform took 25 minutes' },
      { targetId: 'inform', rating: 'performed' },
    ],
  },
];
const goNoGo = (actor: string, body: Record<string, unknown>): Step => [
  actor,
  { type: 'decideGoNoGo', gateId: 'go-no-go', ...body },
];
const pentestRisk = { key: 'item:cyber.pentest', justification: 'Kiểm thử xâm nhập dời sang tuần sau' };
/** Both approvers of the go/no-go gate (rule `all`) say go; the first accepts the open pentest as a risk. */
const declareReadiness: Step[] = [
  goNoGo('office.mai', { decision: 'go', acceptRisks: [pentestRisk] }),
  goNoGo('head.tuan', { decision: 'go' }),
];
const signOff = (actor: string, gateId: string): Step => [actor, { type: 'signOffGate', gateId, decision: 'approve' }];
/** A step of `actor` (a typed tuple, so literals need no annotation). */
const by = (actor: string, command: Step[1]): Step => [actor, command];
const report = (severity: string) =>
  by('duty.lan', { type: 'reportIncident', incidentType: 'cyber', severity, description: 'DDoS vào cổng họp' });

/** Readiness declared with a window that started an hour ago: the event goes live at once. */
const liveEvent = (label: string) =>
  startEvent(label, windowOf(-HOUR, HOUR), [...throughRehearsal, ...declareReadiness]);

describe('rehearsal', () => {
  it('turns a failed drill into remediation items, re-tests once they are done, and enters readiness at the rehearsal gate', async () => {
    const { eventId, handle } = await startEvent('drill', windowOf(30 * 24 * HOUR, 31 * 24 * HOUR), throughPreparation);
    expect((await state(handle)).phase).toBe('rehearsal');

    const failed = await send(handle, ddosFailover('unable'));
    expect(failed).toMatchObject({ type: 'drillRecorded', remediation: ['remediation.ddos.1.failover'] });
    const afterFailure = await state(handle);
    expect(afterFailure.drills.ddos).toMatchObject({ status: 'failed' });
    expect(afterFailure.items['remediation.ddos.1.failover']).toMatchObject({
      status: 'todo',
      origin: { kind: 'remediation', scenarioId: 'ddos', attempt: 1, targetId: 'failover' },
    });
    expect(afterFailure.template.items.find((i) => i.id === 'remediation.ddos.1.failover')).toMatchObject({
      unit: 'cyber',
      evidenceRequired: true,
    });
    const assigned = await sent(eventId, 'remediationAssigned', (list) => list.length > 0);
    expect(assigned.map((n) => [n.subject.id, n.to.units])).toEqual([['remediation.ddos.1.failover', ['cyber']]]);

    const retest = passAll('ddos', ['detect', 'failover', 'inform']);
    expect((await refusal(handle, retest)).type).toBe('REMEDIATION_OPEN');
    await send(handle, ['cyber.hung', { type: 'completeItem', itemId: 'remediation.ddos.1.failover', evidence }]);
    expect(await send(handle, retest)).toMatchObject({ type: 'drillRecorded', drill: { status: 'passed' } });

    expect((await refusal(handle, signOff('head.tuan', 'rehearsal-complete'))).type).toBe('GATE_NOT_OPEN');
    await send(handle, passAll('power', ['restore']));
    expect(await send(handle, signOff('head.tuan', 'rehearsal-complete'))).toMatchObject({
      type: 'gateDecided',
      phase: 'readiness',
    });
    const after = await state(handle);
    expect(after.drills.ddos!.attempts.map((a) => a.outcome)).toEqual(['failed', 'passed']);
    expect(after.phaseChanges.map((p) => p.phase)).toEqual(['planning', 'preparation', 'rehearsal', 'readiness']);
  });
});

describe('readiness and the clock', () => {
  it('refuses a go over open launch blockers, declares readiness once both approvers accept the risk, then goes live at the start and into review at the end by its own timer', async () => {
    const window = windowOf(8_000, 16_000);
    const { eventId, handle } = await startEvent('golive', window, throughRehearsal);

    const blocked = await refusal(handle, goNoGo('office.mai', { decision: 'go' }));
    expect(blocked.type).toBe('LAUNCH_BLOCKED');
    expect(blocked.details).toMatchObject({
      entries: [expect.objectContaining({ key: 'item:cyber.pentest', kind: 'item', unit: 'cyber' })],
    });

    await run(handle, declareReadiness);
    const declared = await state(handle);
    expect(declared.readiness).toMatchObject({
      signers: [expect.objectContaining({ by: 'office.mai' }), expect.objectContaining({ by: 'head.tuan' })],
      acceptedRisks: [expect.objectContaining({ key: 'item:cyber.pentest', by: 'office.mai' })],
    });
    // Declared before the window opens: the phase waits for the clock.
    expect(declared.readiness!.declaredAt < window.start).toBe(true);
    expect(declared.phase).toBe('readiness');

    const live = await eventually(
      () => state(handle),
      (s) => s.phase !== 'readiness',
      12_000,
    );
    expect(live.phase).toBe('live');
    const review = await eventually(
      () => state(handle),
      (s) => s.phase === 'review',
      12_000,
    );
    expect(review.phaseChanges.slice(-3)).toEqual([
      { phase: 'readiness', at: expect.any(String) },
      { phase: 'live', at: window.start },
      { phase: 'review', at: window.end },
    ]);

    // The after-action record folds the history: it ticks where the timer fired and finds the same phases.
    expect(reconstruct(await readHistorySteps(temporal.client, eventId)).state).toEqual(await state(handle));

    const changes = await sent(eventId, 'phaseEntered', (list) => list.length >= 2);
    expect(changes.map((n) => [n.details?.phase, n.at])).toEqual([
      ['live', window.start],
      ['review', window.end],
    ]);
    expect(changes[0]!.to.roles).toEqual(['duty-officer']);
    const readiness = await sent(eventId, 'readinessDeclared', (list) => list.length > 0);
    expect(readiness.map((n) => [n.subject, n.details?.acceptedRisks])).toEqual([
      [{ type: 'event', id: eventId }, ['item:cyber.pentest']],
    ]);
  });
});

describe('incidents during the live event', () => {
  it('tells the whole escalation chain of a critical incident at once', async () => {
    const { eventId, handle } = await liveEvent('critical');
    expect((await state(handle)).phase).toBe('live');
    await send(handle, report('critical'));
    const { reportedAt } = (await state(handle)).incidents[0]!;
    const escalations = await sent(eventId, 'escalation', (list) => list.some((n) => n.subject.type === 'incident'));
    expect(
      escalations.filter((n) => n.subject.type === 'incident').map((n) => [n.subject.id, n.at, n.to.roles]),
    ).toEqual([['inc-1', reportedAt, ['office-chief', 'steering-head']]]);
    const reported = await sent(eventId, 'incidentReported', (list) => list.length > 0);
    expect(reported.map((n) => [n.subject.id, n.to.units])).toEqual([['inc-1', ['cyber', 'office']]]);
  });

  it('re-escalates an incident nobody acknowledges after acknowledgeWithin, until it is acknowledged, then works it to resolution', async () => {
    const { eventId, handle } = await liveEvent('reescalate');
    await send(handle, report('high'));
    const { reportedAt } = (await state(handle)).incidents[0]!;
    const incidentEscalations = () => sentFor(eventId, 'escalation').filter((n) => n.subject.type === 'incident');
    expect(incidentEscalations()).toEqual([]);

    const first = await eventually(
      () => Promise.resolve(incidentEscalations()),
      (list) => list.length > 0,
      ACKNOWLEDGE_WITHIN_MS + 5_000,
    );
    expect(first.map((n) => [n.level, n.at, n.to.roles])).toEqual([
      [1, new Date(Date.parse(reportedAt) + ACKNOWLEDGE_WITHIN_MS).toISOString(), ['duty-officer', 'office-chief']],
    ]);
    expect((await state(handle)).incidents[0]).toMatchObject({ status: 'reported', escalations: 1 });

    expect(await send(handle, by('duty.lan', { type: 'acknowledgeIncident', incidentId: 'inc-1' }))).toMatchObject({
      incident: { status: 'acknowledged', acknowledgedBy: 'duty.lan' },
    });
    const resolve = by('duty.lan', { type: 'resolveIncident', incidentId: 'inc-1', resolution: 'Đã chuyển tải' });
    expect((await refusal(handle, resolve)).details).toEqual({ steps: ['isolate', 'restore', 'report'] });
    const step = (actor: string, stepId: string, outcome: string, note?: string) =>
      by(actor, { type: 'updateIncidentStep', incidentId: 'inc-1', stepId, outcome, ...(note ? { note } : {}) });
    await run(handle, [
      step('cyber.hung', 'isolate', 'done'),
      step('cyber.hung', 'restore', 'done'),
      step('office.mai', 'report', 'not_needed', 'Ban chỉ đạo theo dõi trực tiếp'),
    ]);
    expect(await send(handle, resolve)).toMatchObject({ incident: { status: 'resolved', resolvedBy: 'duty.lan' } });

    // The second re-escalation would have fallen due by now: acknowledging stopped it.
    await sleep(Math.max(0, Date.parse(reportedAt) + 2 * ACKNOWLEDGE_WITHIN_MS + 500 - Date.now()));
    expect(incidentEscalations()).toHaveLength(1);
    expect((await state(handle)).incidents[0]).toMatchObject({ escalations: 1, status: 'resolved' });
    const resolvedNotice = await sent(eventId, 'incidentResolved', (list) => list.length > 0);
    expect(resolvedNotice.map((n) => n.subject.id)).toEqual(['inc-1']);
  });
});

describe('the review', () => {
  it('keeps the review gate shut while a corrective action is open, and closes the event once its unit closes it', async () => {
    const window = windowOf(-HOUR, 4_000);
    const { handle } = await startEvent('review', window, [...throughRehearsal, ...declareReadiness]);
    const inReview = await eventually(
      () => state(handle),
      (s) => s.phase === 'review',
      10_000,
    );
    expect(inReview.phaseChanges.at(-1)).toEqual({ phase: 'review', at: window.end });

    await run(handle, [
      [
        'planner.linh',
        { type: 'addLesson', title: 'Phương án dự phòng', observation: 'Chuyển tải chậm', workGroup: 'cyber' },
      ],
      [
        'planner.linh',
        {
          type: 'addCorrectiveAction',
          title: 'Diễn tập chuyển tải hằng quý',
          unit: 'police',
          due: inMs(7 * 24 * HOUR),
          lessonId: 'lesson-1',
        },
      ],
    ]);
    const closeReview = signOff('head.tuan', 'review-closure');
    const shut = await refusal(handle, closeReview);
    expect(shut).toEqual({ type: 'GATE_NOT_OPEN', details: { items: ['corrective.1'], scenarios: [] } });

    await send(handle, ['police.nam', { type: 'completeItem', itemId: 'corrective.1' }]);
    expect(await send(handle, closeReview)).toMatchObject({ type: 'gateDecided', phase: 'closed' });
    expect(await handle.result()).toEqual({ eventId: expect.any(String), phase: 'closed' });
    // The after-action report was rendered as the review changed, and once more on closing.
    expect(
      worker.reports.filter((id) => id === handle.workflowId.replace(/^event\//, '')).length,
    ).toBeGreaterThanOrEqual(2);
    const closed = await state(handle);
    expect(closed.lessons.map((l) => l.id)).toEqual(['lesson-1']);
    expect(closed.items['corrective.1']).toMatchObject({
      status: 'done',
      completedBy: 'police.nam',
      origin: { kind: 'corrective', lessonId: 'lesson-1' },
    });
  });
});
