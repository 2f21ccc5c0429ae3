/**
 * The checks the site wizard runs before anything is saved: POST
 * /api/meshes/check (an hgrid.gr3 on its own) and POST /api/sites/check (a
 * draft config, and its fit with a checked mesh). Neither may store anything.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import { meshCrs } from '../core/crs.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import type { Mesh } from '../core/mesh/mesh.js';
import { buildApi } from '../server/api/app.js';
import type { Api } from '../server/api/schemas.js';
import { generateDemoMesh } from '../server/demo/mesh.js';
import { demoSiteConfig } from '../server/demo/site.js';
import { noCycles } from './support/api.js';

const MAX_MESH_BYTES = 1024 * 1024;

let root: string;
let meshes: string;
let demoMesh: Mesh;
/** PT-TM06/ETRS89 metres near Aveiro, 200 m apart. */
let projectedMesh: Mesh;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-api-checks-'));
  meshes = join(root, 'meshes');
  await mkdir(meshes);
  demoMesh = generateDemoMesh();
  await writeMesh(join(meshes, 'demo.gr3'), demoMesh);
  projectedMesh = generateRectangleMesh({ nx: 5, ny: 4, dx: 200, origin: { x: -30_000, y: 105_000 }, openSides: ['west'] });
  await writeMesh(join(meshes, 'pt-tm06.gr3'), projectedMesh);
  const small = generateRectangleMesh({ nx: 4, ny: 4, dx: 0.05, origin: { x: -8.8, y: 40.55 }, openSides: ['west'] });
  await writeMesh(join(meshes, 'small.gr3'), small);
  const lines = (await readFile(join(meshes, 'small.gr3'), 'utf8')).split('\n');
  // Line 19 is the first element: its last node does not exist.
  await writeFile(join(meshes, 'broken.gr3'), [...lines.slice(0, 18), '1 3 1 2 99', ...lines.slice(19)].join('\n'));
  // Line 5 is the third node: its depth is not a number, which stops the read.
  await writeFile(join(meshes, 'unreadable.gr3'), [...lines.slice(0, 4), '3 -8.70 40.55 deep', ...lines.slice(5)].join('\n'));
  // Well over MAX_MESH_BYTES.
  await writeMesh(join(meshes, 'huge.gr3'), generateRectangleMesh({ nx: 150, ny: 150, dx: 0.001, origin: { x: -8.8, y: 40.55 }, openSides: ['west'] }));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dataDir: string;
let catalog: Catalog;
let app: Api;
let base: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(root, 'data-'));
  catalog = openCatalog(dataDir);
  app = buildApi({ dataDir, catalog, cycles: noCycles, maxMeshBytes: MAX_MESH_BYTES });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  // Whatever a check was asked, it leaves no upload and no site behind.
  expect(await readdir(join(dataDir, 'uploads'))).toEqual([]);
  expect(await readdir(join(dataDir, 'sites'))).toEqual(catalog.listSites().map((s) => s.id));
  await app.close();
  catalog.close();
});

async function post(path: string, body: FormData | object): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method: 'POST' };
  if (body instanceof FormData) init.body = body;
  else {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(base + path, init);
  return { status: response.status, json: await response.json() };
}

async function checkMesh(meshName: string, coordinates?: unknown) {
  const form = new FormData();
  if (coordinates !== undefined) form.append('coordinates', JSON.stringify(coordinates));
  form.append('mesh', new Blob([await readFile(join(meshes, meshName))]), 'hgrid.gr3');
  return post('/api/meshes/check', form);
}

describe('POST /api/meshes/check', () => {
  it('reads the demo mesh: ok, its counts, facts for the site check, and a preview in lon/lat', async () => {
    const { status, json } = await checkMesh('demo.gr3', { ics: 2 });
    expect(status).toBe(200);
    expect(json.ok).toBe(true);
    const triangles = demoMesh.triangles.length / 3;
    expect(json.stats).toMatchObject({ ics: 2, icsDetected: false, nodes: demoMesh.x.length, triangles, openBoundaries: { count: 1 } });
    expect(json.stats.area).toBeGreaterThan(0);
    expect(json.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
    expect(json.facts).toEqual({ ics: 2, openBoundaryNodes: [demoMesh.openBoundaries[0].nodes.length], bounds: json.stats.bounds });

    const { preview } = json;
    expect(preview.lon).toHaveLength(demoMesh.x.length);
    expect(preview.triangles).toEqual(Array.from(demoMesh.triangles));
    for (const n of [0, 1234, demoMesh.x.length - 1]) {
      expect(preview.lon[n]).toBeCloseTo(demoMesh.x[n], 6);
      expect(preview.lat[n]).toBeCloseTo(demoMesh.y[n], 6);
    }
    expect(preview.boundaries.map((b: { kind: string }) => b.kind)).toEqual(['open', 'land']);
    expect(preview.boundaries[0].nodes).toEqual(Array.from(demoMesh.openBoundaries[0].nodes));
  });

  it('detects lon/lat when no coordinates are given, as the catalog does', async () => {
    const { json } = await checkMesh('small.gr3');
    expect(json.stats).toMatchObject({ ics: 2, icsDetected: true, nodes: 16, triangles: 18 });
    expect(json.preview.lon[0]).toBeCloseTo(-8.8, 9);
  });

  it('names the line of a broken element, and still shows what could be read', async () => {
    const { status, json } = await checkMesh('broken.gr3', { ics: 2 });
    expect(status).toBe(200);
    expect(json.ok).toBe(false);
    expect(json.problems).toContainEqual(expect.objectContaining({ line: 19, severity: 'error', message: expect.stringContaining('node 99') }));
    // The broken element is left out; the other 17 are drawn.
    expect(json.stats.triangles).toBe(17);
    expect(json.preview.triangles).toHaveLength(17 * 3);
  });

  it('answers a mesh that cannot be read with the line that stopped it, and nulls', async () => {
    const { status, json } = await checkMesh('unreadable.gr3', { ics: 2 });
    expect(status).toBe(200);
    expect(json).toEqual({ ok: false, stats: null, problems: [expect.objectContaining({ line: 5, severity: 'error' })], facts: null, preview: null });
  });

  it('previews a projected mesh (ics 1, EPSG:3763) in lon/lat, while stats and facts stay in metres', async () => {
    const { status, json } = await checkMesh('pt-tm06.gr3', { ics: 1, crs: 'EPSG:3763' });
    expect(status).toBe(200);
    expect(json.ok).toBe(true);
    expect(json.stats).toMatchObject({ ics: 1, nodes: 20, triangles: 24 });
    expect(json.facts.bounds.x).toEqual({ min: -30_000, max: -29_200 });
    const crs = meshCrs({ ics: 1, crs: 'EPSG:3763' });
    for (let n = 0; n < 20; n++) {
      const [lon, lat] = crs.toLonLat(projectedMesh.x[n], projectedMesh.y[n]);
      expect(json.preview.lon[n]).toBeCloseTo(lon, 6);
      expect(json.preview.lat[n]).toBeCloseTo(lat, 6);
    }
    // PT-TM06's origin is at 8.13° W, 39.67° N: 30 km west and 105 km north is near Aveiro.
    expect(json.preview.lon[0]).toBeGreaterThan(-8.6);
    expect(json.preview.lon[0]).toBeLessThan(-8.4);
    expect(json.preview.lat[0]).toBeGreaterThan(40.5);
    expect(json.preview.lat[0]).toBeLessThan(40.7);
  });

  it('has no preview for a mesh in metres when no CRS is given', async () => {
    const { json } = await checkMesh('pt-tm06.gr3');
    expect(json.stats).toMatchObject({ ics: 1, icsDetected: true });
    expect(json.ok).toBe(true);
    expect(json.preview).toBeNull();
  });

  it('refuses coordinates that do not fit the mesh or cannot be used, naming the field', async () => {
    const lonLat = await checkMesh('pt-tm06.gr3', { ics: 2 });
    expect(lonLat.status).toBe(400);
    expect(lonLat.json.problems).toEqual([{ field: 'coordinates', message: expect.stringContaining('not in longitude/latitude') }]);
    const unknownCode = await checkMesh('pt-tm06.gr3', { ics: 1, crs: 'EPSG:9999' });
    expect(unknownCode.status).toBe(400);
    expect(unknownCode.json.problems).toEqual([{ field: 'coordinates', message: expect.stringContaining('EPSG:9999') }]);
    const badShape = await checkMesh('pt-tm06.gr3', { ics: 1 });
    expect(badShape.status).toBe(400);
    expect(badShape.json.problems[0].field).toBe('coordinates');
  });

  it('explains a request that is not the form: JSON body (415), no mesh, an unknown field', async () => {
    const json = await post('/api/meshes/check', { coordinates: { ics: 2 } });
    expect(json.status).toBe(415);
    expect(json.json.message).toContain('multipart/form-data');
    const form = new FormData();
    form.append('coordinates', '{"ics":2}');
    form.append('colour', 'blue');
    const noMesh = await post('/api/meshes/check', form);
    expect(noMesh.status).toBe(400);
    expect(noMesh.json.error).toBe('bad-mesh-form');
    expect(noMesh.json.problems.map((p: { field: string }) => p.field)).toEqual(['colour', 'mesh']);
  });

  it('answers a mesh over the size limit with 413', async () => {
    const { status, json } = await checkMesh('huge.gr3', { ics: 2 });
    expect(status).toBe(413);
    expect(json.error).toBe('mesh-too-large');
  });
});

describe('POST /api/sites/check', () => {
  const demoFacts = () => ({
    ics: 2,
    openBoundaryNodes: [demoMesh.openBoundaries[0].nodes.length],
    bounds: { x: { min: Math.min(...demoMesh.x), max: Math.max(...demoMesh.x) }, y: { min: Math.min(...demoMesh.y), max: Math.max(...demoMesh.y) } },
  });

  it('finds nothing wrong with the demo config under a new id, with or without the mesh facts', async () => {
    const config = { ...demoSiteConfig(), id: 'new-demo' };
    expect(await post('/api/sites/check', { config })).toEqual({ status: 200, json: { problems: [] } });
    expect(await post('/api/sites/check', { config, mesh: demoFacts() })).toEqual({ status: 200, json: { problems: [] } });
  });

  it('reports an id that is taken', async () => {
    await catalog.createSite(demoSiteConfig(), join(meshes, 'demo.gr3'));
    const { json } = await post('/api/sites/check', { config: demoSiteConfig(), mesh: demoFacts() });
    expect(json.problems).toEqual([{ path: '/id', message: 'a site "demo" already exists' }]);
  });

  it('reports a bad field by JSON pointer', async () => {
    const config = demoSiteConfig() as any;
    config.stations[1].lon = 200;
    config.schedule.hourUtc = '4';
    const { status, json } = await post('/api/sites/check', { config });
    expect(status).toBe(200);
    expect(json.problems.map((p: { path: string }) => p.path).sort()).toEqual(['/schedule/hourUtc', '/stations/1/lon']);
  });

  it('reports a station outside the mesh and a tide that does not fit its open boundaries, given the facts', async () => {
    const config = { ...demoSiteConfig(), id: 'new-demo' };
    config.stations = [...config.stations, { id: 'far', name: 'Far away', lon: -8.7, lat: 40.6 }];
    const { json } = await post('/api/sites/check', { config, mesh: { ...demoFacts(), openBoundaryNodes: [33, 5] } });
    expect(json.problems).toEqual([
      { path: '/tide/boundaries', message: expect.stringContaining('2 open boundaries') },
      { path: `/stations/${config.stations.length - 1}`, message: expect.stringContaining('lies outside the mesh') },
    ]);
  });

  it('refuses a body that is not { config, mesh? }', async () => {
    const { status, json } = await post('/api/sites/check', { config: demoSiteConfig(), mesh: { ics: 3 }, extra: 1 });
    expect(status).toBe(400);
    expect(json.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['/extra', '/mesh/ics']));
  });
});
