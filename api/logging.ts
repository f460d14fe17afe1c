import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Request, type RequestHandler } from 'express';
import { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { eventWorkflowId } from '../workflows/definitions';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * An incoming request id is kept only when it is a plain token (what proxies and tracing headers send: UUIDs,
 * hex, ULIDs, `abc-123.4`); anything else, such as a list, spaces or control characters, gets a fresh UUID, so a
 * caller cannot forge log structure or flood it with a long value.
 */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/+=@-]{0,127}$/;

/** The caller's `X-Request-Id` if it is a plain token, otherwise a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/** What the request's route said about its event: known once `/events/:eventId…` matched. */
interface EventContext {
  eventId: string;
  workflowId: string;
}
const eventContexts = new WeakMap<IncomingMessage, EventContext>();
/** Requests whose start-of-request bindings were taken (pino-http asks for them at the start and at the end). */
const bound = new WeakSet<IncomingMessage>();

/**
 * The request logger. Every completion line carries `requestId` (also echoed as `X-Request-Id`), `actor`
 * (the token's subject, once authenticated), and `eventId` / `workflowId` on `/events/:eventId…` routes; lines
 * logged through `req.log` (refusals, failures) carry `requestId` and the event ids too. The Authorization
 * header and cookies are redacted; bodies are never logged.
 */
export function httpLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdOf(req);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customProps: (req) => {
      // First call, at the start: bound to every line of the request. Last call, at the end: what became known.
      if (!bound.has(req)) {
        bound.add(req);
        return { requestId: req.id };
      }
      const event = eventContexts.get(req);
      // pino-http types the request as Node's; it is Express's, with the actor `identify` set.
      const actor = (req as Request).actor;
      return {
        ...(actor ? { actor: actor.id } : {}),
        ...(event ? { eventId: event.eventId, workflowId: event.workflowId } : {}),
      };
    },
    // Tokens never reach the logs.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
  });
}

/**
 * Mounted at `/events/:eventId`: remembers the event of the request for its completion line and binds it to
 * `req.log`. The id is logged as sent (truncated), before the route validates it.
 */
export const eventLogContext: RequestHandler = (req, _res, next) => {
  const raw = req.params.eventId;
  if (typeof raw === 'string' && raw.length > 0) {
    const eventId = raw.slice(0, 200);
    const context = { eventId, workflowId: eventWorkflowId(eventId) };
    eventContexts.set(req, context);
    req.log = req.log.child(context);
  }
  next();
};
