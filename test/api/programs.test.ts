import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgramActivities } from '../../activities/program';
import { programReportOf, type PlanTemplateInput } from '../../domain';
import { stateQuery, eventWorkflowId } from '../../workflows/definitions';
import { throughRehearsal } from '../domain/scenario';
import { createTestApi, type TestApi } from '../support/api';
import { sendSteps } from '../support/events';
import { lifecycleTemplateInput, tinyWindow } from '../support/fixtures';
import { connectTestTemporal, eventually, uniqueEventId, type TestTemporal } from '../support/temporal';

/**
 * Programs over HTTP on the real server: creating one, events that belong to
 * it, the roll-up from visibility, and corrective actions carried over from
 * one event's review to the plans of later events. The event side of the
 * report is the `reportToProgram` activity, run here as the event workflow
 * runs it (the worker registers it with a real client).
 */
let temporal: TestTemporal;
let api: TestApi;
let report: ReturnType<typeof createProgramActivities>['reportToProgram'];
beforeAll(async () => {
  temporal = await connectTestTemporal();
  const activities = createProgramActivities({ client: temporal.client, logger: { info: () => undefined } });
  report = activities.reportToProgram;
  await temporal.startWorker({ activities });
  api = createTestApi(temporal);
});
afterAll(async () => temporal?.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const windowIn = (startMs: number, endMs: number) => ({ start: inMs(startMs), end: inMs(endMs) });

const as = (person = 'planner.linh') => api.as(person);

async function createProgram(label: string, body: Record<string, unknown> = {}) {
  const id = uniqueEventId(label);
  const res = await api.request
    .post('/programs')
    .set(await as())
    .send({ id, title: `Program ${label}`, ...body });
  expect(res.status).toBe(201);
  return id;
}

async function startEvent(program: string, extra: Record<string, unknown> = {}, label = 'evt') {
  const eventId = uniqueEventId(label);
  const res = await api.request
    .post('/events')
    .set(await as())
    .send({ eventId, program, template: 'tiny-summit', window: tinyWindow, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { eventId, body: res.body };
}

const getProgram = async (id: string, person = 'planner.linh') =>
  api.request.get(`/programs/${id}`).set(await as(person));

function expectProblem(
  res: { status: number; headers: Record<string, string>; body: { code?: string } },
  status: number,
  code: string,
) {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

const eventState = (eventId: string) => temporal.client.workflow.getHandle(eventWorkflowId(eventId)).query(stateQuery);

describe('POST /programs', () => {
  it('creates a program: 201 with its location, readable at once, listed by visibility with its title', async () => {
    const id = uniqueEventId('create');
    const res = await api.request
      .post('/programs')
      .set(await as())
      .send({
        id,
        title: 'ASEAN 2027 chairmanship',
        description: 'Every summit of the year',
        policy: { carryOver: 'require' },
      });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/programs/${id}`);
    expect(res.body).toMatchObject({ id, workflowId: `program/${id}`, policy: { carryOver: 'require' } });

    const read = await getProgram(id);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id,
      title: 'ASEAN 2027 chairmanship',
      description: 'Every summit of the year',
      policy: { carryOver: 'require' },
      createdBy: 'planner.linh',
      carriedActions: { open: 0, takenUp: 0, resolved: 0, items: [] },
      lessons: [],
      rollUp: { events: 0, meanPercentComplete: null, atRisk: [], consistency: 'eventual' },
    });

    const listed = await eventually(
      async () => (await api.request.get('/programs').set(await as())).body,
      (b) => b.programs?.some((p: { id: string }) => p.id === id),
    );
    expect(listed.programs.find((p: { id: string }) => p.id === id)).toMatchObject({
      title: 'ASEAN 2027 chairmanship',
      policy: { carryOver: 'require' },
      status: 'RUNNING',
    });
  });

  it('answers 409 to a second program with the same id, leaving the first untouched', async () => {
    const id = await createProgram('dup', { policy: { carryOver: 'offer' } });
    const res = await api.request
      .post('/programs')
      .set(await as())
      .send({ id, title: 'Another', policy: { carryOver: 'require' } });
    expectProblem(res, 409, 'PROGRAM_EXISTS');
    expect((await getProgram(id)).body).toMatchObject({ title: 'Program dup', policy: { carryOver: 'offer' } });
  });

  it('refuses an invalid body (400), a non-planner (403), and reads of unknown programs (404) or by outsiders (403)', async () => {
    expectProblem(
      await api.request
        .post('/programs')
        .set(await as())
        .send({ id: 'bad id', title: 'x' }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await api.request
        .post('/programs')
        .set(await as())
        .send({ id: uniqueEventId('x'), title: 'x', policy: { carryOver: 'always' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await api.request
        .post('/programs')
        .set(await as('viewer.trang'))
        .send({ id: uniqueEventId('x'), title: 'x' }),
      403,
      'ROLE_REQUIRED',
    );
    expectProblem(await getProgram('no-such-program'), 404, 'PROGRAM_NOT_FOUND');
    const id = await createProgram('private');
    expectProblem(await getProgram(id, 'viewer.trang'), 403, 'READ_FORBIDDEN');
  });
});

describe('events in a program', () => {
  it('refuses an event of a program that does not exist (422 at `program`), and starts one of an existing program', async () => {
    const res = await api.request
      .post('/events')
      .set(await as())
      .send({
        eventId: uniqueEventId('orphan'),
        program: 'never-created',
        template: 'tiny-summit',
        window: tinyWindow,
      });
    expectProblem(res, 422, 'PROGRAM_NOT_FOUND');
    expect(res.body.issues[0]).toMatchObject({ path: ['program'], code: 'PROGRAM_NOT_FOUND' });

    const program = await createProgram('member');
    const { eventId, body } = await startEvent(program);
    expect(body.program).toEqual({
      id: program,
      carryOver: 'offer',
      offered: [],
      links: { self: `/programs/${program}` },
    });
    expect((await eventState(eventId)).program).toBe(program);
  });

  it('rolls up its events from visibility: phases, mean percent, overdue items, escalations and the most at risk', async () => {
    const program = await createProgram('rollup');
    // Soon: both planning items are past due. Far: nothing is due yet; one item gets done. Cancelled: left out.
    const soon = (await startEvent(program, { window: windowIn(10 * DAY, 12 * DAY) }, 'soon')).eventId;
    const far = (await startEvent(program, { window: windowIn(200 * DAY, 202 * DAY) }, 'far')).eventId;
    const gone = (await startEvent(program, { window: windowIn(100 * DAY, 101 * DAY) }, 'gone')).eventId;
    await api.request
      .post(`/events/${far}/items/plan.master/complete`)
      .set(await as('office.mai'))
      .send({})
      .expect(200);
    await api.request
      .post(`/events/${gone}/cancel`)
      .set(await as())
      .send({ reason: 'merged into another summit' })
      .expect(200);

    // The expected figures, from each event's own state (a query, not visibility).
    const views = await Promise.all(
      [soon, far, gone].map(async (id) => (await api.request.get(`/events/${id}`).set(await as())).body),
    );
    const percentOf = (v: { items: { status: string }[] }) =>
      Math.round(
        (v.items.filter((i) => ['done', 'waived', 'carried_over'].includes(i.status)).length / v.items.length) * 1000,
      ) / 10;
    const [soonView, farView, goneView] = views;
    expect(goneView.phase).toBe('cancelled');
    const active = [soonView, farView];
    const expected = {
      events: 3,
      active: 2,
      byPhase: { planning: 2, cancelled: 1 },
      meanPercentComplete: Math.round(((percentOf(soonView) + percentOf(farView)) / 2) * 10) / 10,
      overdueItems: active.reduce((n, v) => n + v.overdue.length + v.overdueReports.length, 0),
      escalatingEvents: active.filter((v) => v.overdue.length > 0).length,
      openIncidents: 0,
    };
    expect(expected.overdueItems).toBe(2);
    expect(expected.meanPercentComplete).toBe(Math.round(((0 + 100 / 3) / 2) * 10) / 10);

    const rolled = await eventually(
      async () => (await getProgram(program)).body,
      (b) =>
        b.rollUp?.events === 3 &&
        b.rollUp.byPhase.cancelled === 1 &&
        b.rollUp.meanPercentComplete === expected.meanPercentComplete,
    );
    expect(rolled.rollUp).toMatchObject({ ...expected, truncated: false, consistency: 'eventual' });
    // Overdue and close beats far and partly done; the cancelled event is not ranked.
    expect(rolled.rollUp.atRisk.map((e: { eventId: string }) => e.eventId)).toEqual([soon, far]);
    expect(rolled.rollUp.atRisk[0]).toMatchObject({ overdueCount: 2, percentComplete: 0, risk: { overdue: 6 } });
    expect(rolled.rollUp.atRisk[0].risk.score).toBeGreaterThan(rolled.rollUp.atRisk[1].risk.score);
  });
});

describe('corrective actions carried over to later events', () => {
  /** The lifecycle plan with a navy unit the tiny summit plan lacks. */
  const withNavy = (): PlanTemplateInput => {
    const input = lifecycleTemplateInput();
    input.units.push({ id: 'navy', title: 'Naval support', parent: 'office' });
    return input;
  };
  const goNoGo = (
    actor: string,
    body: Record<string, unknown>,
  ): [string, Record<string, unknown> & { type: string }] => [
    actor,
    { type: 'decideGoNoGo', gateId: 'go-no-go', ...body },
  ];

  /**
   * An event of the program run to its review by its own clock; two corrective actions (cyber, navy)
   * carried over, and the report the event workflow sends after a carry-over.
   */
  async function reviewCarryingOver(program: string) {
    const eventId = uniqueEventId('first');
    const res = await api.request
      .post('/events')
      .set(await as())
      .send({
        eventId,
        program,
        template: withNavy(),
        window: { ...windowIn(-HOUR, 8_000), timeZone: 'Asia/Ho_Chi_Minh' },
      });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const handle = temporal.client.workflow.getHandle(eventWorkflowId(eventId));
    await sendSteps(handle, [
      ...throughRehearsal,
      goNoGo('office.mai', {
        decision: 'go',
        acceptRisks: [{ key: 'item:cyber.pentest', justification: 'Tested last month' }],
      }),
      goNoGo('head.tuan', { decision: 'go' }),
    ]);
    await eventually(
      () => eventState(eventId),
      (s) => s.phase === 'review',
      20_000,
    );
    const planner = await as();
    await api.request
      .post(`/events/${eventId}/lessons`)
      .set(planner)
      .send({ title: 'Failover too slow', observation: 'The standby platform took 25 minutes', workGroup: 'cyber' })
      .expect(201);
    for (const [title, unit] of [
      ['Write the failover runbook', 'cyber'],
      ['Harbour patrol plan', 'navy'],
    ]) {
      await api.request
        .post(`/events/${eventId}/corrective-actions`)
        .set(planner)
        .send({ title, unit, due: inMs(30 * DAY), lessonId: 'lesson-1' })
        .expect(201);
    }
    for (const itemId of ['corrective.1', 'corrective.2']) {
      await api.request
        .post(`/events/${eventId}/corrective-actions/${itemId}/carry-over`)
        .set(planner)
        .send({ reason: 'needs next year’s budget' })
        .expect(200);
    }
    // What the event workflow's `reportToProgram` activity sends after the carry-over (twice: a retry changes nothing).
    const snapshot = programReportOf(await eventState(eventId))!;
    expect(await report(snapshot)).toEqual({ recorded: true });
    expect(await report(snapshot)).toEqual({ recorded: true });
    return eventId;
  }

  it('offers the open actions to a later event under the default policy, leaving its plan as it was', async () => {
    const program = await createProgram('offer');
    const first = await reviewCarryingOver(program);
    const before = (await getProgram(program)).body;
    expect(before.carriedActions).toMatchObject({ open: 2, takenUp: 0 });
    expect(
      before.carriedActions.items.map((a: { id: string; status: string; unit: string }) => [a.id, a.status, a.unit]),
    ).toEqual([
      [`${first}:corrective.1`, 'open', 'cyber'],
      [`${first}:corrective.2`, 'open', 'navy'],
    ]);
    expect(before.lessons).toEqual([
      expect.objectContaining({ id: `${first}:lesson-1`, eventId: first, title: 'Failover too slow' }),
    ]);

    const { eventId, body } = await startEvent(program, {}, 'later');
    expect(body.program).toMatchObject({
      id: program,
      carryOver: 'offer',
      offered: [
        { actionId: `${first}:corrective.1`, title: 'Write the failover runbook', unit: 'cyber', applicable: true },
        { actionId: `${first}:corrective.2`, title: 'Harbour patrol plan', unit: 'navy', applicable: false },
      ],
    });
    const later = await eventState(eventId);
    expect(later.template.items.some((i) => i.id.startsWith('carried.'))).toBe(false);
    expect((await getProgram(program)).body.carriedActions).toMatchObject({ open: 2, takenUp: 0 });
  });

  it('under require, adds them to the later plan as planning items of their unit, and resolves them when done', async () => {
    const program = await createProgram('require', { policy: { carryOver: 'require' } });
    const first = await reviewCarryingOver(program);

    const { eventId, body } = await startEvent(program, {}, 'later');
    expect(body.program).toMatchObject({
      id: program,
      carryOver: 'require',
      required: [
        { actionId: `${first}:corrective.1`, itemId: 'carried.1', unit: 'cyber', title: 'Write the failover runbook' },
      ],
      notApplicable: [{ actionId: `${first}:corrective.2`, unit: 'navy' }],
    });
    const later = await eventState(eventId);
    expect(later.template.items.find((i) => i.id === 'carried.1')).toMatchObject({
      unit: 'cyber',
      workGroup: 'cyber',
      phase: 'planning',
      title: 'Write the failover runbook',
    });
    expect(later.template.gates.find((g) => g.id === 'plan-approval')!.covers).toContain('carried.1');
    expect(later.templateHash).toBe(body.template.hash);
    expect(later.templateHash).not.toBe(api.templates.get('tiny-summit')!.hash);

    const taken = (await getProgram(program)).body.carriedActions;
    expect(taken).toMatchObject({ open: 1, takenUp: 1 });
    expect(taken.items[0]).toMatchObject({ status: 'taken_up', takenUp: { eventId, itemId: 'carried.1' } });
    expect(taken.items[1]).toMatchObject({ status: 'open', notApplicable: [{ eventId }] });

    // A second event gets only what is still open (nothing it can take), and a repeated start is a 409 that keeps the first's.
    const third = await startEvent(program, {}, 'third');
    expect(third.body.program).toMatchObject({ required: [], notApplicable: [{ unit: 'navy' }] });
    const again = await api.request
      .post('/events')
      .set(await as())
      .send({ eventId, program, template: 'tiny-summit', window: tinyWindow });
    expectProblem(again, 409, 'EVENT_EXISTS');
    expect((await getProgram(program)).body.carriedActions.items[0]).toMatchObject({
      status: 'taken_up',
      takenUp: { eventId },
    });

    // The unit closes the item in the later event; that event's next report resolves the action.
    await api.request
      .post(`/events/${eventId}/items/carried.1/complete`)
      .set(await as('cyber.hung'))
      .send({})
      .expect(200);
    expect(await report(programReportOf(await eventState(eventId))!)).toEqual({ recorded: true });
    const resolved = (await getProgram(program)).body.carriedActions;
    expect(resolved).toMatchObject({ open: 1, takenUp: 0, resolved: 1 });
    expect(resolved.items[0]).toMatchObject({
      status: 'resolved',
      resolved: { eventId, itemId: 'carried.1', status: 'done' },
    });
  });

  it('does not record a report for a program that has no workflow', async () => {
    const snapshot = {
      eventId: 'x',
      program: 'never-created',
      phase: 'review' as const,
      at: inMs(0),
      lessons: [],
      carriedOver: [],
      carriedItems: [],
    };
    expect(await report(snapshot)).toEqual({ recorded: false });
  });
});
