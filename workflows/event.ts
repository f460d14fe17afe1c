import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  type ActivityOptions,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  admissionRefusal,
  apply,
  commandRequestSchema,
  commandSchema,
  createEventState,
  fingerprint,
  isTerminal,
  nextWakeUp,
  programReportOf,
  recipientsOf,
  tick,
  toIso,
  toMs,
  toValidationIssues,
  upgradeState,
  validate,
  type CheckRequest,
  type Command,
  type CommandResult,
  type EventState,
  type Notification,
  type Person,
  type Rejection,
} from '../domain';
import {
  commandUpdates,
  deliveriesQuery,
  notificationFailuresQuery,
  stateQuery,
  type CommandRequest,
  type DeliveryRecord,
  type EventWorkflowInput,
  type ShellState,
} from './definitions';
import { publishSearchAttributes } from './publish';

/** Probes have their own timeouts; the attempt bound keeps a broken checker from retrying forever. */
const checkOptions: ActivityOptions = {
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['INVALID_CHECK_INPUT', 'CHECKS_UNCONFIGURED'],
  },
};

const notifyOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  // Bounded: a receiver that stays down costs ~1 h of retries, then the failure is recorded for ops.
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
    nonRetryableErrorTypes: ['WEBHOOK_REJECTED', 'EMAIL_REJECTED'],
  },
};
/** Rendering reads the whole history; a few attempts cover a worker restart. */
const reportOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['REPORTS_UNCONFIGURED', 'EVENT_NOT_FOUND'],
  },
};

/** Reports to the program are snapshots: a later one carries whatever a given-up one had. */
const programOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
    nonRetryableErrorTypes: ['PROGRAM_REPORTS_UNCONFIGURED'],
  },
};

/** Activities of events started before the delivery log (their ids are sequence numbers). */
const { notify } = proxyActivities<Activities>(notifyOptions);

/** How many recent idempotency keys the workflow remembers across continue-as-new. */
const RECENT_REQUESTS = 128;
const NOTIFICATION_FAILURES = 100;
const DELIVERY_LOG = 100;

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
 * handler, so a refused command never enters history. One timer: the loop
 * sleeps until the domain's next deadline or a change, then ticks.
 */
export async function eventWorkflow(input: EventWorkflowInput): Promise<{ eventId: string; phase: string }> {
  let state: EventState =
    input.kind === 'continue' ? upgradeState(input.state) : createEventState({ ...input, now: now() });
  const shell: ShellState =
    input.kind === 'continue' && input.shell ? input.shell : { recentRequests: [], notificationFailures: [] };
  let changed = false;
  const deliveries = new Set<Promise<void>>();

  setHandler(stateQuery, () => state);
  setHandler(notificationFailuresQuery, () => shell.notificationFailures);
  setHandler(deliveriesQuery, () => shell.deliveries ?? []);

  /**
   * Every side effect runs in the background and is logged for ops (pending,
   * sent, gave up with the last error); none ever blocks the lifecycle. Retries
   * in progress show in the API, which reads the pending activity by its id.
   */
  const track = (
    entry: { id: string; kind: string; at: string; activity: DeliveryRecord['activity']; activityId?: string },
    run: Promise<unknown>,
  ) => {
    const log = (update: Partial<DeliveryRecord>) => {
      const previous = shell.deliveries?.find((d) => d.id === entry.id);
      const record: DeliveryRecord = { ...entry, status: 'pending', ...previous, ...update };
      shell.deliveries = [...(shell.deliveries ?? []).filter((d) => d.id !== entry.id), record].slice(-DELIVERY_LOG);
    };
    log({ scheduledAt: now() });
    const settled: Promise<void> = run.then(
      (result) => {
        const channels = (result as { channels?: Record<string, string> } | undefined)?.channels;
        log({ status: 'sent', completedAt: now(), ...(channels ? { channels } : {}) });
      },
      (error: unknown) => {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        const message = cause instanceof Error ? cause.message : String(cause);
        log({ status: 'gave_up', completedAt: now(), error: message });
        shell.notificationFailures = [
          ...shell.notificationFailures,
          { id: entry.id, kind: entry.kind, at: entry.at, failedAt: now(), error: message },
        ].slice(-NOTIFICATION_FAILURES);
      },
    );
    deliveries.add(settled);
    void settled.finally(() => deliveries.delete(settled));
  };

  const dispatch = (effects: Notification[]) => {
    // Events started before notifications existed replay without them; from here on they notify.
    if (effects.length === 0 || !patched('notify-effects')) return;
    for (const effect of effects) {
      const emails = recipientsOf(state, effect.to);
      const delivery = emails.length ? { emails } : undefined;
      // Named after the notification, so ops can match a retrying activity to its log entry.
      const activityId = patched('delivery-log') ? `notify:${effect.id}` : undefined;
      const run = activityId
        ? proxyActivities<Activities>({ ...notifyOptions, activityId }).notify(effect, delivery)
        : notify(effect);
      track(
        { id: effect.id, kind: effect.kind, at: effect.at, activity: 'notify', ...(activityId ? { activityId } : {}) },
        run,
      );
    }
  };
  // A check that cannot run is logged like a notification that gave up; the next run comes on cadence.
  const runChecks = (checks: CheckRequest[]) => {
    for (const request of checks) {
      const id = `check:${request.itemId}:${request.runAt}`;
      const run = proxyActivities<Activities>({ ...checkOptions, activityId: id }).runReadinessCheck(request);
      track({ id, kind: 'check', at: request.runAt, activity: 'check', activityId: id }, run);
    }
  };
  /**
   * The after-action report is rendered again whenever the event changes in review (and once closed):
   * the activity rebuilds the record from history, which by then holds the change.
   */
  const renderReport = () => {
    if (state.phase !== 'review' && state.phase !== 'closed') return;
    const key = `${state.phase}:${state.updatedAt}`;
    if (key === shell.reportKey || !patched('render-report')) return;
    shell.reportKey = key;
    const id = `report:${key}`;
    const run = proxyActivities<Activities>({ ...reportOptions, activityId: id }).renderReport({
      eventId: state.eventId,
    });
    track({ id, kind: 'report', at: now(), activity: 'report', activityId: id }, run);
  };
  /** What crosses events (lessons, carried-over actions, taken-up items) goes to the program as it changes. */
  const reportToProgram = () => {
    const report = programReportOf(state);
    if (!report) return;
    const { at: _at, ...content } = report;
    const key = fingerprint(content);
    if (key === shell.programReport?.key || !patched('program-reports')) return;
    const count = (shell.programReport?.count ?? 0) + 1;
    shell.programReport = { key, count };
    const id = `program:${count}`;
    const run = proxyActivities<Activities>({ ...programOptions, activityId: id }).reportToProgram(report);
    track({ id, kind: 'programReport', at: report.at, activity: 'program', activityId: id }, run);
  };
  const runTick = () => {
    const ticked = tick(state, now());
    state = ticked.state;
    dispatch(ticked.effects);
    runChecks(ticked.checks);
  };

  /** Parses the untrusted request (a direct Temporal client may send anything). */
  const parse = (name: string, request: unknown): CommandRequest<Command> => {
    const parsed = commandRequestSchema(commandSchema).safeParse(request);
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
  /** A retry of a request this workflow already answered (possibly in an earlier run). */
  const remembered = (request: CommandRequest<Command>) => {
    const key = request.idempotencyKey;
    const entry = key === undefined ? undefined : shell.recentRequests.find((r) => r.key === key);
    if (!entry) return undefined;
    if (entry.fingerprint !== fingerprint({ actor: request.actor.id, command: request.command })) {
      refuse({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used for a different request' });
    }
    return entry;
  };
  const check = (request: CommandRequest<Command>): Person => {
    const verdict = validate(state, request.command, request.actor, now());
    if (!verdict.ok) refuse(verdict.rejection);
    return verdict.person;
  };

  for (const definition of commandUpdates) {
    setHandler(
      definition,
      (raw) => {
        const request = parse(definition.name, raw);
        const earlier = remembered(request);
        if (earlier) return earlier.result as CommandResult;
        const applied = apply(state, request.command, check(request), now());
        state = applied.state;
        dispatch(applied.effects);
        const key = request.idempotencyKey;
        if (key !== undefined) {
          const print = fingerprint({ actor: request.actor.id, command: request.command });
          shell.recentRequests = [...shell.recentRequests, { key, fingerprint: print, result: applied.result }].slice(
            -RECENT_REQUESTS,
          );
        }
        changed = true;
        return applied.result;
      },
      {
        validator: (raw) => {
          const request = parse(definition.name, raw);
          if (remembered(request)) return;
          check(request);
          // Only here, never in the handler: commands accepted before these rules must still replay.
          const late = admissionRefusal(request.command, now());
          if (late) refuse(late);
        },
      },
    );
  }

  runTick();
  let published = publishSearchAttributes(state, now(), undefined);
  reportToProgram();

  while (!isTerminal(state.phase)) {
    changed = false;
    const wake = nextWakeUp(state, now());
    const timeoutMs = wake === undefined ? undefined : Math.max(toMs(wake) - Date.now(), 1);
    if (timeoutMs === undefined) await condition(() => changed);
    else await condition(() => changed, timeoutMs);
    runTick();
    published = publishSearchAttributes(state, now(), published);
    renderReport();
    reportToProgram();
    if (workflowInfo().continueAsNewSuggested) {
      // Never from inside a handler: let in-flight updates reply and notifications settle first.
      await condition(allHandlersFinished);
      await Promise.all([...deliveries]);
      await continueAsNew<(input: EventWorkflowInput) => Promise<unknown>>({ kind: 'continue', state, shell });
    }
  }
  await condition(allHandlersFinished);
  renderReport();
  reportToProgram();
  await Promise.all([...deliveries]);
  return { eventId: state.eventId, phase: state.phase };
}
