import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTemplateSchema } from '../../domain';
import { decideWaiverUpdate, requestWaiverUpdate, rescheduleUpdate, stateQuery } from '../../workflows/definitions';
import { startTinyEvent } from '../support/events';
import { tinyTemplateInput } from '../support/fixtures';
import {
  connectTestTemporal,
  eventually,
  uniqueEventId,
  type RunningWorker,
  type TestTemporal,
} from '../support/temporal';

/**
 * Timers on a real server with short real durations: the plan's deadlines
 * are seconds away, so the one scheduler timer fires for real.
 */
let temporal: TestTemporal;
let worker: RunningWorker;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  worker = await temporal.startWorker();
});
afterAll(async () => temporal?.close());

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const sentFor = (eventId: string) => worker.notifications.filter((n) => n.eventId === eventId);
const windowFrom = (startMs: number) => ({
  start: inMs(startMs),
  end: inMs(startMs + 3_600_000),
  timeZone: 'Asia/Ho_Chi_Minh',
});

function templateWith(changes: (t: ReturnType<typeof structuredClone<typeof tinyTemplateInput>>) => void) {
  const input = structuredClone(tinyTemplateInput);
  changes(input);
  return planTemplateSchema.parse(input);
}

describe('the scheduler timer', () => {
  it('sends the reminder before the deadline, then each escalation step in order, each once', async () => {
    const due = inMs(2500);
    const template = templateWith((t) => {
      Object.assign(t, {
        escalation: [
          { after: { seconds: 1 }, role: 'office-chief' },
          { after: { seconds: 2 }, role: 'steering-head' },
        ],
      });
      Object.assign(t.items[2]!, { due: { absolute: due }, reminders: [{ seconds: 1 }] });
    });
    const eventId = uniqueEventId('timers');
    await startTinyEvent(temporal.client, temporal.taskQueue, eventId, { template });
    const sent = await eventually(
      () => Promise.resolve(sentFor(eventId).filter((n) => n.subject.id === 'order.routes')),
      (list) => list.length >= 3,
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const dueMs = Date.parse(due);
    expect(
      sentFor(eventId)
        .filter((n) => n.subject.id === 'order.routes')
        .map((n) => [n.kind, n.level ?? null, Date.parse(n.at) - dueMs]),
    ).toEqual([
      ['reminder', null, -1000],
      ['escalation', 1, 1000],
      ['escalation', 2, 2000],
    ]);
    expect(sent[1]!.to).toEqual({ units: ['police'], roles: ['office-chief'] });
  });

  it('moves a pending reminder when the event is rescheduled', async () => {
    const template = templateWith((t) => {
      Object.assign(t.items[2]!, { due: { daysBefore: 0 }, reminders: [{ seconds: 1 }] });
    });
    const eventId = uniqueEventId('resched');
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, eventId, {
      template,
      window: windowFrom(3_600_000),
    });
    const newStart = inMs(2000);
    const result = await handle.executeUpdate(rescheduleUpdate, {
      args: [
        {
          actor: { id: 'planner.linh' },
          command: { type: 'reschedule', window: { start: newStart, end: inMs(7_200_000) }, reason: 'Dời lịch' },
        },
      ],
    });
    expect(result).toMatchObject({ type: 'rescheduled' });
    const reminders = await eventually(
      () => Promise.resolve(sentFor(eventId).filter((n) => n.kind === 'reminder' && n.subject.id === 'order.routes')),
      (list) => list.length > 0,
      8_000,
    );
    expect(reminders.map((n) => n.at)).toEqual([new Date(Date.parse(newStart) - 1000).toISOString()]);
    expect((await handle.query(stateQuery)).items['order.routes']!.due).toBe(new Date(newStart).toISOString());
  });

  it('reverts an expiring waiver to todo at its expiry and tells the owner unit', async () => {
    const eventId = uniqueEventId('waiver');
    const handle = await startTinyEvent(temporal.client, temporal.taskQueue, eventId);
    const expiresAt = inMs(1500);
    await handle.executeUpdate(requestWaiverUpdate, {
      args: [
        {
          actor: { id: 'police.nam' },
          command: {
            type: 'requestWaiver',
            itemId: 'order.routes',
            justification: 'Tuyến đường đã được bảo đảm',
            expiresAt,
          },
        },
      ],
    });
    await handle.executeUpdate(decideWaiverUpdate, {
      args: [
        { actor: { id: 'head.tuan' }, command: { type: 'decideWaiver', itemId: 'order.routes', decision: 'approve' } },
      ],
    });
    expect((await handle.query(stateQuery)).items['order.routes']!.status).toBe('waived');
    const state = await eventually(
      () => handle.query(stateQuery),
      (s) => s.items['order.routes']!.status === 'todo',
      8_000,
    );
    expect(state.items['order.routes']!.waiver).toMatchObject({
      status: 'expired',
      requestedBy: 'police.nam',
      decidedBy: 'head.tuan',
    });
    const expired = sentFor(eventId).filter((n) => n.kind === 'waiverExpired');
    expect(expired.map((n) => [n.subject.id, n.at, n.to.units])).toEqual([
      ['order.routes', new Date(expiresAt).toISOString(), ['police']],
    ]);
  });
});
