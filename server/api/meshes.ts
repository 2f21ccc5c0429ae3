/**
 * Meshes on their own: POST /api/meshes/check reads and validates an
 * hgrid.gr3 with the catalog's own code and answers what the site wizard
 * shows before anything is saved: statistics, every problem by line, the
 * facts a site config must agree with, and the mesh in WGS84 to draw. The
 * upload is removed when the request ends; nothing is stored.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Ajv } from 'ajv';
import { Type, type Static } from 'typebox';

import { meshCrs, meshToLonLat, type MeshCoordinates } from '../../core/crs.js';
import { ICS_RULE, detectIcs, type Ics } from '../../core/geodesy.js';
import { readMesh } from '../../core/mesh/gr3.js';
import { hasErrors, type Mesh } from '../../core/mesh/mesh.js';
import { meshBoundaries } from '../../core/mesh/outline.js';
import { meshStats } from '../../core/mesh/stats.js';
import { SiteSchema } from '../../core/site.js';
import { ApiError } from './errors.js';
import { MeshStats, MeshWarning, errorResponses, type TypeBoxProvider } from './schemas.js';
import { meshFormLimits, withMeshCheckForm } from './siteForm.js';

export interface MeshesOptions {
  /** Where uploaded meshes wait while they are checked. */
  uploadsDir: string;
  maxMeshBytes: number;
}

/** Above this many triangles the preview carries the boundaries only, so that the reply stays a size a browser takes in at once. */
export const PREVIEW_MAX_TRIANGLES = 300_000;

const Range = Type.Object({ min: Type.Number(), max: Type.Number() }, { additionalProperties: false });

/** What meshFitProblems (core/site.ts) checks a site config against. */
export const MeshFacts = Type.Object(
  {
    ics: Type.Union([Type.Literal(1), Type.Literal(2)]),
    openBoundaryNodes: Type.Array(Type.Integer({ minimum: 0 }), { description: "node count of each open boundary, in hgrid.gr3's order" }),
    bounds: Type.Object({ x: Range, y: Range }, { additionalProperties: false, description: "in the mesh's own units (degrees or metres)" }),
  },
  { additionalProperties: false, description: 'what a site config must agree with: open boundaries for the tide, bounds for the stations' },
);
export type MeshFacts = Static<typeof MeshFacts>;

const MeshPreview = Type.Object(
  {
    lon: Type.Array(Type.Number(), { description: 'WGS84 degrees, rounded to 1e-7' }),
    lat: Type.Array(Type.Number(), { description: 'WGS84 degrees, rounded to 1e-7' }),
    triangles: Type.Array(Type.Integer(), {
      description: `three 0-based indices into lon/lat per triangle; empty above ${PREVIEW_MAX_TRIANGLES} triangles, and lon/lat then hold only the boundary nodes`,
    }),
    boundaries: Type.Array(
      Type.Object({
        kind: Type.Union([Type.Literal('open'), Type.Literal('land'), Type.Literal('island')]),
        nodes: Type.Array(Type.Integer(), { description: "indices into lon/lat in hgrid.gr3's order; an island's chain is closed" }),
      }),
    ),
  },
  { description: 'the mesh to draw, in WGS84' },
);

const MeshCheck = Type.Object({
  ok: Type.Boolean({ description: 'no problem is an error: the mesh can be saved with a site' }),
  stats: Type.Union([MeshStats, Type.Null()], { description: 'null when the mesh cannot be read' }),
  problems: Type.Array(MeshWarning, { description: 'every problem, errors and warnings, by line of hgrid.gr3' }),
  facts: Type.Union([MeshFacts, Type.Null()], { description: 'null when the mesh cannot be read' }),
  preview: Type.Union([MeshPreview, Type.Null()], { description: 'null when the mesh cannot be read, or is in metres and no CRS was given' }),
});
type MeshCheck = Static<typeof MeshCheck>;

/** For the OpenAPI document only: the form is read as a stream by withMeshCheckForm, which checks it (see app.ts). */
const meshCheckForm = {
  content: {
    'multipart/form-data': {
      schema: Type.Object(
        {
          coordinates: Type.String({
            contentMediaType: 'application/json',
            description: 'JSON text: {"ics":2} (lon/lat) or {"ics":1,"crs":"EPSG:…"} (metres); leave it out to detect lon/lat or metres from the coordinates',
          }),
          mesh: Type.String({ format: 'binary', description: 'hgrid.gr3' }),
        },
        { required: ['mesh'] },
      ),
    },
  },
};

const checkCoordinates = new Ajv({ allErrors: true, strict: true }).compile<MeshCoordinates>(SiteSchema.properties.coordinates);

function coordinatesProblem(message: string): ApiError {
  return new ApiError(400, 'bad-mesh-form', `coordinates: ${message}`, [{ field: 'coordinates', message }]);
}

function parseCoordinates(value: unknown): MeshCoordinates | undefined {
  if (value === undefined) return undefined;
  if (!checkCoordinates(value)) throw coordinatesProblem(`must be {"ics":2} or {"ics":1,"crs":"EPSG:<code>"} (a proj string also does), got ${JSON.stringify(value)}`);
  return value;
}

const round = (degrees: number) => Math.round(degrees * 1e7) / 1e7;

/** The mesh in WGS84; throws a coordinates problem when its coordinates do not fit what the user said they are. */
function preview(mesh: Mesh, ics: Ics, coordinates: MeshCoordinates | undefined): Static<typeof MeshPreview> | null {
  if (ics === 2 && detectIcs(mesh.x, mesh.y) === 1) {
    throw coordinatesProblem(`the mesh is not in longitude/latitude (${ICS_RULE}): is it in metres of a projected CRS?`);
  }
  if (ics === 1 && coordinates?.ics !== 1) return null;
  let lonLat: { lon: Float64Array; lat: Float64Array };
  try {
    lonLat = meshToLonLat(meshCrs(coordinates ?? { ics: 2 }), mesh.x, mesh.y);
  } catch (error) {
    throw coordinatesProblem((error as Error).message);
  }
  const np = mesh.x.length;
  // A mesh with errors may list boundary nodes that do not exist (reported by line); the preview draws the ones that do.
  const boundaries = meshBoundaries(mesh).map(({ kind, nodes }) => ({ kind, nodes: nodes.filter((n) => n >= 0 && n < np) }));
  if (mesh.triangles.length / 3 <= PREVIEW_MAX_TRIANGLES) {
    return { lon: Array.from(lonLat.lon, round), lat: Array.from(lonLat.lat, round), triangles: Array.from(mesh.triangles), boundaries };
  }
  const index = new Map<number, number>();
  const kept = boundaries.map(({ kind, nodes }) => ({
    kind,
    nodes: nodes.map((n) => {
      let i = index.get(n);
      if (i === undefined) index.set(n, (i = index.size));
      return i;
    }),
  }));
  const nodes = [...index.keys()];
  return { lon: nodes.map((n) => round(lonLat.lon[n])), lat: nodes.map((n) => round(lonLat.lat[n])), triangles: [], boundaries: kept };
}

async function checkMesh(meshFile: string, coordinates: MeshCoordinates | undefined): Promise<MeshCheck> {
  const reading = await readMesh(meshFile, { ics: coordinates?.ics });
  const ok = reading.mesh !== null && !hasErrors(reading.problems);
  if (!reading.mesh) return { ok, stats: null, problems: reading.problems, facts: null, preview: null };
  const stats = meshStats(reading.mesh, coordinates?.ics);
  return {
    ok,
    stats,
    problems: reading.problems,
    facts: { ics: stats.ics, openBoundaryNodes: reading.mesh.openBoundaries.map((b) => b.nodes.length), bounds: stats.bounds },
    preview: preview(reading.mesh, stats.ics, coordinates),
  };
}

export const meshesPlugin: FastifyPluginAsync<MeshesOptions, RawServerDefault, TypeBoxProvider> = async (app, { uploadsDir, maxMeshBytes }) => {
  await app.register(multipart, { limits: meshFormLimits(maxMeshBytes) });

  app.post(
    '/api/meshes/check',
    {
      schema: {
        summary: 'read and check an hgrid.gr3 without storing it: statistics, problems by line, the facts a site config must fit, and the mesh in WGS84 to draw',
        description: 'A mesh that cannot be read is answered with 200, ok false and the problem that stopped the read; stats, facts and preview are then null.',
        tags: ['sites'],
        body: meshCheckForm,
        response: { 200: MeshCheck, ...errorResponses(400, 413, 415) },
      },
    },
    async (request) => withMeshCheckForm(request, { uploadsDir, maxMeshBytes }, ({ coordinates, meshFile }) => checkMesh(meshFile, parseCoordinates(coordinates))),
  );
};
