/**
 * The typebox schemas the routes share. The same objects validate requests,
 * shape responses and become the OpenAPI document, so the three agree.
 * Schemas with an `$id` are registered once (see sharedSchemas) and appear
 * under that name in the document's components.
 */
import type { FastifyInstance, FastifyTypeProvider, RawServerDefault, FastifyBaseLogger } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Type, type Static, type TSchema } from 'typebox';

import { CYCLE_STATUSES } from '../../activities/catalog.js';
import { SiteSchema } from '../../core/site.js';

/** Request and reply types follow from the route's typebox schemas. */
export interface TypeBoxProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}

export type Api = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxProvider>;

export const SiteRef = Type.Ref('Site');
export const ErrorRef = Type.Ref('Error');

const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'a stable code, e.g. site-rejected, site-not-found' }),
    message: Type.String(),
    problems: Type.Optional(
      Type.Array(Type.Object({}, { additionalProperties: true }), {
        description: 'each problem names where it is: `path` (JSON pointer) for a field, `file` and `line` for an uploaded file, `field` for a form field',
      }),
    ),
  },
  { $id: 'Error', description: 'what went wrong: a stable code, a message, and the problems by field or line' },
);

/** Registered on the app before any route refers to them. */
export const sharedSchemas: readonly object[] = [{ ...SiteSchema, $id: 'Site' }, ErrorBody];

/** Error responses of a route, by status. */
export function errorResponses<const S extends readonly number[]>(...statuses: S): { [K in S[number]]: typeof ErrorRef } {
  return Object.fromEntries(statuses.map((s) => [s, ErrorRef])) as { [K in S[number]]: typeof ErrorRef };
}

export const SiteIdParams = Type.Object({ siteId: SiteSchema.properties.id });

export const CycleTime = Type.String({ format: 'date-time', description: 'the cycle time, ISO 8601 with a time zone, e.g. 2026-01-31T00:00:00Z' });

export const CycleParams = Type.Object({ siteId: SiteSchema.properties.id, cycle: CycleTime });

const Range = Type.Object({ min: Type.Number(), max: Type.Number() });

export const MeshStats = Type.Object({
  ics: Type.Union([Type.Literal(1), Type.Literal(2)]),
  icsDetected: Type.Boolean(),
  nodes: Type.Integer(),
  triangles: Type.Integer(),
  openBoundaries: Type.Object({ count: Type.Integer(), nodes: Type.Integer() }),
  landBoundaries: Type.Object({ count: Type.Integer(), islands: Type.Integer(), nodes: Type.Integer() }),
  bounds: Type.Object({ x: Range, y: Range }, { description: "in the mesh's own units (degrees or metres)" }),
  depth: Range,
  edgeLength: Type.Union([Range, Type.Null()], { description: 'metres' }),
  area: Type.Number({ description: 'square metres' }),
});

export const MeshWarning = Type.Object({
  line: Type.Integer(),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  key: Type.Optional(Type.String()),
  message: Type.String(),
  omitted: Type.Optional(Type.Integer()),
});

export const SiteView = Type.Object({
  config: SiteRef,
  mesh: Type.Object({
    stats: MeshStats,
    openBoundaryNodes: Type.Array(Type.Integer(), { description: "node count of each open boundary, in hgrid.gr3's order" }),
    warnings: Type.Array(MeshWarning),
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const CycleStatus = Type.Enum(CYCLE_STATUSES);

/** An alert raised by a cycle (activities/alerts.ts). */
export const AlertSchema = Type.Object({
  kind: Type.Union([Type.Literal('stationLevel'), Type.Literal('waveHeight'), Type.Literal('floodedArea'), Type.Literal('floodedPolygon')]),
  key: Type.Optional(Type.String({ description: "the rule's stable key (kind, station, name): one alert per cycle and key; absent on cycles older than alert notifications" })),
  name: Type.String(),
  stationId: Type.Optional(Type.String()),
  threshold: Type.Number({ description: 'm for a station level or wave height, km² for a flooded area' }),
  value: Type.Number({ description: 'the peak over the forecast, same units' }),
  firstExceededAt: Type.String({ format: 'date-time' }),
  peakAt: Type.String({ format: 'date-time' }),
});

export const SiteListing = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  latestCycle: Type.Union([Type.Object({ cycle: CycleTime, status: CycleStatus }), Type.Null()]),
  latestAlerts: Type.Union([Type.Object({ cycle: CycleTime, alerts: Type.Array(AlertSchema) }), Type.Null()], {
    description: "the newest completed cycle's alerts; null when no cycle completed yet",
  }),
});

const NullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const CycleProgressSchema = Type.Object({
  stage: Type.String(),
  percent: Type.Number({ minimum: 0, maximum: 100, description: 'of the whole cycle' }),
  modelPercent: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], { description: "the model job's progress; null before it starts" }),
  messages: Type.Array(Type.String()),
});

/** A catalog cycle record as the API shows it: the run directory stays a server detail. */
export const CycleView = Type.Object({
  siteId: Type.String(),
  cycle: CycleTime,
  status: CycleStatus,
  degraded: Type.Array(Type.String(), { description: "what fell back (e.g. 'atmosphere'); empty when nothing did" }),
  stage: Type.Union([Type.String(), Type.Null()]),
  progress: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  startedAt: NullableTime,
  finishedAt: NullableTime,
  summary: Type.Unknown(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  live: Type.Union([CycleProgressSchema, Type.Null()], { description: 'progress reported by the running workflow; null when it is not running' }),
});
