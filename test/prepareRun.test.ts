/**
 * A run directory prepared for a site of the catalog, then run by the
 * built-in model: what prepareRun writes must be a run the model accepts,
 * and the boundary elevation it produces must be the site's tide.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog, type SiteRecord } from '../activities/catalog.js';
import { prepareRun, runDirFor, runStamp, RunPreparationError, type PreparedRun, type RunRecord } from '../activities/prepareRun.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { loadGr3Property, loadMesh, writeMesh } from '../core/mesh/gr3.js';
import { meshCrs, meshToLonLat } from '../core/crs.js';
import { gridNorthBearings } from '../activities/products/waves.js';
import { formatVgrid2d } from '../core/schism/vgrid.js';
import type { Attribute } from '../core/netcdf/types.js';
import { NetcdfWriter } from '../core/netcdf/writer.js';
import { openOut2d } from '../core/out2d.js';
import { readBctides } from '../core/schism/bctides.js';
import { readParam } from '../core/schism/param.js';
import { openSfluxAir } from '../core/schism/sflux.js';
import type { SiteInput } from '../core/site.js';
import { predictTide, type ConstituentConstants } from '../core/tide/predict.js';
import { runModel } from '../model/run.js';

const HOUR = 3_600_000;
const text = (name: string, value: string): Attribute => ({ name, type: 'char', value });

// 5 × 4 nodes 0.002° apart (170 m), 20 m deep; the west side (4 nodes) is the open boundary. The model's boundary
// is Flather's (model/boundaries.ts): the elevation there departs from the prescribed one by √(h/g)·u_n, so the basin
// is small enough for the tide to fill it with u_n of a few mm/s, and the boundary to follow the tide within a centimetre.
const meshSpec = { nx: 5, ny: 4, dx: 0.002, origin: { x: -8.9, y: 40.6 }, openSides: ['west' as const], depth: () => 20 };
const mesh = generateRectangleMesh(meshSpec);
const westNodes = Array.from(mesh.openBoundaries[0].nodes);
const constants: ConstituentConstants[] = [
  { name: 'M2', amplitude: 1.0, phase: 80 },
  { name: 'S2', amplitude: 0.3, phase: 110 },
];
const Z0 = 0.2;

function siteConfig(id: string, overrides: Partial<SiteInput> = {}): SiteInput {
  return {
    id,
    name: 'Test coast',
    coordinates: { ics: 2 },
    tide: { type: 'harmonic', z0: Z0, boundaries: [{ type: 'uniform', constituents: constants }] },
    forcings: {},
    stations: [],
    thresholds: {},
    model: { dt: 300, nspool: 12, manning: 0.03 },
    schedule: { enabled: false, hourUtc: 4, spinUpHours: 2, forecastHours: 24 },
    ...overrides,
  };
}

let root: string;
let dataDir: string;
let catalog: Catalog;
let site: SiteRecord;
const uploads = () => join(root, 'uploads');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-prepare-'));
  dataDir = join(root, 'data');
  await mkdir(uploads(), { recursive: true });
  await writeMesh(join(uploads(), 'coast.gr3'), mesh);
  catalog = openCatalog(dataDir);
  site = await catalog.createSite(siteConfig('test-coast'), join(uploads(), 'coast.gr3'));
});
afterAll(async () => {
  catalog.close();
  await rm(root, { recursive: true, force: true });
});

/** Largest |model − ramp·tide| at the open-boundary nodes over the run's output frames from `fromSeconds` on. */
async function boundaryMisfit(prepared: PreparedRun, rampSeconds: number, fromSeconds: number): Promise<{ worst: number; frames: number }> {
  const start = new Date(prepared.start);
  const end = new Date(prepared.end);
  const files = (await readdir(join(prepared.runDir, 'outputs'))).filter((f) => /^out2d_\d+\.nc$/.test(f));
  let worst = 0;
  let frames = 0;
  for (const name of files) {
    const out = await openOut2d(join(prepared.runDir, 'outputs', name));
    try {
      for (let k = 0; k < out.seconds.length; k++) {
        const t = out.seconds[k];
        if (t < fromSeconds) continue;
        const eta = await out.readFrame('elevation', k);
        // predictTide takes its nodal corrections over the span of the times it gets: the run's, as bctides.in.
        const tide = predictTide({ latitude: 40.6, z0: Z0, constituents: constants }, [start, new Date(start.getTime() + t * 1000), end])[1];
        const ramp = rampSeconds > 0 ? Math.tanh((2 * t) / rampSeconds) : 1;
        for (const n of westNodes) worst = Math.max(worst, Math.abs(eta[n] - ramp * tide));
        frames++;
      }
    } finally {
      await out.close();
    }
  }
  return { worst, frames };
}

describe('prepareRun', () => {
  const cycle = new Date('2026-03-07T18:00:00Z');
  let cold: PreparedRun;

  it('names run directories by a file-system-safe cycle stamp', () => {
    expect(runStamp(new Date('2026-11-25T00:00:00Z'))).toBe('2026-11-25T0000Z');
    expect(runDirFor(dataDir, 'test-coast', cycle)).toBe(join(dataDir, 'runs', 'test-coast', '2026-03-07T1800Z'));
    expect(() => runStamp(new Date('2026-11-25T00:00:30Z'))).toThrow(/whole minute/);
  });

  it('prepares a cold start the built-in model runs, whose boundary follows the tide', async () => {
    cold = await prepareRun({ dataDir, site, cycle });
    expect(cold).toMatchObject({
      runDir: runDirFor(dataDir, 'test-coast', cycle),
      cycle: cycle.toISOString(),
      start: '2026-03-07T16:00:00.000Z',
      end: '2026-03-08T18:00:00.000Z',
      initialState: { kind: 'cold', spinUpHours: 2, reason: 'no hot start was looked for' },
      nextHotstart: { time: '2026-03-08T18:00:00.000Z', file: join('outputs', 'hotstart_000000_312.nc') },
      omitted: [],
      reused: false,
    });
    expect((await readdir(cold.runDir)).sort()).toEqual(['bctides.in', 'hgrid.gr3', 'manning.gr3', 'param.nml', 'run.json']);
    expect(existsSync(`${cold.runDir}.partial`)).toBe(false);

    const params = await readParam(join(cold.runDir, 'param.nml'));
    expect(params.start.toISOString()).toBe(cold.start);
    expect(params.runSeconds).toBe(26 * 3600);
    expect(params).toMatchObject({ dt: 300, nspool: 12, ihot: 0, ics: 2, ncor: 1, nws: 0, nhot: 1, rampSeconds: 3600 });
    // Two-hour files (gcd of 24 h and the 2 h spin-up), so the hotstart at cycle + 24 h (26 h, step 312) ends a file.
    expect(params.ihfskip).toBe(24);
    expect(params.nhotWrite).toBe(312);
    const manning = await loadGr3Property(join(cold.runDir, 'manning.gr3'), { mesh });
    expect(new Set(manning)).toEqual(new Set([0.03]));
    const bctides = await readBctides(join(cold.runDir, 'bctides.in'), mesh);
    expect(bctides.frequencies.map((f) => f.name)).toEqual(['M2', 'S2', 'Z0']);

    const record = JSON.parse(await readFile(join(cold.runDir, 'run.json'), 'utf8')) as RunRecord;
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(record.software).toEqual({ name: 'coastcast', version: pkg.version });
    expect(record.inputs.site).toEqual(site.config);
    expect(record.inputs).toMatchObject({ cycle: cycle.toISOString(), hotstart: null, forcings: { atmosphere: null } });
    expect(record.run).toMatchObject({ start: cold.start, end: cold.end, initialState: cold.initialState });

    const summary = await runModel(cold.runDir);
    expect(summary.steps).toBe(312);
    const outputs = await readdir(join(cold.runDir, 'outputs'));
    expect(outputs.filter((f) => f.startsWith('out2d_'))).toHaveLength(13);
    expect(outputs).toContain('hotstart_000000_312.nc');
    // The ramp is tanh(2t/1 h): the boundary is the tide times the ramp at every frame.
    const { worst, frames } = await boundaryMisfit(cold, 3600, 0);
    console.log(`cold start: boundary elevation vs ramped predictTide over ${frames} frames: largest difference ${worst.toExponential(2)} m`);
    expect(frames).toBe(26);
    expect(worst).toBeLessThan(0.01);
  });

  it('returns the prepared directory unchanged when asked again with the same inputs', async () => {
    const runJson = join(cold.runDir, 'run.json');
    const before = (await stat(runJson)).mtimeMs;
    const again = await prepareRun({ dataDir, site, cycle: cycle.toISOString() });
    expect(again).toEqual({ ...cold, reused: true });
    expect((await stat(runJson)).mtimeMs).toBe(before);
    expect(await readdir(join(cold.runDir, 'outputs'))).toContain('out2d_1.nc');
  });

  it('never deletes model outputs: other inputs for a run that has them are refused', async () => {
    const changed = { ...site, config: { ...site.config, model: { ...site.config.model, manning: 0.02 } } };
    await expect(prepareRun({ dataDir, site: changed, cycle })).rejects.toThrow(/already prepared from other inputs, and it holds outputs from a model job/);
    expect(await readdir(join(cold.runDir, 'outputs'))).toContain('out2d_13.nc');
    expect(existsSync(`${cold.runDir}.partial`)).toBe(false);
  });

  it('hot-starts the next cycle from the hotstart written at its time, without a ramp', async () => {
    const next = new Date(cycle.getTime() + 24 * HOUR);
    const hotstart = join(cold.runDir, cold.nextHotstart!.file);
    const hot = await prepareRun({ dataDir, site, cycle: next, start: { kind: 'hot', from: cycle.toISOString(), runDir: cold.runDir, hotstart } });
    expect(hot).toMatchObject({ initialState: { kind: 'hot', from: cycle.toISOString() }, start: next.toISOString(), end: new Date(next.getTime() + 24 * HOUR).toISOString() });
    expect(await readdir(hot.runDir)).toContain('hotstart.nc');
    const params = await readParam(join(hot.runDir, 'param.nml'));
    expect(params).toMatchObject({ ihot: 1, rampSeconds: 0, ihfskip: 288, nhotWrite: 288, runSeconds: 24 * 3600 });
    await runModel(hot.runDir);
    // No ramp: the boundary carries the whole tide from the first frame on.
    const { worst, frames } = await boundaryMisfit(hot, 0, 0);
    expect(frames).toBe(24);
    expect(worst).toBeLessThan(0.01);
    // A missing hotstart is an error naming it, and nothing is left behind.
    const later = new Date(next.getTime() + 24 * HOUR);
    await expect(prepareRun({ dataDir, site, cycle: later, start: { kind: 'hot', from: next.toISOString(), runDir: hot.runDir, hotstart: join(root, 'nowhere.nc') } })).rejects.toThrow(`${join(root, 'nowhere.nc')}: missing`);
    expect(existsSync(runDirFor(dataDir, 'test-coast', later))).toBe(false);
  });

  it('rebuilds a directory without outputs when the inputs change', async () => {
    const when = new Date('2026-04-01T00:00:00Z');
    const first = await prepareRun({ dataDir, site, cycle: when });
    const updated = await catalog.updateSite(site.config.id, { ...siteConfig('test-coast'), model: { dt: 300, nspool: 12, manning: 0.045 } });
    const second = await prepareRun({ dataDir, site: updated, cycle: when });
    expect(second).toMatchObject({ runDir: first.runDir, reused: false });
    expect(new Set(await loadGr3Property(join(second.runDir, 'manning.gr3'), { mesh }))).toEqual(new Set([0.045]));
    expect(existsSync(`${second.runDir}.replaced`)).toBe(false);
    site = await catalog.updateSite(site.config.id, siteConfig('test-coast'));
  });
});

describe('prepareRun with a tidal atlas', () => {
  const cycle = new Date('2026-05-02T00:00:00Z');

  async function writeM2(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const lon = [350.5, 351, 351.5];
    const lat = [40, 40.5, 41, 41.5];
    const writer = await NetcdfWriter.create(join(dir, 'm2.nc'), {
      format: 'classic',
      dimensions: [
        { name: 'lat', size: lat.length },
        { name: 'lon', size: lon.length },
      ],
      variables: [
        { name: 'lon', type: 'double', dimensions: ['lon'] },
        { name: 'lat', type: 'double', dimensions: ['lat'] },
        { name: 'amplitude', type: 'float', dimensions: ['lat', 'lon'], attributes: [text('units', 'cm')] },
        { name: 'phase', type: 'float', dimensions: ['lat', 'lon'], attributes: [text('units', 'degrees')] },
      ],
    });
    await writer.write('lon', lon);
    await writer.write('lat', lat);
    await writer.write('amplitude', new Array(12).fill(100));
    await writer.write('phase', new Array(12).fill(80));
    await writer.close();
  }

  it('interpolates the atlas at the boundary (path relative to the data directory); a missing constituent leaves no run directory', async () => {
    await writeM2(join(dataDir, 'atlas', 'fes'));
    const good = await catalog.createSite(
      siteConfig('atlas-coast', { tide: { type: 'atlas', path: 'atlas/fes', constituents: ['M2'] }, schedule: { enabled: false, hourUtc: 0, spinUpHours: 0, forecastHours: 1 } }),
      join(uploads(), 'coast.gr3'),
    );
    const prepared = await prepareRun({ dataDir, site: good, cycle });
    const bctides = await readBctides(join(prepared.runDir, 'bctides.in'), mesh);
    expect(bctides.frequencies.map((f) => f.name)).toEqual(['M2']);
    for (const a of bctides.boundaries[0].tides[0].amplitude) expect(a).toBeCloseTo(1, 6);
    for (const p of bctides.boundaries[0].tides[0].phase) expect(p).toBeCloseTo(80, 4);
    await runModel(prepared.runDir);

    const bad = await catalog.createSite(
      siteConfig('atlas-gap', { tide: { type: 'atlas', path: 'atlas/fes', constituents: ['M2', 'K1'] } }),
      join(uploads(), 'coast.gr3'),
    );
    await expect(prepareRun({ dataDir, site: bad, cycle })).rejects.toThrow(`${join(dataDir, 'atlas', 'fes', 'k1.nc')}: missing`);
    const runs = join(dataDir, 'runs', 'atlas-gap');
    expect(existsSync(runs) ? await readdir(runs) : []).toEqual([]);
  });
});

describe('prepareRun with an atmosphere forcing', () => {
  const cycle = new Date('2026-06-10T06:00:00Z');
  let forcingFile: string;

  /** A fetched file as a forcing source leaves it: 0..360 longitudes, latitudes north to south, hPa, its own variable names. */
  beforeAll(async () => {
    forcingFile = join(root, 'gfs.nc');
    const lon = [350, 350.5, 351, 351.5];
    const lat = [41.5, 41, 40.5, 40];
    const times = Array.from({ length: 6 }, (_, k) => k * 3);
    const writer = await NetcdfWriter.create(forcingFile, {
      format: '64bit-offset',
      dimensions: [
        { name: 'time', size: 'unlimited' },
        { name: 'latitude', size: lat.length },
        { name: 'longitude', size: lon.length },
      ],
      variables: [
        { name: 'time', type: 'double', dimensions: ['time'], attributes: [text('units', 'hours since 2026-06-10 03:00:00')] },
        { name: 'longitude', type: 'float', dimensions: ['longitude'], attributes: [text('units', 'degrees_east')] },
        { name: 'latitude', type: 'float', dimensions: ['latitude'], attributes: [text('units', 'degrees_north')] },
        ...['u10', 'v10', 'msl'].map((name) => ({
          name,
          type: 'float' as const,
          dimensions: ['time', 'latitude', 'longitude'],
          attributes: [text('units', name === 'msl' ? 'hPa' : 'm s-1')],
        })),
      ],
    });
    await writer.write('longitude', lon);
    await writer.write('latitude', lat);
    for (const hours of times) {
      // Linear in lon, lat and time, so bilinear interpolation gives them back exactly.
      const field = (f: (x: number, y: number) => number) => lat.flatMap((y) => lon.map((x) => f(x, y)));
      await writer.appendRecord({
        time: [hours],
        u10: field((x) => 4 + (x - 350) + hours * 0.5),
        v10: field((_, y) => -2 + (y - 40)),
        msl: field((_, y) => 1010 + 2 * (y - 40)),
      });
    }
    await writer.close();
  });

  it('converts it to sflux/ (records covering the run, SI units, south to north, mesh longitudes) and the model runs with it', async () => {
    const windy = await catalog.createSite(
      siteConfig('windy-coast', { schedule: { enabled: false, hourUtc: 0, spinUpHours: 1, forecastHours: 6 } }),
      join(uploads(), 'coast.gr3'),
    );
    const atmosphere = { path: forcingFile, variables: { uwind: 'u10', vwind: 'v10', prmsl: 'msl' }, origin: 'https://example.org/gfs' };
    const prepared = await prepareRun({ dataDir, site: windy, cycle, forcings: { atmosphere } });
    expect(await readdir(join(prepared.runDir, 'sflux'))).toEqual(['sflux_air_1.0001.nc', 'sflux_inputs.txt']);
    const params = await readParam(join(prepared.runDir, 'param.nml'));
    expect(params).toMatchObject({ nws: 2, wtiminc: 300, windRampSeconds: 1800 });
    const record = JSON.parse(await readFile(join(prepared.runDir, 'run.json'), 'utf8')) as RunRecord;
    expect(record.inputs.forcings.atmosphere).toEqual(atmosphere);

    const sflux = await openSfluxAir(join(prepared.runDir, 'sflux'), { start: new Date(prepared.start) });
    try {
      // The run is 05:00 to 12:00; the records at 03:00 and 12:00 bracket it.
      expect(sflux.times.map((t) => t.toISOString())).toEqual(['03', '06', '09', '12'].map((h) => `2026-06-10T${h}:00:00.000Z`));
      const node = westNodes[1];
      const at = 3600; // 06:00, a record: 3 h after the file's first time
      const sample = await sflux.atNodes(at, Float64Array.of(mesh.x[node]), Float64Array.of(mesh.y[node]));
      expect(sample.uwind[0]).toBeCloseTo(4 + (mesh.x[node] + 360 - 350) + 3 * 0.5, 4);
      expect(sample.vwind[0]).toBeCloseTo(-2 + (mesh.y[node] - 40), 4);
      expect(sample.prmsl[0]).toBeCloseTo(100 * (1010 + 2 * (mesh.y[node] - 40)), 1);
    } finally {
      await sflux.close();
    }
    const summary = await runModel(prepared.runDir);
    expect(summary.steps).toBe(84);
  });

  it("writes what SCHISM reads beyond the built-in model's subset for a SCHISM site, and keeps the wind on a projected mesh", async () => {
    // The test mesh moved into UTM 29N (central meridian 9° W), 30 km east of the meridian, inside the forcing's grid.
    const crs = 'EPSG:32629';
    const utm = generateRectangleMesh({ ...meshSpec, dx: 170, origin: { x: 530_000, y: 4_500_000 } });
    await writeMesh(join(uploads(), 'utm.gr3'), utm);
    const schismSite = await catalog.createSite(
      siteConfig('schism-coast', { coordinates: { ics: 1, crs }, model: { dt: 300, nspool: 12, engine: 'schism' }, schedule: { enabled: false, hourUtc: 0, spinUpHours: 1, forecastHours: 6 } }),
      join(uploads(), 'utm.gr3'),
    );
    const builtInSite = await catalog.createSite(
      siteConfig('built-in-utm', { coordinates: { ics: 1, crs }, schedule: { enabled: false, hourUtc: 0, spinUpHours: 1, forecastHours: 6 } }),
      join(uploads(), 'utm.gr3'),
    );
    const atmosphere = { path: forcingFile, variables: { uwind: 'u10', vwind: 'v10', prmsl: 'msl' } };
    const schism = await prepareRun({ dataDir, site: schismSite, cycle, forcings: { atmosphere } });
    const builtIn = await prepareRun({ dataDir, site: builtInSite, cycle, forcings: { atmosphere } });
    expect(builtIn.omitted).toEqual([{ forcing: 'atmosphere', reason: 'the built-in model reads sflux only on a lon/lat mesh (ics = 2)' }]);
    expect(await readdir(builtIn.runDir)).not.toContain('vgrid.in');

    expect(schism.omitted).toEqual([]);
    const files = await readdir(schism.runDir);
    expect(files).toEqual(expect.arrayContaining(['hgrid.gr3', 'hgrid.ll', 'vgrid.in', 'param.nml', 'bctides.in', 'manning.gr3', 'sflux', 'windrot_geo2proj.gr3']));
    expect(await readFile(join(schism.runDir, 'vgrid.in'), 'utf8')).toBe(formatVgrid2d());
    const params = await readParam(join(schism.runDir, 'param.nml'));
    expect(params).toMatchObject({ ics: 1, nws: 2 });
    const paramText = await readFile(join(schism.runDir, 'param.nml'), 'utf8');
    for (const key of ['msc2', 'mdc2', 'ntracer_gen', 'ntracer_age', 'sed_class', 'eco_class']) expect(paramText).toMatch(new RegExp(`^\\s*${key} = \\d+`, 'm'));

    const lonLat = meshToLonLat(meshCrs({ ics: 1, crs }), utm.x, utm.y);
    const ll = await loadMesh(join(schism.runDir, 'hgrid.ll'), { ics: 2 });
    expect(ll.triangles).toEqual(utm.triangles);
    expect(ll.openBoundaries).toEqual(utm.openBoundaries);
    for (let n = 0; n < utm.x.length; n++) {
      expect(ll.x[n]).toBeCloseTo(lonLat.lon[n], 9);
      expect(ll.y[n]).toBeCloseTo(lonLat.lat[n], 9);
    }
    // East of the central meridian at 40.6° N grid north is turned from true north by Δλ·sin φ ≈ 0.355° · 0.65 ≈ 0.23°; SCHISM turns the wind back by as much.
    const rotation = await loadGr3Property(join(schism.runDir, 'windrot_geo2proj.gr3'));
    const bearings = gridNorthBearings(meshCrs({ ics: 1, crs }), lonLat.lon, lonLat.lat) as Float64Array;
    for (let n = 0; n < utm.x.length; n++) expect(rotation[n]).toBeCloseTo(-bearings[n], 9);
    expect(rotation[0]).toBeGreaterThan(-0.26);
    expect(rotation[0]).toBeLessThan(-0.2);
    expect(await readdir(join(schism.runDir, 'sflux'))).toEqual(['sflux_air_1.0001.nc', 'sflux_inputs.txt']);
  });

  it('refuses a forcing that does not cover the run, naming it, and leaves nothing', async () => {
    const late = new Date('2026-06-10T15:00:00Z');
    const site = catalog.getSite('windy-coast');
    await expect(prepareRun({ dataDir, site, cycle: late, forcings: { atmosphere: { path: forcingFile, variables: { uwind: 'u10', vwind: 'v10', prmsl: 'msl' } } } })).rejects.toThrow(
      `atmosphere forcing ${forcingFile}: covers 2026-06-10T03:00:00.000Z to 2026-06-10T18:00:00.000Z; the run needs 2026-06-10T14:00:00.000Z to 2026-06-10T21:00:00.000Z`,
    );
    expect(existsSync(runDirFor(dataDir, 'windy-coast', late))).toBe(false);
    expect(existsSync(`${runDirFor(dataDir, 'windy-coast', late)}.partial`)).toBe(false);
  });
});
