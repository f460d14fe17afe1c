import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  makeContinueAsNewFunc,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { type UpdateDefinition } from '@temporalio/common';
import {
  applyProgramCommand,
  checkProgramCommand,
  createProgramState,
  programCommandRequestSchema,
  toIso,
  toValidationIssues,
  type ProgramCommandRequest,
  type ProgramResult,
  type ProgramState,
} from '../domain';
import {
  programStateQuery,
  releaseCarriedActionsUpdate,
  reportEventUpdate,
  takeUpCarriedActionsUpdate,
  memoOf,
  type ProgramWorkflowInput,
} from './program-definitions';

const now = (): string => toIso(Date.now());

const updates = [
  reportEventUpdate,
  takeUpCarriedActionsUpdate,
  releaseCarriedActionsUpdate,
] as unknown as UpdateDefinition<ProgramResult, [ProgramCommandRequest], string>[];

/**
 * One long-lived workflow per program, id `program/<id>`: the thin shell
 * around `domain/program.ts`. It owns what crosses the program's events
 * (carried-over corrective actions, lessons); every change is an update whose
 * validator runs the same pure check as the handler, so a refusal never
 * enters history. It never ends by itself; it continues as new when the
 * server suggests it, once every handler has finished.
 */
export async function programWorkflow(input: ProgramWorkflowInput): Promise<never> {
  let state: ProgramState =
    input.kind === 'continue'
      ? input.state
      : createProgramState({ ...input.program, createdBy: input.createdBy, now: now() });
  let changed = false;

  setHandler(programStateQuery, () => state);

  const parse = (name: string, raw: unknown): ProgramCommandRequest => {
    const parsed = programCommandRequestSchema.safeParse(raw);
    if (!parsed.success || parsed.data.command.type !== name) {
      throw ApplicationFailure.create({
        type: 'INVALID_COMMAND',
        message: 'the command is malformed',
        nonRetryable: true,
        details: [{ issues: parsed.success ? [] : toValidationIssues(parsed.error) }],
      });
    }
    return parsed.data;
  };
  const check = (request: ProgramCommandRequest) => {
    const rejection = checkProgramCommand(state, request.command, request.actor);
    if (rejection) {
      throw ApplicationFailure.create({ type: rejection.code, message: rejection.message, nonRetryable: true });
    }
  };

  for (const definition of updates) {
    setHandler(
      definition,
      (raw) => {
        const request = parse(definition.name, raw);
        check(request);
        const applied = applyProgramCommand(state, request.command, request.actor, now());
        state = applied.state;
        changed = true;
        return applied.result;
      },
      { validator: (raw) => check(parse(definition.name, raw)) },
    );
  }

  for (;;) {
    await condition(() => changed);
    changed = false;
    if (workflowInfo().continueAsNewSuggested) {
      // Never from inside a handler: let in-flight updates reply first.
      await condition(allHandlersFinished);
      // The memo (title, policy) is what `GET /programs` lists: the next run keeps it.
      await makeContinueAsNewFunc<typeof programWorkflow>({ memo: { ...memoOf(state) } })({ kind: 'continue', state });
    }
  }
}
