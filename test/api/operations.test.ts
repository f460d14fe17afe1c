import { type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../api/auth';
import { planTemplateSchema } from '../../domain';
import { auth, useTestApi } from '../support/api';
import { evidence, lifecycleTemplateInput } from '../support/fixtures';
import { uniqueEventId } from '../support/temporal';

/**
 * The routes of the second half of the lifecycle over HTTP: drills,
 * go/no-go, incidents and duty, the review and its after-action record.
 * Events are started from the inline lifecycle template; its people (the
 * evaluator, a second duty officer) are not in the catalogue's tiny roster,
 * so tokens are minted here from the template itself.
 */
const suite = useTestApi();

const people = planTemplateSchema.parse(lifecycleTemplateInput()).people;
async function as(personId: string) {
  const person = people.find((p) => p.id === personId);
  if (!person) throw new Error(`no ${personId} in the lifecycle template`);
  const token = await mintDevToken(person, { secret: suite.api.secret, ...auth, expiresIn: '10m' });
  return { Authorization: `Bearer ${token}` };
}

const DAY = 86_400_000;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
/** Far ahead; open now, ending tomorrow (go-live at once); ended yesterday (straight to review). */
const windows = {
  ahead: () => ({ start: inMs(30 * DAY), end: inMs(31 * DAY) }),
  open: () => ({ start: inMs(-3_600_000), end: inMs(DAY) }),
  ended: () => ({ start: inMs(-2 * DAY), end: inMs(-DAY) }),
};

type Res = Response & { body: Record<string, unknown> & { code?: string } };
const post = async (eventId: string, path: string, person: string, body: object = {}): Promise<Res> =>
  suite.api.request
    .post(`/events/${eventId}/${path}`)
    .set(await as(person))
    .send(body);
const get = async (path: string, person = 'planner.linh'): Promise<Res> =>
  suite.api.request.get(path).set(await as(person));
const view = async (eventId: string, person?: string) => (await get(`/events/${eventId}`, person)).body;
const problem = (res: Res) => ({ status: res.status, code: res.body.code });

/** What each new action answers with: 201 when it creates a record, 200 otherwise. */
const statusOf = {
  recordDrillResult: 201,
  waiveDrill: 201,
  decideGoNoGo: 201,
  reportIncident: 201,
  acknowledgeIncident: 200,
  updateIncidentStep: 200,
  resolveIncident: 200,
  reopenIncident: 200,
  handOverDuty: 201,
  addLesson: 201,
  addCorrectiveAction: 201,
  carryOverCorrectiveAction: 200,
} as const;
type Operation = keyof typeof statusOf;

/** Runs an action that must be accepted, with the status of its operation; returns the result. */
async function accepted(operation: Operation, eventId: string, path: string, person: string, body: object = {}) {
  const res = await post(eventId, path, person, body);
  expect({ operation, status: res.status, code: res.body.code }).toEqual({
    operation,
    status: statusOf[operation],
    code: undefined,
  });
  return res.body;
}

// Request bodies
const ratingsOf = (targets: string[], failing: string[] = []) => ({
  ratings: targets.map((targetId) => ({ targetId, rating: failing.includes(targetId) ? 'unable' : 'performed' })),
});
const ddosTargets = ['detect', 'failover', 'inform'];
const approve = { decision: 'approve' };
const go = (acceptRisks: object[] = []) => ({ decision: 'go', acceptRisks });
const pentestRisk = { key: 'item:cyber.pentest', justification: 'Kiểm thử xâm nhập dời sang tuần sau' };
const incidentReport = {
  incidentType: 'cyber',
  severity: 'high',
  sessionId: 'opening',
  description: 'Tấn công từ chối dịch vụ vào cổng đăng ký',
  location: 'Trung tâm báo chí',
};
const lesson = { title: 'Phương án dự phòng', observation: 'Chuyển tải chậm 25 phút', workGroup: 'cyber' };
const correctiveAction = (lessonId?: string) => ({
  title: 'Diễn tập chuyển tải hằng quý',
  unit: 'police',
  due: inMs(30 * DAY),
  ...(lessonId ? { lessonId } : {}),
});

/** Setup calls: who posts what, in order; each must be accepted. */
type Call = [person: string, path: string, body?: object];
const throughPreparation: Call[] = [
  ['office.mai', 'items/plan.master/complete'],
  ['cyber.hung', 'items/plan.cyber/complete', { evidence }],
  ['head.tuan', 'gates/plan-approval/decisions', approve],
  ['office.mai', 'gates/plan-approval/decisions', approve],
  ['police.nam', 'items/order.routes/complete'],
  ['head.tuan', 'gates/preparation-complete/decisions', approve],
];
const throughRehearsal: Call[] = [
  ...throughPreparation,
  ['eval.an', 'drills/ddos/results', ratingsOf(ddosTargets)],
  ['eval.an', 'drills/power/results', ratingsOf(['restore'])],
  ['head.tuan', 'gates/rehearsal-complete/decisions', approve],
];
const throughReadiness: Call[] = [
  ...throughRehearsal,
  ['office.mai', 'gates/go-no-go/go-no-go', go([pentestRisk])],
  ['head.tuan', 'gates/go-no-go/go-no-go', go()],
];

const stages = {
  planning: { window: windows.ahead, calls: [] },
  rehearsal: { window: windows.ahead, calls: throughPreparation },
  readiness: { window: windows.ahead, calls: throughRehearsal },
  live: { window: windows.open, calls: throughReadiness },
  review: { window: windows.ended, calls: throughReadiness },
} satisfies Record<string, { window: () => { start: string; end: string }; calls: Call[] }>;

/** A new event of the lifecycle template, driven over HTTP to the given phase. */
async function eventIn(phase: keyof typeof stages): Promise<string> {
  const eventId = uniqueEventId(`ops-${phase}`);
  const { window, calls } = stages[phase];
  await suite.api.request
    .post('/events')
    .set(await as('planner.linh'))
    .send({ eventId, template: lifecycleTemplateInput(), window: window() })
    .expect(201);
  for (const [person, path, body] of calls) {
    const res = await post(eventId, path, person, body);
    expect({ path, status: res.status < 300, code: res.body.code }).toEqual({ path, status: true, code: undefined });
  }
  expect((await view(eventId)).phase).toBe(phase);
  return eventId;
}

const byId = <T extends { id: string }>(list: unknown, id: string) => (list as T[]).find((x) => x.id === id);

describe('drills over HTTP', () => {
  it('records a failed drill with 201, shows it and its remediation with owner units, and waives the failure with 201', async () => {
    const eventId = await eventIn('rehearsal');
    const failed = await accepted(
      'recordDrillResult',
      eventId,
      'drills/ddos/results',
      'eval.an',
      ratingsOf(ddosTargets, ['failover']),
    );
    expect(failed).toMatchObject({ type: 'drillRecorded', remediation: ['remediation.ddos.1.failover'] });

    const during = await view(eventId);
    expect(byId(during.drills, 'ddos')).toMatchObject({
      status: 'failed',
      units: ['cyber'],
      attempts: [{ attempt: 1 }],
    });
    expect(byId(during.items, 'remediation.ddos.1.failover')).toMatchObject({
      unit: 'cyber',
      origin: { kind: 'remediation', scenarioId: 'ddos' },
    });
    const blocking = (during.launchBlocking as { key: string; kind: string; unit: string }[])
      .map((e) => [e.key, e.kind, e.unit])
      .sort();
    expect(blocking).toEqual([
      ['drill:ddos', 'drill', 'cyber'],
      ['drill:power', 'drill', 'police'],
      ['item:cyber.pentest', 'item', 'cyber'],
      ['item:remediation.ddos.1.failover', 'remediation', 'cyber'],
    ]);

    const waived = await accepted('waiveDrill', eventId, 'drills/ddos/waiver', 'head.tuan', {
      justification: 'Nền tảng dự phòng đã được thay',
    });
    expect(waived).toMatchObject({ type: 'drillWaived', drill: { status: 'waived', waiver: { by: 'head.tuan' } } });
  });
});

describe('go / no-go over HTTP', () => {
  it('answers a go over open blockers with 422 LAUNCH_BLOCKED naming the entries, and declares readiness on two gos that accept the risk', async () => {
    const eventId = await eventIn('readiness');
    expect((await view(eventId)).launchBlocking).toEqual([
      expect.objectContaining({ key: 'item:cyber.pentest', kind: 'item', unit: 'cyber' }),
    ]);

    const blocked = await post(eventId, 'gates/go-no-go/go-no-go', 'office.mai', go());
    expect(problem(blocked)).toEqual({ status: 422, code: 'LAUNCH_BLOCKED' });
    expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(blocked.body.entries).toEqual([expect.objectContaining({ key: 'item:cyber.pentest', unit: 'cyber' })]);
    expect(
      problem(
        await post(eventId, 'gates/go-no-go/go-no-go', 'office.mai', go([{ key: 'item:nope', justification: 'x' }])),
      ),
    ).toEqual({ status: 422, code: 'UNKNOWN_RISK' });

    const noGo = await accepted('decideGoNoGo', eventId, 'gates/go-no-go/go-no-go', 'head.tuan', {
      decision: 'no_go',
      reason: 'Chưa kiểm thử xâm nhập',
    });
    expect(noGo).toMatchObject({ decision: 'no_go', phase: 'readiness', blocking: [{ key: 'item:cyber.pentest' }] });

    await accepted('decideGoNoGo', eventId, 'gates/go-no-go/go-no-go', 'office.mai', go([pentestRisk]));
    const second = await accepted('decideGoNoGo', eventId, 'gates/go-no-go/go-no-go', 'head.tuan', go());
    expect(second).toMatchObject({ decision: 'go', gate: { status: 'passed' } });
    const after = await view(eventId);
    expect(after.readiness).toMatchObject({
      acceptedRisks: [expect.objectContaining({ key: 'item:cyber.pentest', unit: 'cyber', by: 'office.mai' })],
    });
    expect(byId(after.gates, 'go-no-go')).toMatchObject({ kind: 'go-no-go', status: 'passed' });
  });
});

describe('incidents and duty over HTTP', () => {
  it('reports (201), acknowledges, works and resolves (200), reopens (200) an incident and hands the duty over (201), as the view shows', async () => {
    const eventId = await eventIn('live');
    const reported = await accepted('reportIncident', eventId, 'incidents', 'duty.lan', incidentReport);
    expect(reported).toMatchObject({ incident: { id: 'inc-1', status: 'reported', sessionId: 'opening' } });
    const incident = (path: string) => `incidents/inc-1/${path}`;

    await accepted('acknowledgeIncident', eventId, incident('acknowledge'), 'duty.lan', { note: 'Đã nhận' });
    expect(problem(await post(eventId, incident('acknowledge'), 'duty.lan'))).toEqual({
      status: 409,
      code: 'INCIDENT_ALREADY_ACKNOWLEDGED',
    });
    const early = await post(eventId, incident('resolve'), 'duty.lan', { resolution: 'Đã khôi phục' });
    expect(problem(early)).toEqual({ status: 422, code: 'INCIDENT_STEPS_OPEN' });
    expect(early.body.steps).toEqual(['isolate', 'restore', 'report']);

    await accepted('updateIncidentStep', eventId, incident('steps/isolate'), 'cyber.hung', { outcome: 'done' });
    await accepted('updateIncidentStep', eventId, incident('steps/restore'), 'cyber.hung', { outcome: 'done' });
    await accepted('updateIncidentStep', eventId, incident('steps/report'), 'office.mai', {
      outcome: 'not_needed',
      note: 'Ban chỉ đạo theo dõi trực tiếp',
    });
    const resolved = await accepted('resolveIncident', eventId, incident('resolve'), 'duty.lan', {
      resolution: 'Đã chuyển sang nền tảng dự phòng',
    });
    expect(resolved).toMatchObject({ incident: { status: 'resolved', resolvedBy: 'duty.lan' } });
    const reopened = await accepted('reopenIncident', eventId, incident('reopen'), 'duty.lan', {
      reason: 'Tấn công lặp lại',
    });
    expect(reopened).toMatchObject({ incident: { status: 'acknowledged', reopened: [{ by: 'duty.lan' }] } });

    const handedOver = await accepted('handOverDuty', eventId, 'duty/handovers', 'duty.lan', {
      shiftId: 'day-1',
      to: 'duty.khoa',
    });
    expect(handedOver).toMatchObject({ onDuty: 'duty.khoa', handover: { shiftId: 'day-1', openIncidents: ['inc-1'] } });

    const live = await view(eventId);
    expect(live).toMatchObject({ phase: 'live', openIncidents: 1, launchBlocking: [] });
    expect(live.incidents).toEqual([
      expect.objectContaining({ id: 'inc-1', status: 'acknowledged', reportedBy: 'duty.lan' }),
    ]);
    expect(live.duty).toMatchObject({
      onDuty: 'duty.khoa',
      shifts: [{ id: 'day-1' }, { id: 'night-1' }],
      handovers: [{ to: 'duty.khoa', shiftId: 'day-1' }],
    });
  });
});

describe('the review over HTTP', () => {
  it('records a lesson (201) and corrective actions (201), carries one over (200), and shows them in the view', async () => {
    const eventId = await eventIn('review');
    const added = await accepted('addLesson', eventId, 'lessons', 'planner.linh', lesson);
    expect(added).toMatchObject({ type: 'lessonAdded', lesson: { id: 'lesson-1', by: 'planner.linh' } });
    const first = await accepted(
      'addCorrectiveAction',
      eventId,
      'corrective-actions',
      'planner.linh',
      correctiveAction('lesson-1'),
    );
    expect(first).toMatchObject({ type: 'correctiveActionAdded', itemId: 'corrective.1' });
    await accepted('addCorrectiveAction', eventId, 'corrective-actions', 'planner.linh', correctiveAction());
    const carried = await accepted(
      'carryOverCorrectiveAction',
      eventId,
      'corrective-actions/corrective.2/carry-over',
      'planner.linh',
      { reason: 'Chuyển sang chương trình năm sau' },
    );
    expect(carried).toMatchObject({ item: { status: 'carried_over' } });

    const inReview = await view(eventId);
    expect(inReview.lessons).toEqual([expect.objectContaining({ id: 'lesson-1', workGroup: 'cyber' })]);
    expect(inReview.correctiveActions).toEqual([
      expect.objectContaining({
        id: 'corrective.1',
        unit: 'police',
        status: 'todo',
        origin: expect.objectContaining({ lessonId: 'lesson-1' }),
      }),
      expect.objectContaining({ id: 'corrective.2', unit: 'police', status: 'carried_over' }),
    ]);
    expect(byId(inReview.gates, 'review-closure')).toMatchObject({ status: 'waiting', waitingFor: ['corrective.1'] });
  });

  it('serves the after-action record to a planner and refuses a unit member, who reads only a scoped view, with 403 READ_FORBIDDEN', async () => {
    const eventId = await eventIn('review');
    await accepted('addLesson', eventId, 'lessons', 'planner.linh', lesson);
    const record = await get(`/events/${eventId}/review`);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({
      eventId,
      phase: 'review',
      readiness: { risksAccepted: [expect.objectContaining({ key: 'item:cyber.pentest' })] },
      lessons: [{ id: 'lesson-1' }],
    });
    expect((record.body.drills as { id: string; status: string }[]).map((d) => [d.id, d.status])).toEqual([
      ['ddos', 'passed'],
      ['power', 'passed'],
    ]);
    expect((record.body.phases as { phase: string }[]).map((p) => p.phase)).toEqual([
      'planning',
      'preparation',
      'rehearsal',
      'readiness',
      'live',
      'review',
    ]);

    expect(problem(await get(`/events/${eventId}/review`, 'police.nam'))).toEqual({
      status: 403,
      code: 'READ_FORBIDDEN',
    });
    expect((await view(eventId, 'police.nam')).scope).toBe('scoped');
  });
});

describe('refusals of the new routes', () => {
  let planning: string;
  beforeAll(async () => {
    planning = await eventIn('planning');
  });

  it.each<[string, string, string, object, number, string]>([
    [
      'drill results from someone who is not an evaluator',
      'head.tuan',
      'drills/ddos/results',
      ratingsOf(ddosTargets),
      403,
      'NOT_EVALUATOR',
    ],
    [
      'drill results for an unknown scenario',
      'eval.an',
      'drills/flood/results',
      ratingsOf(['x']),
      404,
      'SCENARIO_NOT_FOUND',
    ],
    [
      'drill results before the preparation',
      'eval.an',
      'drills/ddos/results',
      ratingsOf(ddosTargets),
      409,
      'WRONG_PHASE',
    ],
    ['a go/no-go before readiness', 'office.mai', 'gates/go-no-go/go-no-go', go(), 409, 'GATE_NOT_IN_CURRENT_PHASE'],
    ['a go/no-go on a sign-off gate', 'head.tuan', 'gates/plan-approval/go-no-go', go(), 422, 'NOT_GO_NO_GO_GATE'],
    ['an incident reported before readiness', 'duty.lan', 'incidents', incidentReport, 409, 'WRONG_PHASE'],
    ['an incident reported by a viewer', 'viewer.trang', 'incidents', incidentReport, 403, 'READ_ONLY'],
    ['acknowledging an unknown incident', 'duty.lan', 'incidents/inc-9/acknowledge', {}, 404, 'INCIDENT_NOT_FOUND'],
    [
      'a handover before readiness',
      'duty.lan',
      'duty/handovers',
      { shiftId: 'day-1', to: 'duty.khoa' },
      409,
      'WRONG_PHASE',
    ],
    ['a lesson from someone who is not a planner', 'head.tuan', 'lessons', lesson, 403, 'NOT_PLANNER'],
    ['a lesson before the review', 'planner.linh', 'lessons', lesson, 409, 'WRONG_PHASE'],
  ])('refuses %s (as %s)', async (_what, person, path, body, status, code) => {
    const res = await post(planning, path, person, body);
    expect(problem(res)).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it.each<[string, string, object, (string | number)[]]>([
    ['a no-go without a reason', 'gates/go-no-go/go-no-go', { decision: 'no_go' }, ['reason']],
    [
      'a no-go that accepts risks',
      'gates/go-no-go/go-no-go',
      { decision: 'no_go', reason: 'x', acceptRisks: [pentestRisk] },
      ['acceptRisks'],
    ],
    ['a step marked not needed without a note', 'incidents/inc-1/steps/isolate', { outcome: 'not_needed' }, ['note']],
    [
      'drill results rating a target twice',
      'drills/power/results',
      ratingsOf(['restore', 'restore']),
      ['ratings', 1, 'targetId'],
    ],
    [
      'a corrective action without a valid due date',
      'corrective-actions',
      { ...correctiveAction(), due: 'soon' },
      ['due'],
    ],
  ])('answers %s with 400 VALIDATION_FAILED at the path of the issue', async (_what, path, body, issuePath) => {
    const res = await post(planning, path, 'planner.linh', body);
    expect(problem(res)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect((res.body.issues as { path: unknown }[]).map((i) => i.path)).toEqual([issuePath]);
  });
});

describe('OpenAPI', () => {
  it('documents every new operation with the status it answers', async () => {
    const paths = (await suite.api.request.get('/openapi.json').expect(200)).body.paths as Record<
      string,
      Record<string, { operationId: string; responses: Record<string, unknown> }>
    >;
    const operations = Object.values(paths).flatMap((methods) => Object.values(methods));
    const documented = new Map(operations.map((o) => [o.operationId, Object.keys(o.responses)]));
    for (const [operationId, status] of Object.entries(statusOf)) {
      expect({ operationId, responses: documented.get(operationId) }).toEqual({
        operationId,
        responses: expect.arrayContaining([String(status)]),
      });
    }
    expect(documented.get('getAfterActionRecord')).toEqual(expect.arrayContaining(['200', '403']));
  });
});
