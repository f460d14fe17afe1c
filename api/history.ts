import { type Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { tsToMs } from '@temporalio/common/lib/time';
import { type temporal } from '@temporalio/proto';
import { toIso, type Actor, type HistoryStep } from '../domain';
import { eventWorkflowId, type EventWorkflowInput } from '../workflows/definitions';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * Reads every run of an event's workflow (following continue-as-new back to
 * the first run) and turns it into the domain's history steps: the start, and
 * every update that was accepted and completed successfully, each at the
 * workflow clock of the task that ran it (the preceding WorkflowTaskStarted).
 */
export async function readHistorySteps(client: Client, eventId: string): Promise<HistoryStep[]> {
  const workflowId = eventWorkflowId(eventId);
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift(events);
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    runId = previous;
  }

  const converter = client.workflow.options.loadedDataConverter;
  const steps: HistoryStep[] = [];
  for (const events of runs) {
    let taskTime: string | undefined;
    let pendingStart: Extract<EventWorkflowInput, { kind: 'start' }> | undefined;
    // A continued run ticks when it begins (before any update); a fired timer makes the next
    // task tick after the updates that task handled, as the workflow's loop resumes last.
    let tickAtNextTask = false;
    let timerFired = false;
    let tickAfterTask: string | undefined;
    const flushTimerTick = () => {
      if (tickAfterTask) steps.push({ kind: 'tick', at: tickAfterTask });
      tickAfterTask = undefined;
    };
    // A run's first tick comes after the updates of its first task: the workflow registers its update
    // handlers before that tick, and the SDK hands buffered updates to a handler as it is registered.
    let initialTick: string | undefined;
    const flushInitialTick = () => {
      if (initialTick) steps.push({ kind: 'tick', at: initialTick });
      initialTick = undefined;
    };
    const accepted = new Map<string, { at: string; request: { actor: Actor; command: unknown } }>();
    for (const event of events) {
      if (event.workflowExecutionStartedEventAttributes) {
        const input = await decodeFromPayloadsAtIndex<EventWorkflowInput>(
          converter,
          0,
          event.workflowExecutionStartedEventAttributes.input?.payloads,
        );
        if (input.kind === 'start') pendingStart = input;
        else tickAtNextTask = true;
      } else if (event.workflowTaskStartedEventAttributes) {
        flushInitialTick();
        flushTimerTick();
        taskTime = toIso(tsToMs(event.eventTime));
        if (timerFired) tickAfterTask = taskTime;
        timerFired = false;
        if (pendingStart && taskTime) {
          const { kind: _kind, ...args } = pendingStart;
          steps.push({ kind: 'started', at: taskTime, args, deferTick: true });
          pendingStart = undefined;
          initialTick = taskTime;
        }
        if (tickAtNextTask) {
          initialTick = taskTime;
          tickAtNextTask = false;
        }
      } else if (event.timerFiredEventAttributes) {
        timerFired = true;
      } else if (event.workflowExecutionUpdateAcceptedEventAttributes) {
        const request = event.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest;
        const updateId = request?.meta?.updateId ?? '';
        const args = await decodeFromPayloadsAtIndex<{ actor: Actor; command: unknown }>(
          converter,
          0,
          request?.input?.args?.payloads,
        );
        accepted.set(updateId, { at: taskTime ?? toIso(tsToMs(event.eventTime)), request: args });
      } else if (event.workflowExecutionUpdateCompletedEventAttributes) {
        const completed = event.workflowExecutionUpdateCompletedEventAttributes;
        const updateId = completed.meta?.updateId ?? '';
        const entry = accepted.get(updateId);
        if (entry && completed.outcome?.success) {
          steps.push({
            kind: 'command',
            at: entry.at,
            updateId,
            actor: entry.request.actor,
            command: entry.request.command,
          });
        }
        accepted.delete(updateId);
      }
    }
    flushInitialTick();
    flushTimerTick();
  }
  return steps;
}
