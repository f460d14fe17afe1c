import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api';
import { tinyWindow } from '../support/fixtures';
import { connectTestTemporal, eventually, uniqueEventId, type TestTemporal } from '../support/temporal';

/**
 * Backpressure: Temporal admits at most 10 in-flight updates per workflow
 * (`history.maxInFlightUpdates`) and answers RESOURCE_EXHAUSTED beyond; the
 * API must turn that into 429 with Retry-After, never a 500. With no worker
 * running, admitted updates cannot complete, so they stay in flight.
 */

const REQUESTS = 15;
const SERVER_IN_FLIGHT_LIMIT = 10;

let temporal: TestTemporal;
let api: TestApi;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  api = createTestApi(temporal);
});
afterAll(async () => temporal?.close());

interface Outcome {
  index: number;
  status: number;
  code: string | undefined;
  retryAfter: string | undefined;
  ms: number;
}

describe('too many in-flight updates on one event', () => {
  it('answers 429 with Retry-After beyond the server limit, and the admitted ones complete once a worker returns', {
    timeout: 300_000,
  }, async () => {
    const worker = await temporal.startWorker();
    const eventId = uniqueEventId('backpressure');
    await api.request
      .post('/events')
      .set(await api.as('planner.linh'))
      .send({ eventId, template: 'tiny-summit', window: tinyWindow })
      .expect(201);
    // The event has run its first task: from here, nothing will process updates.
    const before = await api.request.get(`/events/${eventId}`).set(await api.as('planner.linh'));
    expect(before.body.phase).toBe('planning');
    await worker.stop();

    const mai = await api.as('office.mai');
    const started = Date.now();
    const settled: Outcome[] = [];
    // Supertest sends a request when it is awaited or `then` is called: all of them start now, none awaited.
    const requests = Array.from({ length: REQUESTS }, (_, index) =>
      api.request
        .post(`/events/${eventId}/items/plan.master/complete`)
        .set(mai)
        .send({ note: `attempt ${index}` })
        .then((res) => {
          const outcome: Outcome = {
            index,
            status: res.status,
            code: res.body?.code as string | undefined,
            retryAfter: res.headers['retry-after'] as string | undefined,
            ms: Date.now() - started,
          };
          settled.push(outcome);
          return outcome;
        }),
    );

    // The updates beyond the limit are refused by the server; the client's own gRPC retries
    // (RESOURCE_EXHAUSTED is retryable, ~10 attempts with backoff) come first, so this takes a while.
    await eventually(
      () => Promise.resolve(settled.length),
      (count) => count >= REQUESTS - SERVER_IN_FLIGHT_LIMIT,
      120_000,
    );
    const refused = [...settled];
    const refusedAfterMs = Date.now() - started;

    await temporal.startWorker();
    const all = await Promise.all(requests);
    const admitted = all.filter((o) => !refused.some((r) => r.index === o.index));

    console.log(
      JSON.stringify({
        scale: 'backpressure',
        requests: REQUESTS,
        refusedAfterMs,
        refused: refused.map(({ status, code, retryAfter, ms }) => ({ status, code, retryAfter, ms })),
        admitted: admitted.map(({ status, code, ms }) => ({ status, code, ms })),
      }),
    );

    expect(all.filter((o) => o.status >= 500)).toEqual([]);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect({ status: r.status, code: r.code }).toEqual({ status: 429, code: 'TOO_MANY_REQUESTS' });
      expect(r.retryAfter).toMatch(/^\d+$/);
    }
    // The admitted ones waited for the worker, then ran: one completes the item, the others find it done.
    expect(admitted).toHaveLength(SERVER_IN_FLIGHT_LIMIT);
    for (const a of admitted) expect([200, 409, 422]).toContain(a.status);
    expect(admitted.filter((a) => a.status === 200)).toHaveLength(1);
    expect(admitted.filter((a) => a.status !== 200).map((a) => a.code)).toEqual(
      Array<string>(SERVER_IN_FLIGHT_LIMIT - 1).fill('ITEM_ALREADY_DONE'),
    );

    const after = await api.request.get(`/events/${eventId}`).set(await api.as('planner.linh'));
    expect(after.body.items.find((i: { id: string }) => i.id === 'plan.master')).toMatchObject({
      status: 'done',
      completedBy: 'office.mai',
    });
  });
});
