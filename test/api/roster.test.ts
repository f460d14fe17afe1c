import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { tinyTemplateInput, tinyWindow } from '../support/fixtures';
import { uniqueEventId } from '../support/temporal';

const suite = useTestApi();

type Person = (typeof tinyTemplateInput.people)[number];
const without = (...ids: string[]): Person[] => tinyTemplateInput.people.filter((p) => !ids.includes(p.id));

const start = async (roster: object[], eventId = uniqueEventId('roster')) =>
  suite.api.request
    .post('/events')
    .set(await suite.api.as('planner.linh'))
    .send({ eventId, template: 'tiny-summit', window: tinyWindow, roster });

/** An event whose roster leaves out its starter (planner.linh) and the admin. */
async function startWithoutStarter(): Promise<string> {
  const eventId = uniqueEventId('no-starter');
  expect((await start(without('planner.linh', 'admin.root'), eventId)).status).toBe(201);
  return eventId;
}

describe('the roster an event starts with', () => {
  it('lets the planner who started the event cancel it, though the roster leaves them out', async () => {
    const eventId = await startWithoutStarter();
    const res = await suite.api.request
      .post(`/events/${eventId}/cancel`)
      .set(await suite.api.as('planner.linh'))
      .send({ reason: 'started with the wrong roster' });
    expect(res.status).toBe(200);
    const read = await suite.api.request.get(`/events/${eventId}`).set(await suite.api.as('planner.linh'));
    expect(read.body.phase).toBe('cancelled');
  });

  it('still refuses anyone else off the roster the cancel', async () => {
    const eventId = await startWithoutStarter();
    const res = await suite.api.request
      .post(`/events/${eventId}/cancel`)
      .set(await suite.api.as('admin.root'))
      .send({ reason: 'not mine' });
    expect([res.status, res.body.code]).toEqual([403, 'NOT_IN_ROSTER']);
  });

  it.each([
    [
      'no one can pass a gate',
      without('head.tuan', 'both.roles'),
      { code: 'ROSTER_UNSATISFIABLE', gate: 'plan-approval', roles: ['steering-head'] },
    ],
    [
      'the same person is listed twice',
      [...tinyTemplateInput.people, { id: 'police.nam', name: 'Again', units: ['cyber'] }],
      { code: 'ROSTER_INVALID', issues: [{ code: 'ROSTER_DUPLICATE_PERSON' }] },
    ],
    [
      'a person has an unknown unit',
      [...tinyTemplateInput.people, { id: 'hx.stranger', name: 'Stranger', units: ['a05-cyber'] }],
      { code: 'ROSTER_INVALID', issues: [{ code: 'UNKNOWN_REFERENCE' }] },
    ],
    [
      'a person has an unknown role',
      [...tinyTemplateInput.people, { id: 'hx.stranger', name: 'Stranger', roles: ['spy'] }],
      { code: 'ROSTER_INVALID', issues: [{ code: 'UNKNOWN_REFERENCE' }] },
    ],
  ])('is refused with 422 when %s, and no event starts', async (_case, roster, problem) => {
    const eventId = uniqueEventId('bad-roster');
    const res = await start(roster, eventId);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject(problem);
    const read = await suite.api.request.get(`/events/${eventId}`).set(await suite.api.as('planner.linh'));
    expect(read.status).toBe(404);
  });
});
