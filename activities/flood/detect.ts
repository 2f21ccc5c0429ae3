/**
 * Which parts of the land are flooded at an output time.
 *
 * Land is where the mesh depth is negative (depth is positive down, so land
 * lies above the datum). A land node is flooded when the model has it wet
 * (dryFlagNode 0) under a water depth elevation + depth of at least
 * `minDepth`, by default 5 cm: thinner water is the film wetting-and-drying
 * schemes leave on a drying bank (SCHISM's h0 is a few centimetres), not a flood.
 *
 * A triangle is flooded when all three of its nodes are flooded land. The
 * rule follows the model's own resolution: it only knows water depth at
 * nodes, so any line drawn inside a partly flooded triangle (marching
 * triangles at the threshold) would claim a precision the model does not
 * have; the extent is therefore conservative by up to one triangle along its
 * edge. Areas are those of the flooded triangles on the mesh, in m².
 */
import { lonLatTriangleArea, type Ics } from '../../core/geodesy.js';
import type { OutputMesh } from '../../core/out2d.js';
import type { NodeFields } from '../products/modelOutput.js';

export const DEFAULT_MIN_FLOOD_DEPTH_M = 0.05;

/** Area of each triangle in m²: planar in the CRS's metres (ics 1), on the tangent plane of the sphere (ics 2). */
export function triangleAreas(mesh: OutputMesh, ics: Ics): Float64Array {
  const { x, y, triangles } = mesh;
  const areas = new Float64Array(triangles.length / 3);
  for (let t = 0; t < areas.length; t++) {
    const a = triangles[3 * t];
    const b = triangles[3 * t + 1];
    const c = triangles[3 * t + 2];
    areas[t] =
      ics === 2
        ? lonLatTriangleArea(x[a], y[a], x[b], y[b], x[c], y[c])
        : 0.5 * Math.abs((x[b] - x[a]) * (y[c] - y[a]) - (x[c] - x[a]) * (y[b] - y[a]));
  }
  return areas;
}

export interface FloodState {
  /** Water depth (m) at flooded land nodes, NaN elsewhere. */
  waterDepth: Float32Array;
  /** 1 for each flooded triangle. */
  triangles: Uint8Array;
  areaKm2: number;
  /** Deepest water at a node of a flooded triangle, m; null when nothing is flooded. */
  maxDepthM: number | null;
}

export class FloodDetector {
  readonly areas: Float64Array;

  constructor(
    private readonly mesh: OutputMesh,
    ics: Ics,
    readonly minDepth = DEFAULT_MIN_FLOOD_DEPTH_M,
  ) {
    if (!(minDepth > 0)) throw new Error(`minimum flood depth must be > 0 m, got ${minDepth}`);
    this.areas = triangleAreas(mesh, ics);
  }

  detect(fields: NodeFields): FloodState {
    const { depth, triangles } = this.mesh;
    const waterDepth = new Float32Array(depth.length).fill(NaN);
    for (let n = 0; n < depth.length; n++) {
      if (depth[n] >= 0 || fields.dry[n]) continue;
      const h = fields.elevation[n] + depth[n];
      if (h >= this.minDepth) waterDepth[n] = h;
    }
    const flooded = new Uint8Array(triangles.length / 3);
    let area = 0;
    let maxDepth = -Infinity;
    for (let t = 0; t < flooded.length; t++) {
      const ha = waterDepth[triangles[3 * t]];
      const hb = waterDepth[triangles[3 * t + 1]];
      const hc = waterDepth[triangles[3 * t + 2]];
      // NaN fails every comparison: a triangle with a node that is not flooded land drops out here.
      if (!(ha >= 0 && hb >= 0 && hc >= 0)) continue;
      flooded[t] = 1;
      area += this.areas[t];
      maxDepth = Math.max(maxDepth, ha, hb, hc);
    }
    return { waterDepth, triangles: flooded, areaKm2: area / 1e6, maxDepthM: maxDepth === -Infinity ? null : maxDepth };
  }

  /** Area in km² of a set of triangles (e.g. every triangle flooded at some time). */
  areaKm2(triangles: Uint8Array): number {
    let area = 0;
    for (let t = 0; t < triangles.length; t++) if (triangles[t]) area += this.areas[t];
    return area / 1e6;
  }
}
