/**
 * The installation's daily sweep of old run directories
 * (activities/retention.ts), started by the Temporal Schedule `retention`
 * (server/schedules.ts).
 */
import { proxyActivities } from '@temporalio/workflow';

import type { RetentionActivities, RetentionReport } from '../activities/retention.js';

const { sweepRunDirectories } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

export async function retention(): Promise<RetentionReport> {
  return sweepRunDirectories();
}
