/**
 * A products folder with waves for the viewer's tests, made up without the
 * model: the demo mesh, a tide of ±0.8 m and a westerly swell that breaks
 * over the shelf and dies out up the estuary. Offshore it comes from the
 * west-north-west (285°) and turns towards the beach (270°) as it shoals,
 * veering a little over the forecast while it builds from 2.2 to 2.7 m.
 * Every field is NaN where the node is dry, as the products contract says,
 * and meanWaveDirection is marked `kind: 'direction'`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { encodeMesh } from '../../activities/products/mesh.js';
import { EARTH_RADIUS_M } from '../../core/geodesy.js';
import { DEMO_ORIGIN, DEMO_PLACES, demoLonLat, generateDemoMesh } from '../../server/demo/mesh.js';
import type { FrameIndex, StationsProduct } from '../../web/src/api/types.js';
import { MeshLocator } from '../../web/src/map/meshLocator.js';

export const WAVE_CYCLE = '2026-11-25T00:00:00.000Z';
export const WAVE_OUTPUTS = 13;
/** Where the fixture's stations are, in metres from the mouth. */
export const WAVE_STATIONS = { offshore: { x: -3000, y: DEMO_PLACES.mouth.y }, mouth: DEMO_PLACES.mouth } as const;

const FIELDS = {
  elevation: { units: 'm', description: 'water surface elevation above the model datum; NaN where dry' },
  speed: { units: 'm s-1', description: 'depth-averaged current speed; NaN where dry' },
  inundationDepth: { units: 'm', description: 'water depth over flooded land; NaN elsewhere' },
  sigWaveHeight: { units: 'm', description: 'significant wave height; NaN where dry' },
  peakPeriod: { units: 's', description: 'peak wave period; NaN where dry' },
  meanWaveDirection: { units: 'degree', description: 'mean direction the waves come from, clockwise from true north; NaN where dry' },
} as const;
type Field = keyof typeof FIELDS;
const ENVELOPES: Field[] = ['elevation', 'speed', 'inundationDepth', 'sigWaveHeight', 'peakPeriod'];

const clamp = (v: number, low: number, high: number) => Math.min(high, Math.max(low, v));

/** Writes the products into `dir`; returns the stations.json it wrote. */
export async function writeWaveProducts(dir: string): Promise<StationsProduct> {
  const mesh = generateDemoMesh();
  const n = mesh.x.length;
  const metresPerDegree = (EARTH_RADIUS_M * Math.PI) / 180;
  const east = Float64Array.from(mesh.x, (lon) => (lon - DEMO_ORIGIN.lon) * metresPerDegree * Math.cos((DEMO_ORIGIN.lat * Math.PI) / 180));
  const times = Array.from({ length: WAVE_OUTPUTS }, (_, k) => new Date(Date.parse(WAVE_CYCLE) + k * 3600_000).toISOString());
  const files = new Map<string, Uint8Array | string>();
  files.set('mesh.bin', encodeMesh(mesh.x, mesh.y, mesh));

  const frames: Record<Field, Float32Array[]> = { elevation: [], speed: [], inundationDepth: [], sigWaveHeight: [], peakPeriod: [], meanWaveDirection: [] };
  for (let k = 0; k < WAVE_OUTPUTS; k++) {
    const tide = 0.8 * Math.cos((2 * Math.PI * k) / 12.42);
    const build = k / (WAVE_OUTPUTS - 1);
    const frame = Object.fromEntries(Object.keys(FIELDS).map((name) => [name, new Float32Array(n).fill(NaN)])) as Record<Field, Float32Array>;
    for (let i = 0; i < n; i++) {
      const water = mesh.depth[i] + tide;
      if (water < 0.05) continue;
      const x = east[i];
      frame.elevation[i] = tide;
      frame.speed[i] = 0.3 * Math.abs(Math.sin((2 * Math.PI * k) / 12.42)) * clamp(1 - Math.abs(x) / 6000, 0, 1);
      if (mesh.depth[i] < 0) frame.inundationDepth[i] = water;
      // Depth-limited (γ 0.6 of the water depth) and damped up the estuary.
      frame.sigWaveHeight[i] = Math.min(2.2 + 0.5 * build, 0.6 * water) * Math.exp(-Math.max(0, x) / 1500);
      frame.peakPeriod[i] = 14;
      frame.meanWaveDirection[i] = 270 + 15 * clamp(-x / 5000, 0, 1) - 6 * build;
    }
    for (const name of Object.keys(FIELDS) as Field[]) {
      frames[name].push(frame[name]);
      files.set(`frames/${name}/${k}.bin`, new Uint8Array(frame[name].buffer));
    }
  }

  const range = (arrays: Float32Array[]) => {
    const values = arrays.flatMap((a) => [...a].filter((v) => !Number.isNaN(v)));
    return values.length === 0 ? { min: null, max: null } : { min: Math.min(...values), max: Math.max(...values) };
  };
  const max: FrameIndex['max'] = [];
  for (const name of ENVELOPES) {
    const envelope = new Float32Array(n).fill(NaN);
    for (const frame of frames[name]) {
      for (let i = 0; i < n; i++) if (frame[i] > envelope[i] || (Number.isNaN(envelope[i]) && !Number.isNaN(frame[i]))) envelope[i] = frame[i];
    }
    files.set(`max/${name}.bin`, new Uint8Array(envelope.buffer));
    max.push({ variable: name, ...FIELDS[name], ...range([envelope]), file: `max/${name}.bin` });
  }
  const index: FrameIndex = {
    nodeCount: n,
    times,
    variables: (Object.keys(FIELDS) as Field[]).map((name) => ({
      name,
      ...FIELDS[name],
      ...range(frames[name]),
      frames: `frames/${name}/{index}.bin`,
      ...(name === 'meanWaveDirection' && { kind: 'direction' as const }),
    })),
    max,
  };
  files.set('frames/index.json', JSON.stringify(index));

  const locator = new MeshLocator(mesh.x, mesh.y, mesh.triangles);
  const stations: StationsProduct = {
    times,
    stations: Object.entries(WAVE_STATIONS).map(([id, place]) => {
      const { lon, lat } = demoLonLat(place.x, place.y);
      const series = (name: Field) => frames[name].map((frame) => locator.interpolate(frame, lon, lat));
      const peak = (values: (number | null)[]) => {
        const k = values.reduce<number>((best, v, i) => (v !== null && (best < 0 || v > values[best]!) ? i : best), -1);
        return k < 0 ? { value: null, at: null } : { value: values[k], at: times[k] };
      };
      const elevation = series('elevation');
      const sigWaveHeight = series('sigWaveHeight');
      const level = peak(elevation);
      const waves = peak(sigWaveHeight);
      return {
        id,
        name: id === 'offshore' ? 'Offshore buoy' : 'Estuary mouth',
        lon,
        lat,
        inMesh: true as const,
        elevation,
        velocityX: series('speed'),
        velocityY: elevation.map((v) => (v === null ? null : 0)),
        maxLevel: level.value,
        maxLevelAt: level.at,
        sigWaveHeight,
        peakPeriod: series('peakPeriod'),
        meanWaveDirection: series('meanWaveDirection'),
        maxWaveHeight: waves.value,
        maxWaveHeightAt: waves.at,
      };
    }),
  };
  files.set('stations.json', JSON.stringify(stations));
  files.set(
    'summary.json',
    JSON.stringify({
      siteId: 'demo',
      cycle: WAVE_CYCLE,
      degraded: [],
      stages: [],
      products: { times, flood: { minDepthM: 0.05, perTime: times.map((time) => ({ time, areaKm2: 0, maxDepthM: null })), max: { areaKm2: 0, maxDepthM: null } }, alerts: [], products: [] },
      messages: [],
    }),
  );
  for (const [path, body] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), body);
  }
  return stations;
}
