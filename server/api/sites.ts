/**
 * Sites: list, read, create, replace, delete, check a draft config, and
 * download a site's mesh.
 * A site is created or replaced with one multipart form (site config and
 * hgrid.gr3 together), because the catalog checks them against each other
 * and stores both or neither.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from 'typebox';

import { join } from 'node:path';

import type { Catalog, SiteRecord } from '../../activities/catalog.js';
import { siteResourceProblems, type ComputeResource } from '../../activities/jobs/resources.js';
import { meshCrs } from '../../core/crs.js';
import { loadMesh } from '../../core/mesh/gr3.js';
import { meshOutline, type OutlineFeatureCollection } from '../../core/mesh/outline.js';
import { meshFitProblems, validateSite } from '../../core/site.js';
import { MeshFacts } from './meshes.js';
import type { SiteSchedules } from './schedules.js';
import { SiteIdParams, SiteListing, SiteView, errorResponses, type TypeBoxProvider } from './schemas.js';
import { meshFormLimits, withSiteForm } from './siteForm.js';

export interface SitesOptions {
  catalog: Catalog;
  /** The installation's compute resources: a site is saved only if its model can run on one of them. */
  resources: Record<string, ComputeResource>;
  /** Where uploaded meshes wait while the catalog checks them. */
  uploadsDir: string;
  maxMeshBytes: number;
  /** Each site's daily schedule follows its config: made, updated and removed with the site. */
  schedules?: SiteSchedules;
}

/** For the OpenAPI document only: the form is read as a stream by withSiteForm, which checks it (see app.ts). */
function siteForm(meshRequired: boolean) {
  const schema = Type.Object(
    {
      config: Type.String({ contentMediaType: 'application/json', description: 'the site config as JSON text (schema: components/schemas/Site)' }),
      mesh: Type.String({ format: 'binary', description: `hgrid.gr3${meshRequired ? '' : '; leave it out to keep the stored mesh'}` }),
    },
    { required: meshRequired ? ['config', 'mesh'] : ['config'] },
  );
  return { content: { 'multipart/form-data': { schema } } };
}

/** What the API shows of a stored site; the folder it lives in stays a server detail. */
export function siteView({ config, mesh, createdAt, updatedAt }: SiteRecord) {
  return { config, mesh, createdAt, updatedAt };
}

export const sitesPlugin: FastifyPluginAsync<SitesOptions, RawServerDefault, TypeBoxProvider> = async (app, { catalog, resources, uploadsDir, maxMeshBytes, schedules }) => {
  await app.register(multipart, { limits: meshFormLimits(maxMeshBytes) });
  const form = { uploadsDir, maxMeshBytes };

  app.get(
    '/api/sites',
    { schema: { summary: 'every site, with its latest cycle', tags: ['sites'], response: { 200: Type.Array(SiteListing) } } },
    async () => catalog.listSites(),
  );

  app.get(
    '/api/sites/:siteId',
    { schema: { summary: "a site's config and the facts about its mesh", tags: ['sites'], params: SiteIdParams, response: { 200: SiteView, ...errorResponses(400, 404) } } },
    async (request) => siteView(catalog.getSite(request.params.siteId)),
  );

  app.post(
    '/api/sites',
    {
      schema: {
        summary: 'create a site from its config and mesh; on any problem nothing is stored',
        tags: ['sites'],
        body: siteForm(true),
        response: { 201: SiteView, ...errorResponses(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const record = await withSiteForm(request, { ...form, meshRequired: true }, ({ config, meshFile }) => catalog.createSite(config, meshFile as string, resources));
      await schedules?.sync(record.config);
      return reply.status(201).header('location', `/api/sites/${record.config.id}`).send(siteView(record));
    },
  );

  app.post(
    '/api/sites/check',
    {
      schema: {
        summary: "check a draft site config without storing anything: its fields, whether its id is taken, and, given a checked mesh's facts, its fit with that mesh",
        description: 'Every problem names its field by JSON pointer; an empty list means POST /api/sites would accept the config with that mesh.',
        tags: ['sites'],
        body: Type.Object(
          {
            config: Type.Unknown({ description: 'the draft site config (schema: components/schemas/Site)' }),
            mesh: Type.Optional(MeshFacts),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ problems: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })) }), ...errorResponses(400) },
      },
    },
    async (request) => {
      const { config, mesh } = request.body;
      const { site, problems } = validateSite(config);
      const id = (config as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && catalog.hasSite(id)) problems.push({ path: '/id', message: `a site "${id}" already exists` });
      if (site) problems.push(...siteResourceProblems(site.model, resources));
      if (site && mesh) problems.push(...meshFitProblems(site, mesh));
      return { problems };
    },
  );

  app.put(
    '/api/sites/:siteId',
    {
      schema: {
        summary: "replace a site's config, and its mesh when one is sent; on any problem the site stays as it was",
        tags: ['sites'],
        params: SiteIdParams,
        body: siteForm(false),
        response: { 200: SiteView, ...errorResponses(400, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      const record = await withSiteForm(request, { ...form, meshRequired: false }, ({ config, meshFile }) => catalog.updateSite(request.params.siteId, config, meshFile, resources));
      await schedules?.sync(record.config);
      return siteView(record);
    },
  );

  app.delete(
    '/api/sites/:siteId',
    {
      schema: {
        summary: 'delete a site with its cycles and their run directories (refused while a cycle runs)',
        tags: ['sites'],
        params: SiteIdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      await catalog.deleteSite(request.params.siteId);
      await schedules?.remove(request.params.siteId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/sites/:siteId/mesh',
    {
      schema: {
        summary: "the site's hgrid.gr3",
        tags: ['sites'],
        params: SiteIdParams,
        response: { 200: { description: 'hgrid.gr3', content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } } }, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { siteId } = request.params;
      // Throws the catalog's 404 for an unknown site before any file is looked for.
      const { dir } = catalog.getSite(siteId);
      // An update may replace the mesh, so a cached copy must be revalidated (the ETag makes that cheap).
      return reply
        .header('cache-control', 'no-cache')
        .header('content-disposition', `attachment; filename="${siteId}-hgrid.gr3"`)
        .sendFile('hgrid.gr3', dir, { cacheControl: false });
    },
  );

  // Outlines are read from the stored mesh once per site version: the overview asks for every site's at each visit.
  const outlines = new Map<string, { updatedAt: string; outline: Promise<OutlineFeatureCollection> }>();
  app.get(
    '/api/sites/:siteId/outline',
    {
      schema: {
        summary: "the mesh's open boundaries, land boundaries and islands as GeoJSON LineStrings (WGS84)",
        tags: ['sites'],
        params: SiteIdParams,
        response: { 200: { description: 'a GeoJSON FeatureCollection; each feature has properties.kind: open, land or island', content: { 'application/geo+json': { schema: Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Unknown()) }) } } }, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { config, dir, updatedAt } = catalog.getSite(request.params.siteId);
      let cached = outlines.get(config.id);
      if (cached?.updatedAt !== updatedAt) {
        const outline = loadMesh(join(dir, 'hgrid.gr3'), { ics: config.coordinates.ics }).then((mesh) => meshOutline(mesh, meshCrs(config.coordinates)));
        cached = { updatedAt, outline };
        outlines.set(config.id, cached);
        outline.catch(() => outlines.delete(config.id));
      }
      return reply.header('cache-control', 'no-cache').type('application/geo+json').send(await cached.outline);
    },
  );
};

