/**
 * A test-only workflow (bundled by notify-worker.test.ts, not part of workflows/): it calls
 * `notify` through proxyActivities the way the event workflow does, with the recommended
 * policy's shape but short intervals so retries happen within a test.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities, NotifyResult } from '../../activities';
import type { Notification } from '../../domain';

const { notify } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '100 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 second',
    nonRetryableErrorTypes: ['WEBHOOK_REJECTED'],
  },
});

export async function notifyOnce(notification: Notification): Promise<NotifyResult> {
  return notify(notification);
}
