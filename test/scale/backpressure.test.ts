import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api';
import { tinyWindow } from '../support/fixtures';
import { connectTestTemporal, eventually, uniqueEventId, type TestTemporal } from '../support/temporal';

/**
 * Backpressure: Temporal admits at most 10 in-flight updates per workflow
 * (`history.maxInFlightUpdates`) and answers RESOURCE_EXHAUSTED beyond; the
 * API must turn that into 429 with Retry-After, never a 500.
 *
 * The event is started while no worker polls its task queue, so nothing can
 * complete an admitted update and they stay in flight. (Stopping a worker that
 * already ran the event works too, but adds sticky-queue timeouts to the mix.)
 *
 * What the server does, observed on 1.29.1: each refusal is returned from
 * inside the workflow's lease, whose release with an error clears the cached
 * workflow context and with it the update registry, so every admitted update
 * is aborted with a retryable UNAVAILABLE ("workflow update was aborted") and
 * re-admitted by the client's retry. Who ends up refused is therefore not
 * first come, first served, and an admitted request may exhaust the client's
 * retries on aborts and come back as 503 TEMPORAL_UNAVAILABLE (with
 * Retry-After) rather than 429. The client's own gRPC retry of
 * RESOURCE_EXHAUSTED (10 attempts, 1 s growing to 5 s) delays every refusal
 * by 40 s or more.
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
  it(
    'answers 429 with Retry-After beyond the server limit, and the admitted ones complete once a worker runs',
    {
      timeout: 300_000,
    },
    async () => {
      const eventId = uniqueEventId('backpressure');
      await api.request
        .post('/events')
        .set(await api.as('planner.linh'))
        .send({ eventId, template: 'tiny-summit', window: tinyWindow })
        .expect(201);

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
              retryAfter: res.headers['retry-after'],
              ms: Date.now() - started,
            };
            settled.push(outcome);
            return outcome;
          }),
      );

      // At most 10 stay in flight, so at least 5 come back refused, once the client's retries give up.
      await eventually(
        () => Promise.resolve(settled.length),
        (count) => count >= REQUESTS - SERVER_IN_FLIGHT_LIMIT,
        150_000,
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

      // Never a server fault: only the two pushback answers, each with a Retry-After in seconds.
      expect(refused.length).toBeGreaterThanOrEqual(REQUESTS - SERVER_IN_FLIGHT_LIMIT);
      expect(refused.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(1);
      for (const r of refused) {
        expect([
          { status: 429, code: 'TOO_MANY_REQUESTS' },
          { status: 503, code: 'TEMPORAL_UNAVAILABLE' },
        ]).toContainEqual({ status: r.status, code: r.code });
        expect(r.retryAfter).toMatch(/^\d+$/);
      }
      // The admitted ones waited for the worker, then ran: one completes the item, the others find it done.
      expect(admitted.length).toBeLessThanOrEqual(SERVER_IN_FLIGHT_LIMIT);
      expect(admitted.map((a) => a.status).sort((a, b) => a - b)).toEqual([
        200,
        ...Array<number>(admitted.length - 1).fill(409),
      ]);
      expect(admitted.filter((a) => a.status === 409).every((a) => a.code === 'ITEM_ALREADY_DONE')).toBe(true);

      const after = await api.request.get(`/events/${eventId}`).set(await api.as('planner.linh'));
      expect(after.body.items.find((i: { id: string }) => i.id === 'plan.master')).toMatchObject({
        status: 'done',
        completedBy: 'office.mai',
        note: expect.stringMatching(/^attempt \d+$/),
      });
    },
  );
});
