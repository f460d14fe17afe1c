import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type ErrorRequestHandler } from 'express';
import { type z } from 'zod';
import { errorKinds, isDomainErrorCode, toValidationIssues, type ErrorKind, type ValidationIssue } from '../domain';

/**
 * Every error leaves the API as RFC 9457 problem+json with a stable `code`.
 * Clients branch on `code`; `detail` is for people and may change.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: { issues?: ValidationIssue[]; retryAfterSeconds?: number; [key: string]: unknown } = {},
    /** `cause` is for the logs only: it never reaches the response. */
    options: { cause?: unknown } = {},
  ) {
    super(detail, options);
  }
}

const statusOfKind: Record<ErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rule: 422,
};

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function validationProblem(error: z.ZodError, prefix: (string | number)[] = [], code = 'VALIDATION_FAILED') {
  return new Problem(400, code, 'the request is not valid', { issues: toValidationIssues(error, prefix) });
}

/** Translates what Temporal and the workflow said into a Problem; unknown errors become a 500 without internals. */
export function toProblem(error: unknown, context: { eventId?: string } = {}): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const failure = error.cause;
    const code = failure.type ?? 'UPDATE_FAILED';
    const details = (failure.details?.[0] ?? {}) as Record<string, unknown>;
    if (isDomainErrorCode(code)) return new Problem(statusOfKind[errorKinds[code]], code, failure.message, details);
    return new Problem(422, code, failure.message, details);
  }
  if (error instanceof WorkflowNotFoundError) {
    return new Problem(404, 'EVENT_NOT_FOUND', `no event "${context.eventId ?? ''}"`);
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new Problem(409, 'EVENT_EXISTS', `an event "${context.eventId ?? ''}" already exists`);
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new Problem(
      504,
      'TEMPORAL_TIMEOUT',
      'the event did not answer in time; retry with the same Idempotency-Key',
    );
  }
  const grpc = isGrpcServiceError(error)
    ? error
    : error instanceof ServiceError && isGrpcServiceError(error.cause)
      ? error.cause
      : undefined;
  if (grpc) {
    switch (grpc.code) {
      case GrpcStatus.NOT_FOUND:
        return new Problem(404, 'EVENT_NOT_FOUND', `no event "${context.eventId ?? ''}"`);
      case GrpcStatus.RESOURCE_EXHAUSTED:
        return new Problem(429, 'TOO_MANY_REQUESTS', 'the event is busy; retry shortly', { retryAfterSeconds: 1 });
      case GrpcStatus.UNAVAILABLE:
      case GrpcStatus.DEADLINE_EXCEEDED:
        return new Problem(503, 'TEMPORAL_UNAVAILABLE', 'the workflow service is unavailable; retry shortly', {
          retryAfterSeconds: 5,
        });
      case GrpcStatus.FAILED_PRECONDITION:
        return new Problem(409, 'EVENT_CLOSED', 'the event is no longer running');
    }
  }
  return new Problem(500, 'INTERNAL', 'an unexpected error occurred');
}

/** The problem+json document of a problem (without `retryAfterSeconds`, which is a header). */
export function problemDocument(problem: Problem, instance?: string): Record<string, unknown> {
  const { retryAfterSeconds: _retryAfter, ...extra } = problem.extra;
  return {
    type: `https://readiness.invalid/problems/${problem.code.toLowerCase().replace(/_/g, '-')}`,
    title: titles[problem.status] ?? 'Error',
    status: problem.status,
    code: problem.code,
    detail: problem.detail,
    ...(instance !== undefined ? { instance } : {}),
    ...extra,
  };
}

export function sendProblem(res: Parameters<ErrorRequestHandler>[2], problem: Problem, instance: string): void {
  const { retryAfterSeconds } = problem.extra;
  if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
  res.status(problem.status).type('application/problem+json').json(problemDocument(problem, instance));
}

/**
 * Body-parser failures (malformed JSON, too large, wrong type) arrive here as errors with a `type`;
 * Express's own client errors (a path that does not decode) as `http-errors` with a 4xx `status`.
 */
function fromHttpError(error: unknown): Problem | undefined {
  if (typeof error !== 'object' || error === null || error instanceof Problem) return undefined;
  const { type, status, expose } = error as { type?: unknown; status?: unknown; expose?: unknown };
  if (type === 'entity.parse.failed') return new Problem(400, 'MALFORMED_JSON', 'the request body is not valid JSON');
  if (type === 'entity.too.large') return new Problem(413, 'BODY_TOO_LARGE', 'the request body is too large');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new Problem(415, 'UNSUPPORTED_ENCODING', 'send UTF-8 JSON');
  }
  // Only the status is kept: the error's message may quote internals.
  if (typeof status === 'number' && status >= 400 && status < 500 && expose !== false) {
    return status === 400
      ? new Problem(400, 'BAD_REQUEST', 'the request could not be read')
      : new Problem(status, 'REQUEST_REFUSED', titles[status] ?? 'the request was refused');
  }
  return undefined;
}

/** Refusals worth an operator's eye: who was turned away, and why. */
const loggedRefusals = new Set([401, 403, 409, 422]);

/**
 * The last middleware: every error becomes problem+json. Refusals (401, 403, 409, 422) are logged at
 * warn with who, what and why, and server faults at error with the cause; neither ever carries the
 * Authorization header or the token (the request logger redacts them, and the line names only the actor id).
 */
export const problemHandler: ErrorRequestHandler = (error, req, res, next) => {
  // A response already under way cannot become a problem: let Express close the connection.
  if (res.headersSent) return next(error);
  const problem = fromHttpError(error) ?? toProblem(error, { eventId: req.params?.eventId as string | undefined });
  if (problem.status >= 500) req.log?.error({ err: error, code: problem.code }, 'request failed');
  else if (loggedRefusals.has(problem.status)) {
    req.log?.warn(
      {
        actor: req.actor?.id ?? null,
        code: problem.code,
        reason: problem.detail,
        method: req.method,
        path: req.originalUrl.split('?')[0],
      },
      'request refused',
    );
  }
  sendProblem(res, problem, req.originalUrl);
};
