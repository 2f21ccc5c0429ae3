/**
 * The API's SiteSchedules on Temporal: one Schedule per site, id
 * `schedule:<siteId>`, firing daily at schedule.hourUtc (UTC) and starting
 * workflows/scheduledCycle.ts, which runs the cycle of that firing as
 * `forecast:<siteId>:<cycle ISO>`. Paused while schedule.enabled is false.
 *
 * Overlap policy BUFFER_ALL: a firing that comes while the previous one
 * still runs waits for it, and every waiting one runs, in time order. Cycles
 * must run one after the other, each hot-starting from the one before;
 * SKIP or BUFFER_ONE would drop cycles after a long run or an outage (the
 * chain breaks, the next cycle starts cold), and ALLOW_ALL would run them
 * side by side, each without its predecessor's hot start. A backfill uses
 * the same policy, so its cycles run in order too.
 *
 * One more Schedule belongs to the installation, not to a site:
 * `retention`, the daily sweep of old run directories (workflows/retention.ts).
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';

import type { Catalog } from '../activities/catalog.js';
import type { Site } from '../core/site.js';
import { retention } from '../workflows/retention.js';
import { scheduledCycle } from '../workflows/scheduledCycle.js';
import type { ScheduleState, SiteSchedules } from './api/schedules.js';
import { TASK_QUEUE } from './temporal.js';

const SCHEDULE_PREFIX = 'schedule:';
const DAY_MS = 86_400_000;
export const RETENTION_SCHEDULE_ID = 'retention';
/** Early in the UTC day, before the usual cycle hours (site schedules default to 04 UTC). */
const RETENTION_HOUR_UTC = 2;

export function scheduleId(siteId: string): string {
  return `${SCHEDULE_PREFIX}${siteId}`;
}

export class TemporalSchedules implements SiteSchedules {
  constructor(
    private readonly client: Client,
    private readonly taskQueue = TASK_QUEUE,
  ) {}

  async sync(site: Site): Promise<void> {
    const spec: ScheduleSpec = { calendars: [{ hour: site.schedule.hourUtc, minute: 0, second: 0 }], timezone: 'UTC' };
    const action: ScheduleOptionsAction = {
      type: 'startWorkflow',
      workflowType: scheduledCycle,
      args: [{ siteId: site.id, cycleHourUtc: site.schedule.cycleHourUtc }],
      taskQueue: this.taskQueue,
      // Temporal appends each firing's time to this id.
      workflowId: `scheduled:${site.id}`,
    };
    const paused = !site.schedule.enabled;
    const state = { paused, note: paused ? 'schedule.enabled is false in the site config' : 'daily cycles' };
    const policies = { overlap: ScheduleOverlapPolicy.BUFFER_ALL };
    try {
      await this.client.schedule.create({ scheduleId: scheduleId(site.id), spec, action, policies, state });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await this.client.schedule.getHandle(scheduleId(site.id)).update((previous) => ({ spec, action, policies: { ...previous.policies, ...policies }, state: { ...previous.state, ...state } }));
    }
  }

  async remove(siteId: string): Promise<void> {
    try {
      await this.client.schedule.getHandle(scheduleId(siteId)).delete();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }

  async describe(siteId: string): Promise<ScheduleState | undefined> {
    try {
      const { state, info } = await this.client.schedule.getHandle(scheduleId(siteId)).describe();
      return {
        siteId,
        paused: state.paused,
        nextRuns: info.nextActionTimes.map((t) => t.toISOString()),
        recentRuns: info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), startedAt: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
      };
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * A firing at time T runs the latest cycle at or before T, so the firings
   * of cycles from..to are those in [from, to + 1 day): the range ends one
   * second before the day after `to` (firings are on whole hours).
   */
  async backfill(siteId: string, from: Date, to: Date): Promise<void> {
    await this.client.schedule.getHandle(scheduleId(siteId)).backfill({ start: from, end: new Date(to.getTime() + DAY_MS - 1000), overlap: ScheduleOverlapPolicy.BUFFER_ALL });
  }

  /**
   * At start: every site gets its schedule as its config says, schedules of
   * sites that are gone are removed, and the installation's retention sweep
   * is scheduled.
   */
  async syncAll(catalog: Catalog): Promise<void> {
    await this.syncRetention();
    const sites = new Set<string>();
    for (const { id } of catalog.listSites()) {
      sites.add(id);
      await this.sync(catalog.getSite(id).config);
    }
    for await (const schedule of this.client.schedule.list()) {
      const siteId = schedule.scheduleId.startsWith(SCHEDULE_PREFIX) ? schedule.scheduleId.slice(SCHEDULE_PREFIX.length) : undefined;
      if (siteId !== undefined && !sites.has(siteId)) await this.remove(siteId);
    }
  }

  /** SKIP: a sweep that finds the previous one still running has nothing left to do. */
  private async syncRetention(): Promise<void> {
    const spec: ScheduleSpec = { calendars: [{ hour: RETENTION_HOUR_UTC, minute: 0, second: 0 }], timezone: 'UTC' };
    const action: ScheduleOptionsAction = { type: 'startWorkflow', workflowType: retention, args: [], taskQueue: this.taskQueue, workflowId: RETENTION_SCHEDULE_ID };
    const policies = { overlap: ScheduleOverlapPolicy.SKIP };
    try {
      await this.client.schedule.create({ scheduleId: RETENTION_SCHEDULE_ID, spec, action, policies });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await this.client.schedule.getHandle(RETENTION_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, ...policies } }));
    }
  }
}
