/**
 * Wave products from out2d files that carry sigWaveHeight, peakPeriod and
 * meanWaveDirection: frames and envelopes, station series (the direction
 * averaged as a vector across north), wave-height alerts, the summary, and
 * on a projected mesh the direction turned from grid north to true north.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { meshCrs } from '../core/crs.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { Out2dWriter, type Field } from '../core/out2d.js';
import type { Site } from '../core/site.js';
import { postProcess, type ProductsSummary } from '../activities/postProcess.js';
import { writeSchismOut2d } from './support/schismOut2d.js';

type SiteParts = Pick<Site, 'coordinates' | 'stations' | 'thresholds'>;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-waves-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
function readFloats(path: string): Float32Array {
  const buffer = readFileSync(path);
  return new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}
/** The angle between two bearings, degrees in 0..180. */
const bearingGap = (a: number, b: number) => {
  const d = (((a - b) % 360) + 360) % 360;
  return Math.min(d, 360 - d);
};

// ---------------------------------------------------------------------------
// A lon/lat shelf off Pillar Point, 5 × 4 nodes (node n = i + 5j at column i,
// row j), all sea. Node DRY falls dry at one forecast time.

const NX = 5;
const STEP = 0.002;
const LON0 = -122.52;
const LAT0 = 37.48;
const shelf = generateRectangleMesh({ nx: NX, ny: 4, dx: STEP, origin: { x: LON0, y: LAT0 }, depth: () => 5 });
const nodeCount = shelf.x.length;
const start = new Date('2026-12-07T18:00:00Z');
const cycle = '2026-12-07T21:00:00.000Z';
const HOUR = 3600;
/** One spin-up output, then the forecast. */
const OUTPUTS = 5;
const FORECAST = OUTPUTS - 1;
const forecastTimes = Array.from({ length: FORECAST }, (_, k) => new Date(start.getTime() + (k + 1) * 3 * HOUR * 1000).toISOString());
const DRY = 8;
const DRY_AT = 2;

const HYDRO: Field[] = ['elevation', 'depthAverageVelX', 'depthAverageVelY', 'dryFlagNode'];
const WAVES: Field[] = ['sigWaveHeight', 'peakPeriod', 'meanWaveDirection'];

/** Node values at output `k` (0 = spin-up) as the model would write them: not linear in space, so interpolation is put to the test. */
function waveFrame(k: number) {
  const dry = Uint8Array.from({ length: nodeCount }, (_, n) => (n === DRY && k === DRY_AT + 1 ? 1 : 0));
  // A dry node's period and direction are whatever the model left there.
  const sigWaveHeight = Float32Array.from({ length: nodeCount }, (_, n) => (dry[n] ? 0 : 0.5 + 0.3 * k + 0.1 * ((7 * n) % 5)));
  const peakPeriod = Float32Array.from({ length: nodeCount }, (_, n) => (dry[n] ? 999 : 10 + k + 0.5 * (n % 3)));
  // Swell from just west of north on even columns, just east on odd ones.
  const meanWaveDirection = Float32Array.from({ length: nodeCount }, (_, n) => (dry[n] ? 180 : (n % NX) % 2 === 0 ? 350 : 10));
  return { dry, sigWaveHeight, peakPeriod, meanWaveDirection };
}

/** outputs/ in two blocks; `wavesIn` says which blocks carry the wave fields. */
async function makeRun(name: string, wavesIn: [boolean, boolean], fieldsOf: (waves: boolean) => Field[] = (waves) => (waves ? [...HYDRO, ...WAVES] : HYDRO)): Promise<string> {
  const runDir = join(root, name);
  await mkdir(join(runDir, 'outputs'), { recursive: true });
  const blocks: [number, number][] = [
    [0, 2],
    [2, OUTPUTS],
  ];
  for (const [b, [from, to]] of blocks.entries()) {
    const fields = fieldsOf(wavesIn[b]);
    const writer = await Out2dWriter.create(join(runDir, 'outputs', `out2d_${b + 1}.nc`), shelf, { start, coordinates: 'lonlat', fields });
    for (let k = from; k < to; k++) {
      const w = waveFrame(k);
      const values: Partial<Record<Field, ArrayLike<number>>> = {
        elevation: new Float32Array(nodeCount).fill(0.2),
        depthAverageVelX: new Float32Array(nodeCount).fill(0.1),
        depthAverageVelY: new Float32Array(nodeCount),
        dryFlagNode: w.dry,
        sigWaveHeight: w.sigWaveHeight,
        peakPeriod: w.peakPeriod,
        meanWaveDirection: w.meanWaveDirection,
      };
      await writer.appendFrame(k * 3 * HOUR, Object.fromEntries(fields.map((f) => [f, values[f]])));
    }
    await writer.close();
  }
  return runDir;
}

// Station "mid" sits halfway between columns 1 and 2 at (1.5, 1.3) cells: in the triangle of
// nodes 6 (1,1), 7 (2,1), 12 (2,2) with weights 0.5, 0.2 and 0.3, half on each column.
const mid = { id: 'mid', name: 'Mid shelf', lon: LON0 + 1.5 * STEP, lat: LAT0 + 1.3 * STEP };
const MID = { nodes: [6, 7, 12], weights: [0.5, 0.2, 0.3] };
// Station "reef" at (2.3, 0.6) cells: nodes 2 (2,0), 8 (3,1), 7 (2,1) with weights 0.4, 0.3, 0.3,
// so 0.7 on even column 2 and 0.3 on odd column 3; node 8 is DRY.
const reef = { id: 'reef', name: 'Reef', lon: LON0 + 2.3 * STEP, lat: LAT0 + 0.6 * STEP };
const REEF = { nodes: [2, 8, 7], weights: [0.4, 0.3, 0.3] };

const interpolated = (values: Float32Array, { nodes, weights }: { nodes: number[]; weights: number[] }) => nodes.reduce((sum, n, k) => sum + weights[k] * values[n], 0);
const midHs = Array.from({ length: FORECAST }, (_, k) => interpolated(waveFrame(k + 1).sigWaveHeight, MID));

describe('wave products on a lon/lat mesh (classic out2d with the wave fields)', () => {
  let runDir: string;
  let summary: ProductsSummary;
  const products = (path: string) => join(runDir, 'products', path);
  /** Between the second and third forecast values, so float32 rounding cannot move it. */
  const stormHeight = (midHs[1] + midHs[2]) / 2;

  beforeAll(async () => {
    runDir = await makeRun('shelf', [true, true]);
    const site: SiteParts = {
      coordinates: { ics: 2 },
      stations: [mid, reef, { id: 'far', name: 'Far', lon: -122, lat: 37 }],
      thresholds: {
        waveHeight: [
          { stationId: 'mid', height: stormHeight, name: 'storm' },
          { stationId: 'mid', height: Math.max(...midHs) + 1, name: 'never reached' },
          { stationId: 'far', height: 0, name: 'no series' },
        ],
      },
    };
    summary = await postProcess({ runDir, site, cycle });
  });

  it('index.json lists the wave variables, the direction as a direction, and envelopes of height and period only', () => {
    const index = readJson(products('frames/index.json'));
    expect(index.variables.map((v: { name: string }) => v.name)).toEqual(['elevation', 'speed', 'inundationDepth', 'sigWaveHeight', 'peakPeriod', 'meanWaveDirection']);
    const byName = Object.fromEntries(index.variables.map((v: { name: string }) => [v.name, v]));
    expect(byName.sigWaveHeight).toMatchObject({ units: 'm', frames: 'frames/sigWaveHeight/{index}.bin' });
    expect(byName.peakPeriod).toMatchObject({ units: 's' });
    expect(byName.meanWaveDirection).toMatchObject({ units: 'degree', kind: 'direction', min: 10, max: 350 });
    expect(index.variables.filter((v: { kind?: string }) => v.kind).map((v: { name: string }) => v.name)).toEqual(['meanWaveDirection']);
    expect(index.max.map((m: { variable: string }) => m.variable)).toEqual(['elevation', 'speed', 'inundationDepth', 'sigWaveHeight', 'peakPeriod']);
    expect(existsSync(products('max/meanWaveDirection.bin'))).toBe(false);
  });

  it('frames hold the node values, NaN where dry', () => {
    for (let k = 0; k < FORECAST; k++) {
      const expected = waveFrame(k + 1);
      for (const variable of ['sigWaveHeight', 'peakPeriod', 'meanWaveDirection'] as const) {
        const values = readFloats(products(`frames/${variable}/${k}.bin`));
        expect(values.length).toBe(nodeCount);
        values.forEach((v, n) => (expected.dry[n] ? expect(v, `${variable} ${k} ${n}`).toBeNaN() : expect(v, `${variable} ${k} ${n}`).toBe(expected[variable][n])));
      }
    }
    expect(readFloats(products(`frames/peakPeriod/${DRY_AT}.bin`))[DRY]).toBeNaN();
  });

  it('envelopes are the highest wave and the longest period over the wet times', () => {
    const forecast = Array.from({ length: FORECAST }, (_, k) => waveFrame(k + 1));
    for (const variable of ['sigWaveHeight', 'peakPeriod'] as const) {
      const envelope = readFloats(products(`max/${variable}.bin`));
      envelope.forEach((v, n) => expect(v).toBe(Math.max(...forecast.filter((f) => !f.dry[n]).map((f) => f[variable][n]))));
    }
    // The 999 s the model left at the dry node never shows.
    expect(readFloats(products('max/peakPeriod.bin'))[DRY]).toBeLessThan(20);
  });

  it('stations get barycentric height and period, and the direction averaged as a vector across north', () => {
    const stations = readJson(products('stations.json'));
    const [m, r, far] = stations.stations;
    expect(m).toMatchObject({ id: 'mid', nodes: MID.nodes });
    m.weights.forEach((w: number, k: number) => expect(w).toBeCloseTo(MID.weights[k], 9));
    m.sigWaveHeight.forEach((v: number, k: number) => expect(v).toBeCloseTo(midHs[k], 6));
    m.peakPeriod.forEach((v: number, k: number) => expect(v).toBeCloseTo(interpolated(waveFrame(k + 1).peakPeriod, MID), 6));
    // Half 350°, half 10°: north, where averaging the angles would say south.
    for (const direction of m.meanWaveDirection) expect(bearingGap(direction, 0)).toBeLessThan(1e-9);

    expect(r).toMatchObject({ id: 'reef', nodes: REEF.nodes });
    const reefDirection = (Math.atan2(-0.4 * Math.sin((10 * Math.PI) / 180), Math.cos((10 * Math.PI) / 180)) * 180) / Math.PI + 360;
    expect(reefDirection).toBeCloseTo(355.97, 2);
    r.meanWaveDirection.forEach((v: number | null, k: number) => (k === DRY_AT ? expect(v).toBeNull() : expect(v).toBeCloseTo(reefDirection, 9)));
    expect(r.sigWaveHeight[DRY_AT]).toBeNull();
    expect(r.peakPeriod[DRY_AT]).toBeNull();
    expect(r.sigWaveHeight[0]).toBeCloseTo(interpolated(waveFrame(1).sigWaveHeight, REEF), 6);

    expect(m.maxWaveHeight).toBeCloseTo(Math.max(...midHs), 6);
    expect(m.maxWaveHeightAt).toBe(forecastTimes[FORECAST - 1]);
    expect(far).toEqual({ id: 'far', name: 'Far', lon: -122, lat: 37, inMesh: false, problem: expect.any(String) });
  });

  it('a wave-height threshold fires when first reached, with the peak; one above every height stays silent', () => {
    expect(summary.alerts).toEqual([
      {
        kind: 'waveHeight',
        key: 'waveHeight:mid:storm',
        name: 'storm',
        stationId: 'mid',
        threshold: stormHeight,
        value: expect.closeTo(Math.max(...midHs), 6),
        firstExceededAt: forecastTimes[2],
        peakAt: forecastTimes[FORECAST - 1],
      },
    ]);
  });

  it('the summary gives each station its highest wave', () => {
    expect(summary.stations.map((s) => [s.id, s.maxWaveHeightAt])).toEqual([
      ['mid', forecastTimes[FORECAST - 1]],
      ['reef', forecastTimes[FORECAST - 1]],
      ['far', null],
    ]);
    expect(summary.stations[0].maxWaveHeight).toBeCloseTo(Math.max(...midHs), 6);
    expect(summary.stations[2].maxWaveHeight).toBeNull();
  });
});

describe('a run without waves', () => {
  it('has no wave products, and null wave heights in the summary', async () => {
    const runDir = await makeRun('calm', [false, false]);
    const summary = await postProcess({ runDir, site: { coordinates: { ics: 2 }, stations: [mid], thresholds: { waveHeight: [{ stationId: 'mid', height: 0, name: 'any' }] } }, cycle });
    const index = readJson(join(runDir, 'products/frames/index.json'));
    expect(index.variables.map((v: { name: string }) => v.name)).toEqual(['elevation', 'speed', 'inundationDepth']);
    expect(index.max.map((m: { variable: string }) => m.variable)).toEqual(['elevation', 'speed', 'inundationDepth']);
    expect(existsSync(join(runDir, 'products/frames/sigWaveHeight'))).toBe(false);
    const station = readJson(join(runDir, 'products/stations.json')).stations[0];
    expect(Object.keys(station)).toEqual(['id', 'name', 'lon', 'lat', 'inMesh', 'x', 'y', 'triangle', 'nodes', 'weights', 'elevation', 'velocityX', 'velocityY', 'maxLevel', 'maxLevelAt']);
    expect(summary.stations[0]).toMatchObject({ id: 'mid', maxWaveHeight: null, maxWaveHeightAt: null });
    expect(summary.alerts).toEqual([]);
  });
});

describe('out2d files that disagree about waves', () => {
  const site: SiteParts = { coordinates: { ics: 2 }, stations: [], thresholds: {} };

  it('a block without the wave fields after one with them is refused, naming it', async () => {
    const runDir = await makeRun('mixed', [true, false]);
    const second = join(runDir, 'outputs', 'out2d_2.nc');
    await expect(postProcess({ runDir, site, cycle })).rejects.toThrow(`${second}: no wave fields (sigWaveHeight, peakPeriod, meanWaveDirection), but ${join(runDir, 'outputs', 'out2d_1.nc')} of the same run has them`);
    expect(existsSync(join(runDir, 'products'))).toBe(false);
  });

  it('and so is a block with the wave fields after one without them', async () => {
    const runDir = await makeRun('mixed-late', [false, true]);
    await expect(postProcess({ runDir, site, cycle })).rejects.toThrow(`${join(runDir, 'outputs', 'out2d_1.nc')}: no wave fields`);
  });

  it('a file with only some of the wave fields is refused, naming what is missing', async () => {
    const runDir = await makeRun('height-only', [true, true], (waves) => (waves ? [...HYDRO, 'sigWaveHeight'] : HYDRO));
    await expect(postProcess({ runDir, site, cycle })).rejects.toThrow(`${join(runDir, 'outputs', 'out2d_1.nc')}: variables peakPeriod, meanWaveDirection missing beside sigWaveHeight`);
  });
});

// ---------------------------------------------------------------------------

describe("SCHISM's NetCDF-4 out2d with waves on a UTM mesh", () => {
  it('turns the direction from grid north to true north by the meridian convergence', async () => {
    // 2.5° east of zone 29's central meridian (9° W), where grid north lies about 1.6° east of true north.
    const crs = meshCrs({ ics: 1, crs: 'EPSG:32629' });
    const [x0, y0] = crs.fromLonLat(-6.5, 40.6).map((v) => Math.round(v));
    const utm = generateRectangleMesh({ nx: 4, ny: 3, dx: 500, origin: { x: x0, y: y0 }, depth: () => 10 });
    const n = utm.x.length;
    const times = [0, 3600];
    // Grid directions on both sides of grid north, so one of them crosses 360 when turned.
    const gridDirection = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 280 : 359.5));
    const perTime = (values: ArrayLike<number>) => times.map(() => values);
    const fill = (value: number) => new Array(n).fill(value);
    const runDir = join(root, 'schism-utm');
    await mkdir(join(runDir, 'outputs'), { recursive: true });
    await writeSchismOut2d(join(runDir, 'outputs', 'out2d_1.nc'), {
      mesh: utm,
      startDay: '2026-12-07',
      times,
      fields: {
        elevation: { frames: perTime(fill(0.3)) },
        depthAverageVelX: { frames: perTime(fill(0)) },
        depthAverageVelY: { frames: perTime(fill(0)) },
        dryFlagNode: { frames: perTime(fill(0)), type: 'int' },
        sigWaveHeight: { frames: perTime(fill(2.5)), units: 'm' },
        peakPeriod: { frames: perTime(fill(14)), units: 's' },
        meanWaveDirection: { frames: perTime(gridDirection), units: 'degree' },
      },
    });
    expect(execFileSync('ncdump', ['-k', join(runDir, 'outputs', 'out2d_1.nc')], { encoding: 'utf8' }).trim()).toBe('netCDF-4');

    const [sx, sy] = [x0 + 700, y0 + 300];
    const [slon, slat] = crs.toLonLat(sx, sy);
    const summary = await postProcess({
      runDir,
      site: { coordinates: { ics: 1, crs: 'EPSG:32629' }, stations: [{ id: 'shelf', name: 'Shelf', lon: slon, lat: slat }], thresholds: { waveHeight: [{ stationId: 'shelf', height: 2, name: 'swell' }] } },
      cycle: '2026-12-07T00:00:00Z',
    });

    // The convergence of a transverse Mercator on the sphere, atan(tan Δλ · sin φ): the ellipsoid changes it by far less than 0.001° here.
    const convergence = (lon: number, lat: number) => (Math.atan(Math.tan(((lon + 9) * Math.PI) / 180) * Math.sin((lat * Math.PI) / 180)) * 180) / Math.PI;
    const trueDirection = Array.from({ length: n }, (_, i) => {
      const [lon, lat] = crs.toLonLat(utm.x[i], utm.y[i]);
      return (gridDirection[i] + convergence(lon, lat)) % 360;
    });
    const frame = readFloats(join(runDir, 'products/frames/meanWaveDirection/1.bin'));
    frame.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(360);
      expect(bearingGap(v, trueDirection[i]), `node ${i}`).toBeLessThan(1e-3);
      expect(bearingGap(v, gridDirection[i])).toBeGreaterThan(1.6);
    });
    // 359.5° on the grid is past north on the globe.
    expect(frame[1]).toBeLessThan(2);

    const station = readJson(join(runDir, 'products/stations.json')).stations[0];
    const { nodes, weights } = station as { nodes: number[]; weights: number[] };
    const rad = Math.PI / 180;
    const east = nodes.reduce((s, node, k) => s + weights[k] * Math.sin(trueDirection[node] * rad), 0);
    const north = nodes.reduce((s, node, k) => s + weights[k] * Math.cos(trueDirection[node] * rad), 0);
    expect(bearingGap(station.meanWaveDirection[0], Math.atan2(east, north) / rad)).toBeLessThan(1e-3);
    station.sigWaveHeight.forEach((v: number) => expect(v).toBeCloseTo(2.5, 9));
    expect(summary.stations[0]).toMatchObject({ maxWaveHeight: expect.closeTo(2.5, 9), maxWaveHeightAt: '2026-12-07T00:00:00.000Z' });
    expect(summary.alerts.map((a) => a.key)).toEqual(['waveHeight:shelf:swell']);
  });
});
