/**
 * The HTTP API: sites, cycles and products under /api, the OpenAPI document
 * built from the routes' own schemas, and the web app at / when it is built.
 *
 * Request validation uses ajv set up for the site schema's needs rather than
 * Fastify's defaults: no coercion of bodies (a string is not a number), no
 * removal of unknown properties (an unknown field is an error the user must
 * see, not something silently dropped, and removal inside an `anyOf` branch
 * that failed would strip the fields of the branch that matches), and no
 * defaults (validateSite fills them, once). Path and query parameters are
 * text by nature, so those may be coerced.
 */
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Type } from 'typebox';

import type { Catalog } from '../../activities/catalog.js';
import { localOnly, type ComputeResource } from '../../activities/jobs/resources.js';
import { projectVersion } from '../../core/project.js';
import type { CycleControl } from './cycleControl.js';
import { alertsPlugin } from './alerts.js';
import { cyclesPlugin } from './cycles.js';
import { downloadsPlugin } from './downloads.js';
import { handleError } from './errors.js';
import { meshesPlugin } from './meshes.js';
import { observationsPlugin } from './observations.js';
import { productsPlugin } from './products.js';
import { resourcesPlugin } from './resources.js';
import { schedulesPlugin, type SiteSchedules } from './schedules.js';
import { sharedSchemas, type Api, type TypeBoxProvider } from './schemas.js';
import { sitesPlugin } from './sites.js';

export interface ApiOptions {
  dataDir: string;
  catalog: Catalog;
  cycles: CycleControl;
  /** The installation's compute resources (COASTCAST_RESOURCES), which a saved site's model must run on; by default this machine's processes only. */
  resources?: Record<string, ComputeResource>;
  /** Daily schedules of the sites; without them (API tests with no Temporal) sites have none and the schedule routes are absent. */
  schedules?: SiteSchedules;
  /** The built web app; served at / when the folder exists. */
  webRoot?: string;
  /** A tile layer for the web app's maps; without one they draw the mesh's land boundary as the coastline (works offline). */
  basemap?: Basemap | null;
  /** Largest hgrid.gr3 accepted, bytes (default 200 MB). */
  maxMeshBytes?: number;
  logger?: FastifyServerOptions['logger'];
}

export interface Basemap {
  /** Leaflet tile URL template, e.g. https://tile.example.org/{z}/{x}/{y}.png */
  url: string;
  attribution: string;
  maxZoom: number;
}

export const DEFAULT_MAX_MESH_BYTES = 200 * 1024 * 1024;

// ajv-formats is CommonJS: under NodeNext its plugin is the module's `default` property.
const addFormats = addFormatsModule.default;

function requestAjv(coerceTypes: boolean): Ajv {
  // allErrors reports every bad field at once; the body limit keeps the cost of that bounded.
  const ajv = new Ajv({ allErrors: true, coerceTypes, removeAdditional: false, useDefaults: false, strict: true });
  addFormats(ajv);
  return ajv;
}

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

export function buildApi(options: ApiOptions): Api {
  const { catalog, cycles } = options;
  const resources = options.resources ?? localOnly();
  const dataDir = resolve(options.dataDir);
  const webRoot = options.webRoot !== undefined && existsSync(options.webRoot) ? resolve(options.webRoot) : undefined;
  // Client routes fall back to index.html only when there is one: a missing fallback would send the 404 handler back to itself.
  const spaIndex = webRoot !== undefined && existsSync(join(webRoot, 'index.html'));
  const version = projectVersion();
  // Uploads live only as long as their request: anything found here was left by a process that stopped mid-request.
  const uploadsDir = join(dataDir, 'uploads');
  rmSync(uploadsDir, { recursive: true, force: true });
  mkdirSync(uploadsDir, { recursive: true });

  const app = Fastify({ logger: options.logger ?? false }).withTypeProvider<TypeBoxProvider>();
  for (const schema of sharedSchemas) app.addSchema(schema);

  const bodies = requestAjv(false);
  const parameters = requestAjv(true);
  app.setValidatorCompiler(({ schema, httpPart, contentType }) => {
    // The site form is a stream that withSiteForm reads and checks; its schema is there for the OpenAPI document.
    if (httpPart === 'body' && contentType === 'multipart/form-data') return () => true;
    return (httpPart === 'body' ? bodies : parameters).compile(schema);
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    if (spaIndex && !isApiPath(request.url) && (request.method === 'GET' || request.method === 'HEAD')) {
      // A client-side route of the web app: the app itself decides what to show.
      return reply.header('cache-control', 'no-cache').sendFile('index.html', webRoot);
    }
    return reply.status(404).send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'coastcast', version, description: 'Sites, forecast cycles and their products.' },
      tags: [{ name: 'sites' }, { name: 'cycles' }, { name: 'products' }, { name: 'service' }],
    },
    // Shared schemas appear in components under their $id (Site, Error) instead of def-0, def-1.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  // One registration: it gives replies sendFile (products, meshes) and, with a web root, serves the web app.
  void app.register(fastifyStatic, webRoot === undefined ? { serve: false } : { root: webRoot, prefix: '/', index: 'index.html' });

  void app.register(sitesPlugin, { catalog, resources, uploadsDir, maxMeshBytes: options.maxMeshBytes ?? DEFAULT_MAX_MESH_BYTES, schedules: options.schedules });
  if (options.schedules) void app.register(schedulesPlugin, { catalog, schedules: options.schedules });
  void app.register(meshesPlugin, { uploadsDir, maxMeshBytes: options.maxMeshBytes ?? DEFAULT_MAX_MESH_BYTES });
  void app.register(cyclesPlugin, { catalog, cycles });
  void app.register(alertsPlugin, { catalog });
  void app.register(productsPlugin, { catalog });
  void app.register(downloadsPlugin, { catalog });
  void app.register(observationsPlugin, { catalog });
  void app.register(resourcesPlugin, { resources });

  // Registered as a plugin so that it loads after swagger, whose route hook then sees the health route too.
  void app.register(async (service: Api) => {
    service.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    service.get(
      '/api/config',
      {
        schema: {
          summary: "what the web app needs to know of this installation's settings",
          tags: ['service'],
          response: {
            200: Type.Object({
              version: Type.String(),
              basemap: Type.Union([Type.Object({ url: Type.String(), attribution: Type.String(), maxZoom: Type.Integer() }), Type.Null()], {
                description: 'tile layer under the maps; null: none (offline), the mesh boundary is the coastline',
              }),
            }),
          },
        },
      },
      async () => ({ version, basemap: options.basemap ?? null }),
    );
    service.get(
      '/api/health',
      { schema: { summary: 'the API is up', tags: ['service'], response: { 200: Type.Object({ ok: Type.Literal(true), version: Type.String() }) } } },
      async () => ({ ok: true as const, version }),
    );
  });
  return app;
}
