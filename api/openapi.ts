import { programsOpenApiPaths } from './routes/programs';
import { z } from 'zod';
import { commandRoutes } from './routes/commands';
import {
  afterActionResponse,
  commandResponse,
  deliveriesResponse,
  eventResponse,
  healthResponse,
  inboxResponse,
  listEventsResponse,
  readyResponse,
  responseJsonSchema,
  startEventResponse,
  timelineResponse,
} from './responses';
import { eventReadQuery, inboxQuery, listEventsQuery, reportQuery, startEventBody, timelineQuery } from './schemas';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate
 * requests (zod's own JSON Schema output, so no second schema library).
 */
export function buildOpenApiDocument(info: { serverUrl?: string } = {}) {
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  const problem = {
    description: 'problem+json',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), problem]));
  const eventId = { name: 'eventId', in: 'path', required: true, schema: { type: 'string' } };
  const idempotency = {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'retrying with the same key returns the first result instead of acting twice',
    schema: { type: 'string', minLength: 8, maxLength: 128 },
  };
  const json = (s: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schema(s) } } });
  /** A 2xx answer: its JSON Schema generated from the zod schema of the body the route sends. */
  const ok = (description: string, body: z.ZodType) => ({
    description,
    content: { 'application/json': { schema: responseJsonSchema(body) } },
  });
  const queryParams = (q: z.ZodType) =>
    Object.entries((schema(q) as { properties: Record<string, unknown> }).properties).map(([name, s]) => ({
      name,
      in: 'query',
      required: false,
      schema: s,
    }));
  const listParams = queryParams(listEventsQuery);

  // Every human action, from the same table that registers the routes.
  const commandPaths: Record<string, Record<string, unknown>> = {};
  for (const route of commandRoutes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    commandPaths[path] = {
      ...commandPaths[path],
      [route.method]: {
        summary: route.summary,
        operationId: route.operationId,
        parameters: [...params, idempotency],
        requestBody: { required: route.bodyRequired, content: { 'application/json': { schema: schema(route.body) } } },
        responses: {
          [String(route.status)]: ok('the result of the action', commandResponse),
          ...errors(400, 401, 403, 404, 409, 422, 429, 503),
        },
      },
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Readiness engine API',
      version: '0.1.0',
      description:
        'Readiness checklists for major events, run as durable Temporal workflows. Every request needs a bearer JWT; errors are application/problem+json with a stable `code`.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      // Answers any path can give (docs/security.md): not repeated on every operation.
      responses: {
        MethodNotAllowed: {
          ...problem,
          description: 'METHOD_NOT_ALLOWED: the path exists, the method does not; Allow lists the methods it has',
          headers: { Allow: { schema: { type: 'string' }, description: 'e.g. "GET, HEAD, POST"' } },
        },
        RequestHeaderFieldsTooLarge: {
          ...problem,
          description:
            'REQUEST_HEADERS_TOO_LARGE: the request line and headers exceed the server limit (16 KiB); the connection is closed',
        },
        UnsupportedMediaType: {
          ...problem,
          description: 'UNSUPPORTED_MEDIA_TYPE: a request body that is not application/json (or application/*+json)',
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string', description: 'stable machine-readable error code' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            issues: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  code: { type: 'string' },
                  path: { type: 'array', items: { type: ['string', 'integer'] } },
                  at: { type: 'string', description: 'the path as people read it, e.g. items[12].dependsOn[0]' },
                  message: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
    paths: {
      // Operations (docs/operations.md): no token, not rate limited.
      '/healthz': {
        get: {
          summary: 'Liveness: the process answers (says nothing about Temporal)',
          operationId: 'healthz',
          security: [],
          responses: { '200': ok('the process answers', healthResponse) },
        },
      },
      '/readyz': {
        get: {
          summary:
            'Readiness: Temporal reachable, namespace present, search attributes registered. 503 names the failed check (TEMPORAL_UNREACHABLE, TEMPORAL_UNAUTHORIZED, NAMESPACE_MISSING, SEARCH_ATTRIBUTES_MISSING, SEARCH_ATTRIBUTES_CONFLICT); cached briefly.',
          operationId: 'readyz',
          security: [],
          responses: { '200': ok('ready: every check passed', readyResponse), ...errors(503) },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (text format 0.0.4); a bearer METRICS_TOKEN when one is configured',
          operationId: 'metrics',
          security: [],
          responses: {
            '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
            ...errors(401),
          },
        },
      },
      '/events': {
        post: {
          summary: 'Start an event from a template (planner)',
          operationId: 'startEvent',
          parameters: [
            {
              ...idempotency,
              description:
                'a retried start with the same key and body answers the first 201 again; with another body, 409 IDEMPOTENCY_KEY_REUSED',
            },
          ],
          requestBody: json(startEventBody),
          responses: {
            '201': ok('the event workflow started', startEventResponse),
            ...errors(400, 401, 403, 409, 422, 503),
          },
        },
        get: {
          summary: 'List events (eventually consistent visibility query)',
          operationId: 'listEvents',
          parameters: listParams,
          responses: { '200': ok('events', listEventsResponse), ...errors(400, 401, 403, 503) },
        },
      },
      '/events/{eventId}': {
        get: {
          summary:
            "An event's state, progress per work group, gates, delegations and overdue items; with asOf, as it was then (rebuilt from history). Roster members who are not planners, admins or program readers see only what their units and roles touch (scope: scoped).",
          operationId: 'getEvent',
          parameters: [eventId, ...queryParams(eventReadQuery)],
          responses: { '200': ok('the event', eventResponse), ...errors(400, 401, 403, 404, 503) },
        },
      },
      '/events/{eventId}/timeline': {
        get: {
          summary:
            'Every accepted action in order (actor, on-behalf-of, time, command, reason) and the system changes it caused, from the workflow history across continue-as-new runs. JSON, or CSV with Accept: text/csv or format=csv. Full readers only.',
          operationId: 'getTimeline',
          parameters: [eventId, ...queryParams(timelineQuery)],
          responses: {
            '200': {
              description: 'the timeline',
              content: {
                'application/json': { schema: responseJsonSchema(timelineResponse) },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            ...errors(400, 401, 403, 404, 503),
          },
        },
      },
      '/events/{eventId}/review': {
        get: {
          summary:
            'The after-action record: the whole timeline, completion per work group against deadlines, overdue and escalation statistics, a readiness burn-up, drill ratings, the readiness declaration with its accepted risks, incidents with time to acknowledge and resolve, handovers, lessons and corrective actions. Full readers only.',
          operationId: 'getAfterActionRecord',
          parameters: [eventId],
          responses: {
            '200': ok('the after-action record', afterActionResponse),
            ...errors(400, 401, 403, 404, 503),
          },
        },
      },
      '/events/{eventId}/deliveries': {
        get: {
          summary:
            "The delivery log of the event's side effects (notifications, checks, reports, program reports): pending, sent, gave up with the last error, or retrying with the attempt the server reports. Full readers only.",
          operationId: 'getDeliveries',
          parameters: [eventId],
          responses: { '200': ok('the delivery log', deliveriesResponse), ...errors(400, 401, 403, 404, 503) },
        },
      },
      '/events/{eventId}/report': {
        get: {
          summary:
            'The after-action report rendered from the after-action record: a self-contained HTML document (inline CSS and SVG charts: readiness burn-up, incidents by severity over the live window, items by work group) or Markdown. HTML by default, Markdown with Accept: text/markdown; format=md|html overrides Accept. The stored report (REPORTS_DIR) is served while its fingerprint (X-Report-Fingerprint, also the ETag) matches the current record, else it is rendered and stored first (X-Report-Source: stored or rendered). Full readers only.',
          operationId: 'getAfterActionReport',
          parameters: [eventId, ...queryParams(reportQuery)],
          responses: {
            '200': {
              description: 'the report',
              headers: {
                'X-Report-Fingerprint': { schema: { type: 'string' }, description: "the record's fingerprint" },
                'X-Report-Source': { schema: { type: 'string', enum: ['stored', 'rendered'] } },
                'X-Report-Generated-At': { schema: { type: 'string', format: 'date-time' } },
              },
              content: { 'text/html': { schema: { type: 'string' } }, 'text/markdown': { schema: { type: 'string' } } },
            },
            '304': { description: 'not modified (If-None-Match matched the ETag)' },
            ...errors(400, 401, 403, 404, 503),
          },
        },
      },
      '/me/tasks': {
        get: {
          summary:
            "The caller's inbox across all events: open items of their units, and the gates, go/no-go decisions, waivers and drill evaluations awaiting their roles or delegated to them, incident steps first, then by due time, each with its event, overdue flag and escalation level. Candidate events come from visibility (eventually consistent, a fraction of a second when idle); each one's tasks from its current state.",
          operationId: 'getMyTasks',
          parameters: queryParams(inboxQuery),
          responses: { '200': ok('tasks', inboxResponse), ...errors(400, 401, 503) },
        },
      },
      ...commandPaths,
      ...programsOpenApiPaths(),
    },
  };
}
