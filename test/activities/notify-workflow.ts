/**
 * Test-only workflows (bundled by notify-worker.test.ts, not part of workflows/): they call
 * `notify` through proxyActivities the way the event workflow does, with the recommended
 * policy's shape but short intervals so retries happen within a test.
 */
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities, NotifyResult } from '../../activities';
import type { NotifyDelivery } from '../../activities/notify';
import type { Notification } from '../../domain';

const retry = {
  initialInterval: '100 milliseconds',
  backoffCoefficient: 2,
  maximumInterval: '1 second',
  nonRetryableErrorTypes: ['WEBHOOK_REJECTED', 'EMAIL_REJECTED'],
} satisfies ActivityOptions['retry'];

const { notify } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry,
});

/** Gives up after three attempts: for receivers that stay down. */
const bounded = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { ...retry, maximumAttempts: 3 },
});

// One argument when there is no delivery, as the event workflow calls it today.
export async function notifyOnce(notification: Notification, delivery?: NotifyDelivery): Promise<NotifyResult> {
  return delivery ? notify(notification, delivery) : notify(notification);
}

export async function notifyBounded(notification: Notification, delivery?: NotifyDelivery): Promise<NotifyResult> {
  return delivery ? bounded.notify(notification, delivery) : bounded.notify(notification);
}
