import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { meshCrs } from '../core/crs.js';
import { EARTH_RADIUS_M, lonLatTriangleArea } from '../core/geodesy.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { Out2dWriter, type Field, type OutputMesh } from '../core/out2d.js';
import type { Site } from '../core/site.js';
import { evaluateAlerts } from '../activities/alerts.js';
import { locateStations } from '../activities/products/stations.js';
import { postProcess, type ProductsSummary } from '../activities/postProcess.js';
import { writeSchismOut2d } from './support/schismOut2d.js';

type SiteParts = Pick<Site, 'coordinates' | 'stations' | 'thresholds'>;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-products-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

// ---------------------------------------------------------------------------
// A lon/lat mesh near Aveiro: sea in the west, land rising to the east, and a
// hill (node HILL) that stays dry when the land around it floods.

const LON0 = -8.76;
const LAT0 = 40.6;
const NX = 21;
const NY = 11;
const STEP = 0.001;
const HILL = 14 + NX * 5;
/** Sea shoaling to the coast at column 10, then land rising gently to 1.5 m. */
const depthOfColumn = (i: number) => (i <= 10 ? 4 - 0.4 * i : -0.15 * (i - 10));
const mesh = generateRectangleMesh({ nx: NX, ny: NY, dx: STEP, origin: { x: LON0, y: LAT0 }, depth: (lon) => depthOfColumn(Math.round((lon - LON0) / STEP)) });
mesh.depth[HILL] = -3;
// Depths as out2d stores them (float), so the test's flood rule sees the same numbers as post-processing.
mesh.depth.set(Float32Array.from(mesh.depth));

const start = new Date('2026-11-24T18:00:00Z');
const cycle = new Date('2026-11-25T00:00:00Z');
const SPIN_UP_FRAMES = 6;
const FORECAST_FRAMES = 13;
const HOUR = 3600;
const OMEGA = (2 * Math.PI) / (12.42 * HOUR);
/** Minimum wet depth the synthetic "model" uses for its dry flags. */
const H0 = 0.01;

/** Linear in lon and lat at every time, so interpolation inside a triangle is exact. */
function elevationAt(seconds: number, lon: number, lat: number): number {
  // Spin-up output carries a 10 m surge that the products must not show.
  const spinUp = seconds < SPIN_UP_FRAMES * HOUR ? 10 : 0;
  return spinUp + 1.2 * Math.sin(OMEGA * seconds) + (0.2 * (lon - LON0)) / 0.01 + (0.1 * (lat - LAT0)) / 0.01;
}
const velocityXAt = (seconds: number, lon: number) => 0.5 * Math.cos(OMEGA * seconds) + (0.1 * (lon - LON0)) / 0.01;
const velocityYAt = (seconds: number, lat: number) => 0.2 * Math.sin(OMEGA * seconds) + (0.05 * (lat - LAT0)) / 0.01;

interface ExpectedFrame {
  elevation: Float32Array;
  velocityX: Float32Array;
  velocityY: Float32Array;
  dry: Uint8Array;
}

function frameAt(seconds: number, m: OutputMesh = mesh): ExpectedFrame {
  const n = m.x.length;
  const frame = { elevation: new Float32Array(n), velocityX: new Float32Array(n), velocityY: new Float32Array(n), dry: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    frame.elevation[i] = elevationAt(seconds, m.x[i], m.y[i]);
    frame.velocityX[i] = velocityXAt(seconds, m.x[i]);
    frame.velocityY[i] = velocityYAt(seconds, m.y[i]);
    frame.dry[i] = frame.elevation[i] + m.depth[i] < H0 ? 1 : 0;
  }
  return frame;
}

const FIELDS: Field[] = ['elevation', 'depthAverageVelX', 'depthAverageVelY', 'dryFlagNode'];

/** A run directory whose outputs/ holds the spin-up and forecast in two out2d blocks, as the model writes them. */
async function makeRun(name: string, fields: Field[] = FIELDS): Promise<string> {
  const runDir = join(root, name);
  await mkdir(join(runDir, 'outputs'), { recursive: true });
  const frames = SPIN_UP_FRAMES + FORECAST_FRAMES;
  const blocks = [
    [0, 10],
    [10, frames],
  ];
  for (const [b, [from, to]] of blocks.entries()) {
    const writer = await Out2dWriter.create(join(runDir, 'outputs', `out2d_${b + 1}.nc`), mesh, { start, coordinates: 'lonlat', fields });
    for (let k = from; k < to; k++) {
      const f = frameAt(k * HOUR);
      const values = { elevation: f.elevation, depthAverageVelX: f.velocityX, depthAverageVelY: f.velocityY, dryFlagNode: f.dry };
      await writer.appendFrame(k * HOUR, Object.fromEntries(fields.map((field) => [field, values[field as keyof typeof values]])));
    }
    await writer.close();
  }
  return runDir;
}

const forecastSeconds = Array.from({ length: FORECAST_FRAMES }, (_, k) => (SPIN_UP_FRAMES + k) * HOUR);
const forecastTimes = forecastSeconds.map((s) => new Date(start.getTime() + s * 1000).toISOString());

// Stations: one on land that dries, one in the sea, one off the mesh.
const landStation = { id: 'quay', name: 'Quay', lon: LON0 + 0.0123, lat: LAT0 + 0.0023 };
const seaStation = { id: 'buoy', name: 'Buoy', lon: LON0 + 0.0037, lat: LAT0 + 0.0062 };
const offMesh = { id: 'far', name: 'Far away', lon: -8.71, lat: 40.6 };

/** The sea station's level at each forecast time, from the analytic field. */
const seaLevels = forecastSeconds.map((s) => elevationAt(s, seaStation.lon, seaStation.lat));

// ---------------------------------------------------------------------------
// Reading the products back the way the web app does: typed arrays over the bytes.

function bytesOf(path: string): ArrayBuffer {
  const buffer = readFileSync(path);
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

function readMeshBin(path: string) {
  const bytes = bytesOf(path);
  const view = new DataView(bytes);
  const magic = String.fromCharCode(...new Uint8Array(bytes, 0, 4));
  const n = view.getUint32(4, true);
  const t = view.getUint32(8, true);
  return {
    magic,
    lon: new Float64Array(bytes, 16, n),
    lat: new Float64Array(bytes, 16 + 8 * n, n),
    depth: new Float32Array(bytes, 16 + 16 * n, n),
    triangles: new Uint32Array(bytes, 16 + 20 * n, 3 * t),
    size: bytes.byteLength,
    expectedSize: 16 + 20 * n + 12 * t,
  };
}

const readFloats = (path: string) => new Float32Array(bytesOf(path));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

type Ring = [number, number][];

/** Area in m² of a lon/lat ring on the plane tangent at the mesh's mid latitude (signed: > 0 counter-clockwise). */
function ringAreaM2(ring: Ring): number {
  const k = (Math.PI / 180) * EARTH_RADIUS_M;
  const cos = Math.cos(((LAT0 + (NY - 1) * STEP * 0.5) * Math.PI) / 180);
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return 0.5 * sum * k * k * cos;
}

function checkGeoJson(geojson: { type: string; features: { properties: { floodedAreaKm2: number }; geometry: { type: string; coordinates: Ring[][] } }[] }): { areaKm2: number; holes: number } {
  expect(geojson.type).toBe('FeatureCollection');
  expect(geojson.features).toHaveLength(1);
  const { geometry, properties } = geojson.features[0];
  expect(geometry.type).toBe('MultiPolygon');
  let area = 0;
  let holes = 0;
  for (const [exterior, ...inner] of geometry.coordinates) {
    for (const ring of [exterior, ...inner]) {
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring[ring.length - 1]).toEqual(ring[0]);
    }
    expect(ringAreaM2(exterior)).toBeGreaterThan(0);
    area += ringAreaM2(exterior);
    for (const hole of inner) {
      expect(ringAreaM2(hole)).toBeLessThan(0);
      area += ringAreaM2(hole);
      holes++;
    }
  }
  // Rounding to 1e-7° and one tangent plane for the whole mesh: agree to 1e-4.
  expect(Math.abs(area / 1e6 - properties.floodedAreaKm2)).toBeLessThanOrEqual(1e-4 * Math.max(properties.floodedAreaKm2, 1e-3));
  return { areaKm2: area / 1e6, holes };
}

// ---------------------------------------------------------------------------

describe('post-processing a forecast run (classic out2d from the built-in model)', () => {
  let runDir: string;
  let summary: ProductsSummary;
  const products = () => join(runDir, 'products');
  /** Thresholds placed between forecast values so float32 rounding cannot move them. */
  const risingIndex = seaLevels.findIndex((v, k) => k > 0 && v > seaLevels[k - 1] + 0.05);
  const stationThreshold = (seaLevels[risingIndex] + seaLevels[risingIndex - 1]) / 2;
  const progress: [number, number][] = [];
  let site: SiteParts;

  beforeAll(async () => {
    runDir = await makeRun('aveiro');
    site = {
      coordinates: { ics: 2 },
      stations: [landStation, seaStation, offMesh],
      thresholds: {
        stationLevel: [
          { stationId: 'buoy', level: stationThreshold, name: 'minor flooding' },
          { stationId: 'buoy', level: Math.max(...seaLevels) + 0.5, name: 'never reached' },
        ],
        floodedArea: 0.5,
      },
    };
    summary = await postProcess({ runDir, site, cycle: cycle.toISOString(), onProgress: (done, total) => progress.push([done, total]) });
  });

  it('writes products/ and leaves no partial folder', () => {
    expect(existsSync(products())).toBe(true);
    expect(existsSync(join(runDir, 'products.partial'))).toBe(false);
    const listed = readdirSync(products(), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(products().length + 1))
      .sort();
    expect([...summary.products].sort()).toEqual(listed);
    expect(listed).toContain('mesh.bin');
    expect(listed).toContain('frames/index.json');
    expect(listed).toContain('stations.json');
    expect(listed).toContain('flood/max.geojson');
    expect(progress.at(-1)).toEqual([FORECAST_FRAMES, FORECAST_FRAMES]);
  });

  it('mesh.bin decodes to the lon/lat, depth and triangles of the mesh', () => {
    const m = readMeshBin(join(products(), 'mesh.bin'));
    expect(m.magic).toBe('CCM1');
    expect(m.size).toBe(m.expectedSize);
    expect(Array.from(m.lon)).toEqual(Array.from(mesh.x));
    expect(Array.from(m.lat)).toEqual(Array.from(mesh.y));
    expect(Array.from(m.depth)).toEqual(Array.from(Float32Array.from(mesh.depth)));
    expect(Array.from(m.triangles)).toEqual(Array.from(mesh.triangles));
  });

  it('covers the forecast only: times from the cycle on, spin-up left out', () => {
    expect(summary.cycle).toBe(cycle.toISOString());
    expect(summary.times).toEqual(forecastTimes);
    const index = readJson(join(products(), 'frames/index.json'));
    expect(index.times).toEqual(forecastTimes);
    expect(index.times[0]).toBe(cycle.toISOString());
    expect(index.nodeCount).toBe(mesh.x.length);
    expect(existsSync(join(products(), `frames/elevation/${FORECAST_FRAMES}.bin`))).toBe(false);
  });

  /** What each frame should hold, from the analytic fields. */
  function expectedFrames(k: number) {
    const f = frameAt(forecastSeconds[k]);
    const n = mesh.x.length;
    const elevation = new Float32Array(n);
    const speed = new Float32Array(n);
    const inundationDepth = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      elevation[i] = f.dry[i] ? NaN : f.elevation[i];
      speed[i] = f.dry[i] ? NaN : Math.hypot(f.velocityX[i], f.velocityY[i]);
      const h = f.elevation[i] + mesh.depth[i];
      inundationDepth[i] = mesh.depth[i] < 0 && !f.dry[i] && h >= 0.05 ? h : NaN;
    }
    return { elevation, speed, inundationDepth };
  }

  it('frames decode to elevation and speed (NaN where dry) and inundation depth over flooded land', () => {
    let sawDry = false;
    let sawFlooded = false;
    for (let k = 0; k < FORECAST_FRAMES; k++) {
      const expected = expectedFrames(k);
      for (const variable of ['elevation', 'speed', 'inundationDepth'] as const) {
        const values = readFloats(join(products(), `frames/${variable}/${k}.bin`));
        expect(values.length).toBe(mesh.x.length);
        values.forEach((v, i) => {
          const e = expected[variable][i];
          if (Number.isNaN(e)) expect(v).toBeNaN();
          else expect(Math.abs(v - e)).toBeLessThan(1e-5);
        });
      }
      sawDry ||= expected.elevation.some(Number.isNaN);
      sawFlooded ||= expected.inundationDepth.some((v) => !Number.isNaN(v));
    }
    expect(sawDry && sawFlooded).toBe(true);
  });

  it('max envelopes are the maxima over the forecast, and index.json has every range', () => {
    const index = readJson(join(products(), 'frames/index.json'));
    const all = Array.from({ length: FORECAST_FRAMES }, (_, k) => expectedFrames(k));
    for (const variable of ['elevation', 'speed', 'inundationDepth'] as const) {
      const envelope = readFloats(join(products(), `max/${variable}.bin`));
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < mesh.x.length; i++) {
        const values = all.map((f) => f[variable][i]).filter((v) => !Number.isNaN(v));
        if (values.length === 0) expect(envelope[i]).toBeNaN();
        else expect(Math.abs(envelope[i] - Math.max(...values))).toBeLessThan(1e-5);
        for (const v of values) [min, max] = [Math.min(min, v), Math.max(max, v)];
      }
      const entry = index.variables.find((v: { name: string }) => v.name === variable);
      expect(entry.frames).toBe(`frames/${variable}/{index}.bin`);
      expect(entry.min).toBeCloseTo(min, 5);
      expect(entry.max).toBeCloseTo(max, 5);
      expect(index.max.find((m: { variable: string }) => m.variable === variable).file).toBe(`max/${variable}.bin`);
    }
    // The 10 m spin-up surge would show here had spin-up frames been kept.
    expect(index.variables[0].max).toBeLessThan(3);
  });

  it('station series equal the analytic field at the station, null while its triangle is dry', () => {
    const stations = readJson(join(products(), 'stations.json'));
    expect(stations.times).toEqual(forecastTimes);
    const [land, sea, far] = stations.stations;
    expect(sea).toMatchObject({ id: 'buoy', inMesh: true });
    sea.elevation.forEach((v: number, k: number) => expect(Math.abs(v - seaLevels[k])).toBeLessThan(1e-5));
    sea.velocityX.forEach((v: number, k: number) => expect(Math.abs(v - velocityXAt(forecastSeconds[k], seaStation.lon))).toBeLessThan(1e-5));
    sea.velocityY.forEach((v: number, k: number) => expect(Math.abs(v - velocityYAt(forecastSeconds[k], seaStation.lat))).toBeLessThan(1e-5));
    const peak = seaLevels.indexOf(Math.max(...seaLevels));
    expect(sea.maxLevel).toBeCloseTo(seaLevels[peak], 5);
    expect(sea.maxLevelAt).toBe(forecastTimes[peak]);

    const nodes: number[] = land.nodes;
    expect(mesh.triangles.slice(3 * land.triangle, 3 * land.triangle + 3)).toEqual(Int32Array.from(nodes));
    let nulls = 0;
    land.elevation.forEach((v: number | null, k: number) => {
      const f = frameAt(forecastSeconds[k]);
      if (nodes.some((n) => f.dry[n])) {
        expect(v).toBeNull();
        nulls++;
      } else expect(Math.abs((v as number) - elevationAt(forecastSeconds[k], landStation.lon, landStation.lat))).toBeLessThan(1e-5);
    });
    expect(nulls).toBeGreaterThan(0);
    expect(nulls).toBeLessThan(FORECAST_FRAMES);

    expect(far).toMatchObject({ id: 'far', inMesh: false });
    expect(far.problem).toContain('station far at lon -8.71, lat 40.6 lies outside the mesh');
    expect(summary.stations.find((s) => s.id === 'far')).toMatchObject({ inMesh: false, maxLevel: null, problem: far.problem });
  });

  it('flood GeoJSON: closed counter-clockwise rings, a hole at the dry hill, area as reported', () => {
    let holes = 0;
    summary.flood.perTime.forEach((stat, k) => {
      const geojson = readJson(join(products(), `flood/${k}.geojson`));
      expect(geojson.features[0].properties).toEqual({ time: forecastTimes[k], floodedAreaKm2: stat.areaKm2, maxDepthM: stat.maxDepthM, minDepthM: 0.05 });
      holes += checkGeoJson(geojson).holes;
      // The oracle: triangles whose three nodes are wet land under ≥ 5 cm, measured on the sphere.
      const depth = expectedFrames(k).inundationDepth;
      let area = 0;
      for (let t = 0; t < mesh.triangles.length / 3; t++) {
        const [a, b, c] = [mesh.triangles[3 * t], mesh.triangles[3 * t + 1], mesh.triangles[3 * t + 2]];
        if ([a, b, c].every((n) => !Number.isNaN(depth[n]))) area += lonLatTriangleArea(mesh.x[a], mesh.y[a], mesh.x[b], mesh.y[b], mesh.x[c], mesh.y[c]);
      }
      expect(stat.areaKm2).toBeCloseTo(area / 1e6, 9);
    });
    expect(holes).toBeGreaterThan(0);
    expect(summary.flood.perTime.some((s) => s.areaKm2 === 0)).toBe(true);
    const max = readJson(join(products(), 'flood/max.geojson'));
    expect(max.features[0].properties.time).toBe(`${forecastTimes[0]}/${forecastTimes.at(-1)}`);
    const { areaKm2 } = checkGeoJson(max);
    expect(areaKm2).toBeCloseTo(summary.flood.max.areaKm2, 4);
    expect(summary.flood.max.areaKm2).toBeGreaterThanOrEqual(Math.max(...summary.flood.perTime.map((s) => s.areaKm2)));
    expect(summary.flood.max.maxDepthM).toBe(Math.max(...summary.flood.perTime.map((s) => s.maxDepthM ?? -Infinity)));
  });

  it('alerts fire exactly when a threshold is first reached, with the peak', () => {
    const first = seaLevels.findIndex((v) => v >= stationThreshold);
    const peak = seaLevels.indexOf(Math.max(...seaLevels.slice(first)));
    const areas = summary.flood.perTime.map((s) => s.areaKm2);
    const areaFirst = areas.findIndex((a) => a >= 0.5);
    expect(areaFirst).toBeGreaterThan(0);
    expect(summary.alerts).toEqual([
      {
        kind: 'stationLevel',
        key: 'stationLevel:buoy:minor flooding',
        name: 'minor flooding',
        stationId: 'buoy',
        threshold: stationThreshold,
        value: expect.closeTo(seaLevels[peak], 5),
        firstExceededAt: forecastTimes[first],
        peakAt: forecastTimes[peak],
      },
      {
        kind: 'floodedArea',
        key: 'floodedArea:flooded area',
        name: 'flooded area',
        threshold: 0.5,
        value: Math.max(...areas),
        firstExceededAt: forecastTimes[areaFirst],
        peakAt: forecastTimes[areas.indexOf(Math.max(...areas))],
      },
    ]);
  });

  it('re-running replaces the products folder whole, cleaning up after a crashed attempt', async () => {
    await writeFile(join(products(), 'stale.txt'), 'from an earlier attempt');
    // What a crash in the middle of publishing leaves: the old products set aside, a half-written new set.
    await rename(products(), join(runDir, 'products.replaced'));
    await mkdir(join(runDir, 'products.partial', 'frames'), { recursive: true });
    const again = await postProcess({ runDir, site, cycle, minFloodDepth: 0.5 });
    expect(existsSync(join(products(), 'stale.txt'))).toBe(false);
    expect(again.flood.minDepthM).toBe(0.5);
    expect(Math.max(...again.flood.perTime.map((s) => s.areaKm2))).toBeLessThan(Math.max(...summary.flood.perTime.map((s) => s.areaKm2)));
    expect(readJson(join(products(), 'flood/0.geojson')).features[0].properties.minDepthM).toBe(0.5);
    expect(readdirSync(runDir).sort()).toEqual(['outputs', 'products']);
  });
});

describe("SCHISM's NetCDF-4 out2d, on a projected mesh", () => {
  it('gives the same products through the same reader', async () => {
    // 4 × 3 nodes, 200 m apart, in UTM 29N near Aveiro; elevation linear in x and y.
    const crs = meshCrs({ ics: 1, crs: 'EPSG:32629' });
    const [x0, y0] = crs.fromLonLat(-8.75, 40.6).map((v) => Math.round(v));
    const utm = generateRectangleMesh({ nx: 4, ny: 3, dx: 200, origin: { x: x0, y: y0 }, depth: (x) => 3 - (x - x0) / 100 });
    const level = (t: number, x: number, y: number) => 0.5 + t / 7200 + (x - x0) / 1000 + (y - y0) / 2000;
    const times = [0, 3600, 7200];
    const frames = times.map((t) => Array.from(utm.x, (x, i) => level(t, x, utm.y[i])));
    const dry = times.map((_, k) => Array.from(utm.x, (_x, i) => (frames[k][i] + utm.depth[i] < H0 ? 1 : 0)));
    const runDir = join(root, 'schism');
    await mkdir(join(runDir, 'outputs'), { recursive: true });
    await writeSchismOut2d(join(runDir, 'outputs', 'out2d_1.nc'), {
      mesh: utm,
      startDay: '2026-11-25',
      times,
      fields: {
        elevation: { frames },
        depthAverageVelX: { frames: frames.map((f) => f.map(() => 0.25)) },
        depthAverageVelY: { frames: frames.map((f) => f.map(() => 0)) },
        dryFlagNode: { frames: dry, type: 'int' },
      },
    });
    expect(execFileSync('ncdump', ['-k', join(runDir, 'outputs', 'out2d_1.nc')], { encoding: 'utf8' }).trim()).toBe('netCDF-4');

    const [sx, sy] = [x0 + 310, y0 + 170];
    const [lon, lat] = crs.toLonLat(sx, sy);
    const summary = await postProcess({
      runDir,
      site: { coordinates: { ics: 1, crs: 'EPSG:32629' }, stations: [{ id: 'pier', name: 'Pier', lon, lat }], thresholds: {} },
      cycle: '2026-11-25T01:00:00Z',
    });
    expect(summary.times).toEqual(['2026-11-25T01:00:00.000Z', '2026-11-25T02:00:00.000Z']);
    const products = join(runDir, 'products');
    const m = readMeshBin(join(products, 'mesh.bin'));
    utm.x.forEach((x, i) => {
      const [elon, elat] = crs.toLonLat(x, utm.y[i]);
      expect(m.lon[i]).toBeCloseTo(elon, 10);
      expect(m.lat[i]).toBeCloseTo(elat, 10);
    });
    const elevation = readFloats(join(products, 'frames/elevation/1.bin'));
    elevation.forEach((v, i) => (dry[2][i] ? expect(v).toBeNaN() : expect(v).toBeCloseTo(frames[2][i], 5)));
    expect(Array.from(readFloats(join(products, 'frames/speed/0.bin'))).filter((v) => !Number.isNaN(v)).every((v) => v === 0.25)).toBe(true);
    const station = readJson(join(products, 'stations.json')).stations[0];
    expect(station.inMesh).toBe(true);
    expect(station.x).toBeCloseTo(sx, 6);
    expect(station.elevation[0]).toBeCloseTo(level(3600, sx, sy), 5);
    expect(station.elevation[1]).toBeCloseTo(level(7200, sx, sy), 5);
  });
});

describe('post-processing refuses what it cannot use and leaves no products/ behind', () => {
  const site: SiteParts = { coordinates: { ics: 2 }, stations: [], thresholds: {} };

  it('a run without outputs/', async () => {
    const runDir = join(root, 'no-outputs');
    await mkdir(runDir);
    await expect(postProcess({ runDir, site, cycle })).rejects.toThrow(`${join(runDir, 'outputs')}: no such folder: the model run left no output`);
    expect(readdirSync(runDir)).toEqual([]);
  });

  it('an out2d without elevation, keeping the products of an earlier run', async () => {
    const runDir = await makeRun('no-elevation', ['depthAverageVelX', 'depthAverageVelY', 'dryFlagNode']);
    await mkdir(join(runDir, 'products'));
    await writeFile(join(runDir, 'products', 'mesh.bin'), 'earlier products');
    await expect(postProcess({ runDir, site, cycle })).rejects.toThrow(`${join(runDir, 'outputs', 'out2d_1.nc')}: variable elevation missing`);
    expect(readdirSync(runDir).sort()).toEqual(['outputs', 'products']);
    expect(readFileSync(join(runDir, 'products', 'mesh.bin'), 'utf8')).toBe('earlier products');
  });

  it('a cycle after the last output, a site whose CRS does not match the output, an unknown EPSG code', async () => {
    const runDir = await makeRun('mismatch');
    await expect(postProcess({ runDir, site, cycle: '2026-11-26T00:00:00Z' })).rejects.toThrow(
      'no output at or after the cycle time 2026-11-26T00:00:00.000Z (last output 2026-11-25T12:00:00.000Z)',
    );
    await expect(postProcess({ runDir, site: { ...site, coordinates: { ics: 1, crs: 'EPSG:32629' } }, cycle })).rejects.toThrow(
      'the mesh coordinates are in degrees, but the site places its mesh in EPSG:32629 (ics 1)',
    );
    await expect(postProcess({ runDir, site: { ...site, coordinates: { ics: 1, crs: 'EPSG:2154' } }, cycle })).rejects.toThrow('EPSG:2154 is not a code coastcast knows');
    await expect(postProcess({ runDir, site, cycle: 'tomorrow' })).rejects.toThrow('cycle "tomorrow" is not a date');
    expect(readdirSync(runDir)).toEqual(['outputs']);
  });
});

describe('thresholds', () => {
  const times = ['t0', 't1', 't2', 't3'];
  it('are reached at ≥, skip dry times, and stay silent for a station without a series', () => {
    const thresholds = {
      stationLevel: [
        { stationId: 'a', level: 1, name: 'at the level' },
        { stationId: 'a', level: 1.5, name: 'above every level' },
        { stationId: 'off-mesh', level: 0, name: 'no series' },
      ],
      floodedArea: 2,
    };
    const alerts = evaluateAlerts(thresholds, { times, stationLevels: new Map([['a', [0.5, null, 1, 1.25]]]), floodedAreaKm2: [0, 3, 2, 1] });
    expect(alerts).toEqual([
      { kind: 'stationLevel', key: 'stationLevel:a:at the level', name: 'at the level', stationId: 'a', threshold: 1, value: 1.25, firstExceededAt: 't2', peakAt: 't3' },
      { kind: 'floodedArea', key: 'floodedArea:flooded area', name: 'flooded area', threshold: 2, value: 3, firstExceededAt: 't1', peakAt: 't1' },
    ]);
    expect(evaluateAlerts({}, { times, stationLevels: new Map(), floodedAreaKm2: [0, 0, 0, 0] })).toEqual([]);
  });
});

describe('stations on a lon/lat mesh across the antimeridian', () => {
  it('are found whether their longitude is given in -180..180 or 0..360', () => {
    const pacific = generateRectangleMesh({ nx: 3, ny: 3, dx: 1, origin: { x: 179, y: -17 } });
    const located = locateStations(
      [
        { id: 'east', name: 'East', lon: -179.5, lat: -16.5 },
        { id: 'west', name: 'West', lon: 179.5, lat: -16.5 },
        { id: 'out', name: 'Out', lon: -170, lat: -16.5 },
      ],
      pacific,
      meshCrs({ ics: 2 }),
    );
    expect(located.map((l) => l.inMesh)).toEqual([true, true, false]);
    expect(located[0]).toMatchObject({ x: 180.5, y: -16.5 });
    expect(located[1]).toMatchObject({ x: 179.5 });
  });
});
