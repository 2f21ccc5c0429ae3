/**
 * A site's daily schedule: its state, pause and resume (which set the site's
 * schedule.enabled, the one place that says whether the site runs daily),
 * and the backfill of a range of past cycles, run one after the other in
 * time order so that each hot-starts from the one before.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from 'typebox';

import type { Catalog } from '../../activities/catalog.js';
import type { Site } from '../../core/site.js';
import { siteView } from './sites.js';
import { ApiError } from './errors.js';
import { SiteIdParams, SiteView, errorResponses, type TypeBoxProvider } from './schemas.js';

const DAY_MS = 86_400_000;
/** A year of daily cycles: a longer backfill is more likely a typo than a wish. */
export const MAX_BACKFILL_DAYS = 366;

export interface ScheduleState {
  siteId: string;
  paused: boolean;
  /** When the schedule fires next (ISO times). */
  nextRuns: string[];
  /** Its latest firings, oldest first. */
  recentRuns: { scheduledAt: string; startedAt: string; workflowId: string }[];
}

/** What the API needs from whatever runs a site's daily cycles; the Temporal implementation is server/schedules.ts. */
export interface SiteSchedules {
  /** Creates the site's schedule, or updates it to the site's config (paused when schedule.enabled is false). */
  sync(site: Site): Promise<void>;
  /** Removes the site's schedule; nothing happens when it has none. */
  remove(siteId: string): Promise<void>;
  /** Undefined when the site has no schedule. */
  describe(siteId: string): Promise<ScheduleState | undefined>;
  /** Runs the firings the schedule would have had from `from` to `to` (inclusive), one after the other. */
  backfill(siteId: string, from: Date, to: Date): Promise<void>;
}

export interface SchedulesOptions {
  catalog: Catalog;
  schedules: SiteSchedules;
}

const ScheduleView = Type.Object({
  siteId: Type.String(),
  paused: Type.Boolean({ description: "true while the site's schedule.enabled is false" }),
  nextRuns: Type.Array(Type.String({ format: 'date-time' })),
  recentRuns: Type.Array(Type.Object({ scheduledAt: Type.String({ format: 'date-time' }), startedAt: Type.String({ format: 'date-time' }), workflowId: Type.String() })),
});

const BackfillBody = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'the first cycle to run (a cycle time of the site: its schedule.cycleHourUtc)' }),
    to: Type.String({ format: 'date-time', description: 'the last cycle to run, inclusive' }),
  },
  { additionalProperties: false },
);

function badBackfill(field: 'from' | 'to', message: string): ApiError {
  return new ApiError(400, 'bad-backfill', `${field}: ${message}`, [{ field, message }]);
}

/** The cycles from..to of a site, each checked to be one of its cycle times; throws a 400 naming the field. */
export function backfillCycles(site: Site, from: Date, to: Date): Date[] {
  const hour = site.schedule.cycleHourUtc;
  for (const [field, time] of [['from', from], ['to', to]] as const) {
    if (time.getTime() % DAY_MS !== hour * 3_600_000) {
      throw badBackfill(field, `${time.toISOString()} is not a cycle time of site "${site.id}" (its cycles are at ${String(hour).padStart(2, '0')}:00 UTC)`);
    }
  }
  if (to < from) throw badBackfill('to', `${to.toISOString()} is before from (${from.toISOString()})`);
  const days = (to.getTime() - from.getTime()) / DAY_MS + 1;
  if (days > MAX_BACKFILL_DAYS) throw badBackfill('to', `${days} cycles from ${from.toISOString()}; a backfill runs at most ${MAX_BACKFILL_DAYS}`);
  return Array.from({ length: days }, (_, d) => new Date(from.getTime() + d * DAY_MS));
}

export const schedulesPlugin: FastifyPluginAsync<SchedulesOptions, RawServerDefault, TypeBoxProvider> = async (app, { catalog, schedules }) => {
  app.get(
    '/api/sites/:siteId/schedule',
    { schema: { summary: "the site's daily schedule: paused or not, next and latest firings", tags: ['sites'], params: SiteIdParams, response: { 200: ScheduleView, ...errorResponses(400, 404) } } },
    async (request) => {
      const { config } = catalog.getSite(request.params.siteId);
      const state = await schedules.describe(config.id);
      if (!state) throw new ApiError(404, 'not-found', `site "${config.id}" has no schedule yet: it is made when the service starts`);
      return state;
    },
  );

  for (const [action, enabled] of [['pause', false], ['resume', true]] as const) {
    app.post(
      `/api/sites/:siteId/schedule/${action}`,
      {
        schema: {
          summary: `${action} the site's daily cycles (sets schedule.enabled to ${enabled})`,
          tags: ['sites'],
          params: SiteIdParams,
          response: { 200: SiteView, ...errorResponses(400, 404, 409) },
        },
      },
      async (request) => {
        const { config } = catalog.getSite(request.params.siteId);
        const record = await catalog.updateSite(config.id, { ...config, schedule: { ...config.schedule, enabled } });
        await schedules.sync(record.config);
        return siteView(record);
      },
    );
  }

  app.post(
    '/api/sites/:siteId/backfill',
    {
      schema: {
        summary: 'run the cycles from..to (inclusive) one after the other in time order, each hot-starting from the one before; cycles already completed are skipped',
        tags: ['sites'],
        params: SiteIdParams,
        body: BackfillBody,
        response: { 202: Type.Object({ cycles: Type.Array(Type.String({ format: 'date-time' })) }), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { config } = catalog.getSite(request.params.siteId);
      const cycles = backfillCycles(config, new Date(request.body.from), new Date(request.body.to));
      await schedules.sync(config);
      await schedules.backfill(config.id, cycles[0], cycles.at(-1)!);
      return reply.status(202).send({ cycles: cycles.map((c) => c.toISOString()) });
    },
  );
};
