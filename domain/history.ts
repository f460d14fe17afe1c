import { commandSchema, type Command } from './commands';
import { apply, validate, type CommandResult } from './decide';
import { type Notification } from './effects';
import { tick } from './schedule';
import { createEventState, type Actor, type CreateEventArgs, type EventState } from './state';

/**
 * The event's record, rebuilt from the workflow's own history. The workflow
 * only ever changes state through `createEventState` and `apply`, at the
 * workflow clock of the task that ran them; replaying the same calls at the
 * same instants gives the same state. So "the state at T" and "who did what"
 * need no second store: history is the audit log.
 */

export type HistoryStep =
  /** `deferTick`: the first tick is a step of its own (after the updates of the first workflow task). */
  | { kind: 'started'; at: string; args: Omit<CreateEventArgs, 'now'>; deferTick?: boolean }
  | { kind: 'command'; at: string; updateId: string; actor: Actor; command: unknown }
  /** A timer fired (or a continued run began): the workflow ran `tick` at this instant. */
  | { kind: 'tick'; at: string };

export interface TimelineEntry {
  seq: number;
  at: string;
  kind: 'action' | 'system';
  type: string;
  actor?: string;
  onBehalfOf?: string;
  target?: string;
  reason?: string;
  note?: string;
  updateId?: string;
  detail?: Record<string, unknown>;
}

export interface Reconstruction {
  state: EventState | undefined;
  timeline: TimelineEntry[];
}

function targetOf(command: Command): string | undefined {
  switch (command.type) {
    case 'completeItem':
    case 'startItem':
    case 'blockItem':
    case 'unblockItem':
    case 'requestWaiver':
    case 'decideWaiver':
      return command.itemId;
    case 'submitProgressReport':
      return command.reviewId;
    case 'reschedule':
    case 'cancel':
      return undefined;
    case 'signOffGate':
      return command.gateId;
    case 'delegate':
      return command.to;
    case 'revokeDelegation':
      return command.delegationId;
    case 'recordDrillResult':
    case 'waiveDrill':
      return command.scenarioId;
    case 'decideGoNoGo':
      return command.gateId;
    case 'reportIncident':
      return undefined;
    case 'acknowledgeIncident':
    case 'resolveIncident':
    case 'reopenIncident':
      return command.incidentId;
    case 'updateIncidentStep':
      return `${command.incidentId}/${command.stepId}`;
    case 'handOverDuty':
      return command.to;
    case 'addLesson':
    case 'addCorrectiveAction':
      return undefined;
    case 'carryOverCorrectiveAction':
    case 'recordCheckResult':
      return command.itemId;
  }
}

function actionEntry(
  step: Extract<HistoryStep, { kind: 'command' }>,
  command: Command,
  result: CommandResult,
): Omit<TimelineEntry, 'seq'> {
  const base = {
    at: step.at,
    kind: 'action' as const,
    type: command.type,
    actor: step.actor.id,
    updateId: step.updateId,
  };
  const target = targetOf(command);
  switch (result.type) {
    case 'itemCompleted':
      return {
        ...base,
        target,
        ...(result.item.note ? { note: result.item.note } : {}),
        detail: { evidence: result.item.evidence ?? [] },
      };
    case 'gateDecided': {
      const signature = result.decision === 'approve' ? result.gate.approvals.at(-1) : result.gate.rejections.at(-1);
      return {
        ...base,
        target,
        ...(signature?.onBehalfOf ? { onBehalfOf: signature.onBehalfOf } : {}),
        ...(command.type === 'signOffGate' && command.reason ? { reason: command.reason } : {}),
        detail: {
          decision: result.decision,
          ...(command.type === 'signOffGate' && command.reopen.length ? { reopened: command.reopen } : {}),
        },
      };
    }
    case 'delegated':
      return {
        ...base,
        target,
        ...(result.delegation.reason ? { reason: result.delegation.reason } : {}),
        detail: { delegation: result.delegation },
      };
    case 'delegationRevoked':
      return {
        ...base,
        target,
        ...(result.delegation.revocationReason ? { reason: result.delegation.revocationReason } : {}),
      };
    case 'itemUpdated': {
      const reason =
        command.type === 'carryOverCorrectiveAction'
          ? command.reason
          : command.type === 'blockItem'
            ? command.reason
            : command.type === 'requestWaiver'
              ? command.justification
              : command.type === 'decideWaiver'
                ? command.reason
                : undefined;
      const note = command.type === 'startItem' || command.type === 'unblockItem' ? command.note : undefined;
      return {
        ...base,
        target,
        ...(reason ? { reason } : {}),
        ...(note ? { note } : {}),
        detail: {
          status: result.item.status,
          ...(command.type === 'decideWaiver' ? { decision: command.decision } : {}),
        },
      };
    }
    case 'reportSubmitted':
      return { ...base, target: `${result.reviewId}/${result.unit}`, detail: { report: result.report } };
    case 'rescheduled':
      return {
        ...base,
        ...(command.type === 'reschedule' ? { reason: command.reason } : {}),
        detail: { window: result.window, moved: result.moved.length, impossible: result.impossible },
      };
    case 'cancelled':
      return { ...base, reason: result.cancelled.reason };
    case 'drillRecorded': {
      const attempt = result.drill.attempts.at(-1)!;
      return {
        ...base,
        target,
        detail: {
          attempt: attempt.attempt,
          outcome: attempt.outcome,
          ratings: attempt.ratings,
          remediation: result.remediation,
        },
      };
    }
    case 'drillWaived':
      return { ...base, target, reason: result.drill.waiver?.justification };
    case 'goNoGoDecided': {
      const signature = result.decision === 'go' ? result.gate.approvals.at(-1) : result.gate.rejections.at(-1);
      const accepted = command.type === 'decideGoNoGo' ? command.acceptRisks.map((r) => r.key) : [];
      return {
        ...base,
        target,
        ...(signature?.onBehalfOf ? { onBehalfOf: signature.onBehalfOf } : {}),
        ...(command.type === 'decideGoNoGo' && command.reason ? { reason: command.reason } : {}),
        detail: { decision: result.decision, blocking: result.blocking.length, acceptedRisks: accepted },
      };
    }
    case 'incidentUpdated':
      return {
        ...base,
        target: target ?? result.incident.id,
        ...(command.type === 'reopenIncident' ? { reason: command.reason } : {}),
        ...(command.type === 'resolveIncident' ? { note: command.resolution } : {}),
        detail: { status: result.incident.status, severity: result.incident.severity, type: result.incident.type },
      };
    case 'dutyHandedOver':
      return {
        ...base,
        target,
        ...(result.handover.note ? { note: result.handover.note } : {}),
        detail: {
          shiftId: result.handover.shiftId,
          from: result.handover.from,
          openIncidents: result.handover.openIncidents,
        },
      };
    case 'checkRecorded': {
      const last = result.item.check?.last;
      return {
        ...base,
        target,
        detail: { ok: last?.ok, ...(last?.code ? { code: last.code } : {}), status: result.item.status },
      };
    }
    case 'lessonAdded':
      return { ...base, target: result.lesson.id, detail: { title: result.lesson.title } };
    case 'correctiveActionAdded':
      return {
        ...base,
        target: result.itemId,
        detail: { due: result.item.due, unit: command.type === 'addCorrectiveAction' ? command.unit : undefined },
      };
  }
}

/** Notifications the rules sent, as system entries: reminders, escalations, gate requests, reviews… */
function effectEntries(effects: Notification[]): Omit<TimelineEntry, 'seq'>[] {
  return effects.map((n) => ({
    at: n.at,
    kind: 'system' as const,
    type: n.kind,
    target: n.subject.id,
    detail: { to: n.to, ...(n.level !== undefined ? { level: n.level } : {}), notificationId: n.id },
  }));
}

/** What changed by itself as a consequence of an action: phase changes and gates passing. */
function systemEntries(before: EventState, after: EventState, at: string) {
  const entries: Omit<TimelineEntry, 'seq'>[] = [];
  for (const [gateId, gate] of Object.entries(after.gates)) {
    if (gate.status === 'passed' && before.gates[gateId]?.status !== 'passed') {
      entries.push({ at, kind: 'system', type: 'gatePassed', target: gateId, detail: { signers: gate.approvals } });
    }
  }
  if (before.phase !== after.phase) {
    entries.push({ at, kind: 'system', type: 'phaseChanged', detail: { from: before.phase, to: after.phase } });
  }
  return entries;
}

/**
 * Folds history steps, in order, up to and including `until` (an ISO
 * instant). A step that the rules refuse during the fold means the history
 * and the code disagree; it is surfaced in the timeline, never silently skipped.
 */
export function reconstruct(steps: HistoryStep[], until?: string): Reconstruction {
  let state: EventState | undefined;
  const entries: Omit<TimelineEntry, 'seq'>[] = [];
  // The workflow ticks after starting, after every accepted command and when its timer fires.
  const runTick = (current: EventState, at: string): EventState => {
    const ticked = tick(current, at);
    entries.push(...effectEntries(ticked.effects));
    entries.push(...systemEntries(current, ticked.state, at));
    return ticked.state;
  };
  for (const step of steps) {
    if (until !== undefined && step.at > until) break;
    if (step.kind === 'started') {
      const started = createEventState({ ...step.args, now: step.at });
      entries.push({
        at: step.at,
        kind: 'system',
        type: 'eventStarted',
        actor: step.args.createdBy,
        detail: { template: step.args.template.id, templateHash: step.args.templateHash, window: step.args.window },
      });
      state = step.deferTick ? started : runTick(started, step.at);
      continue;
    }
    if (!state) continue;
    if (step.kind === 'tick') {
      state = runTick(state, step.at);
      continue;
    }
    const parsed = commandSchema.safeParse(step.command);
    const verdict = parsed.success ? validate(state, parsed.data, step.actor, step.at) : undefined;
    if (!parsed.success || !verdict?.ok) {
      entries.push({
        at: step.at,
        kind: 'system',
        type: 'unreplayable',
        actor: step.actor.id,
        updateId: step.updateId,
        detail: { reason: verdict && !verdict.ok ? verdict.rejection.code : 'INVALID_COMMAND' },
      });
      continue;
    }
    const applied = apply(state, parsed.data, verdict.person, step.at);
    entries.push(actionEntry(step, parsed.data, applied.result));
    entries.push(...effectEntries(applied.effects));
    entries.push(...systemEntries(state, applied.state, step.at));
    state = runTick(applied.state, step.at);
  }
  return { state, timeline: entries.map((entry, i) => ({ seq: i + 1, ...entry })) };
}
