import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  Actor,
  CommandResult,
  CompleteItemCommand,
  DelegateCommand,
  EventState,
  EventWindow,
  Person,
  PlanTemplate,
  RevokeDelegationCommand,
  SignOffGateCommand,
} from '../domain';

/**
 * Messages of the event workflow, shared by every layer that talks to it.
 * Side-effect free: the API imports this module as well as the workflow.
 */

export const eventWorkflowType = 'eventWorkflow';
export const eventWorkflowId = (eventId: string): string => `event/${eventId}`;

export type EventWorkflowInput =
  | {
      kind: 'start';
      eventId: string;
      program?: string;
      template: PlanTemplate;
      templateHash: string;
      window: EventWindow;
      roster?: Person[];
      createdBy: string;
    }
  | { kind: 'continue'; state: EventState };

export interface CommandRequest<C> {
  actor: Actor;
  command: C;
}

export const completeItemUpdate = defineUpdate<CommandResult, [CommandRequest<CompleteItemCommand>]>('completeItem');
export const signOffGateUpdate = defineUpdate<CommandResult, [CommandRequest<SignOffGateCommand>]>('signOffGate');
export const delegateUpdate = defineUpdate<CommandResult, [CommandRequest<DelegateCommand>]>('delegate');
export const revokeDelegationUpdate = defineUpdate<CommandResult, [CommandRequest<RevokeDelegationCommand>]>(
  'revokeDelegation',
);
export const stateQuery = defineQuery<EventState>('state');
