import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { valueOrdering } from '../../api/routes/events';
import { orderedPage } from '../../api/visibility';
import { eventWorkflowType } from '../../workflows/definitions';
import { auth, useTestApi } from '../support/api';
import { evidence, tinyTemplateInput } from '../support/fixtures';
import { eventually } from '../support/temporal';

/**
 * GET /events from visibility: filters, sort, cursor pagination and scoping,
 * against the real server (SQLite visibility, which refuses ORDER BY).
 * Every list is narrowed to this file's own template (an inline copy of the tiny
 * one under a fresh id): other test files share the server.
 */
const suite = useTestApi();

interface Claims {
  sub: string;
  roles?: string[];
  units?: string[];
  programs?: string[];
}
const bearer = async ({ sub, ...claims }: Claims) =>
  `Bearer ${await new SignJWT({ roles: [], units: [], ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(suite.api.secret))}`;
const planner: Claims = { sub: 'planner.linh', roles: ['planner'] };

interface Listed {
  eventId: string;
  phase: string;
  eventStart: string;
  nextDeadline: string | null;
  overdueCount: number | null;
  percentComplete: number | null;
  openIncidents: number | null;
}
interface ListBody {
  events: Listed[];
  nextCursor: string | null;
  links: { next: string | null };
  code?: string;
  issues?: { path: (string | number)[]; code: string }[];
}

const template = `search-${randomUUID().slice(0, 8)}`;
const id = (label: string) => `${template}-${label}`;
const mine = `template=${template}`;
/** Window starts: `past` lies behind us (its items are overdue), the others ahead, in this order of start. */
const starts = {
  past: '2026-11-10T01:00:00.000Z',
  feb: '2027-02-01T01:00:00.000Z',
  mar: '2027-03-01T01:00:00.000Z',
  // The same start as `mar`: ties are broken by event id.
  mar2: '2027-03-01T01:00:00.000Z',
  apr: '2027-04-01T01:00:00.000Z',
  may: '2027-05-01T01:00:00.000Z',
};
type Label = keyof typeof starts;
const labels = Object.keys(starts) as Label[];
const byStart = [...labels].sort((a, b) => starts[a].localeCompare(starts[b]));

const get = async (query: string, claims: Claims = planner) =>
  (await suite.api.request.get(`/events?${query}`).set('Authorization', await bearer(claims))) as {
    status: number;
    body: ListBody;
  };
const ids = (body: ListBody) => body.events.map((e) => e.eventId);

/** Follows `next` links to the end; returns every page's ids. */
async function allPages(query: string, claims: Claims = planner): Promise<string[][]> {
  const pages: string[][] = [];
  let url: string | null = `/events?${query}`;
  while (url) {
    const res = await suite.api.request.get(url).set('Authorization', await bearer(claims));
    expect(res.status).toBe(200);
    const body = res.body as ListBody;
    pages.push(ids(body));
    url = body.links.next;
    expect(pages.length).toBeLessThan(20);
  }
  return pages;
}

beforeAll(async () => {
  const headers = { Authorization: await bearer(planner) };
  for (const label of labels) {
    const start = starts[label];
    const end = new Date(Date.parse(start) + 5 * 86_400_000).toISOString();
    await suite.api.request
      .post('/events')
      .set(headers)
      .send({
        eventId: id(label),
        template: { ...structuredClone(tinyTemplateInput), id: template },
        window: { start, end },
      })
      .expect(201);
  }
  // `may` moves on: both planning items done, so its gate awaits the approvers' roles.
  await suite.api.request
    .post(`/events/${id('may')}/items/plan.master/complete`)
    .set(await suite.api.as('office.mai'))
    .send({})
    .expect(200);
  await suite.api.request
    .post(`/events/${id('may')}/items/plan.cyber/complete`)
    .set(await suite.api.as('cyber.hung'))
    .send({ evidence })
    .expect(200);
  // Visibility lags the workflows: wait until every event shows what its workflow published.
  const settled = await eventually(
    () => get(`${mine}&limit=200`),
    (res) =>
      res.body.events.length === labels.length &&
      res.body.events.every((e) => e.percentComplete !== null) &&
      res.body.events.find((e) => e.eventId === id('may'))?.percentComplete === 66.7,
    30_000,
  );
  expect(settled.body.events).toHaveLength(labels.length);
}, 120_000);

describe('filters', () => {
  it('narrow by program, phase, template, event start and overdue work', async () => {
    expect(ids((await get(`${mine}&phase=planning`)).body).sort()).toEqual(labels.map(id).sort());
    expect(ids((await get(`${mine}&phase=preparation`)).body)).toEqual([]);
    expect(ids((await get(`template=other&phase=planning`)).body)).not.toContain(id('feb'));
    expect(ids((await get(`${mine}&program=no-such-program`)).body)).toEqual([]);
    expect(ids((await get(`${mine}&overdue=true`)).body)).toEqual([id('past')]);
    expect(ids((await get(`${mine}&overdue=false`)).body).sort()).toEqual(
      ['feb', 'mar', 'mar2', 'apr', 'may'].map(id).sort(),
    );
    // Bounds are strict, to the millisecond, at whole seconds too.
    const between = async (after: string, before: string) =>
      ids((await get(`${mine}&startsAfter=${after}&startsBefore=${before}`)).body).sort();
    expect(await between('2027-02-01T01:00:00Z', '2027-03-01T01:00:00Z')).toEqual([]);
    expect(await between('2027-02-01T00:59:59.999Z', '2027-03-01T01:00:00.001Z')).toEqual(
      ['feb', 'mar', 'mar2'].map(id).sort(),
    );
    const window = `startsAfter=2027-02-15T00:00:00Z&startsBefore=2027-04-15T00:00:00%2B07:00`;
    expect(ids((await get(`${mine}&${window}`)).body).sort()).toEqual(['apr', 'mar', 'mar2'].map(id).sort());
  });

  it('find events by the units and roles they wait for (KeywordList contains any)', async () => {
    // Office's only item (the master plan) is done in `may`; police has open items everywhere.
    expect(ids((await get(`${mine}&pendingUnits=office`)).body).sort()).toEqual(
      ['past', 'feb', 'mar', 'mar2', 'apr'].map(id).sort(),
    );
    expect(ids((await get(`${mine}&pendingUnits=office,police`)).body)).toHaveLength(labels.length);
    expect(ids((await get(`${mine}&pendingRoles=office-chief`)).body)).toEqual([id('may')]);
    expect(ids((await get(`${mine}&pendingRoles=evaluator`)).body)).toEqual([]);
  });

  it('lists what the workflow publishes: next deadline, overdue count, open incidents, percent complete', async () => {
    const events = (await get(mine)).body.events;
    const past = events.find((e) => e.eventId === id('past'))!;
    expect(past).toMatchObject({ overdueCount: 3, nextDeadline: null, openIncidents: 0, percentComplete: 0 });
    const may = events.find((e) => e.eventId === id('may'))!;
    // The routes (3 days before the start, 08:00 in Hanoi) are what comes next.
    expect(may).toMatchObject({ overdueCount: 0, nextDeadline: '2027-04-28T01:00:00.000Z', percentComplete: 66.7 });
  });
});

describe('sort', () => {
  it('sorts by event start, both ways', async () => {
    expect(ids((await get(`${mine}&sort=eventStart`)).body)).toEqual(byStart.map(id));
    expect(ids((await get(`${mine}&sort=eventStart&order=desc`)).body)).toEqual([...byStart].reverse().map(id));
  });

  it('sorts by counts and percentages with ties broken by event id, and puts events without a value last', async () => {
    const overdue = ids((await get(`${mine}&sort=overdueCount&order=desc`)).body);
    expect(overdue[0]).toBe(id('past'));
    expect(overdue.slice(1)).toEqual(['may', 'mar2', 'mar', 'feb', 'apr'].map(id).sort().reverse());
    const percent = ids((await get(`${mine}&sort=percentComplete`)).body);
    expect(percent.at(-1)).toBe(id('may'));
    expect(percent.slice(0, -1)).toEqual(['past', 'feb', 'mar', 'mar2', 'apr'].map(id).sort());
    // `past` has nothing upcoming: no next deadline, so last in both directions.
    for (const order of ['asc', 'desc']) {
      const deadlines = (await get(`${mine}&sort=nextDeadline&order=${order}`)).body.events;
      expect(deadlines.at(-1)!.eventId).toBe(id('past'));
      const dated = deadlines.slice(0, -1).map((e) => e.nextDeadline!);
      expect(dated).toEqual([...dated].sort((a, b) => (order === 'asc' ? a.localeCompare(b) : b.localeCompare(a))));
    }
  });
});

describe('pagination', () => {
  it('pages a sorted list with an opaque cursor, exactly, across the events without a value', async () => {
    const pages = await allPages(`${mine}&sort=nextDeadline&limit=2`);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    const all = (await get(`${mine}&sort=nextDeadline`)).body;
    expect(pages.flat()).toEqual(ids(all));
    expect(pages.flat().at(-1)).toBe(id('past'));
    const desc = await allPages(`${mine}&sort=eventStart&order=desc&limit=4`);
    expect(desc.flat()).toEqual([...byStart].reverse().map(id));
    // One per page: the cursor crosses the tie between `mar` and `mar2` (datetime equality in the keyset).
    expect((await allPages(`${mine}&sort=eventStart&limit=1`)).flat()).toEqual(byStart.map(id));
    expect((await allPages(`${mine}&sort=eventStart&order=desc&limit=1`)).flat()).toEqual(
      [...byStart].reverse().map(id),
    );
  });

  it("pages the unsorted list with the server's next-page token", async () => {
    const pages = await allPages(`${mine}&limit=2`);
    expect(pages.slice(0, 3).map((p) => p.length)).toEqual([2, 2, 2]);
    expect(pages.flat().sort()).toEqual(labels.map(id).sort());
    const first = (await get(`${mine}&limit=2`)).body;
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first.links.next).toContain(`cursor=${first.nextCursor}`);
    expect(first.links.next).toContain(mine);
  });

  it('sorts exactly when the range is larger than one scan (narrowing rounds)', async () => {
    const base = `WorkflowType = '${eventWorkflowType}' AND ReadinessTemplate = '${template}'`;
    const ordering = valueOrdering('eventStart', 'asc');
    const budget = { scanned: 0 };
    // Three rows per visibility page: five events need a narrowing round to find the two earliest.
    const first = await orderedPage(suite.temporal.client, base, ordering, undefined, 2, budget, 3);
    expect(first.rows.map((r) => r.workflowId)).toEqual(byStart.slice(0, 2).map((l) => `event/${id(l)}`));
    expect(first.more).toBe(true);
    const rest = await orderedPage(suite.temporal.client, base, ordering, ordering.keyOf(first.rows[1]!), 5, budget, 3);
    expect(rest.rows.map((r) => r.workflowId)).toEqual(byStart.slice(2).map((l) => `event/${id(l)}`));
    expect(rest.more).toBe(false);
  });
});

describe('scoping', () => {
  it('still applies: filters and cursors never widen what a reader lists', async () => {
    // The roster decides: a member lists their events; a token claiming a unit of them, off the roster, lists none.
    const police: Claims = { sub: 'police.nam' };
    const fisheries: Claims = { sub: 'someone', units: ['police'] };
    expect(ids((await get(`${mine}&sort=eventStart`, police)).body)).toEqual(byStart.map(id));
    expect(ids((await get(`${mine}&sort=eventStart`, fisheries)).body)).toEqual([]);
    expect(ids((await get(`${mine}&overdue=true`, fisheries)).body)).toEqual([]);
    // A planner's cursor in an outsider's hands lists nothing more than the outsider's scope.
    const first = (await get(`${mine}&sort=eventStart&limit=2`)).body;
    expect(
      ids((await suite.api.request.get(first.links.next!).set('Authorization', await bearer(fisheries))).body),
    ).toEqual([]);
    const unsorted = (await get(`${mine}&limit=2`)).body;
    expect(
      ids((await suite.api.request.get(unsorted.links.next!).set('Authorization', await bearer(fisheries))).body),
    ).toEqual([]);
    // A reader of every program lists them all.
    expect(ids((await get(mine, { sub: 'auditor', programs: ['*'] })).body)).toHaveLength(labels.length);
  });

  it("refuses pending-work filters on other units' and roles' work to readers who do not read everything", async () => {
    const police: Claims = { sub: 'someone', units: ['police'] };
    expect((await get(`${mine}&pendingUnits=police`, police)).status).toBe(200);
    const res = await get(`${mine}&pendingUnits=police,cyber&pendingRoles=office-chief`, police);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'FILTER_FORBIDDEN' });
    expect(res.body.issues!.map((i) => i.path)).toEqual([
      ['pendingUnits', 1],
      ['pendingRoles', 0],
    ]);
  });
});

describe('bad queries', () => {
  const expect400 = async (query: string, code: string, path?: (string | number)[]) => {
    const res = await get(query);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code });
    if (path) expect(res.body.issues!.map((i) => i.path)).toContainEqual(path);
  };

  it('answers 400 with the issue path to an unknown sort key, order without sort, bad values and unknown fields', async () => {
    await expect400('sort=title', 'VALIDATION_FAILED', ['sort']);
    await expect400('order=desc', 'VALIDATION_FAILED', ['order']);
    await expect400('sort=eventStart&order=sideways', 'VALIDATION_FAILED', ['order']);
    await expect400('overdue=maybe', 'VALIDATION_FAILED', ['overdue']);
    await expect400('startsAfter=tomorrow', 'VALIDATION_FAILED', ['startsAfter']);
    await expect400('startsAfter=2027-05-01T00:00:00Z&startsBefore=2027-04-01T00:00:00Z', 'VALIDATION_FAILED', [
      'startsBefore',
    ]);
    await expect400("pendingUnits=police,x')%20OR%20('1'='1", 'VALIDATION_FAILED', ['pendingUnits', 1]);
    await expect400('limit=0', 'VALIDATION_FAILED', ['limit']);
    await expect400('colour=red', 'VALIDATION_FAILED', ['colour']);
  });

  it('answers 400 to a cursor it did not give out, or one used with other filters', async () => {
    await expect400(`${mine}&cursor=bm90LWEtY3Vyc29y`, 'INVALID_CURSOR', ['cursor']);
    await expect400(`${mine}&cursor=${'%27'.repeat(3)}`, 'VALIDATION_FAILED', ['cursor']);
    const forged = Buffer.from(JSON.stringify({ list: 'x', token: 'Zm9v' })).toString('base64url');
    await expect400(`${mine}&cursor=${forged}`, 'CURSOR_MISMATCH', ['cursor']);
    const sorted = (await get(`${mine}&sort=eventStart&limit=2`)).body.nextCursor!;
    await expect400(`${mine}&sort=eventStart&order=desc&limit=2&cursor=${sorted}`, 'CURSOR_MISMATCH');
    await expect400(`${mine}&limit=2&cursor=${sorted}`, 'CURSOR_MISMATCH');
    const unsorted = (await get(`${mine}&limit=2`)).body.nextCursor!;
    await expect400(`${mine}&sort=eventStart&cursor=${unsorted}`, 'CURSOR_MISMATCH');
  });
});
