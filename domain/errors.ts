/**
 * Every caller-visible refusal has a stable code. The kind says what went
 * wrong from the caller's point of view; the API maps kinds to HTTP statuses
 * and the workflow uses the code as the ApplicationFailure type.
 */
export const errorKinds = {
  INVALID_COMMAND: 'invalid',
  NOT_IN_ROSTER: 'forbidden',
  NOT_ITEM_OWNER: 'forbidden',
  NOT_GATE_APPROVER: 'forbidden',
  NOT_AN_APPROVER: 'forbidden',
  READ_ONLY: 'forbidden',
  NOT_WAIVER_APPROVER: 'forbidden',
  NOT_PLANNER: 'forbidden',
  NOT_UNIT_MEMBER: 'forbidden',
  NO_ACTIVE_DELEGATION: 'forbidden',
  NOT_DELEGATOR: 'forbidden',
  SEPARATION_OF_DUTIES: 'forbidden',
  ITEM_NOT_FOUND: 'not_found',
  GATE_NOT_FOUND: 'not_found',
  DELEGATION_NOT_FOUND: 'not_found',
  REVIEW_NOT_FOUND: 'not_found',
  EVENT_CLOSED: 'conflict',
  ITEM_ALREADY_DONE: 'conflict',
  GATE_ALREADY_PASSED: 'conflict',
  GATE_NOT_IN_CURRENT_PHASE: 'conflict',
  ALREADY_SIGNED: 'conflict',
  DELEGATION_REVOKED: 'conflict',
  ITEM_ALREADY_STARTED: 'conflict',
  ITEM_BLOCKED: 'conflict',
  ITEM_NOT_BLOCKED: 'conflict',
  WAIVER_PENDING: 'conflict',
  NO_WAIVER_REQUESTED: 'conflict',
  REPORT_ALREADY_SUBMITTED: 'conflict',
  EVENT_LIVE: 'conflict',
  IDEMPOTENCY_KEY_REUSED: 'conflict',
  DEPENDENCIES_OPEN: 'rule',
  EVIDENCE_REQUIRED: 'rule',
  GATE_NOT_OPEN: 'rule',
  REOPEN_NOT_COVERED: 'rule',
  INVALID_DELEGATION: 'rule',
  INVALID_WINDOW: 'rule',
  UNIT_NOT_EXPECTED: 'rule',
} as const;

export type DomainErrorCode = keyof typeof errorKinds;
export type ErrorKind = (typeof errorKinds)[DomainErrorCode];

export interface Rejection {
  code: DomainErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function isDomainErrorCode(code: unknown): code is DomainErrorCode {
  return typeof code === 'string' && code in errorKinds;
}

export function rejection(code: DomainErrorCode, message: string, details?: Record<string, unknown>): Rejection {
  return { code, message, ...(details ? { details } : {}) };
}
