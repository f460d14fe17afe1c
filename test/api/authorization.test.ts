import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { auth, useTestApi } from '../support/api';
import { evidence, tinyWindow } from '../support/fixtures';
import { eventually, uniqueEventId } from '../support/temporal';

const suite = useTestApi();

interface Claims {
  sub: string;
  roles?: string[];
  units?: string[];
  programs?: string[];
}

async function token(
  claims: Claims,
  options: { secret?: string; audience?: string; expiresIn?: string | number } = {},
) {
  const { sub, ...rest } = claims;
  return new SignJWT({ roles: [], units: [], ...rest })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(auth.issuer)
    .setAudience(options.audience ?? auth.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '10m')
    .sign(new TextEncoder().encode(options.secret ?? suite.api.secret));
}

/** Every kind of caller: the roles of the issue, someone outside the roster, and a program-wide reader. */
const personas = {
  planner: { sub: 'planner.linh', roles: ['planner'] },
  approver: { sub: 'head.tuan', roles: ['steering-head'] },
  unitMember: { sub: 'police.nam', units: ['police'] },
  dutyOfficer: { sub: 'duty.khoa', roles: ['duty-officer'] },
  viewer: { sub: 'viewer.trang', roles: ['viewer'], units: ['police'] },
  admin: { sub: 'admin.root', roles: ['admin'] },
  outsider: { sub: 'outsider', roles: [] },
  programReader: { sub: 'auditor.quan', roles: ['viewer'], programs: ['*'] },
} satisfies Record<string, Claims>;
type Persona = keyof typeof personas;

type Expectation = number | [number, string];
type Endpoint = {
  name: string;
  call: (eventId: string, bearer: string) => Promise<{ status: number; body: { code?: string; scope?: string } }>;
  expect: Record<Persona, Expectation>;
};

const endpoints: Endpoint[] = [
  {
    name: 'POST /events',
    call: (_eventId, bearer) =>
      suite.api.request
        .post('/events')
        .set('Authorization', bearer)
        .send({ eventId: uniqueEventId('authz'), template: 'tiny-summit', window: tinyWindow }),
    expect: {
      planner: 201,
      approver: [403, 'ROLE_REQUIRED'],
      unitMember: [403, 'ROLE_REQUIRED'],
      dutyOfficer: [403, 'ROLE_REQUIRED'],
      viewer: [403, 'ROLE_REQUIRED'],
      admin: 201,
      outsider: [403, 'ROLE_REQUIRED'],
      programReader: [403, 'ROLE_REQUIRED'],
    },
  },
  {
    name: 'GET /events',
    call: (_eventId, bearer) => suite.api.request.get('/events').set('Authorization', bearer),
    expect: {
      planner: 200,
      approver: 200,
      unitMember: 200,
      dutyOfficer: 200,
      viewer: 200,
      admin: 200,
      outsider: 200,
      programReader: 200,
    },
  },
  {
    name: 'GET /events/:id',
    call: (eventId, bearer) => suite.api.request.get(`/events/${eventId}`).set('Authorization', bearer),
    expect: {
      planner: 200,
      approver: 200,
      unitMember: 200,
      dutyOfficer: 200,
      viewer: 200,
      admin: 200,
      outsider: [403, 'READ_FORBIDDEN'],
      programReader: 200,
    },
  },
  {
    name: 'GET /events/:id/timeline',
    call: (eventId, bearer) => suite.api.request.get(`/events/${eventId}/timeline`).set('Authorization', bearer),
    expect: {
      planner: 200,
      approver: [403, 'READ_FORBIDDEN'],
      unitMember: [403, 'READ_FORBIDDEN'],
      dutyOfficer: [403, 'READ_FORBIDDEN'],
      viewer: [403, 'READ_FORBIDDEN'],
      admin: 200,
      outsider: [403, 'READ_FORBIDDEN'],
      programReader: 200,
    },
  },
  {
    name: 'POST /events/:id/items/:itemId/complete',
    call: (eventId, bearer) =>
      suite.api.request.post(`/events/${eventId}/items/order.routes/complete`).set('Authorization', bearer).send({}),
    expect: {
      planner: [403, 'NOT_ITEM_OWNER'],
      approver: [403, 'NOT_ITEM_OWNER'],
      unitMember: 200,
      dutyOfficer: [403, 'NOT_ITEM_OWNER'],
      viewer: [403, 'READ_ONLY'],
      admin: [403, 'NOT_ITEM_OWNER'],
      outsider: [403, 'NOT_IN_ROSTER'],
      programReader: [403, 'NOT_IN_ROSTER'],
    },
  },
  {
    name: 'POST /events/:id/gates/:gateId/decisions',
    call: (eventId, bearer) =>
      suite.api.request
        .post(`/events/${eventId}/gates/plan-approval/decisions`)
        .set('Authorization', bearer)
        .send({ decision: 'approve' }),
    expect: {
      planner: [403, 'NOT_GATE_APPROVER'],
      approver: 201,
      unitMember: [403, 'NOT_GATE_APPROVER'],
      dutyOfficer: [403, 'NOT_GATE_APPROVER'],
      viewer: [403, 'READ_ONLY'],
      admin: [403, 'NOT_GATE_APPROVER'],
      outsider: [403, 'NOT_IN_ROSTER'],
      programReader: [403, 'NOT_IN_ROSTER'],
    },
  },
  {
    name: 'POST /events/:id/delegations',
    call: (eventId, bearer) =>
      suite.api.request
        .post(`/events/${eventId}/delegations`)
        .set('Authorization', bearer)
        .send({ to: 'office.mai', validUntil: new Date(Date.now() + 3_600_000).toISOString() }),
    expect: {
      planner: [403, 'NOT_AN_APPROVER'],
      approver: 201,
      unitMember: [403, 'NOT_AN_APPROVER'],
      dutyOfficer: [403, 'NOT_AN_APPROVER'],
      viewer: [403, 'READ_ONLY'],
      admin: [403, 'NOT_AN_APPROVER'],
      outsider: [403, 'NOT_IN_ROSTER'],
      programReader: [403, 'NOT_IN_ROSTER'],
    },
  },
  {
    name: 'DELETE /events/:id/delegations/:delegationId',
    call: (eventId, bearer) =>
      suite.api.request.delete(`/events/${eventId}/delegations/dlg-1`).set('Authorization', bearer),
    expect: {
      planner: [403, 'NOT_DELEGATOR'],
      approver: 200,
      unitMember: [403, 'NOT_DELEGATOR'],
      dutyOfficer: [403, 'NOT_DELEGATOR'],
      viewer: [403, 'READ_ONLY'],
      admin: 200,
      outsider: [403, 'NOT_IN_ROSTER'],
      programReader: [403, 'NOT_IN_ROSTER'],
    },
  },
];

/** An event in planning with its items done (the gate is open) and one delegation dlg-1 from head.tuan. */
async function preparedEvent(): Promise<string> {
  const eventId = uniqueEventId('authz');
  const bearer = async (sub: string, claims: Partial<Claims> = {}) => `Bearer ${await token({ sub, ...claims })}`;
  await suite.api.request
    .post('/events')
    .set('Authorization', await bearer('planner.linh', { roles: ['planner'] }))
    .send({ eventId, template: 'tiny-summit', window: tinyWindow })
    .expect(201);
  await suite.api.request
    .post(`/events/${eventId}/items/plan.master/complete`)
    .set('Authorization', await bearer('office.mai'))
    .send({})
    .expect(200);
  await suite.api.request
    .post(`/events/${eventId}/items/plan.cyber/complete`)
    .set('Authorization', await bearer('cyber.hung'))
    .send({ evidence })
    .expect(200);
  await suite.api.request
    .post(`/events/${eventId}/delegations`)
    .set('Authorization', await bearer('head.tuan'))
    .send({ to: 'duty.khoa', validUntil: new Date(Date.now() + 3_600_000).toISOString() })
    .expect(201);
  return eventId;
}

describe('authorisation: every endpoint × every role, on the real stack', () => {
  const rows = endpoints.flatMap((endpoint) =>
    (Object.keys(personas) as Persona[]).map((persona) => [endpoint.name, persona, endpoint] as const),
  );
  it.each(rows)('%s as %s', async (_name, persona, endpoint) => {
    const eventId = await preparedEvent();
    const res = await endpoint.call(eventId, `Bearer ${await token(personas[persona])}`);
    const expected = endpoint.expect[persona];
    const [status, code] = Array.isArray(expected) ? expected : [expected, undefined];
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  });

  it('gives a roster member a scoped view and planners, admins and program readers the full one', async () => {
    const eventId = await preparedEvent();
    const scopeOf = async (persona: Persona): Promise<{ scope: string; items: { id: string }[] }> => {
      const res = await suite.api.request
        .get(`/events/${eventId}`)
        .set('Authorization', `Bearer ${await token(personas[persona])}`);
      return res.body as { scope: string; items: { id: string }[] };
    };
    const member = await scopeOf('unitMember');
    expect(member.scope).toBe('scoped');
    expect(member.items.map((i: { id: string }) => i.id)).toEqual(['order.routes']);
    for (const persona of ['planner', 'admin', 'programReader'] as const) {
      const full = await scopeOf(persona);
      expect(full.scope).toBe('full');
      expect(full.items).toHaveLength(3);
    }
  });

  const badTokens: [string, () => Promise<string>, string][] = [
    [
      'a forged token (signed with another key)',
      () => token(personas.admin, { secret: 'x'.repeat(64) }),
      'TOKEN_SIGNATURE_INVALID',
    ],
    [
      'an expired token',
      () => token(personas.admin, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }),
      'TOKEN_EXPIRED',
    ],
    ['a token for another audience', () => token(personas.admin, { audience: 'someone-else' }), 'TOKEN_CLAIM_INVALID'],
  ];
  const tokenRows = endpoints.flatMap((endpoint) =>
    badTokens.map(([label, make, code]) => [endpoint.name, label, endpoint, make, code] as const),
  );
  it.each(tokenRows)('%s refuses %s with 401', async (_name, _label, endpoint, make, code) => {
    const res = await endpoint.call('any-event', `Bearer ${await make()}`);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code });
  });
});

describe('event lists follow read rights', () => {
  it('lists an event to the people of its roster and the readers of its program, never on unit or role claims alone', async () => {
    const program = `prog-${uniqueEventId('scope')}`;
    const eventId = uniqueEventId('listed');
    // An event's program must exist (POST /programs).
    await suite.api.request
      .post('/programs')
      .set('Authorization', `Bearer ${await token(personas.planner)}`)
      .send({ id: program, title: program })
      .expect(201);
    await suite.api.request
      .post('/events')
      .set('Authorization', `Bearer ${await token(personas.planner)}`)
      .send({ eventId, program, template: 'tiny-summit', window: tinyWindow })
      .expect(201);
    const bearer = async (claims: Claims) => `Bearer ${await token(claims)}`;
    const list = async (claims: Claims) =>
      (await suite.api.request.get(`/events?program=${program}`).set('Authorization', await bearer(claims))).body as {
        events: { eventId: string }[];
      };
    const listed = (body: { events: { eventId: string }[] }) => body.events.some((e) => e.eventId === eventId);
    // Visibility is eventually consistent: wait until the planner (who sees everything) sees it.
    await eventually(() => list(personas.planner), listed);
    const readers: [string, Claims, boolean][] = [
      ['a roster member without claims', { sub: 'police.nam' }, true],
      ['a roster viewer', { sub: 'viewer.trang', roles: ['viewer'] }, true],
      ["a reader of the event's program", { sub: 'someone', programs: [program] }, true],
      ['someone off the roster claiming its unit', { sub: 'hx.stranger', units: ['police'] }, false],
      ['someone off the roster claiming its approver role', { sub: 'hx.stranger', roles: ['steering-head'] }, false],
      ['a reader of another program', { sub: 'someone', programs: ['another-program'] }, false],
      // A claim that tries to break out of the query string matches nothing and breaks nothing.
      ['a claim that tries to break out of the query', { sub: 'someone', units: ["x') OR ('1'='1"] }, false],
    ];
    for (const [who, claims, expected] of readers) {
      const read = await suite.api.request.get(`/events/${eventId}`).set('Authorization', await bearer(claims));
      // Lists and reads apply the same rule.
      expect({ who, listed: listed(await list(claims)), read: read.status }).toEqual({
        who,
        listed: expected,
        read: expected ? 200 : 403,
      });
    }
  });
});

describe('who may act is checked before what exists', () => {
  it.each([
    [
      'an incident',
      'police.nam',
      '/incidents/inc-9/acknowledge',
      {},
      [403, 'NOT_DUTY_STAFF'],
      'duty.khoa',
      [404, 'INCIDENT_NOT_FOUND'],
    ],
    [
      'a progress review',
      'police.nam',
      '/reviews/review-9/reports',
      { unit: 'office', status: 'on_track' },
      [403, 'NOT_UNIT_MEMBER'],
      'office.mai',
      [404, 'REVIEW_NOT_FOUND'],
    ],
    [
      'the phase',
      'head.tuan',
      '/incidents',
      { incidentType: 'power', severity: 'low', description: 'flicker' },
      [403, 'NOT_DUTY_STAFF'],
      'duty.khoa',
      [409, 'WRONG_PHASE'],
    ],
    [
      'an item',
      'head.tuan',
      '/items/nope/complete',
      {},
      [403, 'NOT_ITEM_OWNER'],
      'police.nam',
      [404, 'ITEM_NOT_FOUND'],
    ],
  ] as const)(
    'answers a roster member without authority probing %s with 403, and only someone who may act with what exists',
    async (_what, outsider, path, body, refusal, insider, answer) => {
      const eventId = await preparedEvent();
      const send = async (sub: string) =>
        suite.api.request
          .post(`/events/${eventId}${path}`)
          .set('Authorization', `Bearer ${await token({ sub })}`)
          .send(body);
      const [refused, answered] = [await send(outsider), await send(insider)];
      expect([refused.status, refused.body.code]).toEqual(refusal);
      expect([answered.status, answered.body.code]).toEqual(answer);
    },
  );
});
