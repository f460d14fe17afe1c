import { z } from 'zod';
import {
  completeItemBody,
  delegationBody,
  eventReadQuery,
  gateDecisionBody,
  listEventsQuery,
  revocationBody,
  startEventBody,
  timelineQuery,
} from './schemas';

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
      '/events/{eventId}/delegations': {
        post: {
          summary: "Delegate one's signing right to another person of the roster for a time window (approvers)",
          operationId: 'delegate',
          parameters: [eventId, idempotency],
          requestBody: json(delegationBody),
          responses: { '201': { description: 'the delegation' }, ...errors(400, 401, 403, 404, 409, 422, 429, 503) },
        },
      },
      '/events/{eventId}/delegations/{delegationId}': {
        delete: {
          summary: 'Revoke a delegation (its delegator or an admin)',
          operationId: 'revokeDelegation',
          parameters: [
            eventId,
            { name: 'delegationId', in: 'path', required: true, schema: { type: 'string' } },
            idempotency,
          ],
          requestBody: { required: false, content: { 'application/json': { schema: schema(revocationBody) } } },
          responses: { '200': { description: 'the revoked delegation' }, ...errors(400, 401, 403, 404, 409, 429, 503) },
        },
      },
      '/events/{eventId}/items/{itemId}/complete': {
        post: {
          summary: 'Complete a checklist item with evidence (member of the owner unit)',
          operationId: 'completeItem',
          parameters: [
            eventId,
            { name: 'itemId', in: 'path', required: true, schema: { type: 'string' } },
            idempotency,
          ],
          requestBody: json(completeItemBody),
          responses: { '200': { description: 'the item is done' }, ...errors(400, 401, 403, 404, 409, 422, 429, 503) },
        },
      },
      '/events/{eventId}/gates/{gateId}/decisions': {
        post: {
          summary: 'Approve or reject a gate (holder of one of its approver roles)',
          operationId: 'decideGate',
          parameters: [
            eventId,
            { name: 'gateId', in: 'path', required: true, schema: { type: 'string' } },
            idempotency,
          ],
          requestBody: json(gateDecisionBody),
          responses: {
            '201': { description: 'the decision is recorded' },
            ...errors(400, 401, 403, 404, 409, 422, 429, 503),
          },
        },
      },
    },
  };
}
