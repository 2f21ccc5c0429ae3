/**
 * products/stations.json — the forecast at each of the site's stations:
 *
 *   {
 *     "times": ["2026-11-25T00:00:00.000Z", …],         forecast output times (ISO UTC)
 *     "stations": [
 *       { "id", "name", "lon", "lat",                    as the site gives them (WGS84)
 *         "inMesh": true,
 *         "x", "y",                                      the position in mesh coordinates
 *         "triangle": 123, "nodes": [a, b, c],           the mesh triangle holding it (0-based)
 *         "weights": [wa, wb, wc],                       its barycentric coordinates there
 *         "elevation": [m | null, …],                    one per time; null while any node of the triangle is dry
 *         "velocityX": [m s-1 | null, …], "velocityY": […],
 *         "sigWaveHeight": [m | null, …],                only when the run has waves
 *         "peakPeriod": [s | null, …],                   only when the run has waves
 *         "meanWaveDirection": [degree | null, …],       only when the run has waves: coming from, clockwise from true north
 *         "maxLevel": m | null, "maxLevelAt": ISO | null,
 *         "maxWaveHeight": m | null, "maxWaveHeightAt": ISO | null },   only when the run has waves
 *       { "id", "name", "lon", "lat", "inMesh": false, "problem": "why it has no series" }
 *     ]
 *   }
 *
 * A station's value is the barycentric (linear) interpolation of the node
 * values of its triangle, the model's own representation between nodes. It
 * is withheld as soon as one node is dry: SCHISM's elevation at a dry node is
 * not a water level, and mixing it in would bend the series at every drying;
 * the model's wave period and direction there are no values at all. The
 * direction is interpolated as a vector of unit length per node, so that
 * 350° and 10° give 0°, not 180°; where the node directions cancel out it
 * is null.
 */
import type { MeshCrs } from '../../core/crs.js';
import type { OutputMesh } from '../../core/out2d.js';
import type { NodeFields } from './modelOutput.js';

export interface Station {
  id: string;
  name: string;
  lon: number;
  lat: number;
}

export type LocatedStation =
  | { station: Station; inMesh: true; x: number; y: number; triangle: number; nodes: [number, number, number]; weights: [number, number, number] }
  | { station: Station; inMesh: false; problem: string };

/** Barycentric weights beyond this below zero still count as inside: a station on an edge belongs to either triangle. */
const EDGE_TOLERANCE = 1e-9;

function findTriangle(mesh: OutputMesh, px: number, py: number): { triangle: number; weights: [number, number, number] } | undefined {
  const { x, y, triangles } = mesh;
  for (let t = 0; t < triangles.length / 3; t++) {
    const a = triangles[3 * t];
    const b = triangles[3 * t + 1];
    const c = triangles[3 * t + 2];
    if (px < Math.min(x[a], x[b], x[c]) || px > Math.max(x[a], x[b], x[c]) || py < Math.min(y[a], y[b], y[c]) || py > Math.max(y[a], y[b], y[c])) continue;
    const area2 = (x[b] - x[a]) * (y[c] - y[a]) - (x[c] - x[a]) * (y[b] - y[a]);
    const wa = ((x[b] - px) * (y[c] - py) - (x[c] - px) * (y[b] - py)) / area2;
    const wb = ((x[c] - px) * (y[a] - py) - (x[a] - px) * (y[c] - py)) / area2;
    const wc = 1 - wa - wb;
    if (wa >= -EDGE_TOLERANCE && wb >= -EDGE_TOLERANCE && wc >= -EDGE_TOLERANCE) return { triangle: t, weights: [wa, wb, wc] };
  }
  return undefined;
}

/** Places each station in the mesh; a station that cannot be placed is kept, with the reason. */
export function locateStations(stations: readonly Station[], mesh: OutputMesh, crs: MeshCrs): LocatedStation[] {
  return stations.map((station): LocatedStation => {
    let position: [number, number];
    try {
      position = crs.fromLonLat(station.lon, station.lat);
    } catch (error) {
      return { station, inMesh: false, problem: (error as Error).message };
    }
    const [px, y] = position;
    // A lon/lat mesh may run 0..360 (across the antimeridian) while stations are given in -180..180.
    const candidates = crs.ics === 2 ? [px, px + 360] : [px];
    let x = px;
    let found: ReturnType<typeof findTriangle>;
    for (const cx of candidates) {
      found = findTriangle(mesh, cx, y);
      if (found) {
        x = cx;
        break;
      }
    }
    if (!found) {
      const where = crs.ics === 2 ? '' : ` (${x.toFixed(1)}, ${y.toFixed(1)} in ${crs.name})`;
      return { station, inMesh: false, problem: `station ${station.id} at lon ${station.lon}, lat ${station.lat}${where} lies outside the mesh` };
    }
    const t = found.triangle;
    const nodes: [number, number, number] = [mesh.triangles[3 * t], mesh.triangles[3 * t + 1], mesh.triangles[3 * t + 2]];
    return { station, inMesh: true, x, y, triangle: t, nodes, weights: found.weights };
  });
}

export interface StationSeries {
  located: LocatedStation;
  elevation: (number | null)[];
  velocityX: (number | null)[];
  velocityY: (number | null)[];
  /** Present when the run has waves. */
  waves?: StationWaves;
}

export interface StationWaves {
  sigWaveHeight: (number | null)[];
  peakPeriod: (number | null)[];
  meanWaveDirection: (number | null)[];
}

const RADIANS = Math.PI / 180;

/** Below this length the weighted sum of the nodes' unit vectors points nowhere in particular. */
const CANCELLED_RESULTANT = 1e-6;

/** Nautical directions (degrees) averaged as unit vectors with the station's weights. */
function directionAt(directions: Float32Array, nodes: readonly number[], weights: readonly number[]): number | null {
  let east = 0;
  let north = 0;
  for (let k = 0; k < 3; k++) {
    east += weights[k] * Math.sin(directions[nodes[k]] * RADIANS);
    north += weights[k] * Math.cos(directions[nodes[k]] * RADIANS);
  }
  if (Math.hypot(east, north) < CANCELLED_RESULTANT) return null;
  const degrees = Math.atan2(east, north) / RADIANS;
  return degrees < 0 ? degrees + 360 : degrees;
}

/** Collects the stations' series one output time at a time. */
export class StationRecorder {
  readonly series: StationSeries[];

  constructor(located: readonly LocatedStation[], waves: boolean) {
    this.series = located.map((l) => ({
      located: l,
      elevation: [],
      velocityX: [],
      velocityY: [],
      ...(waves && { waves: { sigWaveHeight: [], peakPeriod: [], meanWaveDirection: [] } }),
    }));
  }

  /** Adds one output time; wave directions must already be relative to true north (waves.ts). */
  add(fields: NodeFields): void {
    for (const s of this.series) {
      if (!s.located.inMesh) continue;
      const { nodes, weights } = s.located;
      const wet = nodes.every((n) => fields.dry[n] === 0);
      const at = (values: Float32Array) => (wet ? weights[0] * values[nodes[0]] + weights[1] * values[nodes[1]] + weights[2] * values[nodes[2]] : null);
      s.elevation.push(at(fields.elevation));
      s.velocityX.push(at(fields.velocityX));
      s.velocityY.push(at(fields.velocityY));
      if (!s.waves) continue;
      if (!fields.waves) throw new Error(`station ${s.located.station.id}: an output time without the wave fields in a run with waves`);
      s.waves.sigWaveHeight.push(at(fields.waves.sigWaveHeight));
      s.waves.peakPeriod.push(at(fields.waves.peakPeriod));
      s.waves.meanWaveDirection.push(wet ? directionAt(fields.waves.meanWaveDirection, nodes, weights) : null);
    }
  }
}

/** The highest value in a series (a level, a wave height) and the first time it is reached. */
export function peak(values: readonly (number | null)[], times: readonly string[]): { value: number; at: string } | null {
  let best: { value: number; at: string } | null = null;
  values.forEach((v, i) => {
    if (v !== null && (best === null || v > best.value)) best = { value: v, at: times[i] };
  });
  return best;
}

export function stationsProduct(series: readonly StationSeries[], times: readonly string[]): unknown {
  return {
    times,
    stations: series.map(({ located, elevation, velocityX, velocityY, waves }) => {
      const { id, name, lon, lat } = located.station;
      if (!located.inMesh) return { id, name, lon, lat, inMesh: false, problem: located.problem };
      const max = peak(elevation, times);
      const { x, y, triangle, nodes, weights } = located;
      const hydrodynamics = { id, name, lon, lat, inMesh: true, x, y, triangle, nodes, weights, elevation, velocityX, velocityY };
      const maxLevel = { maxLevel: max?.value ?? null, maxLevelAt: max?.at ?? null };
      if (!waves) return { ...hydrodynamics, ...maxLevel };
      const highest = peak(waves.sigWaveHeight, times);
      return { ...hydrodynamics, ...waves, ...maxLevel, maxWaveHeight: highest?.value ?? null, maxWaveHeightAt: highest?.at ?? null };
    }),
  };
}
