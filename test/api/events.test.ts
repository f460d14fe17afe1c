import { describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { eventWorkflowId } from '../../workflows/definitions';
import { createTestApi, useTestApi, type TestApi } from '../support/api';
import { evidence, generatedTemplateInput, tinyTemplateInput, tinyWindow } from '../support/fixtures';
import { eventually, uniqueEventId } from '../support/temporal';

const suite = useTestApi();

async function startEvent(eventId = uniqueEventId('api'), extra: Record<string, unknown> = {}) {
  const res = await suite.api.request
    .post('/events')
    .set(await suite.api.as('planner.linh'))
    .send({ eventId, template: 'tiny-summit', window: tinyWindow, ...extra });
  expect(res.status).toBe(201);
  return eventId;
}

const getEvent = async (eventId: string) =>
  suite.api.request.get(`/events/${eventId}`).set(await suite.api.as('planner.linh'));

function expectProblem(
  res: { status: number; headers: Record<string, string>; body: { code?: string } },
  status: number,
  code: string,
) {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

describe('POST /events', () => {
  it('starts an event from a catalogue template and answers 201 with its location', async () => {
    const eventId = uniqueEventId('start');
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId, template: 'tiny-summit', window: { start: tinyWindow.start, end: tinyWindow.end } });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/events/${eventId}`);
    expect(res.body).toMatchObject({ eventId, phase: 'planning', window: { timeZone: 'Asia/Ho_Chi_Minh' } });
    expect(res.body.template.hash).toMatch(/^sha256:/);
    expect(res.body.links.ui).toContain(encodeURIComponent(`event/${eventId}`));
  });

  it('answers 409 to a second start with the same event id, leaving the first untouched', async () => {
    const eventId = await startEvent();
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({
        eventId,
        template: 'tiny-summit',
        window: { ...tinyWindow, start: '2027-01-01T00:00:00Z', end: '2027-01-02T00:00:00Z' },
      });
    expectProblem(res, 409, 'EVENT_EXISTS');
    expect((await getEvent(eventId)).body.window.start).toBe(tinyWindow.start);
  });

  it('answers 422 with the path for an unknown template', async () => {
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId: uniqueEventId('tpl'), template: 'no-such-template', window: tinyWindow });
    expectProblem(res, 422, 'TEMPLATE_NOT_FOUND');
    expect(res.body.issues[0].path).toEqual(['template']);
  });

  it('answers 422 naming the exact path inside an invalid inline template', async () => {
    const template = structuredClone(tinyTemplateInput);
    template.items[1]!.dependsOn = ['cyber.scan'];
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId: uniqueEventId('inline'), template, window: tinyWindow });
    expectProblem(res, 422, 'TEMPLATE_INVALID');
    expect(res.body.issues).toContainEqual(
      expect.objectContaining({ at: 'template.items[1].dependsOn[0]', code: 'UNKNOWN_REFERENCE' }),
    );
  });

  it('answers 422 when the window makes an item fall due after the gate covering it', async () => {
    const template = structuredClone(tinyTemplateInput);
    // An absolute gate deadline cannot be compared with relative item deadlines until the window is known.
    Object.assign(template.gates[0]!, { due: { absolute: '2026-09-01T00:00:00Z' } });
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId: uniqueEventId('due'), template, window: tinyWindow });
    expectProblem(res, 422, 'DUE_AFTER_GATE');
    expect(res.body.issues.map((i: { message: string; code: string }) => i.code)).toEqual([
      'DUE_AFTER_GATE',
      'DUE_AFTER_GATE',
    ]);
  });

  it.each([
    ['a relative deadline after the end', 0, { daysAfter: 1, from: 'end' }, 'plan.master'],
    ['an absolute deadline after the end', 2, { absolute: '2026-12-01T00:00:00Z' }, 'order.routes'],
  ])('answers 422 DUE_AFTER_END naming the item when %s', async (_label, index, due, itemId) => {
    const template = structuredClone(tinyTemplateInput);
    Object.assign(template.items[index]!, { due });
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId: uniqueEventId('late'), template, window: tinyWindow });
    expectProblem(res, 422, 'DUE_AFTER_END');
    expect(res.body.issues.map((i: { code: string; path: unknown[] }) => [i.code, i.path])).toEqual([
      ['DUE_AFTER_END', ['template', 'items', itemId, 'due']],
    ]);
  });

  it('starts an event whose review-phase item falls due after the end', async () => {
    const template = structuredClone(tinyTemplateInput);
    Object.assign(template.items[2]!, { phase: 'review', due: { daysAfter: 7, from: 'end' } });
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId: uniqueEventId('review-late'), template, window: tinyWindow });
    expect(res.status).toBe(201);
  });

  it('starts an event from a valid inline template', async () => {
    const eventId = uniqueEventId('inline-ok');
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId, template: tinyTemplateInput, window: tinyWindow });
    expect(res.status).toBe(201);
    expect((await getEvent(eventId)).body.items).toHaveLength(3);
  });

  it.each([
    ['an unknown field', { bogus: true }, 'bogus'],
    ['a wrong type', { window: { ...tinyWindow, start: 42 } }, 'window.start'],
    ['an unknown time zone', { window: { ...tinyWindow, timeZone: 'Mars/Olympus' } }, 'window.timeZone'],
    ['a window that ends before it starts', { window: { ...tinyWindow, end: '2026-01-01T00:00:00Z' } }, 'window.end'],
  ])('answers 400 with the field path for %s', async (_label, change, at) => {
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId: uniqueEventId('bad'), template: 'tiny-summit', window: tinyWindow, ...change });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.issues.map((i: { at: string }) => i.at)).toContain(at);
  });

  it('answers 400 to malformed JSON', async () => {
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .set('Content-Type', 'application/json')
      .send('{"eventId": "x", ');
    expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('answers 403 to a start by someone without the planner role', async () => {
    const res = await suite.api.request
      .post('/events')
      .set(await suite.api.as('head.tuan'))
      .send({ eventId: uniqueEventId('noplanner'), template: 'tiny-summit', window: tinyWindow });
    expectProblem(res, 403, 'ROLE_REQUIRED');
  });
});

describe('POST /events with an Idempotency-Key', () => {
  const startWith = async (api: TestApi, key: string, body: Record<string, unknown>) =>
    api.request
      .post('/events')
      .set(await api.as('planner.linh'))
      .set('Idempotency-Key', key)
      .send(body);
  /** Another API process on the same Temporal: nothing of the first one's memory. */
  const withReplica = async (use: (replica: TestApi) => Promise<void>) => {
    const replica = createTestApi(suite.temporal);
    try {
      await use(replica);
    } finally {
      rmSync(replica.reportsDir, { recursive: true, force: true });
    }
  };

  it('answers a retried start with the first 201 body, also from another API replica', async () => {
    const eventId = uniqueEventId('idem-start');
    const body = { eventId, template: 'tiny-summit', window: tinyWindow };
    const first = await startWith(suite.api, 'start-idem-0001', body);
    expect(first.status).toBe(201);
    const again = await startWith(suite.api, 'start-idem-0001', body);
    expect({ status: again.status, location: again.headers.location, body: again.body }).toEqual({
      status: 201,
      location: first.headers.location,
      body: first.body,
    });
    await withReplica(async (replica) => {
      const fromReplica = await startWith(replica, 'start-idem-0001', body);
      expect({ status: fromReplica.status, body: fromReplica.body }).toEqual({ status: 201, body: first.body });
    });
  });

  it.each([
    [
      'the same key with another body',
      'start-idem-0002',
      { window: { ...tinyWindow, end: '2026-11-16T10:00:00Z' } },
      'IDEMPOTENCY_KEY_REUSED',
    ],
    ['another key', 'start-idem-other', {}, 'EVENT_EXISTS'],
  ])('refuses a second start with %s, leaving the first event as it was', async (_label, key, change, code) => {
    const eventId = uniqueEventId('idem-refuse');
    const body = { eventId, template: 'tiny-summit', window: tinyWindow };
    expect((await startWith(suite.api, 'start-idem-0002', body)).status).toBe(201);
    expectProblem(await startWith(suite.api, key, { ...body, ...change }), 409, code);
    expect((await getEvent(eventId)).body.window.end).toBe(tinyWindow.end);
  });

  it('answers a retried start with the first 201 body after the event continued as new', async () => {
    const eventId = uniqueEventId('idem-can');
    const count = 120;
    const body = { eventId, template: generatedTemplateInput(count), window: tinyWindow };
    const first = await startWith(suite.api, 'start-idem-0003', body);
    expect(first.status).toBe(201);
    const mai = await suite.api.as('office.mai');
    for (let i = 1; i <= count; i++) {
      await suite.api.request
        .post(`/events/${eventId}/items/gen.item-${String(i).padStart(4, '0')}/complete`)
        .set(mai)
        .send({})
        .expect(200);
    }
    const handle = suite.temporal.client.workflow.getHandle(eventWorkflowId(eventId));
    const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(started?.continuedExecutionRunId).toBeTruthy();
    const again = await startWith(suite.api, 'start-idem-0003', body);
    expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: first.body });
  });
});

describe('authentication', () => {
  it.each([
    ['no token', undefined, 'TOKEN_MISSING'],
    ['a header that is not a bearer token', 'Basic abc', 'TOKEN_MALFORMED'],
    [
      'a token signed with another key',
      'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      'TOKEN_SIGNATURE_INVALID',
    ],
  ])('answers 401 to %s', async (_label, header, code) => {
    const req = suite.api.request.get('/events');
    const res = header ? await req.set('Authorization', header) : await req;
    expectProblem(res, 401, code);
  });
});

describe('completing items and deciding gates over HTTP', () => {
  it('records the actor from the token, never from the body', async () => {
    const eventId = await startEvent();
    const res = await suite.api.request
      .post(`/events/${eventId}/items/plan.master/complete`)
      .set(await suite.api.as('office.mai'))
      .send({ note: 'ban hành kế hoạch' });
    expect(res.status).toBe(200);
    expect(res.body.item.completedBy).toBe('office.mai');
    const forged = await suite.api.request
      .post(`/events/${eventId}/items/plan.cyber/complete`)
      .set(await suite.api.as('cyber.hung'))
      .send({ evidence, actor: 'head.tuan' });
    expectProblem(forged, 400, 'VALIDATION_FAILED');
  });

  it('drives the planning gate to a pass and moves the event to preparation', async () => {
    const eventId = await startEvent();
    await suite.api.request
      .post(`/events/${eventId}/items/plan.master/complete`)
      .set(await suite.api.as('office.mai'))
      .send({})
      .expect(200);
    await suite.api.request
      .post(`/events/${eventId}/items/plan.cyber/complete`)
      .set(await suite.api.as('cyber.hung'))
      .send({ evidence })
      .expect(200);
    await suite.api.request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(await suite.api.as('head.tuan'))
      .send({ decision: 'approve' })
      .expect(201);
    const last = await suite.api.request
      .post(`/events/${eventId}/gates/plan-approval/decisions`)
      .set(await suite.api.as('office.mai'))
      .send({ decision: 'approve' });
    expect(last.status).toBe(201);
    expect(last.body).toMatchObject({ phase: 'preparation', gate: { status: 'passed' } });
    const view = (await getEvent(eventId)).body;
    expect(view.phase).toBe('preparation');
    expect(view.gates[0]).toMatchObject({ id: 'plan-approval', status: 'passed' });
    expect(view.progress).toMatchObject({ total: 3, done: 2, waived: 0, blocked: 0, percent: 66.7 });
  });

  it('returns the first result for a retried request with the same Idempotency-Key', async () => {
    const eventId = await startEvent();
    const send = async () =>
      suite.api.request
        .post(`/events/${eventId}/items/plan.master/complete`)
        .set(await suite.api.as('office.mai'))
        .set('Idempotency-Key', 'complete-plan-master-0001')
        .send({});
    const first = await send();
    const second = await send();
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
  });

  describe('refusals leave the state unchanged', () => {
    it.each([
      ['an unknown event', 'missing', 'item', 'plan.master', 'office.mai', {}, 404, 'EVENT_NOT_FOUND'],
      ['an unknown item', null, 'item', 'plan.nothing', 'office.mai', {}, 404, 'ITEM_NOT_FOUND'],
      ['an unknown gate', null, 'gate', 'no-gate', 'head.tuan', { decision: 'approve' }, 404, 'GATE_NOT_FOUND'],
      ['a member of another unit', null, 'item', 'plan.master', 'police.nam', {}, 403, 'NOT_ITEM_OWNER'],
      [
        'an approver without the gate role',
        null,
        'gate',
        'plan-approval',
        'cyber.hung',
        { decision: 'approve' },
        403,
        'NOT_GATE_APPROVER',
      ],
      [
        'an item with open dependencies',
        null,
        'item',
        'plan.cyber',
        'cyber.hung',
        { evidence },
        422,
        'DEPENDENCIES_OPEN',
      ],
      [
        'a gate whose items are open',
        null,
        'gate',
        'plan-approval',
        'head.tuan',
        { decision: 'approve' },
        422,
        'GATE_NOT_OPEN',
      ],
      [
        'a rejection without a reason',
        null,
        'gate',
        'plan-approval',
        'head.tuan',
        { decision: 'reject' },
        400,
        'VALIDATION_FAILED',
      ],
      ['a wrongly typed body', null, 'item', 'plan.master', 'office.mai', { evidence: 'x' }, 400, 'VALIDATION_FAILED'],
    ])('for %s', async (_label, eventOverride, kind, target, actor, body, status, code) => {
      const eventId = await startEvent();
      const before = (await getEvent(eventId)).body;
      const url =
        kind === 'item'
          ? `/events/${eventOverride ?? eventId}/items/${target}/complete`
          : `/events/${eventOverride ?? eventId}/gates/${target}/decisions`;
      const res = await suite.api.request
        .post(url)
        .set(await suite.api.as(actor))
        .send(body);
      expectProblem(res, status, code);
      const after = (await getEvent(eventId)).body;
      expect(after.items).toEqual(before.items);
      expect(after.gates).toEqual(before.gates);
    });

    it('for a gate signed twice by the same person', async () => {
      const eventId = await startEvent();
      await suite.api.request
        .post(`/events/${eventId}/items/plan.master/complete`)
        .set(await suite.api.as('office.mai'))
        .send({})
        .expect(200);
      await suite.api.request
        .post(`/events/${eventId}/items/plan.cyber/complete`)
        .set(await suite.api.as('cyber.hung'))
        .send({ evidence })
        .expect(200);
      const sign = async () =>
        suite.api.request
          .post(`/events/${eventId}/gates/plan-approval/decisions`)
          .set(await suite.api.as('head.tuan'))
          .send({ decision: 'approve' });
      expect((await sign()).status).toBe(201);
      const before = (await getEvent(eventId)).body;
      expectProblem(await sign(), 409, 'ALREADY_SIGNED');
      expect((await getEvent(eventId)).body.gates).toEqual(before.gates);
    });
  });
});

describe('instants past the year 9999', () => {
  // Each is in year 10000 once in UTC: toISOString would print it as +010000-…, which is not RFC 3339.
  const lateWindow = { ...tinyWindow, start: '9999-12-30T00:00:00Z', end: '9999-12-31T23:00:00-05:00' };
  const withTemplate = (change: (t: typeof tinyTemplateInput) => void) => {
    const template = structuredClone(tinyTemplateInput);
    change(template);
    return template;
  };
  const cases: [
    string,
    'get' | 'post',
    (eventId: string) => string,
    Record<string, unknown>,
    number,
    string,
    string,
  ][] = [
    ['a window end', 'post', () => '/events', { window: lateWindow }, 400, 'VALIDATION_FAILED', 'window.end'],
    [
      'an absolute deadline in a template',
      'post',
      () => '/events',
      {
        window: tinyWindow,
        template: withTemplate((t) => Object.assign(t.gates[0]!, { due: { absolute: '9999-12-31T20:00:00-08:00' } })),
      },
      422,
      'TEMPLATE_INVALID',
      'template.gates[0].due.absolute',
    ],
    [
      'a relative deadline after a window at the end of 9999',
      'post',
      () => '/events',
      {
        window: { ...tinyWindow, start: '9999-12-20T00:00:00Z', end: '9999-12-30T00:00:00Z' },
        template: withTemplate((t) => Object.assign(t.items[0]!, { due: { daysAfter: 3, from: 'end' } })),
      },
      422,
      'DEADLINE_OUT_OF_RANGE',
      'template.items[0].due',
    ],
    [
      'a reschedule',
      'post',
      (id) => `/events/${id}/reschedule`,
      { window: lateWindow, reason: 'moved' },
      400,
      'VALIDATION_FAILED',
      'window.end',
    ],
    [
      'a delegation window',
      'post',
      (id) => `/events/${id}/delegations`,
      { to: 'both.roles', validUntil: '9999-12-31T23:59:00-00:01' },
      400,
      'VALIDATION_FAILED',
      'validUntil',
    ],
    [
      'a waiver expiry',
      'post',
      (id) => `/events/${id}/items/plan.master/waiver`,
      { justification: 'not needed', expiresAt: '9999-12-31T19:00:00-05:00' },
      400,
      'VALIDATION_FAILED',
      'expiresAt',
    ],
    ['asOf', 'get', (id) => `/events/${id}?asOf=9999-12-31T23:00:00-05:00`, {}, 400, 'VALIDATION_FAILED', 'asOf'],
  ];
  let eventId: string;
  it.each(cases)(
    'refuses %s with INSTANT_OUT_OF_RANGE at its path',
    async (_label, method, path, body, status, code, at) => {
      eventId ??= await startEvent();
      const url = path(eventId);
      const request = suite.api.request[method](url).set(await suite.api.as('planner.linh'));
      const start = url === '/events' ? { eventId: uniqueEventId('late'), template: 'tiny-summit' } : {};
      const res = await (method === 'post' ? request.send({ ...start, ...body }) : request);
      expectProblem(res, status, code);
      expect(res.body.issues).toContainEqual(expect.objectContaining({ at, code: 'INSTANT_OUT_OF_RANGE' }));
    },
  );
});

describe('GET /events', () => {
  it('lists events filtered by phase from visibility', async () => {
    const program = `prog-${uniqueEventId('p')}`;
    // An event's program must exist (POST /programs).
    await suite.api.request
      .post('/programs')
      .set(await suite.api.as('planner.linh'))
      .send({ id: program, title: program })
      .expect(201);
    const eventId = await startEvent(uniqueEventId('list'), { program });
    const list = async () =>
      (await suite.api.request.get(`/events?program=${program}&phase=planning`).set(await suite.api.as('planner.linh')))
        .body as {
        events: { eventId: string; phase: string }[];
      };
    const found = await eventually(list, (b) => b.events.some((e) => e.eventId === eventId));
    expect(found.events).toEqual([expect.objectContaining({ eventId, phase: 'planning', program })]);
    const none = await suite.api.request
      .get(`/events?program=${program}&phase=review`)
      .set(await suite.api.as('planner.linh'));
    expect(none.body.events).toEqual([]);
  });

  it.each([
    ['an unknown phase', 'phase=dreaming', 'phase'],
    ['a program id that does not start with a letter or digit', 'program=.z3', 'program'],
    ['a unit id that does not start with a letter or digit', 'pendingUnits=police,-x', 'pendingUnits[1]'],
  ])('answers 400 at its path to a filter with %s', async (_label, query, at) => {
    const res = await suite.api.request.get(`/events?${query}`).set(await suite.api.as('planner.linh'));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.issues.map((i: { at: string }) => i.at)).toContain(at);
  });

  it('answers 404 for an unknown event', async () => {
    expectProblem(await getEvent('never-started'), 404, 'EVENT_NOT_FOUND');
  });
});

describe('OpenAPI', () => {
  it('serves a document generated from the request schemas', async () => {
    const res = await suite.api.request.get('/openapi.json');
    expect(res.status).toBe(200);
    const body = res.body.paths['/events'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['eventId', 'template', 'window']));
    expect(body.additionalProperties).toBe(false);
  });

  it('serves browsable docs', async () => {
    const res = await suite.api.request.get('/docs/').redirects(1);
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger-ui');
  });
});
