/**
 * Observed water levels per station (upload as CSV, read back by period) and
 * the skill of a completed cycle against them. Formats: core/observations.ts;
 * the figures: core/skill.ts.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from 'typebox';

import type { Catalog } from '../../activities/catalog.js';
import { cycleSkill, readStoredObservations, storeObservations } from '../../activities/observations.js';
import { InputFileError } from '../../core/inputProblems.js';
import { OBSERVATIONS_CSV_HEADER, observationsBetween, observationsJson, parseObservationsCsv } from '../../core/observations.js';
import { SiteSchema, type SiteStation } from '../../core/site.js';
import { ApiError } from './errors.js';
import { completedRun } from './products.js';
import { CycleParams, SiteIdParams, errorResponses, type TypeBoxProvider } from './schemas.js';

export interface ObservationsOptions {
  catalog: Catalog;
}

/** A year of 6-minute observations is about 3 MB of CSV. */
const MAX_CSV_BYTES = 32 * 1024 * 1024;
const UPLOAD_NAME = 'observations.csv';

const StationParams = Type.Object({ siteId: SiteIdParams.properties.siteId, stationId: SiteSchema.properties.stations.items.properties.id });
const Time = Type.String({ format: 'date-time' });
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

const Observations = Type.Object(
  {
    stationId: Type.String(),
    times: Type.Array(Time),
    water_level_m: Type.Array(NullableNumber, { description: 'metres above the model datum; null: missing' }),
  },
  { description: 'the JSON observations format: one level per time, times in increasing order (UTC)' },
);

const LeadDay = Type.Object({
  day: Type.Integer({ minimum: 1, description: 'lead-time day k: forecast times t with (k − 1)·24 h < t − cycle ≤ k·24 h (the cycle time in day 1)' }),
  from: Time,
  to: Time,
  n: Type.Integer({ minimum: 0, description: 'pairs: forecast output times with a forecast (not dry) and an observation at that time or interpolated linearly between observations at most 1 h apart' }),
  bias: Type.Union([Type.Number(), Type.Null()], { description: 'mean of forecast − observed, m; null below 2 pairs' }),
  rmse: Type.Union([Type.Number(), Type.Null()], { description: 'root mean square of forecast − observed, m' }),
  correlation: Type.Union([Type.Number(), Type.Null()], { description: "Pearson's r; null also when a series is constant" }),
  skill: Type.Union([Type.Number(), Type.Null()], { description: "Willmott's (1981) index of agreement d = 1 − Σ(P−O)² / Σ(|P−Ō| + |O−Ō|)²" }),
});

const StationSkill = Type.Object({
  stationId: Type.String(),
  name: Type.String(),
  observations: Type.Integer({ description: 'observed levels (not missing) within the forecast period' }),
  fetched: Type.Boolean({ description: "the station's HTTP source was fetched for this answer" }),
  fetchProblem: Type.Union([Type.String(), Type.Null()], { description: 'why the source could not be fetched; the stored observations were used' }),
  days: Type.Array(LeadDay),
});

function siteStation(catalog: Catalog, siteId: string, stationId: string): { station: SiteStation; siteDir: string } {
  const site = catalog.getSite(siteId);
  const station = site.config.stations.find((s) => s.id === stationId);
  if (!station) {
    const known = site.config.stations.map((s) => s.id);
    throw new ApiError(404, 'station-not-found', `site "${siteId}" has no station "${stationId}" (${known.length ? `stations: ${known.join(', ')}` : 'it has no stations'})`);
  }
  return { station, siteDir: site.dir };
}

export const observationsPlugin: FastifyPluginAsync<ObservationsOptions, RawServerDefault, TypeBoxProvider> = async (app, { catalog }) => {
  // Only this plugin's routes take CSV; the text reaches the route whole, to be read line by line.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_CSV_BYTES }, (_request, body, done) => done(null, body));

  app.put(
    '/api/sites/:siteId/stations/:stationId/observations',
    {
      schema: {
        summary: `upload observed water levels as CSV (header ${OBSERVATIONS_CSV_HEADER}; ISO 8601 UTC times; metres above the model datum; blank or NaN = missing), merged into the stored ones, the upload winning per time; nothing is stored when a line is wrong`,
        tags: ['sites'],
        consumes: ['text/csv'],
        params: StationParams,
        body: Type.String({ description: 'the CSV file' }),
        response: {
          200: Type.Object({
            stationId: Type.String(),
            received: Type.Integer({ description: 'rows in the upload' }),
            stored: Type.Object({ count: Type.Integer(), from: Type.Union([Time, Type.Null()]), to: Type.Union([Time, Type.Null()]) }, { description: 'all observations now stored for the station' }),
          }),
          ...errorResponses(400, 404, 413, 415),
        },
      },
      preValidation: async (request) => {
        if (typeof request.body !== 'string') throw new ApiError(415, 'unsupported-media-type', `send the observations as text/csv with the header ${OBSERVATIONS_CSV_HEADER}`);
      },
    },
    async (request) => {
      const { siteId, stationId } = request.params;
      const { siteDir } = siteStation(catalog, siteId, stationId);
      let upload;
      try {
        upload = parseObservationsCsv(request.body, UPLOAD_NAME);
      } catch (error) {
        if (!(error instanceof InputFileError)) throw error;
        throw new ApiError(400, 'observations-rejected', error.message, error.problems.map((p) => ({ file: error.file, ...p })));
      }
      const stored = await storeObservations(siteDir, stationId, upload);
      const iso = (index: number) => (stored.times.length === 0 ? null : new Date(stored.times[index]).toISOString());
      return { stationId, received: upload.times.length, stored: { count: stored.times.length, from: iso(0), to: iso(stored.times.length - 1) } };
    },
  );

  app.get(
    '/api/sites/:siteId/stations/:stationId/observations',
    {
      schema: {
        summary: "a station's stored observations, all or those from `from` to `to` (both included)",
        tags: ['sites'],
        params: StationParams,
        querystring: Type.Object({ from: Type.Optional(Time), to: Type.Optional(Time) }),
        response: { 200: Observations, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { siteId, stationId } = request.params;
      const from = request.query.from === undefined ? -Infinity : Date.parse(request.query.from);
      const to = request.query.to === undefined ? Infinity : Date.parse(request.query.to);
      if (from > to) throw new ApiError(400, 'invalid-request', `from (${request.query.from}) is after to (${request.query.to})`);
      const { siteDir } = siteStation(catalog, siteId, stationId);
      return { stationId, ...observationsJson(observationsBetween(await readStoredObservations(siteDir, stationId), from, to)) };
    },
  );

  app.get(
    '/api/sites/:siteId/cycles/:cycle/skill',
    {
      schema: {
        summary:
          "a completed cycle's forecast against the observations, per station that has observations and per lead-time day: pairs, bias, RMSE, correlation and Willmott's index of agreement; a station with an HTTP source is fetched first when the stored observations do not span the forecast",
        tags: ['products'],
        params: CycleParams,
        response: { 200: Type.Object({ siteId: Type.String(), cycle: Time, stations: Type.Array(StationSkill) }), ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { siteId } = request.params;
      const { runDir, cycle } = completedRun(catalog, siteId, request.params.cycle, 'products');
      const site = catalog.getSite(siteId);
      // Observations keep arriving after the cycle: unlike its products, its skill changes.
      void reply.header('cache-control', 'no-cache');
      return { siteId, cycle, stations: await cycleSkill(runDir, site.dir, site.config.stations, cycle) };
    },
  );
};
