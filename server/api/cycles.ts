/**
 * Forecast cycles of a site: what the catalog recorded, live progress while
 * one runs, and starting or cancelling one through the CycleControl.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from 'typebox';

import type { Catalog, CycleRecord } from '../../activities/catalog.js';
import { latestCycleTime } from '../../workflows/scheduledCycle.js';
import type { CycleControl, CycleProgress } from './cycleControl.js';
import { ApiError } from './errors.js';
import { CycleParams, CycleTime, CycleView, SiteIdParams, errorResponses, type TypeBoxProvider } from './schemas.js';

export interface CyclesOptions {
  catalog: Catalog;
  cycles: CycleControl;
}

/** A catalog record as the API shows it (see CycleView). */
export function cycleView({ runDir: _runDir, ...record }: CycleRecord, live: CycleProgress | undefined) {
  return { ...record, live: live ?? null };
}

// The schedule's workflow picks its cycle by the same rule (and workflow code cannot import the server).
export { latestCycleTime };

export const cyclesPlugin: FastifyPluginAsync<CyclesOptions, RawServerDefault, TypeBoxProvider> = async (app, { catalog, cycles }) => {
  app.get(
    '/api/sites/:siteId/cycles',
    {
      schema: {
        summary: "a site's cycles, newest first",
        tags: ['cycles'],
        params: SiteIdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'at most this many (default 50)' })) }, { additionalProperties: false }),
        response: { 200: Type.Array(CycleView), ...errorResponses(400, 404) },
      },
    },
    // A listing shows the catalog only: asking every running workflow for progress is the detail view's job.
    async (request) => catalog.listCycles(request.params.siteId, { limit: request.query.limit }).map((record) => cycleView(record, undefined)),
  );

  app.get(
    '/api/sites/:siteId/cycles/:cycle',
    {
      schema: {
        summary: 'a cycle as the catalog recorded it, with live progress while it runs',
        tags: ['cycles'],
        params: CycleParams,
        response: { 200: CycleView, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { siteId } = request.params;
      const record = catalog.getCycle(siteId, request.params.cycle);
      const unfinished = record.status === 'scheduled' || record.status === 'running';
      return cycleView(record, unfinished ? await cycles.progress(siteId, new Date(record.cycle)) : undefined);
    },
  );

  app.post(
    '/api/sites/:siteId/cycles',
    {
      schema: {
        summary: "start a cycle, or join it when it is already running; without a cycle time, the site's latest cycle per its schedule",
        tags: ['cycles'],
        params: SiteIdParams,
        body: Type.Object({ cycle: Type.Optional(CycleTime) }, { additionalProperties: false }),
        response: {
          202: Type.Object({
            workflowId: Type.String(),
            cycle: CycleTime,
            started: Type.Boolean({ description: 'false when the cycle was already running and this request joined it' }),
          }),
          ...errorResponses(400, 404, 415),
        },
      },
    },
    async (request, reply) => {
      const { siteId } = request.params;
      const site = catalog.getSite(siteId);
      const cycle = request.body.cycle === undefined ? latestCycleTime(new Date(), site.config.schedule.cycleHourUtc) : new Date(request.body.cycle);
      const { workflowId, started } = await cycles.start(siteId, cycle);
      return reply.status(202).send({ workflowId, cycle: cycle.toISOString(), started });
    },
  );

  app.post(
    '/api/sites/:siteId/cycles/:cycle/cancel',
    {
      schema: {
        summary: 'ask a running cycle to stop',
        tags: ['cycles'],
        params: CycleParams,
        response: { 202: Type.Object({ cycle: CycleTime, cancelling: Type.Literal(true) }), ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { siteId } = request.params;
      catalog.getSite(siteId);
      const cycle = new Date(request.params.cycle);
      if (!(await cycles.cancel(siteId, cycle))) throw new ApiError(409, 'cycle-not-running', `cycle ${cycle.toISOString()} of site "${siteId}" is not running`);
      return reply.status(202).send({ cycle: cycle.toISOString(), cancelling: true as const });
    },
  );
};
