import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import { postProcess } from '../activities/postProcess.js';
import { loadMesh } from '../core/mesh/gr3.js';
import { Out2dWriter } from '../core/out2d.js';
import { buildApi } from '../server/api/app.js';
import type { Api } from '../server/api/schemas.js';
import { exampleSite, writeSiteMeshes } from './support/sites.js';
import { noCycles } from './support/api.js';

const SITE = 'ria-aveiro';
const CYCLE = '2026-01-31T06:00:00.000Z';
const HOUR = 3600;
/** Two spin-up hours, then the forecast; at output FORECAST_DRY every node is dry, so every station has a gap there. */
const START = new Date(Date.parse(CYCLE) - 2 * HOUR * 1000);
const OUTPUTS = 7;
const FORECAST_DRY = 2;


let root: string;
let runDir: string;
let catalog: Catalog;
let app: Api;
let base: string;

/** A run of small.gr3 as the model leaves it (two out2d blocks), post-processed into products/. */
async function completedRun(meshPath: string): Promise<void> {
  const mesh = await loadMesh(meshPath);
  await mkdir(join(runDir, 'outputs'), { recursive: true });
  const n = mesh.x.length;
  for (const [block, from, to] of [
    [1, 0, 4],
    [2, 4, OUTPUTS],
  ]) {
    const writer = await Out2dWriter.create(join(runDir, 'outputs', `out2d_${block}.nc`), mesh, { start: START, coordinates: 'lonlat', fields: ['elevation', 'depthAverageVelX', 'depthAverageVelY', 'dryFlagNode'] });
    for (let k = from; k < to; k++) {
      const elevation = Float32Array.from(mesh.x, (x, i) => 0.3 * k + 10 * (x + 8.8) + 5 * (mesh.y[i] - 40.55));
      const dry = new Uint8Array(n).fill(k === FORECAST_DRY + 2 ? 1 : 0);
      await writer.appendFrame(k * HOUR, { elevation, depthAverageVelX: new Float32Array(n).fill(0.1), depthAverageVelY: new Float32Array(n), dryFlagNode: dry });
    }
    await writer.close();
  }
  const site = exampleSite(SITE);
  await postProcess({ runDir, cycle: CYCLE, site: { ...site, stations: [...site.stations, { id: 'far', name: 'Far away', lon: -8.2, lat: 40.6 }], thresholds: {} } });
  // A long run's tenth block must come after its ninth, not after its first.
  await copyFile(join(runDir, 'outputs', 'out2d_2.nc'), join(runDir, 'outputs', 'out2d_10.nc'));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-downloads-'));
  await writeSiteMeshes(root);
  catalog = openCatalog(join(root, 'data'));
  await catalog.createSite(exampleSite(SITE), join(root, 'small.gr3'));
  runDir = join(root, 'data', 'runs', SITE, CYCLE.slice(0, 13));
  await completedRun(join(root, 'small.gr3'));
  await writeFile(join(runDir, 'run.json'), '{"secret": "provenance"}');
  catalog.recordCycle(SITE, CYCLE, { status: 'running', runDir });
  app = buildApi({ dataDir: join(root, 'data'), catalog, cycles: noCycles });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  catalog?.close();
  await rm(root, { recursive: true, force: true });
});

const downloads = `/api/sites/${SITE}/cycles/${CYCLE}/downloads`;
const get = (path: string) => fetch(base + path);

describe('downloads of a cycle', () => {
  it('are refused (409) until the cycle completes, and 404 for an unknown site or cycle', async () => {
    for (const path of [downloads, `${downloads}/stations.csv`]) {
      const early = await get(path);
      expect(early.status, path).toBe(409);
      expect(await early.json(), path).toMatchObject({ error: 'cycle-not-completed' });
      expect(early.headers.get('cache-control')).toBeNull();
    }
    expect((await get(`/api/sites/${SITE}/cycles/2026-01-30T06:00:00Z/downloads`)).status).toBe(404);
    expect((await get(`/api/sites/nowhere/cycles/${CYCLE}/downloads`)).status).toBe(404);
    catalog.updateCycle(SITE, CYCLE, { status: 'completed', finishedAt: new Date() });
  });

  it('lists the station CSV, the NetCDF blocks in order and the maximum flood extent, with sizes that match what is served', async () => {
    const response = await get(downloads);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const list = (await response.json()) as { name: string; description: string; bytes: number; mediaType: string; url: string }[];
    expect(list.map((d) => d.name)).toEqual(['stations.csv', 'out2d_1.nc', 'out2d_2.nc', 'out2d_10.nc', 'flood-max.geojson']);
    expect(list.map((d) => d.mediaType)).toEqual(['text/csv', 'application/x-netcdf', 'application/x-netcdf', 'application/x-netcdf', 'application/geo+json']);
    for (const download of list) {
      expect(download.description).not.toBe('');
      expect(download.url).toBe(`/api/sites/${SITE}/cycles/${encodeURIComponent(CYCLE)}/downloads/${download.name}`);
      const file = await get(download.url);
      expect(file.status, download.name).toBe(200);
      expect((await file.arrayBuffer()).byteLength, download.name).toBe(download.bytes);
    }
  });

  it('serves stations.csv: a time column, then the water level of each station in the mesh, empty while dry', async () => {
    const response = await get(`${downloads}/stations.csv`);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="ria-aveiro_2026-01-31T06Z_stations.csv"');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const text = await response.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = text.slice(0, -2).split('\r\n').map((line) => line.split(','));
    // The station outside the mesh has no series, so no column.
    expect(header).toEqual(['time', 'barra_elevation_m']);

    const stations = JSON.parse(await readFile(join(runDir, 'products', 'stations.json'), 'utf8'));
    expect(rows.map((r) => r[0])).toEqual(stations.times);
    expect(stations.times).toHaveLength(OUTPUTS - 2);
    const barra = stations.stations.find((s: { id: string }) => s.id === 'barra');
    expect(rows.map((r) => (r[1] === '' ? null : Number(r[1])))).toEqual(barra.elevation);
    expect(rows[FORECAST_DRY][1]).toBe('');
    expect(rows.filter((r) => r[1] !== '')).toHaveLength(OUTPUTS - 3);
  });

  it('serves the model NetCDF as written, readable by ncdump', async () => {
    const response = await get(`${downloads}/out2d_2.nc`);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="ria-aveiro_2026-01-31T06Z_out2d_2.nc"');
    expect(response.headers.get('content-type')).toBe('application/x-netcdf');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.equals(await readFile(join(runDir, 'outputs', 'out2d_2.nc')))).toBe(true);
    const downloaded = join(root, 'downloaded.nc');
    await writeFile(downloaded, bytes);
    const header = execFileSync('ncdump', ['-h', downloaded], { encoding: 'utf8' });
    expect(header).toContain('nSCHISM_hgrid_node = 16');
    expect(header).toMatch(/float elevation\(time, nSCHISM_hgrid_node\)/);
  });

  it('serves the maximum flood extent as products/flood/max.geojson', async () => {
    const response = await get(`${downloads}/flood-max.geojson`);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="ria-aveiro_2026-01-31T06Z_flood-max.geojson"');
    expect(response.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(await response.text()).toBe(await readFile(join(runDir, 'products', 'flood', 'max.geojson'), 'utf8'));
  });

  it('answers 404 naming the name for anything not in the list, run directory files included', async () => {
    for (const name of ['run.json', '..%2Frun.json', 'mesh.bin', 'out2d_3.nc', 'outputs%2Fout2d_1.nc']) {
      const response = await get(`${downloads}/${name}`);
      expect(response.status, name).toBe(404);
      const body = await response.text();
      expect(body, name).not.toContain('provenance');
      if (!name.includes('%2F')) expect(JSON.parse(body).message, name).toContain(`no download "${name}"`);
    }
  });
});

describe('downloads of a cycle with waves', () => {
  const WAVE_CYCLE = '2026-02-01T06:00:00.000Z';
  const waveDownloads = `/api/sites/${SITE}/cycles/${WAVE_CYCLE}/downloads`;
  let waveRun: string;

  /** One spin-up hour, then three forecast outputs; at the second every node is dry. */
  beforeAll(async () => {
    const mesh = await loadMesh(join(root, 'small.gr3'));
    const n = mesh.x.length;
    waveRun = join(root, 'data', 'runs', SITE, WAVE_CYCLE.slice(0, 13));
    await mkdir(join(waveRun, 'outputs'), { recursive: true });
    const start = new Date(Date.parse(WAVE_CYCLE) - HOUR * 1000);
    const writer = await Out2dWriter.create(join(waveRun, 'outputs', 'out2d_1.nc'), mesh, {
      start,
      coordinates: 'lonlat',
      fields: ['elevation', 'depthAverageVelX', 'depthAverageVelY', 'dryFlagNode', 'sigWaveHeight', 'peakPeriod', 'meanWaveDirection'],
    });
    for (let k = 0; k < 4; k++) {
      const dry = k === 2;
      await writer.appendFrame(k * HOUR, {
        elevation: new Float32Array(n).fill(0.1 * k),
        depthAverageVelX: new Float32Array(n),
        depthAverageVelY: new Float32Array(n),
        dryFlagNode: new Uint8Array(n).fill(dry ? 1 : 0),
        sigWaveHeight: new Float32Array(n).fill(dry ? 0 : 1 + 0.5 * k),
        peakPeriod: new Float32Array(n).fill(12 + k),
        meanWaveDirection: new Float32Array(n).fill(285),
      });
    }
    await writer.close();
    await postProcess({ runDir: waveRun, cycle: WAVE_CYCLE, site: { ...exampleSite(SITE), thresholds: {} } });
    catalog.recordCycle(SITE, WAVE_CYCLE, { status: 'completed', runDir: waveRun, finishedAt: new Date() });
  });

  it('serves stations.csv with wave height, peak period and direction after each station’s level, empty while dry', async () => {
    const list = (await (await get(waveDownloads)).json()) as { name: string; description: string }[];
    expect(list.find((d) => d.name === 'stations.csv')?.description).toContain('significant wave height');
    const text = await (await get(`${waveDownloads}/stations.csv`)).text();
    const [header, ...rows] = text.slice(0, -2).split('\r\n').map((line) => line.split(','));
    expect(header).toEqual(['time', 'barra_elevation_m', 'barra_sig_wave_height_m', 'barra_peak_period_s', 'barra_mean_wave_direction_deg']);
    // Barycentric weights sum to 1 only to rounding.
    const near = (v: number) => expect.closeTo(v, 9);
    expect(rows.map((r) => r.slice(2).map((v) => (v === '' ? null : Number(v))))).toEqual([
      [near(1.5), near(13), near(285)],
      [null, null, null],
      [near(2.5), near(15), near(285)],
    ]);
    const barra = JSON.parse(await readFile(join(waveRun, 'products', 'stations.json'), 'utf8')).stations.find((s: { id: string }) => s.id === 'barra');
    expect(rows.map((r) => (r[2] === '' ? null : Number(r[2])))).toEqual(barra.sigWaveHeight);
  });
});
