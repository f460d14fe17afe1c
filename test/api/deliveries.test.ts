import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Notification } from '../../domain';
import { type NotifyDelivery } from '../../activities/notify';
import { createTestApi, type TestApi } from '../support/api';
import { evidence, tinyTemplateInput } from '../support/fixtures';
import { connectTestTemporal, eventually, uniqueEventId, type TestTemporal } from '../support/temporal';

/**
 * The delivery log on a real server: a notify activity that delivers some
 * notifications, keeps failing others (the server retries them) and has some
 * refused for good, and the log ops read at GET /events/:id/deliveries.
 */
let temporal: TestTemporal;
let api: TestApi;
const received: { notification: Notification; delivery?: NotifyDelivery }[] = [];

beforeAll(async () => {
  temporal = await connectTestTemporal();
  await temporal.startWorker({
    activities: {
      notify: (notification: Notification, delivery?: NotifyDelivery) => {
        received.push({ notification, ...(delivery ? { delivery } : {}) });
        if (notification.kind === 'itemBlocked')
          throw ApplicationFailure.retryable('receiver down', 'WEBHOOK_UNAVAILABLE');
        if (notification.kind === 'gateRejected') {
          throw ApplicationFailure.nonRetryable('receiver refused it (400)', 'WEBHOOK_REJECTED');
        }
        return Promise.resolve({ channels: { log: 'written', email: delivery ? 'sent' : 'skipped' } });
      },
    },
  });
  api = createTestApi(temporal);
});
afterAll(async () => temporal?.close());

/** The tiny plan, with email addresses for the two approvers of the planning gate. */
function templateWithEmails() {
  const input = structuredClone(tinyTemplateInput);
  const withEmail = (id: string, email: string) => {
    const person = input.people.find((p) => p.id === id)! as { email?: string };
    person.email = email;
  };
  withEmail('head.tuan', 'tuan@example.org');
  withEmail('office.mai', 'mai@example.org');
  return input;
}
const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

async function startEvent() {
  const eventId = uniqueEventId('deliveries');
  await api.request
    .post('/events')
    .set(await api.as('planner.linh'))
    .send({
      eventId,
      template: templateWithEmails(),
      window: { start: future(60), end: future(61), timeZone: 'Asia/Ho_Chi_Minh' },
    })
    .expect(201);
  return eventId;
}
const post = async (eventId: string, path: string, as: string, body: object = {}) =>
  api.request
    .post(`/events/${eventId}${path}`)
    .set(await api.as(as))
    .send(body)
    .expect((res) => {
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    });
const deliveries = async (eventId: string) =>
  (
    await api.request
      .get(`/events/${eventId}/deliveries`)
      .set(await api.as('planner.linh'))
      .expect(200)
  ).body.deliveries as {
    id: string;
    kind: string;
    status: string;
    attempt?: number;
    lastError?: string;
    error?: string;
    channels?: object;
  }[];
const byKind = (kind: string) => (list: Awaited<ReturnType<typeof deliveries>>) => list.find((d) => d.kind === kind);

describe('the delivery log', () => {
  it('sends a notification by email to the roster people of its audience, and logs what each channel did', async () => {
    const eventId = await startEvent();
    await post(eventId, '/items/plan.master/complete', 'office.mai');
    await post(eventId, '/items/plan.cyber/complete', 'cyber.hung', { evidence });
    const opened = await eventually(
      () => deliveries(eventId),
      (list) => byKind('gateOpened')(list)?.status === 'sent',
    );
    expect(byKind('gateOpened')(opened)).toMatchObject({ status: 'sent', channels: { log: 'written', email: 'sent' } });
    const sent = received.find((r) => r.notification.eventId === eventId && r.notification.kind === 'gateOpened');
    expect(sent?.delivery?.emails).toEqual([
      { address: 'tuan@example.org', name: 'Nguyễn Văn Tuấn' },
      { address: 'mai@example.org', name: 'Lê Thị Mai' },
    ]);
  });

  it('shows a notification the server keeps retrying as retrying, with its attempt and last error', async () => {
    const eventId = await startEvent();
    await post(eventId, '/items/order.routes/block', 'police.nam', { reason: 'Chờ phương án phân luồng' });
    const list = await eventually(
      () => deliveries(eventId),
      (l) => byKind('itemBlocked')(l)?.status === 'retrying',
    );
    expect(byKind('itemBlocked')(list)).toMatchObject({ status: 'retrying', lastError: 'receiver down' });
    expect(byKind('itemBlocked')(list)!.attempt).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('records a notification refused for good as given up, with the error, without blocking the event', async () => {
    const eventId = await startEvent();
    await post(eventId, '/items/plan.master/complete', 'office.mai');
    await post(eventId, '/items/plan.cyber/complete', 'cyber.hung', { evidence });
    await post(eventId, '/gates/plan-approval/decisions', 'head.tuan', {
      decision: 'reject',
      reason: 'Thiếu phương án dự phòng',
      reopen: ['plan.cyber'],
    });
    const list = await eventually(
      () => deliveries(eventId),
      (l) => byKind('gateRejected')(l)?.status === 'gave_up',
    );
    expect(byKind('gateRejected')(list)).toMatchObject({ status: 'gave_up', error: 'receiver refused it (400)' });
    // The event goes on: the reworked item can be completed again.
    await post(eventId, '/items/plan.cyber/complete', 'cyber.hung', { evidence });
  });

  it('is for full readers only', async () => {
    const eventId = await startEvent();
    const res = await api.request.get(`/events/${eventId}/deliveries`).set(await api.as('cyber.hung'));
    expect([res.status, res.body.code]).toEqual([403, 'READ_FORBIDDEN']);
  });
});
