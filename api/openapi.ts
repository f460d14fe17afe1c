import { z } from 'zod';
import { commandRoutes } from './routes/commands';
import { eventReadQuery, listEventsQuery, startEventBody, timelineQuery } from './schemas';

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
          [String(route.status)]: { description: 'the result of the action' },
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
      '/events': {
        post: {
          summary: 'Start an event from a template (planner)',
          operationId: 'startEvent',
          requestBody: json(startEventBody),
          responses: { '201': { description: 'the event workflow started' }, ...errors(400, 401, 403, 409, 422, 503) },
        },
        get: {
          summary: 'List events (eventually consistent visibility query)',
          operationId: 'listEvents',
          parameters: listParams,
          responses: { '200': { description: 'events' }, ...errors(400, 401, 503) },
        },
      },
      '/events/{eventId}': {
        get: {
          summary:
            "An event's state, progress per work group, gates, delegations and overdue items; with asOf, as it was then (rebuilt from history). Roster members who are not planners, admins or program readers see only what their units and roles touch (scope: scoped).",
          operationId: 'getEvent',
          parameters: [eventId, ...queryParams(eventReadQuery)],
          responses: { '200': { description: 'the event' }, ...errors(400, 401, 403, 404, 503) },
        },
      },
      '/events/{eventId}/timeline': {
        get: {
          summary:
            'Every accepted action in order (actor, on-behalf-of, time, command, reason) and the system changes it caused, from the workflow history across continue-as-new runs. JSON, or CSV with Accept: text/csv or format=csv. Full readers only.',
          operationId: 'getTimeline',
          parameters: [eventId, ...queryParams(timelineQuery)],
          responses: {
            '200': { description: 'the timeline', content: { 'application/json': {}, 'text/csv': {} } },
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
          responses: { '200': { description: 'the after-action record' }, ...errors(401, 403, 404, 503) },
        },
      },
      ...commandPaths,
    },
  };
}
