/**
 * Every caller-visible refusal has a stable code. The kind says what went
 * wrong from the caller's point of view; the API maps kinds to HTTP statuses
 * and the workflow uses the code as the ApplicationFailure type.
 */
export const errorKinds = {
  INVALID_COMMAND: 'invalid',
  INSTANT_OUT_OF_RANGE: 'invalid',
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
  SCENARIO_NOT_FOUND: 'not_found',
  INCIDENT_NOT_FOUND: 'not_found',
  STEP_NOT_FOUND: 'not_found',
  SHIFT_NOT_FOUND: 'not_found',
  NOT_EVALUATOR: 'forbidden',
  NOT_DUTY_STAFF: 'forbidden',
  NOT_ON_DUTY: 'forbidden',
  NOT_SYSTEM: 'forbidden',
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
  WRONG_PHASE: 'conflict',
  DRILL_ALREADY_PASSED: 'conflict',
  DRILL_NOT_FAILED: 'conflict',
  INCIDENT_ALREADY_ACKNOWLEDGED: 'conflict',
  INCIDENT_RESOLVED: 'conflict',
  INCIDENT_NOT_RESOLVED: 'conflict',
  STEP_ALREADY_SETTLED: 'conflict',
  STALE_CHECK_RESULT: 'conflict',
  DEPENDENCIES_OPEN: 'rule',
  EVIDENCE_REQUIRED: 'rule',
  GATE_NOT_OPEN: 'rule',
  REOPEN_NOT_COVERED: 'rule',
  INVALID_DELEGATION: 'rule',
  INVALID_WINDOW: 'rule',
  WINDOW_ENDED: 'rule',
  UNIT_NOT_EXPECTED: 'rule',
  UNKNOWN_REFERENCE: 'rule',
  REMEDIATION_OPEN: 'rule',
  DRILL_TARGETS_MISMATCH: 'rule',
  LAUNCH_BLOCKED: 'rule',
  UNKNOWN_RISK: 'rule',
  GO_NO_GO_REQUIRED: 'rule',
  NOT_GO_NO_GO_GATE: 'rule',
  INCIDENT_NOT_ACKNOWLEDGED: 'rule',
  INCIDENT_STEPS_OPEN: 'rule',
  INVALID_HANDOVER: 'rule',
  INVALID_DUE: 'rule',
  NOT_CORRECTIVE_ACTION: 'rule',
  NO_CHECK: 'rule',
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
