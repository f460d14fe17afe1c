import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { type z } from 'zod';
import {
  apply,
  commandRequestSchema,
  completeItemCommandSchema,
  createEventState,
  delegateCommandSchema,
  isTerminal,
  nextWakeUp,
  revokeDelegationCommandSchema,
  searchAttributeValues,
  signOffGateCommandSchema,
  toIso,
  toMs,
  toValidationIssues,
  upgradeState,
  validate,
  type Command,
  type CommandResult,
  type EventState,
  type Person,
  type Rejection,
} from '../domain';
import {
  completeItemUpdate,
  delegateUpdate,
  revokeDelegationUpdate,
  signOffGateUpdate,
  stateQuery,
  type EventWorkflowInput,
} from './definitions';
import { publishSearchAttributes } from './publish';

const now = (): string => toIso(Date.now());

function refuse(rejection: Rejection): never {
  throw ApplicationFailure.create({
    type: rejection.code,
    message: rejection.message,
    nonRetryable: true,
    details: rejection.details ? [rejection.details] : [],
  });
}

/**
 * One workflow per event: the thin shell around domain/. Every human action
 * is an update whose synchronous validator runs the same pure rules as the
 * handler, so a refused command never enters history.
 */
export async function eventWorkflow(input: EventWorkflowInput): Promise<{ eventId: string; phase: string }> {
  let state: EventState =
    input.kind === 'continue' ? upgradeState(input.state) : createEventState({ ...input, now: now() });
  let changed = false;

  setHandler(stateQuery, () => state);

  // Parses the untrusted request (a direct Temporal client may send anything) and asks the rules.
  const check = <C extends Command>(schema: z.ZodType<C>, request: unknown): { command: C; person: Person } => {
    const parsed = commandRequestSchema(schema).safeParse(request);
    if (!parsed.success) {
      throw ApplicationFailure.create({
        type: 'INVALID_COMMAND',
        message: 'the command is malformed',
        nonRetryable: true,
        details: [{ issues: toValidationIssues(parsed.error) }],
      });
    }
    const { actor, command } = parsed.data;
    const verdict = validate(state, command, actor, now());
    if (!verdict.ok) refuse(verdict.rejection);
    return { command, person: verdict.person };
  };
  const run = <C extends Command>(schema: z.ZodType<C>, request: unknown): CommandResult => {
    const { command, person } = check(schema, request);
    const applied = apply(state, command, person, now());
    state = applied.state;
    changed = true;
    return applied.result;
  };

  setHandler(completeItemUpdate, (request) => run(completeItemCommandSchema, request), {
    validator: (request) => void check(completeItemCommandSchema, request),
  });
  setHandler(signOffGateUpdate, (request) => run(signOffGateCommandSchema, request), {
    validator: (request) => void check(signOffGateCommandSchema, request),
  });
  setHandler(delegateUpdate, (request) => run(delegateCommandSchema, request), {
    validator: (request) => void check(delegateCommandSchema, request),
  });
  setHandler(revokeDelegationUpdate, (request) => run(revokeDelegationCommandSchema, request), {
    validator: (request) => void check(revokeDelegationCommandSchema, request),
  });

  let published = publishSearchAttributes(searchAttributeValues(state, now()), undefined);

  while (!isTerminal(state.phase)) {
    changed = false;
    const wake = nextWakeUp(state, now());
    const timeoutMs = wake === undefined ? undefined : Math.max(toMs(wake) - Date.now() + 1, 1);
    if (timeoutMs === undefined) await condition(() => changed);
    else await condition(() => changed, timeoutMs);
    published = publishSearchAttributes(searchAttributeValues(state, now()), published);
    if (workflowInfo().continueAsNewSuggested) {
      // Never from inside a handler: let in-flight updates finish and reply first.
      await condition(allHandlersFinished);
      await continueAsNew<(input: EventWorkflowInput) => Promise<unknown>>({ kind: 'continue', state });
    }
  }
  await condition(allHandlersFinished);
  return { eventId: state.eventId, phase: state.phase };
}
