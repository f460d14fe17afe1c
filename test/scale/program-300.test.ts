import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { itemUnit, planTemplateSchema } from '../../domain';
import { useTestApi } from '../support/api';
import { evidence } from '../support/fixtures';
import { eventually, uniqueEventId } from '../support/temporal';

/**
 * A program of 300 events from the sample summit template, at different
 * dates and in different states, on the run's real server: the roll-up, the
 * list filters and people's inboxes are checked against values this test
 * computes from what it did, not from the engine's own code.
 */

const suite = useTestApi();
const TEMPLATE = 'asean-summit-security';
const template = planTemplateSchema.parse(
  parse(readFileSync(path.resolve(__dirname, '../../templates/asean-summit-security.yaml'), 'utf8')),
);
const TOTAL_ITEMS = template.items.length;
const PAST = 6;
const EVENTS = 300;
const DAY = 86_400_000;
/** Concurrent requests: the API serves them all through one client, like a busy morning. */
const CONCURRENCY = 8;

/** The four planning items the README's tour completes, by a member of each owner unit. */
const planning: [itemId: string, member: string, withEvidence: boolean][] = [
  ['command.master-plan', 'office.member.hoa', true],
  ['command.unit-assignment', 'office.member.hoa', false],
  ['command.contingency-plan', 'hanoi.member.bao', false],
  ['cyber.online-security-plan', 'a05.member.hung', false],
];

type Kind = 'past' | 'untouched' | 'planned' | 'approved';
interface Planned {
  eventId: string;
  kind: Kind;
  start: string;
}

async function mapConcurrent<T>(list: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < list.length) await run(list[next++]!);
    }),
  );
}

const iso = (ms: number) => new Date(ms).toISOString();
const ids = (events: Planned[]) => events.map((e) => e.eventId).sort();

describe('a program of 300 events', () => {
  it('rolls up, filters and fills inboxes as the events stand', async () => {
    const { api } = suite;
    /** A well-behaved client: a 429 (the server pushing back) is retried after its Retry-After. */
    const post = async (url: string, as: string, body: object, expected = 200): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        const res = await api.request
          .post(url)
          .set(await api.as(as, TEMPLATE))
          .send(body);
        if (res.status === expected) return;
        if (res.status !== 429 || attempt === 5) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
        await new Promise((resolve) => setTimeout(resolve, Number(res.headers['retry-after'] ?? 1) * 1000));
      }
    };
    const get = async (url: string, as: string) =>
      (
        await api.request
          .get(url)
          .set(await api.as(as, TEMPLATE))
          .expect(200)
      ).body as Record<string, unknown>;

    const program = uniqueEventId('p300');
    await post('/programs', 'planner.linh', { id: program, title: 'Năm Chủ tịch ASEAN' }, 201);

    // Six events whose window has passed (everything overdue); the rest months ahead, in three states.
    const now = Date.now();
    const events: Planned[] = Array.from({ length: EVENTS }, (_, i) => {
      const eventId = `${program}-${String(i).padStart(3, '0')}`;
      if (i < PAST) return { eventId, kind: 'past', start: iso(now - (10 + i) * DAY) };
      const n = i - PAST;
      const kind: Kind = n % 3 === 0 ? 'untouched' : n % 3 === 1 ? 'planned' : 'approved';
      return { eventId, kind, start: iso(now + (130 + n) * DAY) };
    });

    await mapConcurrent(events, CONCURRENCY, async (event) => {
      const window = { start: event.start, end: iso(Date.parse(event.start) + 3 * DAY) };
      await post('/events', 'planner.linh', { eventId: event.eventId, template: TEMPLATE, window, program }, 201);
      if (event.kind !== 'planned' && event.kind !== 'approved') return;
      for (const [itemId, member, withEvidence] of planning) {
        await post(`/events/${event.eventId}/items/${itemId}/complete`, member, withEvidence ? { evidence } : {});
      }
      if (event.kind !== 'approved') return;
      for (const approver of ['office.mai', 'head.tuan']) {
        await post(`/events/${event.eventId}/gates/plan-approval/decisions`, approver, { decision: 'approve' }, 201);
      }
    });

    const of = (...kinds: Kind[]) => events.filter((e) => kinds.includes(e.kind));
    const percentOf = (e: Planned) =>
      e.kind === 'planned' || e.kind === 'approved' ? Math.round((planning.length / TOTAL_ITEMS) * 1000) / 10 : 0;
    const overdueOf = (e: Planned) => (e.kind === 'past' ? TOTAL_ITEMS : 0);

    // The roll-up, once visibility has caught up with every event's latest search attributes.
    const expectedPhases = { planning: of('past', 'untouched', 'planned').length, preparation: of('approved').length };
    const view = await eventually(
      () => get(`/programs/${program}`, 'planner.linh'),
      (v) =>
        JSON.stringify((v.rollUp as { byPhase: object }).byPhase) === JSON.stringify(expectedPhases) &&
        (v.rollUp as { overdueItems: number }).overdueItems === PAST * TOTAL_ITEMS &&
        (v.rollUp as { meanPercentComplete: number }).meanPercentComplete ===
          Math.round((events.reduce((sum, e) => sum + percentOf(e), 0) / EVENTS) * 10) / 10,
      60_000,
    );
    const rollUp = view.rollUp as {
      events: number;
      byPhase: Record<string, number>;
      meanPercentComplete: number;
      overdueItems: number;
      escalatingEvents: number;
      openIncidents: number;
      atRisk: { eventId: string }[];
    };
    expect(rollUp.events).toBe(EVENTS);
    expect(rollUp.byPhase).toEqual(expectedPhases);
    expect(rollUp.overdueItems).toBe(PAST * TOTAL_ITEMS);
    expect(rollUp.escalatingEvents).toBe(PAST);
    expect(rollUp.openIncidents).toBe(0);
    // The documented score, computed here: 3 per overdue item, 10 per open incident, and the readiness
    // gap weighted by 30 / (30 + days to the start).
    const at = Date.now();
    const score = (e: Planned) =>
      3 * overdueOf(e) + (100 - percentOf(e)) * (30 / (30 + Math.max(0, (Date.parse(e.start) - at) / DAY)));
    const expectedRisk = [...events]
      .sort((a, b) => score(b) - score(a) || a.start.localeCompare(b.start))
      .slice(0, 10)
      .map((e) => e.eventId);
    expect(rollUp.atRisk.map((e) => e.eventId)).toEqual(expectedRisk);

    // Filters, each a visibility query.
    const list = async (query: string) => {
      const found: string[] = [];
      let url: string | undefined = `/events?program=${program}&limit=200&${query}`;
      while (url) {
        const page = await get(url, 'planner.linh');
        found.push(...(page.events as { eventId: string }[]).map((e) => e.eventId));
        url = (page.links as { next?: string } | undefined)?.next ?? (page.next as string | undefined);
      }
      return found.sort();
    };
    expect(await list('phase=preparation')).toEqual(ids(of('approved')));
    expect(await list('overdue=true')).toEqual(ids(of('past')));
    expect(await list(`startsBefore=${iso(now)}`)).toEqual(ids(of('past')));
    expect(await list('pendingRoles=steering-head')).toEqual(ids(of('planned')));
    expect(await list('pendingUnits=immigration')).toEqual(ids(events));

    // Pages of 50 follow the cursor through the whole program, each event once, in start order.
    const pages: string[] = [];
    let next: string | undefined = `/events?program=${program}&limit=50&sort=eventStart&order=asc`;
    while (next) {
      const page = await get(next, 'planner.linh');
      pages.push(...(page.events as { eventId: string }[]).map((e) => e.eventId));
      next = (page.links as { next?: string } | undefined)?.next ?? (page.next as string | undefined);
    }
    expect(pages).toEqual([...events].sort((a, b) => a.start.localeCompare(b.start)).map((e) => e.eventId));

    // Inboxes: the steering head signs the planning gate of every event whose plan is complete.
    const tasksOf = async (person: string) =>
      (
        (await get('/me/tasks?limit=500', person)).tasks as {
          eventId: string;
          kind: string;
          id?: string;
          overdue: boolean;
        }[]
      ).filter((t) => t.eventId.startsWith(`${program}-`));
    const headTasks = await tasksOf('head.tuan');
    expect(headTasks.map((t) => t.eventId).sort()).toEqual(ids(of('planned')));
    expect(new Set(headTasks.map((t) => t.kind))).toEqual(new Set(['gate']));
    // The immigration unit's one item waits in every event, the overdue ones first.
    const immigrationItem = template.items.find((i) => itemUnit(template, i) === 'immigration')!;
    const thu = await tasksOf('immigration.member.thu');
    expect(thu.map((t) => t.eventId).sort()).toEqual(ids(events));
    expect(thu.every((t) => t.id === immigrationItem.id)).toBe(true);
    expect(
      thu
        .slice(0, PAST)
        .map((t) => t.eventId)
        .sort(),
    ).toEqual(ids(of('past')));
    // A unit's members see its items of the past events first, all overdue: (event, item) pairs computed here.
    for (const [person, unit] of [
      ['office.mai', 'subcommittee-office'],
      ['a05.member.hung', 'a05-cyber'],
      ['hanoi.member.bao', 'hanoi-police'],
    ] as const) {
      const unitItems = template.items.filter((i) => itemUnit(template, i) === unit).map((i) => i.id);
      const expected = of('past').flatMap((e) => unitItems.map((id) => `${e.eventId}/${id}`));
      const first = (await tasksOf(person)).slice(0, expected.length);
      expect(first.map((t) => `${t.eventId}/${t.id}`).sort(), person).toEqual(expected.sort());
      expect(first.every((t) => t.kind === 'item' && t.overdue)).toBe(true);
    }
    // Viewers read; nothing waits for them.
    expect(await tasksOf('viewer.trang')).toEqual([]);
  }, 600_000);
});
