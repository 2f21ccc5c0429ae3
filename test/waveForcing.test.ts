/**
 * Wave forcing from the site config to the run directory, with real parts:
 * a wave NetCDF grid served by an NCSS server on 127.0.0.1 (or read from a
 * file), fetched by the cycle's own activities into the cycle cache, and
 * interpolated at the open boundary into waves.th.nc, which ncdump reads
 * back. Values at a boundary node are checked against interpolation done by
 * hand from the grid points around it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog, type SiteRecord } from '../activities/catalog.js';
import { createCycleActivities } from '../activities/cycle.js';
import { prepareRun, runDirFor, type RunForcing, type RunRecord } from '../activities/prepareRun.js';
import { meshCrs } from '../core/crs.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import type { Mesh } from '../core/mesh/mesh.js';
import type { Attribute } from '../core/netcdf/types.js';
import { NetcdfWriter } from '../core/netcdf/writer.js';
import { openBoundaryNodes } from '../core/schism/elev2dTh.js';
import { readParam } from '../core/schism/param.js';
import { WAVES_TH } from '../core/schism/wavesTh.js';
import type { SiteInput } from '../core/site.js';

const HOUR = 3_600_000;
const text = (name: string, value: string): Attribute => ({ name, type: 'char', value });

// 4 × 4 nodes 0.05° apart; the west side, at lon −8.77, is the open boundary. Its nodes sit off the forcing's
// 0.1° grid lines: lat 40.62 is 0.3 of the way from lon −8.8 to −8.7 and 0.2 from lat 40.6 to 40.7.
const mesh = generateRectangleMesh({ nx: 4, ny: 4, dx: 0.05, origin: { x: -8.77, y: 40.57 }, openSides: ['west'] });
const boundary = Array.from(openBoundaryNodes(mesh));
/** Position of the open-boundary node at a latitude, in waves.th.nc's node order. */
const boundaryIndex = (m: Mesh, lat: number) => boundary.findIndex((n) => Math.abs(m.y[n] - lat) < 1e-9);

const cycle = new Date('2026-12-01T00:00:00Z');
/** Spin-up 2 h, forecast 6 h: the run is 2026-11-30 22:00 to 2026-12-01 06:00. */
const schedule = { enabled: false, hourUtc: 0, spinUpHours: 2, forecastHours: 6 };
const RUN_SECONDS = 8 * 3600;

function siteConfig(id: string, forcings: SiteInput['forcings'], overrides: Partial<SiteInput> = {}): SiteInput {
  return {
    id,
    name: 'Wave coast',
    coordinates: { ics: 2 },
    tide: { type: 'harmonic', boundaries: [{ type: 'uniform', constituents: [{ name: 'M2', amplitude: 1, phase: 80 }] }] },
    forcings,
    stations: [],
    thresholds: {},
    model: { dt: 300, nspool: 12 },
    schedule,
    ...overrides,
  };
}

// The forcing grid: 0.1° from lon −9.2 to −8.2 and lat 40.2 to 41.0, rows stored north to south, 3-hourly.
const LONS = Array.from({ length: 11 }, (_, i) => Number((-9.2 + 0.1 * i).toFixed(1)));
const LATS = Array.from({ length: 9 }, (_, j) => Number((40.2 + 0.1 * j).toFixed(1)));
const HOURS = [-3, 0, 3, 6, 9];
/** Hs linear in lon, lat and time (so the file's own interpolation shows through), Tp not. */
const hsAt = (lon: number, lat: number, hour: number) => 1 + 2 * (lon + 9.2) + 3 * (lat - 40.2) + 0.05 * hour;
const tpAt = (i: number, j: number) => 8 + ((3 * i + 5 * j) % 7);
/** Alternate columns from 340° and from 20°: the directions either side of north. */
const dirAt = (i: number) => (i % 2 === 0 ? 340 : 20);
const FILL = -999;
const PACKED_FILL = -32767;

interface WaveFileOptions {
  /** Grid points (column, row) that are land: fill in every field. */
  land?: [number, number][];
  /** Leaves Tp out. */
  withoutPeriod?: boolean;
  /** Hs at this point (column, row) of every record. */
  hsOverride?: { point: [number, number]; value: number };
  /** One direction everywhere instead of alternating columns. */
  direction?: number;
  /** Hs stored as 16-bit integers, in millimetres about 2 m (scale_factor, add_offset). */
  packed?: boolean;
}

/** A wave forecast as Copernicus Marine serves one: VHM0, VTPK, VMDR. */
async function waveFile(path: string, options: WaveFileOptions = {}): Promise<string> {
  const land = new Set((options.land ?? []).map(([i, j]) => `${i},${j}`));
  const northToSouth = [...LATS.keys()].reverse();
  const names = options.withoutPeriod ? ['VHM0', 'VMDR'] : ['VHM0', 'VTPK', 'VMDR'];
  const units: Record<string, string> = { VHM0: 'm', VTPK: 's', VMDR: 'degree' };
  const writer = await NetcdfWriter.create(path, {
    format: 'classic',
    dimensions: [
      { name: 'time', size: 'unlimited' },
      { name: 'latitude', size: LATS.length },
      { name: 'longitude', size: LONS.length },
    ],
    variables: [
      { name: 'time', type: 'double', dimensions: ['time'], attributes: [text('units', 'hours since 2026-12-01 00:00:00')] },
      { name: 'longitude', type: 'double', dimensions: ['longitude'], attributes: [text('units', 'degrees_east')] },
      { name: 'latitude', type: 'double', dimensions: ['latitude'], attributes: [text('units', 'degrees_north')] },
      ...names.map((name) => {
        const packed = options.packed && name === 'VHM0';
        return {
          name,
          type: packed ? ('short' as const) : ('float' as const),
          dimensions: ['time', 'latitude', 'longitude'],
          attributes: [
            text('units', units[name]),
            ...(name === 'VMDR' ? [text('standard_name', 'sea_surface_wave_from_direction')] : []),
            ...(packed
              ? [{ name: 'scale_factor', type: 'double' as const, value: [0.001] }, { name: 'add_offset', type: 'double' as const, value: [2] }, { name: '_FillValue', type: 'short' as const, value: [PACKED_FILL] }]
              : [{ name: '_FillValue', type: 'float' as const, value: [FILL] }]),
          ],
        };
      }),
    ],
  });
  await writer.write('longitude', LONS);
  await writer.write('latitude', northToSouth.map((j) => LATS[j]));
  for (const hour of HOURS) {
    const field = (value: (i: number, j: number) => number) =>
      northToSouth.flatMap((j) => LONS.map((_, i) => (land.has(`${i},${j}`) ? FILL : value(i, j))));
    const hs = (i: number, j: number) =>
      options.hsOverride && options.hsOverride.point[0] === i && options.hsOverride.point[1] === j ? options.hsOverride.value : hsAt(LONS[i], LATS[j], hour);
    const stored = (i: number, j: number) => (options.packed ? Math.round((hs(i, j) - 2) / 0.001) : hs(i, j));
    await writer.appendRecord({
      time: [hour],
      VHM0: options.packed ? field(stored).map((v) => (v === FILL ? PACKED_FILL : v)) : field(stored),
      ...(!options.withoutPeriod && { VTPK: field(tpAt) }),
      VMDR: field((i) => options.direction ?? dirAt(i)),
    });
  }
  await writer.close();
  return path;
}

/** A variable of a NetCDF file as ncdump prints it, at full precision. */
function ncdump(path: string, variable: string): number[] {
  const out = execFileSync('ncdump', ['-v', variable, '-p', '9,17', path], { encoding: 'utf8' });
  const data = out.slice(out.indexOf('data:'));
  const match = new RegExp(`\\b${variable} =([^;]*);`).exec(data);
  if (!match) throw new Error(`ncdump printed no ${variable}:\n${out}`);
  return match[1].split(',').map((v) => Number(v.trim()));
}

/** One record of a (time, node) variable. */
function recordOf(values: number[], record: number): number[] {
  return values.slice(record * boundary.length, (record + 1) * boundary.length);
}

/** Bilinear weights by hand, and the direction as the weighted mean of unit vectors. */
function byHand(corners: { weight: number; i: number; j: number }[], hour: number) {
  const total = corners.reduce((s, c) => s + c.weight, 0);
  const w = corners.map((c) => ({ ...c, weight: c.weight / total }));
  const east = w.reduce((s, c) => s + c.weight * Math.sin((dirAt(c.i) * Math.PI) / 180), 0);
  const north = w.reduce((s, c) => s + c.weight * Math.cos((dirAt(c.i) * Math.PI) / 180), 0);
  return {
    hs: w.reduce((s, c) => s + c.weight * hsAt(LONS[c.i], LATS[c.j], hour), 0),
    tp: w.reduce((s, c) => s + c.weight * tpAt(c.i, c.j), 0),
    dir: ((Math.atan2(east, north) * 180) / Math.PI + 360) % 360,
  };
}

/** An NCSS endpoint on 127.0.0.1 that answers every query with the file: its grid covers any box a test asks for. */
async function ncssServing(file: string): Promise<{ url: string; queries: URLSearchParams[]; close: () => Promise<void> }> {
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    queries.push(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams);
    readFile(file).then((body) => res.writeHead(200, { 'content-type': 'application/x-netcdf', 'content-length': body.length }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/thredds/ncss/grid/mfwam/best`,
    queries,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let root: string;
let dataDir: string;
let catalog: Catalog;
const activities = () => createCycleActivities({ dataDir, catalog });
/** Runs activities as a worker would, with a context (heartbeats, cancellation) of their own. */
function activityEnvironment() {
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  return { run: <A, R>(activity: (input: A) => Promise<R>, input: A): Promise<R> => env.run(activity, input) as Promise<R> };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-waves-'));
  dataDir = join(root, 'data');
  await mkdir(join(root, 'uploads'), { recursive: true });
  await writeMesh(join(root, 'uploads', 'coast.gr3'), mesh);
  catalog = openCatalog(dataDir);
});
afterAll(async () => {
  catalog.close();
  await rm(root, { recursive: true, force: true });
});

const createSite = (config: SiteInput, meshFile = join(root, 'uploads', 'coast.gr3')): Promise<SiteRecord> => catalog.createSite(config, meshFile);

async function runRecord(runDir: string): Promise<RunRecord> {
  return JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as RunRecord;
}

describe('wave forcing over NCSS, through the cycle activities', () => {
  it('fetches hs, tp and dir under the dataset names and writes them, interpolated at every boundary node, to waves.th.nc', async () => {
    const { url, queries, close } = await ncssServing(await waveFile(join(root, 'mfwam.nc')));
    try {
      const site = await createSite(siteConfig('ncss-waves', { waves: { type: 'ncss', url, retries: 0, variableNames: { hs: 'VHM0', tp: 'VTPK', dir: 'VMDR' }, deadlineHours: 4 } }));
      const env = activityEnvironment();
      const cycleActivities = activities();
      const snapshot = await env.run(cycleActivities.beginCycle, { siteId: site.config.id, cycle: cycle.toISOString() });
      expect(snapshot.forcings.map((f) => [f.kind, f.start, f.end])).toEqual([['waves', '2026-11-30T22:00:00.000Z', '2026-12-01T06:00:00.000Z']]);
      const waves = await env.run(cycleActivities.fetchForcing, snapshot.forcings[0]);
      expect(queries.map((q) => q.getAll('var'))).toEqual([['VHM0', 'VTPK', 'VMDR']]);
      expect(waves).toMatchObject({ kind: 'waves', variables: { hs: 'VHM0', tp: 'VTPK', dir: 'VMDR' }, origin: `ncss ${url}` });

      const run = await env.run(cycleActivities.prepareRun, { site: snapshot.record, cycle: cycle.toISOString(), waves });
      expect(run.waves).toBe(`ncss ${url}`);
      expect((await readdir(run.runDir)).sort()).toEqual(['bctides.in', 'hgrid.gr3', 'manning.gr3', 'param.nml', 'run.json', WAVES_TH]);
      expect(await readParam(join(run.runDir, 'param.nml'))).toMatchObject({ waves: true });
      const record = await runRecord(run.runDir);
      expect(record.inputs.forcings.waves).toMatchObject({ origin: `ncss ${url}`, variables: { hs: 'VHM0', tp: 'VTPK', dir: 'VMDR' } });
      expect(record.run.waves).toBe(`ncss ${url}`);

      const file = join(run.runDir, WAVES_TH);
      // The forcing's own records that bracket the run (21:00 to 06:00), in seconds from its start at 22:00.
      expect(ncdump(file, 'time')).toEqual([-3600, 7200, 18000, 28800]);
      const hs = ncdump(file, 'sigWaveHeight');
      const tp = ncdump(file, 'peakPeriod');
      const dir = ncdump(file, 'meanWaveDirection');
      const node = boundaryIndex(mesh, 40.62);
      // Columns 4 and 5 are lon −8.8 and −8.7, rows 4 and 5 lat 40.6 and 40.7.
      const corners = [
        { i: 4, j: 4, weight: 0.7 * 0.8 },
        { i: 5, j: 4, weight: 0.3 * 0.8 },
        { i: 4, j: 5, weight: 0.7 * 0.2 },
        { i: 5, j: 5, weight: 0.3 * 0.2 },
      ];
      [-3, 0, 3, 6].forEach((hour, record) => {
        const expected = byHand(corners, hour);
        expect(recordOf(hs, record)[node]).toBeCloseTo(expected.hs, 5);
        expect(recordOf(tp, record)[node]).toBeCloseTo(expected.tp, 5);
        expect(recordOf(dir, record)[node]).toBeCloseTo(expected.dir, 4);
      });
      // 0.7 of 340° and 0.3 of 20° as vectors: 351.7°, just west of north; as angles they would average to 244°.
      expect(recordOf(dir, 0)[node]).toBeCloseTo(351.72, 2);
      // Hs is linear in the grid, so every node gets the field's own value.
      for (const [j, n] of boundary.entries()) expect(recordOf(hs, 1)[j]).toBeCloseTo(hsAt(mesh.x[n], mesh.y[n], 0), 5);
    } finally {
      await close();
    }
  });

  it('reads heights packed as Copernicus Marine stores them (16-bit integers, scale_factor and add_offset)', async () => {
    const { url, close } = await ncssServing(await waveFile(join(root, 'packed.nc'), { packed: true }));
    try {
      const site = await createSite(siteConfig('packed-waves', { waves: { type: 'ncss', url, retries: 0, variableNames: { hs: 'VHM0', tp: 'VTPK', dir: 'VMDR' }, deadlineHours: 4 } }));
      const env = activityEnvironment();
      const snapshot = await env.run(activities().beginCycle, { siteId: site.config.id, cycle: cycle.toISOString() });
      const waves = await env.run(activities().fetchForcing, snapshot.forcings[0]);
      const run = await env.run(activities().prepareRun, { site: snapshot.record, cycle: cycle.toISOString(), waves });
      const hs = recordOf(ncdump(join(run.runDir, WAVES_TH), 'sigWaveHeight'), 1);
      // Stored to the millimetre.
      for (const [j, n] of boundary.entries()) expect(Math.abs(hs[j] - hsAt(mesh.x[n], mesh.y[n], 0))).toBeLessThan(0.001);
    } finally {
      await close();
    }
  });

  it('runs without waves when the wave forcing fell back to nothing', async () => {
    const site = await createSite(siteConfig('no-waves-left', { waves: { type: 'ncss', url: 'http://127.0.0.1:9/ncss', deadlineHours: 1 } }));
    const env = activityEnvironment();
    const snapshot = await env.run(activities().beginCycle, { siteId: site.config.id, cycle: cycle.toISOString() });
    expect(snapshot.forcings.map((f) => f.kind)).toEqual(['waves']);
    const run = await env.run(activities().prepareRun, { site: snapshot.record, cycle: cycle.toISOString() });
    expect(await readdir(run.runDir)).not.toContain(WAVES_TH);
    expect(await readParam(join(run.runDir, 'param.nml'))).toMatchObject({ waves: false });
    expect(run.waves).toBeNull();
  });
});

describe('wave forcing from a file', () => {
  const forcing = (path: string): RunForcing => ({ path, variables: { hs: 'VHM0', tp: 'VTPK', dir: 'VMDR' }, origin: `file ${path}` });

  it('leaves land grid points out of a boundary node and weights up the sea ones', async () => {
    // Lon −8.8, lat 40.7 is land: the node at lat 40.67 (0.3 across, 0.7 up its cell) keeps three corners.
    const path = await waveFile(join(root, 'coastal.nc'), { land: [[4, 5]] });
    const site = await createSite(siteConfig('coastal-waves', { waves: { type: 'file', path, deadlineHours: 2 } }));
    const run = await prepareRun({ dataDir, site, cycle, forcings: { waves: forcing(path) } });
    const file = join(run.runDir, WAVES_TH);
    const node = boundaryIndex(mesh, 40.67);
    const expected = byHand([{ i: 4, j: 4, weight: 0.7 * 0.3 }, { i: 5, j: 4, weight: 0.3 * 0.3 }, { i: 5, j: 5, weight: 0.3 * 0.7 }], -3);
    expect(recordOf(ncdump(file, 'sigWaveHeight'), 0)[node]).toBeCloseTo(expected.hs, 5);
    expect(recordOf(ncdump(file, 'peakPeriod'), 0)[node]).toBeCloseTo(expected.tp, 5);
    expect(recordOf(ncdump(file, 'meanWaveDirection'), 0)[node]).toBeCloseTo(expected.dir, 4);
    expect(ncdump(file, 'sigWaveHeight').every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  });

  it('takes the nearest sea point for a node whose whole cell is land', async () => {
    // The cell of lat 40.62 (lon −8.8..−8.7, lat 40.6..40.7) is all land; lon −8.9, lat 40.6 is its nearest sea point (8.5 km west).
    const path = await waveFile(join(root, 'harbour.nc'), { land: [[4, 4], [5, 4], [4, 5], [5, 5]] });
    const site = await createSite(siteConfig('harbour-waves', { waves: { type: 'file', path, deadlineHours: 2 } }));
    const run = await prepareRun({ dataDir, site, cycle, forcings: { waves: forcing(path) } });
    const node = boundaryIndex(mesh, 40.62);
    expect(recordOf(ncdump(join(run.runDir, WAVES_TH), 'sigWaveHeight'), 0)[node]).toBeCloseTo(hsAt(-8.9, 40.6, -3), 5);
  });

  async function refused(id: string, path: string, cycleTime = cycle): Promise<string> {
    const site = await createSite(siteConfig(id, { waves: { type: 'file', path, deadlineHours: 2 } }));
    const error = await prepareRun({ dataDir, site, cycle: cycleTime, forcings: { waves: forcing(path) } }).then(() => undefined, (e: Error) => e);
    expect(error).toBeDefined();
    const runDir = runDirFor(dataDir, id, cycleTime);
    expect(existsSync(runDir)).toBe(false);
    expect(existsSync(`${runDir}.partial`)).toBe(false);
    return error!.message;
  }

  it('refuses a node with no sea point around it, naming the node and its position, and leaves no run directory', async () => {
    const land: [number, number][] = [];
    for (let i = 2; i <= 7; i++) for (let j = 3; j <= 7; j++) land.push([i, j]);
    const path = await waveFile(join(root, 'inland.nc'), { land });
    const message = await refused('inland-waves', path);
    expect(message).toContain(`wave forcing ${path} (from file ${path}): no sea point of its grid near open-boundary node`);
    expect(message).toMatch(/node \d+ \(mesh node \d+\) at lon -8\.77, lat 40\.\d+: the grid points around it are land \(NaN or fill in 'VHM0' \(hs\), 'VTPK' \(tp\), 'VMDR' \(dir\)\)/);
  });

  it('refuses a file without the peak period, naming the file and the variable, and leaves no run directory', async () => {
    const path = await waveFile(join(root, 'no-period.nc'), { withoutPeriod: true });
    expect(await refused('no-period', path)).toBe(`wave forcing ${path} (from file ${path}): no variable 'VTPK' (tp) (variables: time, longitude, latitude, VHM0, VMDR)`);
  });

  it('refuses a negative wave height, naming the file, the variable, the time and the grid point, and leaves no run directory', async () => {
    const path = await waveFile(join(root, 'negative.nc'), { hsOverride: { point: [5, 4], value: -0.5 } });
    expect(await refused('negative-hs', path)).toBe(
      `wave forcing ${path} (from file ${path}): variable 'VHM0' (hs) is -0.5 at 2026-11-30T21:00:00.000Z, grid point lon -8.7, lat 40.6: a significant wave height is never negative`,
    );
  });
});

describe('wave forcing on a projected mesh', () => {
  it('is interpolated at the nodes taken to lon/lat through the CRS, its direction turned to grid north', async () => {
    // PT-TM06 (central meridian 8.133° W): at 8.77° W grid north is 0.4° west of true north.
    const crs = meshCrs({ ics: 1, crs: 'EPSG:3763' });
    const [x0, y0] = crs.fromLonLat(-8.77, 40.57);
    const projected = generateRectangleMesh({ nx: 4, ny: 4, dx: 4000, origin: { x: x0, y: y0 }, openSides: ['west'] });
    const meshFile = join(root, 'uploads', 'pt-tm06.gr3');
    await writeMesh(meshFile, projected);
    const path = await waveFile(join(root, 'westerly.nc'), { direction: 285 });
    const site = await createSite(siteConfig('tm06-waves', { waves: { type: 'file', path, deadlineHours: 2 } }, { coordinates: { ics: 1, crs: 'EPSG:3763' } }), meshFile);
    const run = await prepareRun({ dataDir, site, cycle, forcings: { waves: { path, variables: { hs: 'VHM0', tp: 'VTPK', dir: 'VMDR' } } } });
    const file = join(run.runDir, WAVES_TH);
    const hs = recordOf(ncdump(file, 'sigWaveHeight'), 1);
    const dir = recordOf(ncdump(file, 'meanWaveDirection'), 1);
    Array.from(openBoundaryNodes(projected)).forEach((n, j) => {
      const [lon, lat] = crs.toLonLat(projected.x[n], projected.y[n]);
      expect(hs[j]).toBeCloseTo(hsAt(lon, lat, 0), 5);
      const convergence = (Math.atan(Math.tan(((lon - -8.133108333) * Math.PI) / 180) * Math.sin((lat * Math.PI) / 180)) * 180) / Math.PI;
      expect(convergence).toBeLessThan(-0.4);
      expect(dir[j]).toBeCloseTo(285 - convergence, 2);
    });
  });
});

describe('a constant sea state', () => {
  const swell = { type: 'constant' as const, sigWaveHeight: 2.5, peakPeriod: 14, meanWaveDirection: 285 };

  it('holds at every boundary node for the whole run, with the wave step settings, and needs no fetch', async () => {
    const site = await createSite(siteConfig('swell', { waves: swell }, { model: { dt: 300, nspool: 12, waves: { breakerIndex: 0.6 } } }));
    const env = activityEnvironment();
    const snapshot = await env.run(activities().beginCycle, { siteId: site.config.id, cycle: cycle.toISOString() });
    expect(snapshot.forcings).toEqual([]);
    const run = await env.run(activities().prepareRun, { site: snapshot.record, cycle: cycle.toISOString() });
    expect(run.waves).toBe('constant sea state: Hs 2.5 m, Tp 14 s, from 285°');
    const file = join(run.runDir, WAVES_TH);
    expect(ncdump(file, 'time')).toEqual([0, RUN_SECONDS]);
    expect(new Set(ncdump(file, 'sigWaveHeight'))).toEqual(new Set([2.5]));
    expect(new Set(ncdump(file, 'peakPeriod'))).toEqual(new Set([14]));
    expect(new Set(ncdump(file, 'meanWaveDirection'))).toEqual(new Set([285]));
    const header = execFileSync('ncdump', ['-h', file], { encoding: 'utf8' });
    expect(header).toMatch(/:breaker_index = 0\.6 ;/);
    expect(header).toMatch(/:wind_sea = 0 ;/);
    expect(await readParam(join(run.runDir, 'param.nml'))).toMatchObject({ waves: true });
  });

  it('comes in from grid north on a projected mesh: the direction less the meridian convergence', async () => {
    // UTM 29N at 6.5° W, 2.5° east of the zone's central meridian, where grid north is 1.7° east of true north.
    const crs = meshCrs({ ics: 1, crs: 'EPSG:25829' });
    const [x0, y0] = crs.fromLonLat(-6.5, 43.3);
    const projected = generateRectangleMesh({ nx: 4, ny: 4, dx: 2000, origin: { x: x0, y: y0 }, openSides: ['west'] });
    const meshFile = join(root, 'uploads', 'utm.gr3');
    await writeMesh(meshFile, projected);
    const site = await createSite(siteConfig('utm-swell', { waves: swell }, { coordinates: { ics: 1, crs: 'EPSG:25829' } }), meshFile);
    const run = await prepareRun({ dataDir, site, cycle });
    const dir = recordOf(ncdump(join(run.runDir, WAVES_TH), 'meanWaveDirection'), 0);
    const nodes = Array.from(openBoundaryNodes(projected));
    nodes.forEach((n, j) => {
      const [lon, lat] = crs.toLonLat(projected.x[n], projected.y[n]);
      // Transverse Mercator: tan γ = tan(λ − λ0) sin φ, to within a few thousandths of a degree on the ellipsoid.
      const convergence = (Math.atan(Math.tan(((lon + 9) * Math.PI) / 180) * Math.sin((lat * Math.PI) / 180)) * 180) / Math.PI;
      expect(convergence).toBeGreaterThan(1.6);
      expect(dir[j]).toBeCloseTo(285 - convergence, 2);
    });
  });
});
