import { type WorkflowHandle } from '@temporalio/client';
import {
  blockItemUpdate,
  cancelUpdate,
  decideWaiverUpdate,
  delegateUpdate,
  requestWaiverUpdate,
  rescheduleUpdate,
  revokeDelegationUpdate,
  startItemUpdate,
  stateQuery,
  unblockItemUpdate,
} from '../../workflows/definitions';
import { planTemplateSchema, type PlanTemplate } from '../../domain';
import { passAll, throughPreparation, throughReadiness } from '../domain/scenario';
import { completeItem, decideGate, sendSteps } from '../support/events';
import { evidence, lifecycleTemplateInput } from '../support/fixtures';

/**
 * Scenarios whose histories are recorded (npm run record-histories) and
 * committed under test/fixtures/histories, then replayed on every change by
 * replay.test.ts. Add one when a new capability lands; never edit a recorded
 * file by hand — a failing replay means running events would break.
 */
/** A scenario that needs its own template or window (the tiny template and window otherwise). */
export interface StartedScenario {
  start: () => { template: PlanTemplate; window: { start: string; end: string; timeZone: string } };
  run: (handle: WorkflowHandle) => Promise<void>;
}

async function waitForPhase(handle: WorkflowHandle, phase: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await handle.query(stateQuery)).phase === phase) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the event never reached ${phase}`);
}

export const scenarios: Record<string, ((handle: WorkflowHandle) => Promise<void>) | StartedScenario> = {
  'planning-gate-with-rejection': async (handle) => {
    await completeItem(handle, 'office.mai', { itemId: 'plan.master' });
    await completeItem(handle, 'cyber.hung', { itemId: 'plan.cyber', evidence });
    await decideGate(handle, 'head.tuan', { gateId: 'plan-approval', decision: 'approve' });
    await decideGate(handle, 'office.mai', {
      gateId: 'plan-approval',
      decision: 'reject',
      reason: 'Thiếu phương án dự phòng cho phiên trực tuyến',
      reopen: ['plan.cyber'],
    });
    await completeItem(handle, 'cyber.hung', { itemId: 'plan.cyber', evidence, note: 'bổ sung phương án' });
    await decideGate(handle, 'head.tuan', { gateId: 'plan-approval', decision: 'approve' });
    await decideGate(handle, 'office.mai', { gateId: 'plan-approval', decision: 'approve' });
    await completeItem(handle, 'police.nam', { itemId: 'order.routes' });
  },
  'delegated-sign-off': async (handle) => {
    await completeItem(handle, 'office.mai', { itemId: 'plan.master' });
    await completeItem(handle, 'cyber.hung', { itemId: 'plan.cyber', evidence });
    const validUntil = new Date(Date.now() + 3_600_000).toISOString();
    await handle.executeUpdate(delegateUpdate, {
      args: [{ actor: { id: 'head.tuan' }, command: { type: 'delegate', to: 'duty.khoa', validUntil } }],
    });
    await decideGate(handle, 'duty.khoa', { gateId: 'plan-approval', decision: 'approve', onBehalfOf: 'head.tuan' });
    await handle.executeUpdate(revokeDelegationUpdate, {
      args: [{ actor: { id: 'head.tuan' }, command: { type: 'revokeDelegation', delegationId: 'dlg-1' } }],
    });
    await decideGate(handle, 'office.mai', { gateId: 'plan-approval', decision: 'approve' });
  },
  'preparation-lifecycle': async (handle) => {
    const as = (id: string) => ({ id });
    await handle.executeUpdate(startItemUpdate, {
      args: [{ actor: as('police.nam'), command: { type: 'startItem', itemId: 'order.routes' } }],
    });
    await handle.executeUpdate(blockItemUpdate, {
      args: [
        {
          actor: as('police.nam'),
          command: { type: 'blockItem', itemId: 'order.routes', reason: 'Chờ phương án phân luồng' },
        },
      ],
    });
    await handle.executeUpdate(unblockItemUpdate, {
      args: [{ actor: as('police.nam'), command: { type: 'unblockItem', itemId: 'order.routes' } }],
    });
    await handle.executeUpdate(requestWaiverUpdate, {
      args: [
        {
          actor: as('office.mai'),
          command: { type: 'requestWaiver', itemId: 'plan.master', justification: 'Dùng kế hoạch năm trước' },
        },
      ],
    });
    await handle.executeUpdate(decideWaiverUpdate, {
      args: [{ actor: as('head.tuan'), command: { type: 'decideWaiver', itemId: 'plan.master', decision: 'approve' } }],
    });
    await completeItem(handle, 'cyber.hung', { itemId: 'plan.cyber', evidence });
    await handle.executeUpdate(rescheduleUpdate, {
      args: [
        {
          actor: as('planner.linh'),
          command: {
            type: 'reschedule',
            window: { start: '2026-11-17T01:00:00Z', end: '2026-11-22T10:00:00Z' },
            reason: 'Lùi một tuần',
          },
        },
      ],
    });
    await handle.executeUpdate(cancelUpdate, {
      args: [{ actor: as('planner.linh'), command: { type: 'cancel', reason: 'Hủy' } }],
    });
  },
  // Pending work as the search attributes publish it (patched('pending-work-attributes')): a delegated
  // sign-off, a waiver, drill evaluations with a remediation, go/no-go, an incident worked to resolution.
  'pending-work-attributes': {
    start: () => {
      const start = Date.now() + 120 * 86_400_000;
      return {
        template: planTemplateSchema.parse(lifecycleTemplateInput()),
        window: {
          start: new Date(start).toISOString(),
          end: new Date(start + 2 * 86_400_000).toISOString(),
          timeZone: 'Asia/Ho_Chi_Minh',
        },
      };
    },
    run: async (handle) => {
      const evidenceLink = [{ url: 'https://docs.example.org/runbook.pdf' }];
      const validUntil = new Date(Date.now() + 3_600_000).toISOString();
      await sendSteps(handle, [
        ['office.mai', { type: 'completeItem', itemId: 'plan.master' }],
        ['cyber.hung', { type: 'completeItem', itemId: 'plan.cyber', evidence: evidenceLink }],
        ['head.tuan', { type: 'delegate', to: 'duty.khoa', validUntil }],
        ['duty.khoa', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve', onBehalfOf: 'head.tuan' }],
        ['office.mai', { type: 'signOffGate', gateId: 'plan-approval', decision: 'approve' }],
        ['police.nam', { type: 'requestWaiver', itemId: 'order.routes', justification: 'Tuyến đã bảo đảm năm trước' }],
        ['head.tuan', { type: 'decideWaiver', itemId: 'order.routes', decision: 'approve' }],
        ['head.tuan', { type: 'signOffGate', gateId: 'preparation-complete', decision: 'approve' }],
        [
          'eval.an',
          {
            type: 'recordDrillResult',
            scenarioId: 'ddos',
            ratings: [
              { targetId: 'detect', rating: 'performed' },
              { targetId: 'failover', rating: 'performed' },
              { targetId: 'inform', rating: 'unable' },
            ],
          },
        ],
        ['office.mai', { type: 'completeItem', itemId: 'remediation.ddos.1.inform', evidence: evidenceLink }],
        passAll('ddos', ['detect', 'failover', 'inform']),
        passAll('power', ['restore']),
        ['head.tuan', { type: 'signOffGate', gateId: 'rehearsal-complete', decision: 'approve' }],
        ['duty.khoa', { type: 'reportIncident', incidentType: 'cyber', severity: 'high', description: 'Tấn công' }],
        ['duty.khoa', { type: 'acknowledgeIncident', incidentId: 'inc-1' }],
        ['cyber.hung', { type: 'updateIncidentStep', incidentId: 'inc-1', stepId: 'isolate', outcome: 'done' }],
        ['cyber.hung', { type: 'updateIncidentStep', incidentId: 'inc-1', stepId: 'restore', outcome: 'done' }],
        ['office.mai', { type: 'updateIncidentStep', incidentId: 'inc-1', stepId: 'report', outcome: 'done' }],
        ['duty.khoa', { type: 'resolveIncident', incidentId: 'inc-1', resolution: 'Đã khôi phục' }],
        ['planner.linh', { type: 'cancel', reason: 'Kết thúc kịch bản' }],
      ]);
      await handle.result();
    },
  },
  // Rehearsal with a failed drill and its re-test, go with an accepted risk, live and review by the
  // workflow's own timers, an incident worked to resolution, a handover, and a corrective action.
  'whole-lifecycle': {
    start: () => {
      const start = Date.now() + 8_000;
      return {
        template: planTemplateSchema.parse(lifecycleTemplateInput()),
        window: {
          start: new Date(start).toISOString(),
          end: new Date(start + 6_000).toISOString(),
          timeZone: 'Asia/Ho_Chi_Minh',
        },
      };
    },
    run: async (handle) => {
      const evidenceLink = [{ url: 'https://docs.example.org/runbook.pdf' }];
      await sendSteps(handle, [
        ...throughPreparation,
        [
          'eval.an',
          { type: 'recordDrillResult', scenarioId: 'power', ratings: [{ targetId: 'restore', rating: 'unable' }] },
        ],
        ['police.nam', { type: 'completeItem', itemId: 'remediation.power.1.restore', evidence: evidenceLink }],
        passAll('power', ['restore']),
        passAll('ddos', ['detect', 'failover', 'inform']),
        ['head.tuan', { type: 'signOffGate', gateId: 'rehearsal-complete', decision: 'approve' }],
        ...throughReadiness.slice(-2),
      ]);
      await waitForPhase(handle, 'live');
      await sendSteps(handle, [
        ['duty.khoa', { type: 'handOverDuty', shiftId: 'day-1', to: 'duty.khoa' }],
        ['duty.khoa', { type: 'reportIncident', incidentType: 'power', severity: 'critical', description: 'Mất điện' }],
        ['duty.khoa', { type: 'acknowledgeIncident', incidentId: 'inc-1' }],
        ['police.nam', { type: 'updateIncidentStep', incidentId: 'inc-1', stepId: 'generator', outcome: 'done' }],
        ['duty.khoa', { type: 'resolveIncident', incidentId: 'inc-1', resolution: 'Máy phát chạy' }],
      ]);
      await waitForPhase(handle, 'review');
      await sendSteps(handle, [
        ['planner.linh', { type: 'addLesson', title: 'Máy phát', observation: 'Khởi động chậm' }],
        [
          'planner.linh',
          {
            type: 'addCorrectiveAction',
            title: 'Bảo dưỡng máy phát',
            unit: 'police',
            due: new Date(Date.now() + 86_400_000).toISOString(),
          },
        ],
        ['police.nam', { type: 'completeItem', itemId: 'corrective.1' }],
        ['head.tuan', { type: 'signOffGate', gateId: 'review-closure', decision: 'approve' }],
      ]);
      await handle.result();
    },
  },
};
