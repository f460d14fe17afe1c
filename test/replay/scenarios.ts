import { type WorkflowHandle } from '@temporalio/client';
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
};
