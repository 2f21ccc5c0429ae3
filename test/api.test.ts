import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import { parseResources } from '../activities/jobs/resources.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import type { SiteInput } from '../core/site.js';
import { exampleSite, writeSiteMeshes } from './support/sites.js';
import { buildApi } from '../server/api/app.js';
import { cycleWorkflowId, type CycleControl, type CycleProgress } from '../server/api/cycleControl.js';
import { latestCycleTime } from '../server/api/cycles.js';
import type { Api } from '../server/api/schemas.js';
import { request } from './support/api.js';

/** Cycles kept in memory, keyed by workflow id as the Temporal implementation will be. */
class MemoryCycles implements CycleControl {
  readonly runs = new Map<string, { siteId: string; cycle: string; state: 'running' | 'cancelled'; progress: CycleProgress }>();
  failure: Error | undefined;

  async start(siteId: string, cycle: Date) {
    if (this.failure) throw this.failure;
    const workflowId = cycleWorkflowId(siteId, cycle);
    if (this.runs.get(workflowId)?.state === 'running') return { workflowId, started: false };
    this.runs.set(workflowId, { siteId, cycle: cycle.toISOString(), state: 'running', progress: { stage: 'fetch forcings', percent: 0, modelPercent: null, messages: [] } });
    return { workflowId, started: true };
  }

  async progress(siteId: string, cycle: Date) {
    const run = this.runs.get(cycleWorkflowId(siteId, cycle));
    return run?.state === 'running' ? run.progress : undefined;
  }

  async cancel(siteId: string, cycle: Date) {
    const run = this.runs.get(cycleWorkflowId(siteId, cycle));
    if (run?.state !== 'running') return false;
    run.state = 'cancelled';
    return true;
  }
}

const MAX_MESH_BYTES = 64 * 1024;

let root: string;
let meshes: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-api-'));
  meshes = join(root, 'meshes');
  await mkdir(meshes);
  await writeSiteMeshes(meshes);
  // Metres of ETRS89 / UTM 29N, 200 m apart.
  await writeMesh(join(meshes, 'utm.gr3'), generateRectangleMesh({ nx: 5, ny: 5, dx: 200, origin: { x: 520_000, y: 4_500_000 }, openSides: ['west'] }));
  // Well over MAX_MESH_BYTES.
  await writeMesh(join(meshes, 'huge.gr3'), generateRectangleMesh({ nx: 60, ny: 60, dx: 0.001, origin: { x: -8.8, y: 40.55 }, openSides: ['west'] }));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dataDir: string;
let catalog: Catalog;
let cycles: MemoryCycles;
let app: Api;
let base: string;

async function start(webRoot?: string): Promise<void> {
  app = buildApi({ dataDir, catalog, cycles, webRoot, maxMeshBytes: MAX_MESH_BYTES });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(root, 'data-'));
  catalog = openCatalog(dataDir);
  cycles = new MemoryCycles();
});
afterEach(async () => {
  await app?.close();
  catalog.close();
});

function siteConfig(id = 'ria-aveiro'): SiteInput {
  const site = exampleSite(id);
  return { ...site, schedule: { ...site.schedule, cycleHourUtc: 6 } };
}

/** The site form: config as JSON text and, when named, a mesh file. */
async function siteForm(config: unknown, meshName?: string): Promise<FormData> {
  const form = new FormData();
  form.append('config', typeof config === 'string' ? config : JSON.stringify(config));
  if (meshName) form.append('mesh', new Blob([await readFile(join(meshes, meshName))]), 'hgrid.gr3');
  return form;
}

const send = (method: string, path: string, body?: FormData | object) => request(base, method, path, body);

const createSite = async (config: unknown = siteConfig(), meshName = 'small.gr3') => send('POST', '/api/sites', await siteForm(config, meshName));

/** What a rejected request must leave as it was: site folders, the upload folder, the catalog's sites. */
async function stored(): Promise<{ folders: string[]; uploads: string[]; sites: string[] }> {
  return {
    folders: (await readdir(join(dataDir, 'sites'))).sort(),
    uploads: await readdir(join(dataDir, 'uploads')),
    sites: catalog.listSites().map((s) => s.id),
  };
}

const pointers = (body: { problems: { path: string }[] }) => body.problems.map((p) => p.path);

describe('sites', () => {
  beforeEach(() => start());

  it('creates a site (201) that get and list then show, and serves its mesh back', async () => {
    const created = await createSite();
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/sites/ria-aveiro');
    expect(created.json.config.id).toBe('ria-aveiro');
    expect(created.json.config.model.resource).toBe('local');
    expect(created.json.config.schedule.forecastHours).toBe(72);
    expect(created.json.mesh.stats).toMatchObject({ nodes: 16, triangles: 18, ics: 2 });
    expect(created.json.mesh.openBoundaryNodes).toEqual([4]);
    expect(created.json).not.toHaveProperty('dir');

    const got = await send('GET', '/api/sites/ria-aveiro');
    expect(got.status).toBe(200);
    expect(got.json).toEqual(created.json);
    expect(got.json.config).toEqual(catalog.getSite('ria-aveiro').config);

    const list = await send('GET', '/api/sites');
    expect(list.json).toEqual([{ id: 'ria-aveiro', name: 'Ria de Aveiro', createdAt: created.json.createdAt, updatedAt: created.json.updatedAt, latestCycle: null, latestAlerts: null }]);

    const mesh = await send('GET', '/api/sites/ria-aveiro/mesh');
    expect(mesh.status).toBe(200);
    expect(mesh.text).toBe(await readFile(join(meshes, 'small.gr3'), 'utf8'));
    expect(mesh.headers.get('content-disposition')).toContain('ria-aveiro-hgrid.gr3');
    expect(await stored()).toEqual({ folders: ['ria-aveiro'], uploads: [], sites: ['ria-aveiro'] });
  });

  it('rejects a broken mesh with 400 and its line, storing nothing and leaving no upload behind', async () => {
    const response = await createSite(siteConfig(), 'broken.gr3');
    expect(response.status).toBe(400);
    expect(response.json.error).toBe('site-rejected');
    expect(response.json.problems).toContainEqual(expect.objectContaining({ file: 'hgrid.gr3', line: 19, severity: 'error' }));
    expect(response.json.message).toContain('hgrid.gr3:19:');
    expect(await stored()).toEqual({ folders: [], uploads: [], sites: [] });
  });

  it('rejects an invalid config with 400 naming each field by JSON pointer, without coercing types', async () => {
    const config = siteConfig() as any;
    config.stations[0].lon = 200;
    config.schedule.hourUtc = '4';
    const response = await createSite(config);
    expect(response.status).toBe(400);
    expect(pointers(response.json)).toEqual(expect.arrayContaining(['/stations/0/lon', '/schedule/hourUtc']));
    expect(response.json.message).toContain('/stations/0/lon: must be ≤ 180');
    expect(await stored()).toEqual({ folders: [], uploads: [], sites: [] });
  });

  it('rejects unknown properties instead of dropping them', async () => {
    const config = { ...siteConfig(), colour: 'blue', model: { dt: 60, nspool: 15, turbo: true } };
    const response = await createSite(config);
    expect(response.status).toBe(400);
    expect(pointers(response.json).sort()).toEqual(['/colour', '/model/turbo']);
    expect(await stored()).toEqual({ folders: [], uploads: [], sites: [] });
  });

  it('keeps a union field whole: projected coordinates with their CRS, per-node tide constants', async () => {
    const config: SiteInput = {
      ...siteConfig('sado'),
      coordinates: { ics: 1, crs: 'EPSG:25829' },
      tide: { type: 'harmonic', boundaries: [{ type: 'perNode', constituents: [{ name: 'M2', amplitude: [1, 1.1, 1.2, 1.3, 1.4], phase: [80, 81, 82, 83, 84] }] }] },
    };
    const created = await createSite(config, 'utm.gr3');
    expect(created.status, created.text).toBe(201);
    const got = await send('GET', '/api/sites/sado');
    expect(got.json.config.coordinates).toEqual({ ics: 1, crs: 'EPSG:25829' });
    expect(got.json.config.tide).toEqual(config.tide);
    expect(got.json.mesh.stats.ics).toBe(1);
  });

  it("draws a site's mesh boundaries as GeoJSON in lon/lat, projected meshes converted", async () => {
    await createSite();
    const outline = await send('GET', '/api/sites/ria-aveiro/outline');
    expect(outline.status).toBe(200);
    expect(outline.headers.get('content-type')).toContain('application/geo+json');
    const { features } = JSON.parse(outline.text) as { features: { properties: { kind: string }; geometry: { type: string; coordinates: [number, number][] } }[] };
    expect(features.map((f) => f.properties.kind)).toEqual(['open', 'land']);
    // The west side (lon −8.8) is open; the land boundary runs round the other three sides back to it.
    expect(features[0].geometry.coordinates).toHaveLength(4);
    for (const [lon] of features[0].geometry.coordinates) expect(lon).toBeCloseTo(-8.8, 9);
    const land = features[1].geometry.coordinates;
    // 12 perimeter nodes, of which the open side's 4 less its 2 ends, which both boundaries share.
    expect(land.length).toBe(12 - 4 + 2);
    expect(Math.max(...land.map(([lon]) => lon))).toBeCloseTo(-8.65, 9);

    const utm = siteConfig('sado');
    await createSite({ ...utm, coordinates: { ics: 1, crs: 'EPSG:25829' }, tide: { type: 'harmonic', boundaries: [{ type: 'uniform', constituents: [{ name: 'M2', amplitude: 1, phase: 80 }] }] } }, 'utm.gr3');
    const projected = JSON.parse((await send('GET', '/api/sites/sado/outline')).text) as typeof outline.json;
    // 520 km east of UTM 29N's false origin at 4 500 km north: about 8.76° W, 40.65° N.
    const [lon, lat] = projected.features[0].geometry.coordinates[0];
    expect(lon).toBeGreaterThan(-8.8);
    expect(lon).toBeLessThan(-8.7);
    expect(lat).toBeGreaterThan(40.6);
    expect(lat).toBeLessThan(40.7);
    expect((await send('GET', '/api/sites/nowhere/outline')).status).toBe(404);
  });

  it('answers 404 for unknown sites and routes, as JSON', async () => {
    for (const [method, path] of [
      ['GET', '/api/sites/nowhere'],
      ['GET', '/api/sites/nowhere/mesh'],
      ['DELETE', '/api/sites/nowhere'],
      ['GET', '/api/sites/nowhere/cycles'],
      ['GET', '/api/sites/nowhere/latest'],
    ]) {
      const response = await send(method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.json.error).toBe('site-not-found');
    }
    const put = await send('PUT', '/api/sites/nowhere', await siteForm(siteConfig('nowhere')));
    expect(put.status).toBe(404);
    for (const path of ['/api/nothing-here', '/api', '/elsewhere']) {
      const response = await send('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.json.error).toBe('not-found');
    }
    expect((await send('POST', '/api/nothing-here', {})).status).toBe(404);
  });

  it('refuses a malformed site id in the path with 400 naming the parameter', async () => {
    const response = await send('GET', '/api/sites/Not_A_Slug');
    expect(response.status).toBe(400);
    expect(response.json.problems).toEqual([expect.objectContaining({ in: 'params', path: '/siteId' })]);
  });

  it('answers a duplicate id with 409 and keeps the first site', async () => {
    expect((await createSite()).status).toBe(201);
    const again = await createSite(siteConfig(), 'large.gr3');
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('site-conflict');
    expect(catalog.getSite('ria-aveiro').mesh.stats.nodes).toBe(16);
    expect(await stored()).toEqual({ folders: ['ria-aveiro'], uploads: [], sites: ['ria-aveiro'] });
  });

  it('updates the config alone, then config and mesh together', async () => {
    const created = await createSite();
    const renamed = await send('PUT', '/api/sites/ria-aveiro', await siteForm({ ...siteConfig(), name: 'Aveiro lagoon' }));
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.json.config.name).toBe('Aveiro lagoon');
    expect(renamed.json.mesh).toEqual(created.json.mesh);
    expect(renamed.json.createdAt).toBe(created.json.createdAt);

    const remeshed = await send('PUT', '/api/sites/ria-aveiro', await siteForm(siteConfig(), 'large.gr3'));
    expect(remeshed.status, remeshed.text).toBe(200);
    expect(remeshed.json.mesh.stats.nodes).toBe(30);
    expect((await send('GET', '/api/sites/ria-aveiro/mesh')).text).toBe(await readFile(join(meshes, 'large.gr3'), 'utf8'));
    expect((await send('GET', '/api/sites')).json[0].name).toBe('Ria de Aveiro');
    expect(await stored()).toEqual({ folders: ['ria-aveiro'], uploads: [], sites: ['ria-aveiro'] });
  });

  it('refuses an update that changes the id or brings a broken mesh, leaving the site as it was', async () => {
    const created = await createSite();
    const moved = await send('PUT', '/api/sites/ria-aveiro', await siteForm(siteConfig('ovar')));
    expect(moved.status).toBe(400);
    expect(pointers(moved.json)).toEqual(['/id']);
    const broken = await send('PUT', '/api/sites/ria-aveiro', await siteForm({ ...siteConfig(), name: 'Changed' }, 'broken.gr3'));
    expect(broken.status).toBe(400);
    expect(broken.json.problems).toContainEqual(expect.objectContaining({ file: 'hgrid.gr3', line: 19 }));
    expect((await send('GET', '/api/sites/ria-aveiro')).json).toEqual(created.json);
    expect(await stored()).toEqual({ folders: ['ria-aveiro'], uploads: [], sites: ['ria-aveiro'] });
  });

  it('deletes a site', async () => {
    await createSite();
    const deleted = await send('DELETE', '/api/sites/ria-aveiro');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await send('GET', '/api/sites/ria-aveiro')).status).toBe(404);
    expect(await stored()).toEqual({ folders: [], uploads: [], sites: [] });
  });

  it('answers an oversized mesh with 413 and stores nothing', async () => {
    expect((await stat(join(meshes, 'huge.gr3'))).size).toBeGreaterThan(MAX_MESH_BYTES);
    const response = await createSite(siteConfig(), 'huge.gr3');
    expect(response.status).toBe(413);
    expect(response.json.error).toBe('mesh-too-large');
    expect(response.json.message).toContain(String(MAX_MESH_BYTES));
    expect(await stored()).toEqual({ folders: [], uploads: [], sites: [] });
  });

  it('explains a form that is not one: JSON body (415), missing mesh, config that is not JSON, unknown fields', async () => {
    const json = await send('POST', '/api/sites', { config: siteConfig() });
    expect(json.status).toBe(415);
    expect(json.json.message).toContain('multipart/form-data');

    const noMesh = await send('POST', '/api/sites', await siteForm(siteConfig()));
    expect(noMesh.status).toBe(400);
    expect(noMesh.json.problems).toEqual([{ field: 'mesh', message: 'is required: the hgrid.gr3 file' }]);

    const form = await siteForm('{"id": "ria-aveiro",', 'small.gr3');
    form.append('colour', 'blue');
    const notJson = await send('POST', '/api/sites', form);
    expect(notJson.status).toBe(400);
    expect(notJson.json.problems.map((p: { field: string }) => p.field)).toEqual(['colour', 'config']);
    expect(notJson.json.problems[1].message).toMatch(/^is not JSON/);
    expect(await stored()).toEqual({ folders: [], uploads: [], sites: [] });
  });
});

describe("sites on the installation's compute resources", () => {
  const schism = { command: ['srun', '/opt/schism/bin/pschism'], combineHotstart: '/opt/schism/bin/combine_hotstart7' };
  const withModel = (model: Partial<SiteInput['model']>): SiteInput => ({ ...siteConfig(), model: { ...siteConfig().model, ...model } });
  const KNOWN = '"local", "hpc"';

  beforeEach(async () => {
    const resources = parseResources(JSON.stringify({ hpc: { type: 'slurm', partition: 'normal', schism } }), 'resources.json');
    app = buildApi({ dataDir, catalog, cycles, resources, maxMeshBytes: MAX_MESH_BYTES });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  it('refuses a site on an unknown resource with 400 at /model/resource, naming the known ones, and stores nothing', async () => {
    const response = await createSite(withModel({ resource: 'gpu' }));
    expect(response.status).toBe(400);
    expect(response.json.error).toBe('site-rejected');
    expect(response.json.problems).toEqual([expect.objectContaining({ path: '/model/resource', message: expect.stringContaining(`"gpu" is not a compute resource of this installation, whose resources (COASTCAST_RESOURCES) are ${KNOWN}`) })]);
    expect(await stored()).toEqual({ folders: [], uploads: [], sites: [] });
  });

  it('refuses SCHISM on a resource without a SCHISM installation at /model/engine, and takes it on one that has it', async () => {
    const local = await createSite(withModel({ engine: 'schism' }));
    expect(local.status).toBe(400);
    expect(pointers(local.json)).toEqual(['/model/engine']);
    expect(local.json.problems[0].message).toContain('compute resource "local" has no SCHISM installation (its "schism": command and combineHotstart in COASTCAST_RESOURCES)');

    const hpc = await createSite(withModel({ engine: 'schism', resource: 'hpc' }));
    expect(hpc.status, hpc.text).toBe(201);
    expect(hpc.json.config.model).toMatchObject({ engine: 'schism', resource: 'hpc' });
  });

  it("moves a site to another resource it has, and refuses one it has not, leaving the site as it was", async () => {
    expect((await createSite()).status).toBe(201);
    const moved = await send('PUT', '/api/sites/ria-aveiro', await siteForm(withModel({ resource: 'hpc' })));
    expect(moved.status, moved.text).toBe(200);
    expect(moved.json.config.model.resource).toBe('hpc');

    const lost = await send('PUT', '/api/sites/ria-aveiro', await siteForm(withModel({ resource: 'gpu' })));
    expect(lost.status).toBe(400);
    expect(pointers(lost.json)).toEqual(['/model/resource']);
    expect((await send('GET', '/api/sites/ria-aveiro')).json).toEqual(moved.json);
  });

  it('leaves a site stored on a resource the installation no longer has readable, and checks it when it is saved again', async () => {
    await catalog.createSite(withModel({ resource: 'retired' }), join(meshes, 'small.gr3'));
    expect((await send('GET', '/api/sites/ria-aveiro')).json.config.model.resource).toBe('retired');
    expect((await send('GET', '/api/sites')).json.map((s: { id: string }) => s.id)).toEqual(['ria-aveiro']);

    const unchanged = await send('PUT', '/api/sites/ria-aveiro', await siteForm(withModel({ resource: 'retired', manning: 0.02 })));
    expect(unchanged.status).toBe(400);
    expect(pointers(unchanged.json)).toEqual(['/model/resource']);
    const fixed = await send('PUT', '/api/sites/ria-aveiro', await siteForm(withModel({ resource: 'local' })));
    expect(fixed.status, fixed.text).toBe(200);
    expect(fixed.json.config.model.resource).toBe('local');
  });

  it('reports the same problems when a draft is checked', async () => {
    const check = await send('POST', '/api/sites/check', { config: withModel({ resource: 'gpu' }) });
    expect(check.status).toBe(200);
    expect(pointers(check.json)).toEqual(['/model/resource']);
    expect(check.json.problems[0].message).toContain(KNOWN);
    expect((await send('POST', '/api/sites/check', { config: withModel({ engine: 'schism', resource: 'hpc' }) })).json).toEqual({ problems: [] });
  });
});

describe('cycles', () => {
  beforeEach(async () => {
    await start();
    await catalog.createSite(siteConfig(), join(meshes, 'small.gr3'));
  });

  it('starts a cycle (202), and joins it instead of starting it twice', async () => {
    const cycle = '2026-01-31T06:00:00Z';
    const [first, second] = await Promise.all([send('POST', '/api/sites/ria-aveiro/cycles', { cycle }), send('POST', '/api/sites/ria-aveiro/cycles', { cycle })]);
    expect([first.status, second.status]).toEqual([202, 202]);
    const workflowId = 'forecast:ria-aveiro:2026-01-31T06:00:00.000Z';
    expect([first.json, second.json]).toEqual(
      expect.arrayContaining([
        { workflowId, cycle: '2026-01-31T06:00:00.000Z', started: true },
        { workflowId, cycle: '2026-01-31T06:00:00.000Z', started: false },
      ]),
    );
    expect([...cycles.runs.keys()]).toEqual([workflowId]);
  });

  it("defaults to the site's latest cycle time per its schedule", async () => {
    const before = latestCycleTime(new Date(), 6).toISOString();
    const response = await send('POST', '/api/sites/ria-aveiro/cycles', {});
    const after = latestCycleTime(new Date(), 6).toISOString();
    expect(response.status).toBe(202);
    expect([before, after]).toContain(response.json.cycle);
    expect(new Date(response.json.cycle).getUTCHours()).toBe(6);
    expect(new Date(response.json.cycle).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('picks the latest cycle hour not after now', () => {
    expect(latestCycleTime(new Date('2026-03-01T05:59:59Z'), 6).toISOString()).toBe('2026-02-28T06:00:00.000Z');
    expect(latestCycleTime(new Date('2026-03-01T06:00:00Z'), 6).toISOString()).toBe('2026-03-01T06:00:00.000Z');
    expect(latestCycleTime(new Date('2026-03-01T23:00:00Z'), 0).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('refuses a bad start request with 400 naming the field', async () => {
    const notATime = await send('POST', '/api/sites/ria-aveiro/cycles', { cycle: 'tomorrow morning' });
    expect(notATime.status).toBe(400);
    expect(notATime.json.problems).toEqual([expect.objectContaining({ in: 'body', path: '/cycle' })]);
    const extra = await send('POST', '/api/sites/ria-aveiro/cycles', { cycle: '2026-01-31T06:00:00Z', priority: 'high' });
    expect(extra.status).toBe(400);
    expect(extra.json.problems).toEqual([{ in: 'body', path: '/priority', message: 'is not a known field' }]);
    const unknownSite = await send('POST', '/api/sites/nowhere/cycles', {});
    expect(unknownSite.status).toBe(404);
    expect(cycles.runs.size).toBe(0);
  });

  it('shows recorded cycles, with live progress while one runs', async () => {
    const cycle = '2026-01-31T06:00:00.000Z';
    await send('POST', '/api/sites/ria-aveiro/cycles', { cycle });
    catalog.recordCycle('ria-aveiro', cycle, { status: 'running', stage: 'model', progress: 0.4, runDir: join(dataDir, 'runs', 'r1') });
    catalog.recordCycle('ria-aveiro', '2026-01-30T06:00:00Z', { status: 'completed', degraded: ['atmosphere'] });
    cycles.runs.get(cycleWorkflowId('ria-aveiro', new Date(cycle)))!.progress = { stage: 'model', percent: 40, modelPercent: 37.5, messages: ['t = 28800 s of 72000 s'] };

    const one = await send('GET', `/api/sites/ria-aveiro/cycles/${cycle}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ siteId: 'ria-aveiro', cycle, status: 'running', stage: 'model', progress: 0.4 });
    expect(one.json.live).toEqual({ stage: 'model', percent: 40, modelPercent: 37.5, messages: ['t = 28800 s of 72000 s'] });
    expect(one.json).not.toHaveProperty('runDir');

    const done = await send('GET', '/api/sites/ria-aveiro/cycles/2026-01-30T06:00:00Z');
    expect(done.json).toMatchObject({ status: 'completed', degraded: ['atmosphere'], live: null });

    const list = await send('GET', '/api/sites/ria-aveiro/cycles');
    expect(list.json.map((c: { cycle: string }) => c.cycle)).toEqual([cycle, '2026-01-30T06:00:00.000Z']);
    const limited = await send('GET', '/api/sites/ria-aveiro/cycles?limit=1');
    expect(limited.json).toHaveLength(1);
    const badLimit = await send('GET', '/api/sites/ria-aveiro/cycles?limit=lots');
    expect(badLimit.status).toBe(400);
    expect(badLimit.json.problems).toEqual([expect.objectContaining({ in: 'querystring', path: '/limit' })]);

    expect((await send('GET', '/api/sites')).json[0].latestCycle).toEqual({ cycle, status: 'running' });
    expect((await send('GET', '/api/sites/ria-aveiro/cycles/2026-01-29T06:00:00Z')).json.error).toBe('cycle-not-found');
    expect((await send('GET', '/api/sites/ria-aveiro/cycles/last-tuesday')).status).toBe(400);
    // The catalog refuses to delete a site while one of its cycles runs.
    expect((await send('DELETE', '/api/sites/ria-aveiro')).status).toBe(409);
  });

  it('cancels a running cycle, and says so when there is nothing to cancel', async () => {
    const cycle = '2026-01-31T06:00:00.000Z';
    await send('POST', '/api/sites/ria-aveiro/cycles', { cycle });
    const cancelled = await send('POST', `/api/sites/ria-aveiro/cycles/${cycle}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.json).toEqual({ cycle, cancelling: true });
    expect(cycles.runs.get(cycleWorkflowId('ria-aveiro', new Date(cycle)))!.state).toBe('cancelled');
    const again = await send('POST', `/api/sites/ria-aveiro/cycles/${cycle}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('cycle-not-running');
    expect((await send('POST', `/api/sites/nowhere/cycles/${cycle}/cancel`)).status).toBe(404);
    // A cancelled cycle can be started again.
    expect((await send('POST', '/api/sites/ria-aveiro/cycles', { cycle })).json.started).toBe(true);
  });

  it('answers a failing cycle control with 500 and nothing of the failure', async () => {
    cycles.failure = new Error('connect ECONNREFUSED /secret/temporal.sock');
    const response = await send('POST', '/api/sites/ria-aveiro/cycles', {});
    expect(response.status).toBe(500);
    expect(response.json.error).toBe('internal');
    expect(response.text).not.toContain('secret');
    expect(response.text).not.toContain('at ');
  });
});

describe('products', () => {
  const cycle = '2026-01-31T06:00:00.000Z';
  let runDir: string;

  beforeEach(async () => {
    await start();
    await catalog.createSite(siteConfig(), join(meshes, 'small.gr3'));
    runDir = join(dataDir, 'runs', 'ria-aveiro', cycle.slice(0, 13));
    await mkdir(join(runDir, 'products', 'frames'), { recursive: true });
    await writeFile(join(runDir, 'products', 'summary.json'), JSON.stringify({ stages: ['fetch', 'model'], alerts: [] }));
    await writeFile(join(runDir, 'products', 'frames', 'elevation_000.bin'), Buffer.from(new Float32Array([0.5, -0.25, 1.75]).buffer));
    await writeFile(join(runDir, 'run.json'), '{"secret": "provenance"}');
    catalog.recordCycle('ria-aveiro', cycle, { status: 'running', runDir });
  });

  const product = (path: string) => send('GET', `/api/sites/ria-aveiro/cycles/${cycle}/products/${path}`);

  it('serves nothing before the cycle completes, then every product with an immutable cache header', async () => {
    const early = await product('summary.json');
    expect(early.status).toBe(409);
    expect(early.json.error).toBe('cycle-not-completed');
    expect(early.headers.get('cache-control')).toBeNull();
    expect((await send('GET', '/api/sites/ria-aveiro/latest')).status).toBe(404);

    catalog.updateCycle('ria-aveiro', cycle, { status: 'completed', finishedAt: new Date() });
    const summary = await product('summary.json');
    expect(summary.status).toBe(200);
    expect(summary.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(summary.json).toEqual({ stages: ['fetch', 'model'], alerts: [] });

    const response = await fetch(`${base}/api/sites/ria-aveiro/cycles/${cycle}/products/frames/elevation_000.bin`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect([...new Float32Array(await response.arrayBuffer())]).toEqual([0.5, -0.25, 1.75]);

    expect((await product('frames/elevation_999.bin')).status).toBe(404);

    const latest = await send('GET', '/api/sites/ria-aveiro/latest');
    expect(latest.status).toBe(200);
    expect(latest.json).toMatchObject({ siteId: 'ria-aveiro', cycle, status: 'completed', live: null });
  });

  it('refuses paths that leave the products folder', async () => {
    catalog.updateCycle('ria-aveiro', cycle, { status: 'completed' });
    for (const path of ['..%2Frun.json', '..%2F..%2F..%2F..%2Fcatalog.sqlite', 'frames%2F..%2F..%2Frun.json', '%2E%2E%2Frun.json', 'frames/..%2F..%2Frun.json', '..%5Crun.json']) {
      const response = await product(path);
      expect(response.status, path).toBe(400);
      expect(response.json.error, path).toBe('bad-product-path');
      expect(response.text).not.toContain('provenance');
    }
  });
});

describe('service', () => {
  it('reports its health and version', async () => {
    await start();
    const response = await send('GET', '/api/health');
    expect(response.status).toBe(200);
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(response.json).toEqual({ ok: true, version });
  });

  it('tells the web app its basemap: none by default (offline), the configured tile layer otherwise', async () => {
    await start();
    expect((await send('GET', '/api/config')).json).toEqual({ version: expect.any(String), basemap: null });
    await app.close();
    const basemap = { url: 'http://127.0.0.1:9/tiles/{z}/{x}/{y}.png', attribution: 'local tiles', maxZoom: 17 };
    app = buildApi({ dataDir, catalog, cycles, basemap });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    expect((await send('GET', '/api/config')).json.basemap).toEqual(basemap);
  });

  it('lists the compute resources by name, type and whether they install SCHISM, and nothing of how they run', async () => {
    await start();
    expect((await send('GET', '/api/resources')).json).toEqual([{ name: 'local', type: 'local', schism: false }]);
    await app.close();
    const resources = parseResources(
      JSON.stringify({
        hpc: {
          type: 'slurm',
          partition: 'normal',
          setup: ['module load schism/master'],
          environment: { OMP_NUM_THREADS: '2' },
          schism: { command: ['srun', '/opt/schism/bin/pschism'], combineHotstart: '/opt/schism/bin/combine_hotstart7' },
        },
        box: { type: 'container', engine: 'apptainer', image: '/shared/images/coastcast.sif' },
      }),
      'resources.json',
    );
    app = buildApi({ dataDir, catalog, cycles, resources });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await send('GET', '/api/resources');
    expect(response.status).toBe(200);
    expect(response.json).toEqual([
      { name: 'local', type: 'local', schism: false },
      { name: 'hpc', type: 'slurm', schism: true },
      { name: 'box', type: 'container', schism: false },
    ]);
    for (const secret of ['normal', 'module load', 'OMP_NUM_THREADS', 'srun', '/opt/schism', 'apptainer', '/shared']) expect(response.text).not.toContain(secret);

    const doc = (await send('GET', '/api/openapi.json')).json;
    const listed = doc.paths['/api/resources'].get.responses['200'].content['application/json'].schema;
    expect(listed.type).toBe('array');
    expect(Object.keys(listed.items.properties)).toEqual(['name', 'type', 'schism']);
    expect(listed.items.required).toEqual(['name', 'type', 'schism']);
  });

  it('publishes an OpenAPI 3 document with every route and the site schema as a component', async () => {
    await start();
    const response = await send('GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    const doc = response.json;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/config',
      '/api/health',
      '/api/meshes/check',
      '/api/resources',
      '/api/sites',
      '/api/sites/check',
      '/api/sites/{siteId}',
      '/api/sites/{siteId}/alerts',
      '/api/sites/{siteId}/cycles',
      '/api/sites/{siteId}/cycles/{cycle}',
      '/api/sites/{siteId}/cycles/{cycle}/cancel',
      '/api/sites/{siteId}/cycles/{cycle}/downloads',
      '/api/sites/{siteId}/cycles/{cycle}/downloads/{name}',
      '/api/sites/{siteId}/cycles/{cycle}/products/{*}',
      '/api/sites/{siteId}/cycles/{cycle}/skill',
      '/api/sites/{siteId}/latest',
      '/api/sites/{siteId}/mesh',
      '/api/sites/{siteId}/outline',
      '/api/sites/{siteId}/stations/{stationId}/observations',
    ]);
    const site = doc.components.schemas.Site;
    expect(site.properties.coordinates.anyOf).toHaveLength(2);
    expect(site.required).toEqual(expect.arrayContaining(['id', 'coordinates', 'tide', 'model', 'schedule']));
    const get = doc.paths['/api/sites/{siteId}'].get;
    expect(get.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'siteId', required: true })]);
    expect(get.responses['200'].content['application/json'].schema.properties.config.$ref).toBe('#/components/schemas/Site');
    expect(get.responses['404'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    const post = doc.paths['/api/sites'].post;
    expect(Object.keys(post.requestBody.content)).toEqual(['multipart/form-data']);
    expect(post.requestBody.content['multipart/form-data'].schema.required).toEqual(['config', 'mesh']);
    expect(Object.keys(post.responses).sort()).toEqual(['201', '400', '409', '413', '415']);
    const start_ = doc.paths['/api/sites/{siteId}/cycles'].post;
    expect(start_.requestBody.content['application/json'].schema.properties.cycle.format).toBe('date-time');
    // Every $ref points at something in the document.
    const refs = [...response.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(doc.components.schemas, ref).toHaveProperty(ref);
  });

  it('serves the web app at /, with index.html for client routes, and keeps /api 404s as JSON', async () => {
    const webRoot = join(root, `web-${Date.now()}`);
    await mkdir(join(webRoot, 'assets'), { recursive: true });
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>coastcast</title>');
    await writeFile(join(webRoot, 'assets', 'app.js'), 'console.log("map")');
    await start(webRoot);
    const index = await send('GET', '/');
    expect(index.status).toBe(200);
    expect(index.text).toContain('<title>coastcast</title>');
    const script = await send('GET', '/assets/app.js');
    expect(script.status).toBe(200);
    expect(script.text).toBe('console.log("map")');
    const clientRoute = await send('GET', '/sites/ria-aveiro');
    expect(clientRoute.status).toBe(200);
    expect(clientRoute.text).toContain('<title>coastcast</title>');
    const api = await send('GET', '/api/nothing-here');
    expect(api.status).toBe(404);
    expect(api.json.error).toBe('not-found');
    expect((await send('GET', '/api/health')).json.ok).toBe(true);
  });
});
