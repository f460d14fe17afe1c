import { request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../api/http-server';
import { buildOpenApiDocument } from '../../api/openapi';
import { useTestApi } from '../support/api';
import { evidence, tinyWindow } from '../support/fixtures';
import { uniqueEventId } from '../support/temporal';

const suite = useTestApi();

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
}
const document = buildOpenApiDocument() as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Operation['responses'][string]> };
};
const methods = ['get', 'post', 'put', 'patch', 'delete'];
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => methods.includes(method))
    .map(([method, operation]) => ({ path, method, operation })),
);

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document.components.schemas.Problem!, '#/components/schemas/Problem');
const compiled = new Map<Schema, ValidateFunction>();
/** Problem references point into the document: the validator resolves them to its Problem schema. */
const validatorOf = (schema: Schema) => {
  let validate = compiled.get(schema);
  if (!validate) {
    validate =
      schema.$ref === '#/components/schemas/Problem'
        ? ajv.getSchema('#/components/schemas/Problem')!
        : ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
};

/** The documented schema of an answer: the operation's own entry for the status, or a shared response. */
function documentedSchema(method: string, path: string, status: number, contentType: string) {
  const operation = document.paths[path]?.[method];
  const shared: Record<number, string> = { 405: 'MethodNotAllowed', 415: 'UnsupportedMediaType' };
  const entry =
    operation?.responses[String(status)] ??
    (shared[status] ? document.components.responses[shared[status]] : undefined);
  return entry?.content?.[contentType.split(';')[0]!.trim()]?.schema;
}

/** The answer is documented for its operation and status, and its body matches the documented schema. */
function expectDocumented(
  res: { status: number; headers: Record<string, string>; body: unknown },
  method: string,
  path: string,
) {
  const schema = documentedSchema(method, path, res.status, res.headers['content-type'] ?? '');
  expect(schema, `${method} ${path} ${res.status} ${res.headers['content-type']} is documented`).toBeDefined();
  const validate = validatorOf(schema!);
  expect(validate(res.body) ? [] : validate.errors, `${method} ${path} ${res.status}`).toEqual([]);
}

describe('the OpenAPI document', () => {
  it('documents a schema for the body of every 2xx answer of every operation', () => {
    const undocumented = operations.flatMap(({ path, method, operation }) =>
      Object.entries(operation.responses)
        .filter(([status]) => /^2\d\d$/.test(status))
        .flatMap(([status, response]) => {
          const contents = Object.entries(response.content ?? {});
          if (contents.length === 0) return [`${method} ${path} ${status}: no content`];
          return contents.flatMap(([type, media]) => {
            if (!media.schema) return [`${method} ${path} ${status} ${type}: no schema`];
            validatorOf(media.schema);
            return [];
          });
        }),
    );
    expect(operations.length).toBeGreaterThan(30);
    expect(undocumented).toEqual([]);
  });
});

describe('answers match the documented schemas', () => {
  it('answers the main reads and actions on a real event with bodies of their documented schemas, errors included', async () => {
    const planner = await suite.api.as('planner.linh');
    const eventId = uniqueEventId('contract');
    const programId = uniqueEventId('contract-program');
    const send = async (
      method: 'get' | 'post' | 'delete',
      url: string,
      path: string,
      who: Record<string, string>,
      body?: object,
    ) => {
      const call = suite.api.request[method](url).set(who);
      const res = await (body === undefined ? call : call.send(body));
      expectDocumented(res, method, path);
      return res;
    };
    const event = `/events/${eventId}`;

    // Starts, and the refusals of a start.
    expect(
      (await send('post', '/programs', '/programs', planner, { id: programId, title: 'Contract program' })).status,
    ).toBe(201);
    const start = { eventId, program: programId, template: 'tiny-summit', window: tinyWindow };
    expect((await send('post', '/events', '/events', planner, start)).status).toBe(201);
    expect((await send('post', '/events', '/events', planner, start)).status).toBe(409);
    expect((await send('post', '/events', '/events', planner, { ...start, bogus: 1 })).status).toBe(400);
    expect((await send('post', '/events', '/events', await suite.api.as('office.mai'), start)).status).toBe(403);

    // Actions that fill the view: work, a blocker, a waiver request, a delegation, a gate decision; and refusals.
    const mai = await suite.api.as('office.mai');
    const hung = await suite.api.as('cyber.hung');
    const head = await suite.api.as('head.tuan');
    const actions: [string, string, Record<string, string>, object, number][] = [
      [`${event}/items/plan.master/start`, '/events/{eventId}/items/{itemId}/start', mai, {}, 200],
      [`${event}/items/plan.master/complete`, '/events/{eventId}/items/{itemId}/complete', mai, { evidence }, 200],
      [`${event}/items/plan.cyber/block`, '/events/{eventId}/items/{itemId}/block', hung, { reason: 'no lab' }, 200],
      [
        `${event}/items/order.routes/waiver`,
        '/events/{eventId}/items/{itemId}/waiver',
        planner,
        { justification: 'covered elsewhere', expiresAt: '2099-01-01T00:00:00Z' },
        201,
      ],
      [
        `${event}/delegations`,
        '/events/{eventId}/delegations',
        head,
        { to: 'duty.khoa', validUntil: new Date(Date.now() + 3_600_000).toISOString() },
        201,
      ],
      [`${event}/gates/plan-approval/decisions`, '/events/{eventId}/gates/{gateId}/decisions', head, {}, 400],
      [`${event}/items/plan.cyber/complete`, '/events/{eventId}/items/{itemId}/complete', mai, {}, 403],
      [`${event}/items/plan.none/start`, '/events/{eventId}/items/{itemId}/start', mai, {}, 404],
    ];
    for (const [url, path, who, body, status] of actions) {
      const res = await send('post', url, path, who, body);
      expect({ url, status: res.status }).toEqual({ url, status });
    }

    // Reads, full and scoped, live and as of an instant; and their refusals.
    const at = new Date().toISOString();
    const reads: [string, string, Record<string, string>, number][] = [
      [event, '/events/{eventId}', planner, 200],
      [event, '/events/{eventId}', hung, 200],
      [`${event}?asOf=${encodeURIComponent(at)}`, '/events/{eventId}', planner, 200],
      [`${event}?asOf=yesterday`, '/events/{eventId}', planner, 400],
      ['/events/contract-missing', '/events/{eventId}', planner, 404],
      [`${event}/timeline`, '/events/{eventId}/timeline', planner, 200],
      [`${event}/timeline`, '/events/{eventId}/timeline', hung, 403],
      [`${event}/review`, '/events/{eventId}/review', planner, 200],
      [`${event}/deliveries`, '/events/{eventId}/deliveries', planner, 200],
      ['/events', '/events', planner, 200],
      ['/events?sort=eventStart&order=desc&limit=5', '/events', planner, 200],
      ['/events?limit=0', '/events', planner, 400],
      ['/me/tasks', '/me/tasks', head, 200],
      ['/programs', '/programs', planner, 200],
      [`/programs/${programId}`, '/programs/{programId}', planner, 200],
      ['/healthz', '/healthz', {}, 200],
      ['/readyz', '/readyz', {}, 200],
      [event, '/events/{eventId}', {}, 401],
    ];
    for (const [url, path, who, status] of reads) {
      const res = await send('get', url, path, who);
      expect({ url, status: res.status }).toEqual({ url, status });
    }
  });
});

describe('what the HTTP parser refuses', () => {
  let port: number;
  let server: Server;
  beforeAll(async () => {
    // The server `startApi` listens with, around the suite's app.
    server = createHttpServer(suite.api.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: Record<string, string>; body: unknown }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers as Record<string, string>,
            body: JSON.parse(text) as unknown,
          }),
        );
      });
      req.on('error', reject);
      req.end();
    });

  it.each([
    ['a 20 kB Authorization header', '/events', { Authorization: `Bearer ${'a'.repeat(20_000)}` }],
    ['a 16 kB URL', `/events?program=${'p'.repeat(16_400)}`, {}],
  ])('answers %s with 431 REQUEST_HEADERS_TOO_LARGE as problem+json', async (_label, path, headers) => {
    const res = await get(path, headers);
    expect({ status: res.status, code: (res.body as { code?: string }).code }).toEqual({
      status: 431,
      code: 'REQUEST_HEADERS_TOO_LARGE',
    });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const documented = document.components.responses.RequestHeaderFieldsTooLarge?.content?.['application/problem+json']
      ?.schema as Schema;
    const validate = validatorOf(documented);
    expect(validate(res.body) ? [] : validate.errors).toEqual([]);
  });

  it('answers a request that does not parse with 400 BAD_REQUEST as problem+json', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('NOT A REQUEST\r\n\r\n'));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(body!)).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  });
});
