/** Figures that describe a mesh, for `coastcast mesh check` and the site pages. */
import { detectIcs, haversineTerm, haversineTermToMetres, lonLatTriangleArea, type Ics } from '../geodesy.js';
import type { Mesh } from './mesh.js';

export interface Range {
  min: number;
  max: number;
}

export interface MeshStats {
  ics: Ics;
  /** True when ics was guessed from the coordinates (see detectIcs) rather than given. */
  icsDetected: boolean;
  nodes: number;
  triangles: number;
  openBoundaries: { count: number; nodes: number };
  /** Islands are land boundaries of kind 1. */
  landBoundaries: { count: number; islands: number; nodes: number };
  /** In the mesh's own units (metres or degrees). */
  bounds: { x: Range; y: Range };
  /** Metres, positive down. */
  depth: Range;
  /** Metres (great-circle for lon/lat); null for a mesh without triangles. */
  edgeLength: Range | null;
  /** Square metres. */
  area: number;
}

export function meshStats(mesh: Mesh, ics?: Ics): MeshStats {
  const kind = ics ?? detectIcs(mesh.x, mesh.y);
  const countNodes = (list: { nodes: Int32Array }[]) => list.reduce((n, b) => n + b.nodes.length, 0);
  return {
    ics: kind,
    icsDetected: ics === undefined,
    nodes: mesh.x.length,
    triangles: mesh.triangles.length / 3,
    openBoundaries: { count: mesh.openBoundaries.length, nodes: countNodes(mesh.openBoundaries) },
    landBoundaries: {
      count: mesh.landBoundaries.length,
      islands: mesh.landBoundaries.filter((b) => b.kind === 1).length,
      nodes: countNodes(mesh.landBoundaries),
    },
    bounds: { x: range(mesh.x), y: range(mesh.y) },
    depth: range(mesh.depth),
    edgeLength: kind === 2 ? lonLatEdgeLengths(mesh) : planarEdgeLengths(mesh),
    area: kind === 2 ? lonLatArea(mesh) : planarArea(mesh),
  };
}

function range(values: Float64Array): Range {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Every triangle side once per triangle: interior edges are seen twice, which leaves the extremes unchanged. */
function planarEdgeLengths({ x, y, triangles }: Mesh): Range | null {
  if (triangles.length === 0) return null;
  let min = Infinity;
  let max = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = triangles[t + k];
      const b = triangles[t + ((k + 1) % 3)];
      const squared = (x[b] - x[a]) ** 2 + (y[b] - y[a]) ** 2;
      if (squared < min) min = squared;
      if (squared > max) max = squared;
    }
  }
  return { min: Math.sqrt(min), max: Math.sqrt(max) };
}

/** Compares haversine terms (monotonic in distance) and converts only the two extremes to metres. */
function lonLatEdgeLengths({ x, y, triangles }: Mesh): Range | null {
  if (triangles.length === 0) return null;
  const lon = x.map((v) => (v * Math.PI) / 180);
  const lat = y.map((v) => (v * Math.PI) / 180);
  const cosLat = lat.map(Math.cos);
  let min = Infinity;
  let max = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = triangles[t + k];
      const b = triangles[t + ((k + 1) % 3)];
      const term = haversineTerm(lon[a], lat[a], cosLat[a], lon[b], lat[b], cosLat[b]);
      if (term < min) min = term;
      if (term > max) max = term;
    }
  }
  return { min: haversineTermToMetres(min), max: haversineTermToMetres(max) };
}

function planarArea({ x, y, triangles }: Mesh): number {
  let twice = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t];
    const b = triangles[t + 1];
    const c = triangles[t + 2];
    twice += Math.abs((x[b] - x[a]) * (y[c] - y[a]) - (x[c] - x[a]) * (y[b] - y[a]));
  }
  return twice / 2;
}

function lonLatArea({ x, y, triangles }: Mesh): number {
  let area = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t];
    const b = triangles[t + 1];
    const c = triangles[t + 2];
    area += lonLatTriangleArea(x[a], y[a], x[b], y[b], x[c], y[c]);
  }
  return area;
}
