import type { ModelMesh } from './mesh.js';

export type Side = 'west' | 'east' | 'south' | 'north';

export interface RectangleSpec {
  readonly lx: number;
  readonly ly: number;
  /** Cells along x and y; each cell is split into two triangles. */
  readonly nx: number;
  readonly ny: number;
  readonly x0?: number;
  readonly y0?: number;
  /** Depth (positive down) at a point. */
  readonly depth: (x: number, y: number) => number;
  /** Sides that form open boundaries (each one boundary, corner nodes included). */
  readonly open?: readonly Side[];
  /** Random displacement of interior nodes, as a fraction of the cell size (deterministic), to test unstructured geometry. */
  readonly jitter?: number;
}

/**
 * A rectangle of nx × ny cells, diagonals alternating in a checkerboard so the
 * triangulation has no preferred direction. Small meshes for the validation
 * cases; site meshes come from hgrid.gr3.
 */
export function rectangleMesh(spec: RectangleSpec): ModelMesh {
  const { lx, ly, nx, ny } = spec;
  const x0 = spec.x0 ?? 0;
  const y0 = spec.y0 ?? 0;
  const id = (i: number, j: number) => j * (nx + 1) + i;
  const count = (nx + 1) * (ny + 1);
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const interior = i > 0 && i < nx && j > 0 && j < ny;
      const jitter = interior ? spec.jitter ?? 0 : 0;
      x[id(i, j)] = x0 + (lx * (i + jitter * random())) / nx;
      y[id(i, j)] = y0 + (ly * (j + jitter * random())) / ny;
    }
  }
  const depth = Float64Array.from(x, (xi, k) => spec.depth(xi, y[k]));
  const triangles = new Int32Array(6 * nx * ny);
  let t = 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const a = id(i, j), b = id(i + 1, j), c = id(i + 1, j + 1), d = id(i, j + 1);
      const cell = (i + j) % 2 === 0 ? [a, b, c, a, c, d] : [a, b, d, b, c, d];
      triangles.set(cell, t);
      t += 6;
    }
  }
  const sideNodes = (side: Side): Int32Array => {
    const nodes: number[] = [];
    if (side === 'west' || side === 'east') for (let j = 0; j <= ny; j++) nodes.push(id(side === 'west' ? 0 : nx, j));
    else for (let i = 0; i <= nx; i++) nodes.push(id(i, side === 'south' ? 0 : ny));
    return Int32Array.from(nodes);
  };
  return { x, y, depth, triangles, openBoundaries: (spec.open ?? []).map((s) => ({ nodes: sideNodes(s) })) };
}
