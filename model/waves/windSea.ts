/**
 * Wind sea grown locally over sheltered water: the fetch- and depth-limited
 * growth curves of Breugem & Holthuijsen (2007, "Generalized shallow water
 * wave growth from Lake George", J. Waterway Port Coastal Ocean Eng. 133),
 * in dimensionless form with U the wind speed at 10 m, F the fetch, d the depth:
 *
 *   g·Hs/U²  = 0.24·[tanh(0.343·d̃^1.14) · tanh(4.14e-4·F̃^0.79 / tanh(0.343·d̃^1.14))]^0.572
 *   g·Tp/U   = 7.69·[tanh(0.10·d̃^2.01)  · tanh(2.77e-7·F̃^1.45 / tanh(0.10·d̃^2.01))]^0.187
 *   d̃ = g·d/U²,  F̃ = g·F/U²
 *
 * In deep water and unlimited fetch they tend to the fully developed sea
 * (g·Hs/U² = 0.24, g·Tp/U = 7.69). The fetch is measured against the wind
 * from the nearest boundary or dry node: wind sea from beyond the mesh
 * arrives with the offshore boundary condition, so it is not grown again.
 */
import { GRAVITY } from './dispersion.js';
import type { WavefrontMesh } from './wavefronts.js';

/** Below this wind speed (m/s) no wind sea is grown: the growth curves are fitted to winds of several m/s. */
export const CALM_WIND = 1;

export interface WindSeaState {
  sigWaveHeight: number;
  peakPeriod: number;
}

/** Hs and Tp of wind sea for wind speed U (m/s), fetch F (m) and depth d (m). */
export function windSea(speed: number, fetch: number, depth: number, g = GRAVITY): WindSeaState {
  if (!(speed >= CALM_WIND) || !(fetch > 0) || !(depth > 0)) return { sigWaveHeight: 0, peakPeriod: 0 };
  const u2 = speed * speed;
  const d = (g * depth) / u2;
  const f = (g * fetch) / u2;
  const depthH = Math.tanh(0.343 * Math.pow(d, 1.14));
  const depthT = Math.tanh(0.1 * Math.pow(d, 2.01));
  const h = 0.24 * Math.pow(depthH * Math.tanh((4.14e-4 * Math.pow(f, 0.79)) / depthH), 0.572);
  const t = 7.69 * Math.pow(depthT * Math.tanh((2.77e-7 * Math.pow(f, 1.45)) / depthT), 0.187);
  return { sigWaveHeight: (h * u2) / g, peakPeriod: (t * speed) / g };
}

/**
 * Fetch (m) per node against the wind blowing towards (windX, windY): the
 * distance upwind to the mesh's edge or a dry node, following the straight
 * line back through the triangles. Nodes are swept downwind, so the point
 * where the line leaves a node's cell upwind has been measured before it.
 */
export function fetchAlongWind(mesh: WavefrontMesh, wet: Uint8Array, windX: number, windY: number): Float64Array {
  const { x, y, triangles, nodeTriangleStart, nodeTriangles } = mesh;
  const n = x.length;
  const fetch = new Float64Array(n);
  const speed = Math.hypot(windX, windY);
  if (speed === 0) return fetch;
  const wx = windX / speed;
  const wy = windY / speed;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] * wx + y[a] * wy - (x[b] * wx + y[b] * wy));
  for (const node of order) {
    if (!wet[node]) continue;
    for (let s = nodeTriangleStart[node]; s < nodeTriangleStart[node + 1]; s++) {
      const t = nodeTriangles[s];
      const c = [0, 1, 2].find((i) => triangles[3 * t + i] === node) ?? 0;
      const a = triangles[3 * t + ((c + 1) % 3)];
      const b = triangles[3 * t + ((c + 2) % 3)];
      // The upwind ray node − s·w meets edge ab at a + r·(b − a), 0 ≤ r ≤ 1, s > 0.
      const ex = x[b] - x[a];
      const ey = y[b] - y[a];
      const px = x[node] - x[a];
      const py = y[node] - y[a];
      const det = ex * wy - ey * wx;
      if (det === 0) continue;
      const r = (px * wy - py * wx) / det;
      const back = (ex * py - ey * px) / det;
      if (r < 0 || r > 1 || !(back > 0)) continue;
      const upwind = (wet[a] ? (1 - r) * fetch[a] : 0) + (wet[b] ? r * fetch[b] : 0);
      fetch[node] = upwind + back;
      break;
    }
  }
  return fetch;
}
