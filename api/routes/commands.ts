import { type Client, type WorkflowHandle } from '@temporalio/client';
import { type UpdateDefinition } from '@temporalio/common';
import { type Request, type Router } from 'express';
import { type z } from 'zod';
import {
  blockItem,
  cancel,
  decideWaiver,
  delegationRequestSchema,
  fingerprint,
  gateDecisionSchema,
  itemCompletionSchema,
  requestWaiver,
  reschedule,
  revocationRequestSchema,
  startItem,
  submitProgressReport,
  unblockItem,
  recordDrillResult,
  waiveDrill,
  decideGoNoGo,
  reportIncident,
  acknowledgeIncident,
  updateIncidentStep,
  resolveIncident,
  reopenIncident,
  handOverDuty,
  addLesson,
  addCorrectiveAction,
  carryOverCorrectiveAction,
  type Command,
  type CommandResult,
} from '../../domain';
import {
  blockItemUpdate,
  cancelUpdate,
  completeItemUpdate,
  decideWaiverUpdate,
  delegateUpdate,
  requestWaiverUpdate,
  rescheduleUpdate,
  revokeDelegationUpdate,
  signOffGateUpdate,
  startItemUpdate,
  submitProgressReportUpdate,
  unblockItemUpdate,
  recordDrillResultUpdate,
  waiveDrillUpdate,
  decideGoNoGoUpdate,
  reportIncidentUpdate,
  acknowledgeIncidentUpdate,
  updateIncidentStepUpdate,
  resolveIncidentUpdate,
  reopenIncidentUpdate,
  handOverDutyUpdate,
  addLessonUpdate,
  addCorrectiveActionUpdate,
  carryOverCorrectiveActionUpdate,
  type CommandRequest,
} from '../../workflows/definitions';
import { Problem, toProblem } from '../problems';
import { eventIdParam, idempotencyKey } from '../schemas';
import { parseRequest } from '../validation';

/**
 * Every human action is one row: where it is posted, the body schema, the
 * update it becomes and how the command is built from URL and body. The same
 * rows register the Express routes and the OpenAPI operations.
 */
export interface CommandRoute {
  method: 'post' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  body: z.ZodType;
  bodyRequired: boolean;
  status: 200 | 201;
  update: UpdateDefinition<CommandResult, [CommandRequest<never>], string>;
  build(params: Record<string, string>, body: Record<string, unknown>): Command;
}

const row = <C extends Command>(
  r: Omit<CommandRoute, 'update' | 'build'> & {
    update: UpdateDefinition<CommandResult, [CommandRequest<C>], string>;
    build(params: Record<string, string>, body: Record<string, unknown>): C;
  },
): CommandRoute => r as unknown as CommandRoute;

const item = (params: Record<string, string>) => ({ itemId: params.itemId! });

export const commandRoutes: CommandRoute[] = [
  row({
    method: 'post',
    path: '/events/:eventId/items/:itemId/start',
    operationId: 'startItem',
    status: 200,
    bodyRequired: false,
    summary: 'Start work on an item (member of the owner unit)',
    body: startItem.body,
    update: startItemUpdate,
    build: (p, b) => ({ type: 'startItem', ...item(p), ...(b as z.infer<typeof startItem.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/items/:itemId/complete',
    operationId: 'completeItem',
    status: 200,
    bodyRequired: false,
    summary: 'Complete an item with evidence (member of the owner unit); dependencies must be done or waived',
    body: itemCompletionSchema,
    update: completeItemUpdate,
    build: (p, b) => ({ type: 'completeItem', ...item(p), ...(b as z.infer<typeof itemCompletionSchema>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/items/:itemId/block',
    operationId: 'blockItem',
    status: 200,
    bodyRequired: true,
    summary: 'Report a blocker on an item, with a reason (member of the owner unit)',
    body: blockItem.body,
    update: blockItemUpdate,
    build: (p, b) => ({ type: 'blockItem', ...item(p), ...(b as z.infer<typeof blockItem.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/items/:itemId/unblock',
    operationId: 'unblockItem',
    status: 200,
    bodyRequired: false,
    summary: 'Clear the blocker of an item (member of the owner unit)',
    body: unblockItem.body,
    update: unblockItemUpdate,
    build: (p, b) => ({ type: 'unblockItem', ...item(p), ...(b as z.infer<typeof unblockItem.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/items/:itemId/waiver',
    operationId: 'requestWaiver',
    status: 201,
    bodyRequired: true,
    summary: 'Ask for a waiver of an item, with a justification and an optional expiry (owner unit or planner)',
    body: requestWaiver.body,
    update: requestWaiverUpdate,
    build: (p, b) => ({ type: 'requestWaiver', ...item(p), ...(b as z.infer<typeof requestWaiver.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/items/:itemId/waiver/decisions',
    operationId: 'decideWaiver',
    status: 201,
    bodyRequired: true,
    summary: 'Approve or deny a waiver (an approver of a gate covering the item; never the requester)',
    body: decideWaiver.body,
    update: decideWaiverUpdate,
    build: (p, b) => ({ type: 'decideWaiver', ...item(p), ...(b as z.infer<typeof decideWaiver.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/gates/:gateId/decisions',
    operationId: 'decideGate',
    status: 201,
    bodyRequired: true,
    summary: 'Approve or reject a gate (a holder of one of its roles, or their delegate with onBehalfOf)',
    body: gateDecisionSchema,
    update: signOffGateUpdate,
    build: (p, b) => ({ type: 'signOffGate', gateId: p.gateId!, ...(b as z.infer<typeof gateDecisionSchema>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/delegations',
    operationId: 'delegate',
    status: 201,
    bodyRequired: true,
    summary: "Delegate one's signing right to another person of the roster for a time window (approvers)",
    body: delegationRequestSchema,
    update: delegateUpdate,
    build: (_p, b) => ({ type: 'delegate', ...(b as z.infer<typeof delegationRequestSchema>) }),
  }),
  row({
    method: 'delete',
    path: '/events/:eventId/delegations/:delegationId',
    operationId: 'revokeDelegation',
    status: 200,
    bodyRequired: false,
    summary: 'Revoke a delegation (its delegator or an admin)',
    body: revocationRequestSchema,
    update: revokeDelegationUpdate,
    build: (p, b) => ({
      type: 'revokeDelegation',
      delegationId: p.delegationId!,
      ...(b as z.infer<typeof revocationRequestSchema>),
    }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/reviews/:reviewId/reports',
    operationId: 'submitProgressReport',
    status: 201,
    bodyRequired: true,
    summary: "Submit a unit's progress report to a review: status, blockers, recommendations (member of the unit)",
    body: submitProgressReport.body,
    update: submitProgressReportUpdate,
    build: (p, b) => ({
      type: 'submitProgressReport',
      reviewId: p.reviewId!,
      ...(b as z.infer<typeof submitProgressReport.body>),
    }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/reschedule',
    operationId: 'reschedule',
    status: 200,
    bodyRequired: true,
    summary: 'Move the event window: every relative deadline moves with it; refused once live (planners)',
    body: reschedule.body,
    update: rescheduleUpdate,
    build: (_p, b) => ({ type: 'reschedule', ...(b as z.infer<typeof reschedule.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/cancel',
    operationId: 'cancel',
    status: 200,
    bodyRequired: true,
    summary: 'Cancel the event with a reason: all timers stop (planners)',
    body: cancel.body,
    update: cancelUpdate,
    build: (_p, b) => ({ type: 'cancel', ...(b as z.infer<typeof cancel.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/drills/:scenarioId/results',
    operationId: 'recordDrillResult',
    status: 201,
    bodyRequired: true,
    summary:
      "Record a drill's evaluation: a rating per capability target, observations, strengths and gaps (evaluators). A target rated below the template's pass rating fails the scenario, creates remediation items and schedules a re-test",
    body: recordDrillResult.body,
    update: recordDrillResultUpdate,
    build: (p, b) => ({
      type: 'recordDrillResult',
      scenarioId: p.scenarioId!,
      ...(b as z.infer<typeof recordDrillResult.body>),
    }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/drills/:scenarioId/waiver',
    operationId: 'waiveDrill',
    status: 201,
    bodyRequired: true,
    summary: 'Waive a failed drill scenario with a justification (an approver of the gate covering it)',
    body: waiveDrill.body,
    update: waiveDrillUpdate,
    build: (p, b) => ({ type: 'waiveDrill', scenarioId: p.scenarioId!, ...(b as z.infer<typeof waiveDrill.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/gates/:gateId/go-no-go',
    operationId: 'decideGoNoGo',
    status: 201,
    bodyRequired: true,
    summary:
      'Decide go or no-go on a readiness gate. A go is refused while the launch-blocking list holds entries nobody accepted as a risk (acceptRisks); a no-go escalates the list',
    body: decideGoNoGo.body,
    update: decideGoNoGoUpdate,
    build: (p, b) => ({ type: 'decideGoNoGo', gateId: p.gateId!, ...(b as z.infer<typeof decideGoNoGo.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/incidents',
    operationId: 'reportIncident',
    status: 201,
    bodyRequired: true,
    summary:
      'Report an incident (duty staff or unit members, in readiness or live): type, severity, session, description. Critical incidents escalate along the whole chain at once',
    body: reportIncident.body,
    update: reportIncidentUpdate,
    build: (_p, b) => ({ type: 'reportIncident', ...(b as z.infer<typeof reportIncident.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/incidents/:incidentId/acknowledge',
    operationId: 'acknowledgeIncident',
    status: 200,
    bodyRequired: false,
    summary: 'Acknowledge an incident (duty staff): stops its re-escalation',
    body: acknowledgeIncident.body,
    update: acknowledgeIncidentUpdate,
    build: (p, b) => ({
      type: 'acknowledgeIncident',
      incidentId: p.incidentId!,
      ...(b as z.infer<typeof acknowledgeIncident.body>),
    }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/incidents/:incidentId/steps/:stepId',
    operationId: 'updateIncidentStep',
    status: 200,
    bodyRequired: true,
    summary: "Mark a procedure step of an incident done, or not needed with a note (the step's unit or duty staff)",
    body: updateIncidentStep.body,
    update: updateIncidentStepUpdate,
    build: (p, b) => ({
      type: 'updateIncidentStep',
      incidentId: p.incidentId!,
      stepId: p.stepId!,
      ...(b as z.infer<typeof updateIncidentStep.body>),
    }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/incidents/:incidentId/resolve',
    operationId: 'resolveIncident',
    status: 200,
    bodyRequired: true,
    summary: 'Resolve an acknowledged incident whose procedure steps are settled, with a resolution note (duty staff)',
    body: resolveIncident.body,
    update: resolveIncidentUpdate,
    build: (p, b) => ({
      type: 'resolveIncident',
      incidentId: p.incidentId!,
      ...(b as z.infer<typeof resolveIncident.body>),
    }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/incidents/:incidentId/reopen',
    operationId: 'reopenIncident',
    status: 200,
    bodyRequired: true,
    summary: 'Reopen a resolved incident with a reason (duty staff)',
    body: reopenIncident.body,
    update: reopenIncidentUpdate,
    build: (p, b) => ({
      type: 'reopenIncident',
      incidentId: p.incidentId!,
      ...(b as z.infer<typeof reopenIncident.body>),
    }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/duty/handovers',
    operationId: 'handOverDuty',
    status: 201,
    bodyRequired: true,
    summary:
      'Hand the duty over to the incoming duty officer for a shift; the open incidents are recorded as handed over (the officer on duty)',
    body: handOverDuty.body,
    update: handOverDutyUpdate,
    build: (_p, b) => ({ type: 'handOverDuty', ...(b as z.infer<typeof handOverDuty.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/lessons',
    operationId: 'addLesson',
    status: 201,
    bodyRequired: true,
    summary: 'Record a lesson learned during the review (planners)',
    body: addLesson.body,
    update: addLessonUpdate,
    build: (_p, b) => ({ type: 'addLesson', ...(b as z.infer<typeof addLesson.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/corrective-actions',
    operationId: 'addCorrectiveAction',
    status: 201,
    bodyRequired: true,
    summary:
      'Add a corrective action owned by a unit, with a deadline; its members close it like any item (planners, in review)',
    body: addCorrectiveAction.body,
    update: addCorrectiveActionUpdate,
    build: (_p, b) => ({ type: 'addCorrectiveAction', ...(b as z.infer<typeof addCorrectiveAction.body>) }),
  }),
  row({
    method: 'post',
    path: '/events/:eventId/corrective-actions/:itemId/carry-over',
    operationId: 'carryOverCorrectiveAction',
    status: 200,
    bodyRequired: true,
    summary: 'Carry an open corrective action over to the program for the next events, with a reason (planners)',
    body: carryOverCorrectiveAction.body,
    update: carryOverCorrectiveActionUpdate,
    build: (p, b) => ({
      type: 'carryOverCorrectiveAction',
      itemId: p.itemId!,
      ...(b as z.infer<typeof carryOverCorrectiveAction.body>),
    }),
  }),
];

export function registerCommandRoutes(
  router: Router,
  deps: { client: Client; handleOf: (eventId: string) => WorkflowHandle },
): void {
  for (const route of commandRoutes) {
    router[route.method](route.path, async (req: Request, res) => {
      const eventId = parseRequest(eventIdParam, req.params.eventId, ['eventId']);
      const body = parseRequest(route.body, req.body ?? {}) as Record<string, unknown>;
      const command = route.build(req.params as Record<string, string>, body);
      const key = parseRequest(idempotencyKey.optional(), req.header('Idempotency-Key'), [
        'headers',
        'Idempotency-Key',
      ]);
      const actor = { id: req.actor!.id, ...(req.actor!.name ? { name: req.actor!.name } : {}) };
      const request: CommandRequest<Command> = {
        actor,
        command,
        ...(key ? { idempotencyKey: key } : {}),
      };
      try {
        const result = await deps
          .handleOf(eventId)
          .executeUpdate(route.update as UpdateDefinition<CommandResult, [CommandRequest<Command>], string>, {
            args: [request],
            // Temporal dedupes update ids within a run but ignores the body: binding the id to the body
            // makes a reused key with another body reach the workflow, which refuses it.
            ...(key ? { updateId: `${key}:${fingerprint({ actor: actor.id, command })}` } : {}),
          });
        res.status(route.status).json(result);
      } catch (error) {
        const problem = toProblem(error, { eventId });
        if (problem.code !== 'EVENT_NOT_FOUND') throw problem;
        // The server answers "not found" for an event whose workflow has ended: tell the two apart.
        const closed = await deps
          .handleOf(eventId)
          .describe()
          .then(
            (d) => d.status.name,
            () => undefined,
          );
        throw closed
          ? new Problem(409, 'EVENT_CLOSED', `the event is no longer running (${closed.toLowerCase()})`)
          : problem;
      }
    });
  }
}
