/**
 * Sites: list, read, create, replace, delete, and download a site's mesh.
 * A site is created or replaced with one multipart form (site config and
 * hgrid.gr3 together), because the catalog checks them against each other
 * and stores both or neither.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from 'typebox';

import type { Catalog, SiteRecord } from '../../activities/catalog.js';
import { SiteIdParams, SiteListing, SiteView, errorResponses, type TypeBoxProvider } from './schemas.js';
import { withSiteForm } from './siteForm.js';

export interface SitesOptions {
  catalog: Catalog;
  /** Where uploaded meshes wait while the catalog checks them. */
  uploadsDir: string;
  maxMeshBytes: number;
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
function siteView({ config, mesh, createdAt, updatedAt }: SiteRecord) {
  return { config, mesh, createdAt, updatedAt };
}

export const sitesPlugin: FastifyPluginAsync<SitesOptions, RawServerDefault, TypeBoxProvider> = async (app, { catalog, uploadsDir, maxMeshBytes }) => {
  await app.register(multipart, {
    // The form has one file and one JSON field; a config with per-node tidal constants can pass the 1 MB default.
    limits: { fileSize: maxMeshBytes, files: 1, fields: 4, parts: 6, fieldSize: 16 * 1024 * 1024 },
  });
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
      const record = await withSiteForm(request, { ...form, meshRequired: true }, ({ config, meshFile }) => catalog.createSite(config, meshFile as string));
      return reply.status(201).header('location', `/api/sites/${record.config.id}`).send(siteView(record));
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
      const record = await withSiteForm(request, { ...form, meshRequired: false }, ({ config, meshFile }) => catalog.updateSite(request.params.siteId, config, meshFile));
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
};
