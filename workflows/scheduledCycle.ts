/**
 * What a site's daily Temporal Schedule starts (server/schedules.ts): the
 * cycle its firing stands for — the latest cycle time at or before the
 * scheduled time, which a backfill sets in the past — run as the child
 * workflow `forecast:<siteId>:<cycle ISO>`, the id "run now" uses too.
 *
 * The schedule's overlap policy buffers firings until this workflow ends, so
 * it waits for its cycle: the next one starts only then, and can hot-start
 * from it.
 *
 * A cycle already started under that id ("run now", or an earlier firing)
 * is skipped, not run twice: while it runs (a workflow cannot wait for one
 * it did not start) and once it completed. A failed, cancelled or terminated
 * cycle is run again (ALLOW_DUPLICATE_FAILED_ONLY), so a backfill repairs
 * the days that failed. Temporal only knows closed workflows for the
 * namespace's retention period; older ones are run again.
 */
import { ParentClosePolicy, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';

import type { CycleSummary } from '../activities/cycle.js';
import type { forecastCycle } from './forecastCycle.js';

export interface ScheduledCycleInput {
  siteId: string;
  /** The site's schedule.cycleHourUtc: the schedule is updated with the site, so it carries the value. */
  cycleHourUtc: number;
}

export type ScheduledCycleResult =
  | { cycle: string; workflowId: string; outcome: 'completed'; summary: CycleSummary }
  | { cycle: string; workflowId: string; outcome: 'skipped'; reason: string };

/** The search attribute Temporal sets on a workflow a schedule starts: the time it was due (a backfill's time in the past). */
const SCHEDULED_START_TIME = 'TemporalScheduledStartTime';

export async function scheduledCycle({ siteId, cycleHourUtc }: ScheduledCycleInput): Promise<ScheduledCycleResult> {
  const cycle = latestCycleTime(scheduledTime(), cycleHourUtc).toISOString();
  const workflowId = `forecast:${siteId}:${cycle}`;
  try {
    const child = await startChild<typeof forecastCycle>('forecastCycle', {
      workflowId,
      args: [{ siteId, cycle }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      // A paused or deleted schedule, or a cancelled firing, stops future cycles; the one under way finishes.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return { cycle, workflowId, outcome: 'completed', summary: await child.result() };
  } catch (error) {
    // The error class lives in @temporalio/common, which workflow code does not import; its name is part of its API.
    if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError') {
      return { cycle, workflowId, outcome: 'skipped', reason: 'this cycle was already started (running or completed)' };
    }
    throw error;
  }
}

/** The latest cycle time not after `now`: that day's cycle hour, or the day before's when it has not come yet. */
export function latestCycleTime(now: Date, cycleHourUtc: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), cycleHourUtc);
  return new Date(today <= now.getTime() ? today : today - 86_400_000);
}

/** When the schedule meant this run to start; a run started by hand (no schedule) counts from its start. */
function scheduledTime(): Date {
  const info = workflowInfo();
  // The untyped (deprecated) map: the typed key needs @temporalio/common, which workflow code does not import.
  const value = info.searchAttributes[SCHEDULED_START_TIME]?.[0];
  return value === undefined ? info.startTime : new Date(value as Date | string);
}
