/**
 * Rectangular triangulated meshes for tests, benches and the model's
 * validation cases (channels, basins): a grid of nx × ny nodes, each cell cut
 * into two counter-clockwise triangles along its south-west → north-east
 * diagonal.
 */
import type { LandBoundary, Mesh, OpenBoundary } from './mesh.js';

export type Side = 'south' | 'east' | 'north' | 'west';

export interface RectangleMeshSpec {
  /** Nodes along x and along y, at least 2 each. */
  nx: number;
  ny: number;
  /** Node spacing along x, in the mesh's units (metres or degrees). */
  dx: number;
  /** Node spacing along y; defaults to dx. */
  dy?: number;
  /** South-west corner. Default (0, 0). */
  origin?: { x: number; y: number };
  /** Depth at a node, positive down. Default 10 m everywhere. */
  depth?: (x: number, y: number) => number;
  /**
   * Sides that are open boundaries. Adjacent open sides form one boundary;
   * each stretch of perimeter between open boundaries is a land boundary
   * (kind 0) sharing its end nodes with them. With no open side the whole
   * perimeter is one land boundary.
   */
  openSides?: Side[];
  title?: string;
}

/** Node n = i + j·nx sits at (origin.x + i·dx, origin.y + j·dy). */
export function generateRectangleMesh(spec: RectangleMeshSpec): Mesh {
  const { nx, ny, dx } = spec;
  if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 2 && ny >= 2)) throw new Error(`nx and ny must be integers ≥ 2, got ${nx} × ${ny}`);
  const dy = spec.dy ?? dx;
  const origin = spec.origin ?? { x: 0, y: 0 };
  const depthAt = spec.depth ?? (() => 10);
  const x = new Float64Array(nx * ny);
  const y = new Float64Array(nx * ny);
  const depth = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const n = i + j * nx;
      x[n] = origin.x + i * dx;
      y[n] = origin.y + j * dy;
      depth[n] = depthAt(x[n], y[n]);
    }
  }
  return {
    title: spec.title ?? `rectangle ${nx} x ${ny}`,
    x,
    y,
    depth,
    triangles: triangulate(nx, ny),
    ...perimeterBoundaries(nx, ny, new Set(spec.openSides ?? [])),
  };
}

function triangulate(nx: number, ny: number): Int32Array {
  const triangles = new Int32Array(6 * (nx - 1) * (ny - 1));
  let t = 0;
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const sw = i + j * nx;
      const se = sw + 1;
      const nw = sw + nx;
      const ne = nw + 1;
      triangles[t++] = sw;
      triangles[t++] = se;
      triangles[t++] = ne;
      triangles[t++] = sw;
      triangles[t++] = ne;
      triangles[t++] = nw;
    }
  }
  return triangles;
}

/** The perimeter counter-clockwise from the south-west corner, with the side each edge lies on. */
function perimeter(nx: number, ny: number): { nodes: number[]; sides: Side[] } {
  const nodes: number[] = [];
  const sides: Side[] = [];
  const walk = (side: Side, steps: number, at: (k: number) => number) => {
    for (let k = 0; k < steps; k++) {
      nodes.push(at(k));
      sides.push(side);
    }
  };
  walk('south', nx - 1, (k) => k);
  walk('east', ny - 1, (k) => nx - 1 + k * nx);
  walk('north', nx - 1, (k) => nx * ny - 1 - k);
  walk('west', ny - 1, (k) => (ny - 1 - k) * nx);
  return { nodes, sides };
}

function perimeterBoundaries(nx: number, ny: number, open: Set<Side>): { openBoundaries: OpenBoundary[]; landBoundaries: LandBoundary[] } {
  const { nodes, sides } = perimeter(nx, ny);
  const isOpen = sides.map((s) => open.has(s));
  const edges = nodes.length;
  const first = isOpen.findIndex((o, k) => o !== isOpen[(k + edges - 1) % edges]);
  if (first < 0) {
    const loop = Int32Array.from(nodes);
    return isOpen[0] ? { openBoundaries: [{ nodes: loop }], landBoundaries: [] } : { openBoundaries: [], landBoundaries: [{ kind: 0, nodes: loop }] };
  }
  const openBoundaries: OpenBoundary[] = [];
  const landBoundaries: LandBoundary[] = [];
  for (let k = 0; k < edges; ) {
    const start = (first + k) % edges;
    let length = 1;
    while (k + length < edges && isOpen[(start + length) % edges] === isOpen[start]) length++;
    const run = Int32Array.from({ length: length + 1 }, (_, m) => nodes[(start + m) % edges]);
    if (isOpen[start]) openBoundaries.push({ nodes: run });
    else landBoundaries.push({ kind: 0, nodes: run });
    k += length;
  }
  return { openBoundaries, landBoundaries };
}
