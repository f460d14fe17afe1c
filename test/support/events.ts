import { type Client, type WorkflowHandle } from '@temporalio/client';
import { type Step } from '../domain/scenario';
import {
  eventWindowSchema,
  type Command,
  type CommandResult,
  type CompleteItemCommand,
  type PlanTemplate,
  type SignOffGateCommand,
} from '../../domain';
import {
  completeItemUpdate,
  eventWorkflowId,
  eventWorkflowType,
  signOffGateUpdate,
  type CommandRequest,
  type EventWorkflowInput,
} from '../../workflows/definitions';
import { tinyTemplate, tinyWindow } from './fixtures';

/** Starts an event workflow straight through the Temporal client, as a caller that bypasses the API would. */
export async function startTinyEvent(
  client: Client,
  taskQueue: string,
  eventId: string,
  options: { template?: PlanTemplate; window?: { start: string; end: string; timeZone: string } } = {},
): Promise<WorkflowHandle> {
  const input: EventWorkflowInput = {
    kind: 'start',
    eventId,
    template: options.template ?? tinyTemplate(),
    templateHash: 'sha256:test',
    window: eventWindowSchema.parse(options.window ?? tinyWindow),
    createdBy: 'planner.linh',
  };
  return client.workflow.start(eventWorkflowType, { workflowId: eventWorkflowId(eventId), taskQueue, args: [input] });
}

export function completeItem(
  handle: WorkflowHandle,
  actorId: string,
  command: Omit<CompleteItemCommand, 'type' | 'evidence'> & { evidence?: CompleteItemCommand['evidence'] },
  updateId?: string,
): Promise<CommandResult> {
  return handle.executeUpdate(completeItemUpdate, {
    args: [{ actor: { id: actorId }, command: { type: 'completeItem', evidence: [], ...command } }],
    ...(updateId ? { updateId } : {}),
  });
}

export function decideGate(
  handle: WorkflowHandle,
  actorId: string,
  command: Omit<SignOffGateCommand, 'type' | 'reopen'> & { reopen?: string[] },
): Promise<CommandResult> {
  return handle.executeUpdate(signOffGateUpdate, {
    args: [{ actor: { id: actorId }, command: { type: 'signOffGate', reopen: [], ...command } }],
  });
}

/** A scenario step (who, what) sent as the update of the same name: an update's wire name is its command type. */
export function sendStep(handle: WorkflowHandle, [actor, command]: Step): Promise<CommandResult> {
  return handle.executeUpdate<CommandResult, [CommandRequest<Command>]>(command.type, {
    args: [{ actor: { id: actor }, command: command as Command }],
  });
}

/** Sends steps in order; returns the last result. */
export async function sendSteps(handle: WorkflowHandle, steps: Step[]): Promise<CommandResult | undefined> {
  let result: CommandResult | undefined;
  for (const step of steps) result = await sendStep(handle, step);
  return result;
}
