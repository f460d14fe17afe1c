import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { type DataConverter, type Payload } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCRYPTED_ENCODING } from '../../codec/encryption';
import { dataConverterOf, parseConfig, temporalConfigSchema } from '../../config/temporal';
import { eventWorkflowId } from '../../workflows/definitions';
import { createTestApi, type TestApi } from '../support/api';
import { startTinyEvent } from '../support/events';
import { tinyWindow } from '../support/fixtures';
import { connectTestTemporal, uniqueEventId, type TestTemporal } from '../support/temporal';

/** Secrets the server must never see in clear: a note, the template's title, a roster name. */
const note = 'mật-khẩu-kiểm-thử-123';
const secrets = [note, 'Tiny summit', 'Lê Thị Mai'];

let temporal: TestTemporal;
let api: TestApi;
/** Reads what the server stores, without the codec: a plain client on the same connection. */
let raw: Client;

beforeAll(async () => {
  // Configured the way an operator does it, through the environment schema.
  const config = parseConfig(temporalConfigSchema, {
    PAYLOAD_ENCRYPTION_KEYS: `e2e-test:${randomBytes(32).toString('base64')}`,
    PAYLOAD_ENCRYPTION_KEY_ID: 'e2e-test',
  });
  const dataConverter: DataConverter | undefined = dataConverterOf(config);
  // Compression (the default) then encryption: the stored payloads are encrypted either way.
  expect(dataConverter?.payloadCodecs).toHaveLength(2);
  temporal = await connectTestTemporal({ dataConverter });
  await temporal.startWorker();
  api = createTestApi(temporal);
  raw = new Client({ connection: temporal.connection, namespace: temporal.namespace });
});
afterAll(async () => temporal?.close());

const text = new TextDecoder();
const encodingOf = (payload: Payload) => text.decode(payload.metadata?.encoding ?? new Uint8Array());

async function rawHistory(eventId: string) {
  const history = await raw.workflow.getHandle(eventWorkflowId(eventId)).fetchHistory();
  const events = history.events ?? [];
  return {
    bytes: proto.api.history.v1.History.encode(history).finish(),
    started: events.flatMap((e) => e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
    updateRequests: events.flatMap(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads ?? [],
    ),
    updateResults: events.flatMap(
      (e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads ?? [],
    ),
  };
}

const containsUtf8 = (bytes: Uint8Array, value: string) => Buffer.from(bytes).includes(Buffer.from(value, 'utf8'));

async function completeMasterPlan(eventId: string) {
  const res = await api.request
    .post(`/events/${eventId}/items/plan.master/complete`)
    .set(await api.as('office.mai'))
    .send({ note });
  expect(res.status).toBe(200);
  expect(res.body.item).toMatchObject({ status: 'done', completedBy: 'office.mai', note });
}

describe('payload encryption against the real server', () => {
  it('serves notes in clear through the API while the server stores only ciphertext', async () => {
    const eventId = uniqueEventId('encrypted');
    const started = await api.request
      .post('/events')
      .set(await api.as('planner.linh'))
      .send({ eventId, template: 'tiny-summit', window: tinyWindow });
    expect(started.status).toBe(201);
    await completeMasterPlan(eventId);

    const view = await api.request.get(`/events/${eventId}`).set(await api.as('planner.linh'));
    expect(view.status).toBe(200);
    expect(view.body.items.find((i: { id: string }) => i.id === 'plan.master')).toMatchObject({
      status: 'done',
      completedBy: 'office.mai',
      note,
    });

    const history = await rawHistory(eventId);
    expect(history.started.length).toBeGreaterThan(0);
    expect(history.updateRequests.length).toBeGreaterThan(0);
    expect(history.updateResults.length).toBeGreaterThan(0);
    for (const payload of [...history.started, ...history.updateRequests, ...history.updateResults]) {
      expect(encodingOf(payload)).toBe(ENCRYPTED_ENCODING);
      for (const secret of secrets) expect(containsUtf8(payload.data ?? new Uint8Array(), secret)).toBe(false);
    }
    // Not only the payloads: nowhere in the stored history, search attributes and failures included.
    for (const secret of secrets) expect(containsUtf8(history.bytes, secret), secret).toBe(false);
  });

  it('keeps serving an event whose history began before encryption was switched on', async () => {
    const eventId = uniqueEventId('mixed');
    // Started by a client without the codec, as every event was before encryption.
    await startTinyEvent(raw, temporal.taskQueue, eventId);
    await completeMasterPlan(eventId);

    const view = await api.request.get(`/events/${eventId}`).set(await api.as('planner.linh'));
    expect(view.status).toBe(200);
    expect(view.body.items.find((i: { id: string }) => i.id === 'plan.master')).toMatchObject({ note });

    const history = await rawHistory(eventId);
    expect(history.started.map(encodingOf)).toEqual(['json/plain']);
    for (const payload of [...history.updateRequests, ...history.updateResults]) {
      expect(encodingOf(payload)).toBe(ENCRYPTED_ENCODING);
    }
    expect(containsUtf8(history.bytes, note)).toBe(false);
  });
});
