import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  CreateProgramInput,
  ProgramCommand,
  ProgramCommandOf,
  ProgramCommandRequest,
  ProgramResult,
  ProgramState,
} from '../domain';

/**
 * Messages of the program workflow, shared by the API, the `reportToProgram`
 * activity and the workflow. Side-effect free.
 */

export const programWorkflowType = 'programWorkflow';
export const programWorkflowId = (programId: string): string => `program/${programId}`;

export type ProgramWorkflowInput =
  { kind: 'start'; program: CreateProgramInput; createdBy: string } | { kind: 'continue'; state: ProgramState };

/** What the program workflow keeps in its memo: shown by `GET /programs` without querying each program. */
export interface ProgramMemo {
  title: string;
  description?: string;
  carryOver: ProgramState['policy']['carryOver'];
}

export const memoOf = (state: Pick<ProgramState, 'title' | 'description' | 'policy'>): ProgramMemo => ({
  title: state.title,
  ...(state.description ? { description: state.description } : {}),
  carryOver: state.policy.carryOver,
});

const update = <T extends ProgramCommand['type']>(name: T) =>
  defineUpdate<ProgramResult, [ProgramCommandRequest<ProgramCommandOf<T>>], T>(name);

// The wire name of each update is its command type.
export const reportEventUpdate = update('reportEvent');
export const takeUpCarriedActionsUpdate = update('takeUpCarriedActions');
export const releaseCarriedActionsUpdate = update('releaseCarriedActions');

export const programStateQuery = defineQuery<ProgramState>('state');
