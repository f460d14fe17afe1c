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
  unblockItemUpdate,
} from '../../workflows/definitions';
import { completeItem, decideGate } from '../support/events';
import { evidence } from '../support/fixtures';

/**
 * Scenarios whose histories are recorded (npm run record-histories) and
 * committed under test/fixtures/histories, then replayed on every change by
 * replay.test.ts. Add one when a new capability lands; never edit a recorded
 * file by hand — a failing replay means running events would break.
 */
export const scenarios: Record<string, (handle: WorkflowHandle) => Promise<void>> = {
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
};
