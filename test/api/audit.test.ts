import { describe, expect, it } from 'vitest';
import { readHistorySteps } from '../../api/history';
import { reconstruct } from '../../domain';
import { eventWorkflowId, stateQuery } from '../../workflows/definitions';
import { useTestApi } from '../support/api';
import { evidence, generatedTemplateInput, tinyWindow } from '../support/fixtures';
import { uniqueEventId } from '../support/temporal';

const suite = useTestApi();

describe('audit trail from history', () => {
  it('rebuilds the timeline across continue-as-new runs, in JSON and CSV, and the rebuilt state equals the live one', async () => {
    const eventId = uniqueEventId('audit');
    const count = 120;
    await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId, template: generatedTemplateInput(count), window: tinyWindow })
      .expect(201);
    const mai = await suite.api.as('office.mai');
    for (let i = 1; i <= count; i++) {
      const itemId = `gen.item-${String(i).padStart(4, '0')}`;
      await suite.api.request
        .post(`/events/${eventId}/items/${itemId}/complete`)
        .set(mai)
        .send({ note: `Đã xong hạng mục ${i}` })
        .expect(200);
    }
    // The run's dev server suggests continue-as-new at 400 history events: this event crossed at least one.
    const handle = suite.temporal.client.workflow.getHandle(eventWorkflowId(eventId));
    const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(started?.continuedExecutionRunId).toBeTruthy();

    const timeline = await suite.api.request.get(`/events/${eventId}/timeline`).set(await suite.api.as('planner.linh'));
    expect(timeline.status).toBe(200);
    const completions = timeline.body.entries.filter((e: { type: string }) => e.type === 'completeItem');
    expect(completions).toHaveLength(count);
    expect(completions.map((e: { target: string }) => e.target)).toEqual(
      Array.from({ length: count }, (_, i) => `gen.item-${String(i + 1).padStart(4, '0')}`),
    );
    expect(new Set(completions.map((e: { actor: string }) => e.actor))).toEqual(new Set(['office.mai']));
    const times = timeline.body.entries.map((e: { at: string }) => e.at);
    expect([...times].sort()).toEqual(times);

    const csv = await suite.api.request
      .get(`/events/${eventId}/timeline`)
      .set(await suite.api.as('planner.linh'))
      .set('Accept', 'text/csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('seq,at,kind,type,actor,onBehalfOf,target,reason,note,updateId,detail');
    expect(lines).toHaveLength(timeline.body.entries.length + 1);
    expect(csv.text).toContain('Đã xong hạng mục 120');

    const rebuilt = reconstruct(await readHistorySteps(suite.temporal.client, eventId)).state;
    expect(rebuilt).toEqual(await handle.query(stateQuery));
  });

  /** A tiny event whose two planning items were completed 50 ms apart, so instants fall between them. */
  async function startWithTwoPlanningItemsDone(prefix: string): Promise<string> {
    const eventId = uniqueEventId(prefix);
    await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId, template: 'tiny-summit', window: tinyWindow })
      .expect(201);
    await suite.api.request
      .post(`/events/${eventId}/items/plan.master/complete`)
      .set(await suite.api.as('office.mai'))
      .send({})
      .expect(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await suite.api.request
      .post(`/events/${eventId}/items/plan.cyber/complete`)
      .set(await suite.api.as('cyber.hung'))
      .send({ evidence })
      .expect(200);
    return eventId;
  }

  it('answers asOf with the state as it was at that instant', async () => {
    const eventId = await startWithTwoPlanningItemsDone('asof');

    const timeline = await suite.api.request.get(`/events/${eventId}/timeline`).set(await suite.api.as('planner.linh'));
    const first = timeline.body.entries.find((e: { target?: string }) => e.target === 'plan.master');
    const past = await suite.api.request
      .get(`/events/${eventId}?asOf=${encodeURIComponent(first.at)}`)
      .set(await suite.api.as('planner.linh'));
    expect(past.status).toBe(200);
    expect(past.body.asOf).toBe(first.at);
    const statuses = Object.fromEntries(past.body.items.map((i: { id: string; status: string }) => [i.id, i.status]));
    expect(statuses).toEqual({ 'plan.master': 'done', 'plan.cyber': 'todo', 'order.routes': 'todo' });

    const before = await suite.api.request
      .get(`/events/${eventId}?asOf=2020-01-01T00:00:00Z`)
      .set(await suite.api.as('planner.linh'));
    expect({ status: before.status, code: before.body.code }).toEqual({ status: 404, code: 'EVENT_NOT_STARTED' });
  });

  it('reads the timeline up to asOf as an instant, however the instant is spelled', async () => {
    const eventId = await startWithTwoPlanningItemsDone('asof-spelling');
    const planner = await suite.api.as('planner.linh');
    const all = await suite.api.request.get(`/events/${eventId}/timeline`).set(planner).expect(200);
    const at: string = all.body.entries.find((e: { target?: string }) => e.target === 'plan.master').at;
    const upToFirst = all.body.entries.filter((e: { at: string }) => e.at <= at);
    expect(upToFirst.length).toBeLessThan(all.body.entries.length);

    // The same instant three ways: canonical UTC, a +07:00 offset, and +00:00 instead of Z.
    const ms = Date.parse(at);
    const plus7 = new Date(ms + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
    for (const spelling of [at, plus7, at.replace('Z', '+00:00')]) {
      const res = await suite.api.request
        .get(`/events/${eventId}/timeline?asOf=${encodeURIComponent(spelling)}`)
        .set(planner);
      expect({ spelling, status: res.status, entries: res.body.entries }).toEqual({
        spelling,
        status: 200,
        entries: upToFirst,
      });
      const read = await suite.api.request.get(`/events/${eventId}?asOf=${encodeURIComponent(spelling)}`).set(planner);
      expect({ spelling, status: read.status, asOf: read.body.asOf }).toEqual({ spelling, status: 200, asOf: at });
    }
  });

  it('keeps the timeline from a unit member who may only see their own part', async () => {
    const eventId = uniqueEventId('tl-scope');
    await suite.api.request
      .post('/events')
      .set(await suite.api.as('planner.linh'))
      .send({ eventId, template: 'tiny-summit', window: tinyWindow })
      .expect(201);
    const res = await suite.api.request.get(`/events/${eventId}/timeline`).set(await suite.api.as('cyber.hung'));
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'READ_FORBIDDEN' });
  });
});
