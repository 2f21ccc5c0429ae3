/**
 * Published products of a cycle (mesh, frames, stations, flood extents,
 * summary.json) and a site's latest completed cycle. Products never change
 * once their cycle completed, so they are cached for a year; before that
 * they are not served at all, so no cache can keep a half-written one.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { join, resolve } from 'node:path';
import { Type } from 'typebox';

import type { Catalog } from '../../activities/catalog.js';
import { cycleView } from './cycles.js';
import { ApiError } from './errors.js';
import { CycleTime, CycleView, SiteIdParams, errorResponses, type TypeBoxProvider } from './schemas.js';

export interface ProductsOptions {
  catalog: Catalog;
}

/** Products and downloads of a completed cycle never change: caches may keep them this long. */
export const ONE_YEAR_MS = 365 * 86_400_000;

/** The run directory of a completed cycle (409 before it completes): what its products and downloads are served from. */
export function completedRun(catalog: Catalog, siteId: string, cycle: string, what: 'products' | 'downloads'): { runDir: string; cycle: string } {
  const record = catalog.getCycle(siteId, cycle);
  if (record.status !== 'completed') throw new ApiError(409, 'cycle-not-completed', `cycle ${record.cycle} of site "${siteId}" is ${record.status}: its ${what} are served once it completes`);
  if (record.runDir === null) throw new ApiError(404, `${what === 'products' ? 'product' : 'download'}-not-found`, `cycle ${record.cycle} of site "${siteId}" has no run directory`);
  // The catalog stores run directories relative to the data directory or absolute.
  return { runDir: resolve(catalog.dataDir, record.runDir), cycle: record.cycle };
}

/** A product path is relative and plain: no empty, `.` or `..` segments, no backslashes or NULs. */
function productPath(raw: string): string {
  const segments = raw.split('/');
  if (raw === '' || /[\\\0]/.test(raw) || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ApiError(400, 'bad-product-path', `"${raw}" is not a product path (relative, "/"-separated, without "." or ".." segments)`);
  }
  return raw;
}

export const productsPlugin: FastifyPluginAsync<ProductsOptions, RawServerDefault, TypeBoxProvider> = async (app, { catalog }) => {
  app.get(
    '/api/sites/:siteId/cycles/:cycle/products/*',
    {
      schema: {
        summary: 'a file of a completed cycle’s products',
        tags: ['products'],
        params: Type.Object({ siteId: SiteIdParams.properties.siteId, cycle: CycleTime, '*': Type.String({ description: 'path under the products folder' }) }),
        response: { 200: { description: 'the product file', content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } } }, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { siteId, cycle } = request.params;
      const path = productPath(request.params['*']);
      const { runDir } = completedRun(catalog, siteId, cycle, 'products');
      return reply.sendFile(path, join(runDir, 'products'), { maxAge: ONE_YEAR_MS, immutable: true, dotfiles: 'deny' });
    },
  );

  app.get(
    '/api/sites/:siteId/latest',
    {
      schema: {
        summary: "the site's latest completed cycle",
        tags: ['products'],
        params: SiteIdParams,
        response: { 200: CycleView, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { siteId } = request.params;
      const record = catalog.latestCycle(siteId, { status: 'completed' });
      if (!record) throw new ApiError(404, 'no-completed-cycle', `site "${siteId}" has no completed cycle yet`);
      return cycleView(record, undefined);
    },
  );
};
