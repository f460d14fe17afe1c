import {
  apply,
  commandSchema,
  createEventState,
  eventWindowSchema,
  nextWakeUp,
  planTemplateSchema,
  tick,
  validate,
  type CommandResult,
  type EventState,
  type Notification,
  type PlanTemplateInput,
} from '../../domain';
import { tinyTemplateInput, tinyWindow, withOperations } from '../support/fixtures';

/**
 * Shared helpers of the domain tests: an event built from a copy of the tiny
 * template (adjusted per test), and a player that runs commands the way the
 * workflow does (validate, then apply on acceptance).
 */

/** When the test events are created: well before every deadline of the tiny template. */
export const t0 = '2026-08-01T00:00:00.000Z';

/** `iso` moved by a duration (negative values move back). */
export function shift(iso: string, by: { days?: number; hours?: number; minutes?: number }): string {
  const minutes = ((by.days ?? 0) * 24 + (by.hours ?? 0)) * 60 + (by.minutes ?? 0);
  return new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();
}

export type TemplateChange = (template: PlanTemplateInput) => void;

export interface EventOptions {
  now?: string;
  window?: { start: string; end: string; timeZone: string };
}

/** A fresh event of a copy of the tiny template, changed by `change` first. */
export function eventWith(change: TemplateChange = () => undefined, options: EventOptions = {}): EventState {
  const input: PlanTemplateInput = structuredClone(tinyTemplateInput);
  change(input);
  return createEventState({
    eventId: 'e',
    template: planTemplateSchema.parse(input),
    templateHash: 'sha256:test',
    window: eventWindowSchema.parse(options.window ?? tinyWindow),
    createdBy: 'planner.linh',
    now: options.now ?? t0,
  });
}

export type RawCommand = { type: string } & Record<string, unknown>;
/** Who sends which command, and when (`t0` when omitted). */
export type Step = [actor: string, command: RawCommand, at?: string];

export interface Played {
  /** 'OK', or the code of the first refusal (the steps after it are not run). */
  code: string;
  state: EventState;
  /** Effects of every accepted step, in order. */
  effects: Notification[];
  /** Result of the last accepted step. */
  result?: CommandResult;
}

/** Runs commands in order as the workflow does; stops at the first refusal. */
export function play(state: EventState, steps: Step[]): Played {
  let current = state;
  const effects: Notification[] = [];
  let result: CommandResult | undefined;
  for (const [actor, raw, at = t0] of steps) {
    const command = commandSchema.parse(raw);
    const verdict = validate(current, command, { id: actor }, at);
    if (!verdict.ok) return { code: verdict.rejection.code, state: current, effects, ...(result ? { result } : {}) };
    const applied = apply(current, command, verdict.person, at);
    current = applied.state;
    effects.push(...applied.effects);
    result = applied.result;
  }
  return { code: 'OK', state: current, effects, ...(result ? { result } : {}) };
}

/** The same step, sent at `at`. */
export const when = ([actor, command]: Step, at: string): Step => [actor, command, at];

/** Like `play`, but a refusal fails the test: for setting up a scenario. */
export function given(state: EventState, steps: Step[]): EventState {
  const played = play(state, steps);
  if (played.code !== 'OK') throw new Error(`scenario step refused: ${played.code}`);
  return played.state;
}

/** Ticks at each instant in order; returns the final state and every effect fired. */
export function tickAt(state: EventState, instants: string[]): { state: EventState; effects: Notification[] } {
  let current = state;
  const effects: Notification[] = [];
  for (const instant of instants) {
    const ticked = tick(current, instant);
    current = ticked.state;
    effects.push(...ticked.effects);
  }
  return { state: current, effects };
}

/** Sleeps on `nextWakeUp` and ticks, as the workflow's timer loop does, until `until`. */
export function runClock(state: EventState, from: string, until: string) {
  let current = state;
  let now = from;
  const wakeUps: string[] = [];
  const effects: Notification[] = [];
  for (let wake = nextWakeUp(current, now); wake !== undefined && wake <= until; wake = nextWakeUp(current, now)) {
    const ticked = tick(current, wake);
    wakeUps.push(wake);
    effects.push(...ticked.effects);
    current = ticked.state;
    now = wake;
  }
  return { state: current, wakeUps, effects };
}

/** The notification fields the rules decide (the id and summary are derived from them). */
export const essentials = ({ kind, at, subject, to, level }: Notification) => ({ kind, at, subject, to, level });

export const about = (id: string) => (n: Notification) => n.subject.id === id;

/** The tiny template with the second half of the lifecycle (drills, go/no-go, incidents, review). */
export const lifecycleEvent = (change: TemplateChange = () => undefined, options: EventOptions = {}) =>
  eventWith((input) => {
    withOperations(input);
    change(input);
  }, options);

const evidenceLink = [{ url: 'https://docs.example.org/evidence.pdf' }];

/** Planning and preparation done and signed: the event is in rehearsal. */
export const throughPreparation: Step[] = [
  ['office.mai', { type: 'completeItem', itemId: 'plan.master' }],
  ['cyber.hung', { type: 'completeItem', itemId: 'plan.cyber', evidence: evidenceLink }],
  ['head.tuan', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
  ['office.mai', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
  ['police.nam', { type: 'completeItem', itemId: 'order.routes' }],
  ['head.tuan', { type: 'signOffGate', gateId: 'preparation-complete', decision: 'approve' }],
];

/** Every target of a scenario rated `performed`. */
export const passAll = (scenarioId: string, targets: string[]): Step => [
  'eval.an',
  { type: 'recordDrillResult', scenarioId, ratings: targets.map((targetId) => ({ targetId, rating: 'performed' })) },
];

/** Both drills passed and the rehearsal signed: the event is in readiness. */
export const throughRehearsal: Step[] = [
  ...throughPreparation,
  passAll('ddos', ['detect', 'failover', 'inform']),
  passAll('power', ['restore']),
  ['head.tuan', { type: 'signOffGate', gateId: 'rehearsal-complete', decision: 'approve' }],
];

export const eventStart = tinyWindow.start;
export const eventEnd = tinyWindow.end;

/** Through rehearsal, then "go" by both approvers, accepting the open pentest as a risk. */
export const throughReadiness: Step[] = [
  ...throughRehearsal,
  [
    'office.mai',
    {
      type: 'decideGoNoGo',
      gateId: 'go-no-go',
      decision: 'go',
      acceptRisks: [{ key: 'item:cyber.pentest', justification: 'Tested last month' }],
    },
  ],
  ['head.tuan', { type: 'decideGoNoGo', gateId: 'go-no-go', decision: 'go' }],
];

/** The lifecycle event, declared ready and live since its start (the clock has ticked at `eventStart`). */
export const liveEvent = (change: TemplateChange = () => undefined) =>
  tickAt(given(lifecycleEvent(change), throughReadiness), [eventStart]).state;

// One command of every type, each from someone who could otherwise send it.
export const everyCommand: Step[] = [
  ['office.mai', { type: 'completeItem', itemId: 'plan.master' }],
  ['head.tuan', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
  ['head.tuan', { type: 'delegate', to: 'duty.khoa', validUntil: '2026-12-01T00:00:00.000Z' }],
  ['head.tuan', { type: 'revokeDelegation', delegationId: 'dlg-1' }],
  ['office.mai', { type: 'startItem', itemId: 'plan.master' }],
  ['office.mai', { type: 'blockItem', itemId: 'plan.master', reason: 'no venue' }],
  ['office.mai', { type: 'unblockItem', itemId: 'plan.master' }],
  ['office.mai', { type: 'requestWaiver', itemId: 'plan.master', justification: 'no longer needed' }],
  ['head.tuan', { type: 'decideWaiver', itemId: 'plan.master', decision: 'approve' }],
  ['office.mai', { type: 'submitProgressReport', reviewId: 'review-1', unit: 'office', status: 'on_track' }],
  [
    'planner.linh',
    {
      type: 'reschedule',
      window: { start: '2026-11-17T01:00:00.000Z', end: '2026-11-22T10:00:00.000Z' },
      reason: 'the summit moved',
    },
  ],
  ['admin.root', { type: 'cancel', reason: 'again' }],
  ['head.tuan', { type: 'recordDrillResult', scenarioId: 'ddos', ratings: [{ targetId: 't', rating: 'performed' }] }],
  ['head.tuan', { type: 'waiveDrill', scenarioId: 'ddos', justification: 'held elsewhere' }],
  ['head.tuan', { type: 'decideGoNoGo', gateId: 'go', decision: 'go' }],
  ['duty.khoa', { type: 'reportIncident', incidentType: 'power', severity: 'low', description: 'flicker' }],
  ['duty.khoa', { type: 'acknowledgeIncident', incidentId: 'inc-1' }],
  ['duty.khoa', { type: 'updateIncidentStep', incidentId: 'inc-1', stepId: 's', outcome: 'done' }],
  ['duty.khoa', { type: 'resolveIncident', incidentId: 'inc-1', resolution: 'fixed' }],
  ['duty.khoa', { type: 'reopenIncident', incidentId: 'inc-1', reason: 'again' }],
  ['duty.khoa', { type: 'handOverDuty', shiftId: 'night', to: 'duty.khoa' }],
  ['planner.linh', { type: 'addLesson', title: 'Backups', observation: 'late' }],
  ['planner.linh', { type: 'addCorrectiveAction', title: 'Fix', unit: 'office', due: '2027-01-01T00:00:00.000Z' }],
  ['planner.linh', { type: 'carryOverCorrectiveAction', itemId: 'corrective.1', reason: 'next year' }],
  [
    'system:checks',
    {
      type: 'recordCheckResult',
      itemId: 'plan.master',
      runAt: '2026-08-01T00:00:00.000Z',
      result: {
        ok: true,
        kind: 'tcp',
        target: 'a:1',
        checkedAt: '2026-08-01T00:00:01.000Z',
        durationMs: 3,
        summary: 'open',
      },
    },
  ],
];
