import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { lonLatTriangleArea } from '../core/geodesy.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { DEFAULT_MIN_FLOOD_DEPTH_M, FloodDetector } from '../activities/flood/detect.js';
import { floodGeoJson } from '../activities/flood/geojson.js';
import { MeshTopology, tracePolygons, type NodePolygon } from '../activities/flood/rings.js';
import type { NodeFields } from '../activities/products/modelOutput.js';

/** 7 × 7 nodes, 6 × 6 cells of 100 m, node n = i + 7 j; cell (i, j) = triangles 2(i + 6 j) and 2(i + 6 j) + 1. */
const grid = generateRectangleMesh({ nx: 7, ny: 7, dx: 100, depth: () => -2 });
const node = (i: number, j: number) => i + 7 * j;
const cellTriangles = (i: number, j: number) => [2 * (i + 6 * j), 2 * (i + 6 * j) + 1];
const topology = new MeshTopology(grid.triangles, grid.x.length);

function setOf(triangles: number[], count = grid.triangles.length / 3): Uint8Array {
  const set = new Uint8Array(count);
  for (const t of triangles) set[t] = 1;
  return set;
}

/** Twice the signed area of a ring of nodes (shoelace). */
function ringArea2(ring: readonly number[], x: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < ring.length; k++) {
    const a = ring[k];
    const b = ring[(k + 1) % ring.length];
    sum += x[a] * y[b] - x[b] * y[a];
  }
  return sum;
}

const polygonArea = (polygon: NodePolygon, x: ArrayLike<number>, y: ArrayLike<number>) => polygon.reduce((s, ring) => s + ringArea2(ring, x, y) / 2, 0);

function fieldsOf(elevation: number[], dry: number[]): NodeFields {
  const n = elevation.length;
  return { elevation: Float32Array.from(elevation), velocityX: new Float32Array(n), velocityY: new Float32Array(n), dry: Uint8Array.from(dry) };
}

describe('flooded land', () => {
  it('is wet land under at least the minimum depth; the sea and dry or shallow land are not', () => {
    // Four nodes, two triangles: node 0 is sea, the others land 1 m above the datum.
    const mesh = { x: Float64Array.from([0, 100, 100, 0]), y: Float64Array.from([0, 0, 100, 100]), depth: Float64Array.from([3, -1, -1, -1]), triangles: Int32Array.from([0, 1, 2, 0, 2, 3]) };
    const detector = new FloodDetector(mesh, 1);
    expect(detector.minDepth).toBe(DEFAULT_MIN_FLOOD_DEPTH_M);
    // Water 1.5, 0.5, 0.04 (under 5 cm) and 0.5 m deep, but node 3 is flagged dry.
    const state = detector.detect(fieldsOf([0.5, 1.5, 1.04, 1.5], [0, 0, 0, 1]));
    expect(Array.from(state.waterDepth)).toEqual([NaN, 0.5, NaN, NaN]);
    expect(Array.from(state.triangles)).toEqual([0, 0]);
    expect(state.areaKm2).toBe(0);
    expect(state.maxDepthM).toBeNull();
  });

  it('covers the triangles whose three nodes are flooded, with their area and deepest water', () => {
    const mesh = { x: Float64Array.from([0, 100, 100, 0]), y: Float64Array.from([0, 0, 100, 100]), depth: Float64Array.from([-1, -1, -1, -0.5]), triangles: Int32Array.from([0, 1, 2, 0, 2, 3]) };
    const levels = [1.25, 1.5, 1.125, 1.25];
    const state = new FloodDetector(mesh, 1, 0.1).detect(fieldsOf(levels, [0, 0, 0, 0]));
    // Depths 0.25, 0.5, 0.125, 0.75: all flooded at a 10 cm minimum.
    expect(Array.from(state.triangles)).toEqual([1, 1]);
    expect(state.areaKm2).toBeCloseTo(0.01, 12);
    expect(state.maxDepthM).toBeCloseTo(0.75, 6);
    const shallower = new FloodDetector(mesh, 1, 0.15).detect(fieldsOf(levels, [0, 0, 0, 0]));
    expect(Array.from(shallower.triangles)).toEqual([0, 0]);
  });

  it('measures lon/lat triangles on the sphere', () => {
    const mesh = generateRectangleMesh({ nx: 3, ny: 3, dx: 0.01, origin: { x: -8.75, y: 40.6 }, depth: () => -1 });
    const detector = new FloodDetector(mesh, 2);
    const { x, y, triangles } = mesh;
    const expected = Array.from({ length: triangles.length / 3 }, (_, t) => {
      const [a, b, c] = [triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2]];
      return lonLatTriangleArea(x[a], y[a], x[b], y[b], x[c], y[c]);
    });
    expect(Array.from(detector.areas)).toEqual(expected);
  });

  it('refuses a minimum depth that is not positive', () => {
    expect(() => new FloodDetector(grid, 1, 0)).toThrow('minimum flood depth must be > 0 m, got 0');
  });
});

describe('flood polygons', () => {
  it('merge adjacent triangles into one polygon with a hole where dry ground sits inside', () => {
    // Cells 1..4 in both directions, minus the six triangles around node (3, 3).
    const around = new Set(Array.from({ length: grid.triangles.length / 3 }, (_, t) => t).filter((t) => [0, 1, 2].some((k) => grid.triangles[3 * t + k] === node(3, 3))));
    const flooded = [];
    for (let j = 1; j <= 4; j++) for (let i = 1; i <= 4; i++) flooded.push(...cellTriangles(i, j).filter((t) => !around.has(t)));
    const polygons = tracePolygons(topology, setOf(flooded), grid.x, grid.y);
    expect(polygons).toHaveLength(1);
    const [exterior, hole, ...more] = polygons[0];
    expect(more).toEqual([]);
    expect(ringArea2(exterior, grid.x, grid.y)).toBeGreaterThan(0);
    expect(ringArea2(hole, grid.x, grid.y)).toBeLessThan(0);
    expect(new Set(exterior)).toEqual(new Set([1, 2, 3, 4, 5].flatMap((k) => [node(k, 1), node(k, 5), node(1, k), node(5, k)])));
    expect(hole).toHaveLength(6);
    expect(hole.every((n) => Math.abs((n % 7) - 3) <= 1 && Math.abs(Math.floor(n / 7) - 3) <= 1 && n !== node(3, 3))).toBe(true);
    expect(polygonArea(polygons[0], grid.x, grid.y)).toBeCloseTo((16 - 3) * 100 * 100, 6);
  });

  it('keep pieces that touch at one node apart, and an island inside a hole separate', () => {
    // Cells (0,0) and (1,1) meet only at node (1,1).
    const touching = tracePolygons(topology, setOf([...cellTriangles(0, 0), ...cellTriangles(1, 1)]), grid.x, grid.y);
    expect(touching.map((p) => p.map((ring) => ring.length))).toEqual([[4], [4]]);
    // A flooded frame of cells around a dry ring around a flooded centre cell.
    const frame = [];
    for (let j = 0; j < 6; j++) for (let i = 0; i < 6; i++) if (i === 0 || j === 0 || i === 5 || j === 5) frame.push(...cellTriangles(i, j));
    const nested = tracePolygons(topology, setOf([...frame, ...cellTriangles(2, 2)]), grid.x, grid.y);
    expect(nested.map((p) => p.length).sort()).toEqual([1, 2]);
    const areas = nested.map((p) => polygonArea(p, grid.x, grid.y)).sort((a, b) => a - b);
    expect(areas[0]).toBeCloseTo(100 * 100, 6);
    expect(areas[1]).toBeCloseTo(20 * 100 * 100, 6);
  });

  it('cover exactly the area of the triangles, every boundary edge once, for any set of triangles', () => {
    const mesh = generateRectangleMesh({ nx: 9, ny: 8, dx: 50, diagonals: 'alternating', jitter: 0.4, depth: () => -1 });
    const meshTopology = new MeshTopology(mesh.triangles, mesh.x.length);
    const count = mesh.triangles.length / 3;
    const detector = new FloodDetector(mesh, 1);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: count, maxLength: count, min: 0, max: 1 }), (set) => {
        const polygons = tracePolygons(meshTopology, set, mesh.x, mesh.y);
        const traced = polygons.reduce((s, p) => s + polygonArea(p, mesh.x, mesh.y), 0);
        expect(traced).toBeCloseTo(detector.areaKm2(set) * 1e6, 6);
        for (const [exterior, ...holes] of polygons) {
          expect(ringArea2(exterior, mesh.x, mesh.y)).toBeGreaterThan(0);
          for (const hole of holes) expect(ringArea2(hole, mesh.x, mesh.y)).toBeLessThan(0);
        }
        // Each directed boundary edge of the set appears in exactly one ring.
        const ringEdges = polygons.flatMap((p) => p.flatMap((ring) => ring.map((a, k) => `${a}>${ring[(k + 1) % ring.length]}`)));
        const boundary = [];
        for (let h = 0; h < mesh.triangles.length; h++) {
          const t = Math.floor(h / 3);
          const twin = meshTopology.twin[h];
          if (set[t] && (twin < 0 || !set[Math.floor(twin / 3)])) boundary.push(`${mesh.triangles[h]}>${mesh.triangles[3 * t + ((h + 1) % 3)]}`);
        }
        expect(ringEdges.sort()).toEqual(boundary.sort());
      }),
      { numRuns: 200 },
    );
  });
});

describe('flood GeoJSON', () => {
  it('is one MultiPolygon feature in lon/lat with closed rings and the statistics', () => {
    const lon = [-8.75, -8.74, -8.74, -8.75];
    const lat = [40.6, 40.6, 40.61, 40.61];
    const geojson = floodGeoJson([[[0, 1, 2, 3]]], lon, lat, { time: '2026-11-25T01:00:00.000Z', floodedAreaKm2: 1.2, maxDepthM: 0.4, minDepthM: 0.05 });
    expect(geojson.type).toBe('FeatureCollection');
    const [feature] = geojson.features;
    expect(feature.properties).toEqual({ time: '2026-11-25T01:00:00.000Z', floodedAreaKm2: 1.2, maxDepthM: 0.4, minDepthM: 0.05 });
    expect(feature.geometry).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [-8.75, 40.6],
            [-8.74, 40.6],
            [-8.74, 40.61],
            [-8.75, 40.61],
            [-8.75, 40.6],
          ],
        ],
      ],
    });
    expect(floodGeoJson([], lon, lat, { time: 't', floodedAreaKm2: 0, maxDepthM: null, minDepthM: 0.05 }).features[0].geometry.coordinates).toEqual([]);
  });
});
