/**
 * Rectangular triangulated meshes for tests, benches and the model's
 * validation cases (channels, basins): a grid of nx × ny nodes, each cell cut
 * into two counter-clockwise triangles along one of its diagonals.
 */
import type { LandBoundary, Mesh, OpenBoundary } from './mesh.js';

export type Side = 'south' | 'east' | 'north' | 'west';

/**
 * How cells are cut: all along the south-west → north-east diagonal, or
 * alternating in a checkerboard so the triangulation has no preferred
 * direction (a uniform cut biases the numerical dispersion of waves).
 */
export type Diagonals = 'southwest' | 'alternating';

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
  /** Default 'southwest'. */
  diagonals?: Diagonals;
  /**
   * Displaces interior nodes by up to ±jitter/2 of the spacing along each
   * axis, pseudo-randomly but the same on every call, to exercise
   * unstructured geometry. Below 0.5 every triangle stays counter-clockwise.
   * Default 0.
   */
  jitter?: number;
  title?: string;
}

/** Node n = i + j·nx sits at (origin.x + i·dx, origin.y + j·dy), before jitter. */
export function generateRectangleMesh(spec: RectangleMeshSpec): Mesh {
  const { nx, ny, dx } = spec;
  if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 2 && ny >= 2)) throw new Error(`nx and ny must be integers ≥ 2, got ${nx} × ${ny}`);
  const dy = spec.dy ?? dx;
  const origin = spec.origin ?? { x: 0, y: 0 };
  const depthAt = spec.depth ?? (() => 10);
  const jitter = spec.jitter ?? 0;
  // Positions are fractions of the whole width and height, so a mesh given as
  // a length and a cell count (dx = length / cells) ends exactly at the length.
  const width = (nx - 1) * dx;
  const height = (ny - 1) * dy;
  const random = jitterSequence();
  const x = new Float64Array(nx * ny);
  const y = new Float64Array(nx * ny);
  const depth = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const n = i + j * nx;
      const shift = i > 0 && i < nx - 1 && j > 0 && j < ny - 1 ? jitter : 0;
      x[n] = origin.x + (width * (i + shift * random())) / (nx - 1);
      y[n] = origin.y + (height * (j + shift * random())) / (ny - 1);
      depth[n] = depthAt(x[n], y[n]);
    }
  }
  return {
    title: spec.title ?? `rectangle ${nx} x ${ny}`,
    x,
    y,
    depth,
    triangles: triangulate(nx, ny, spec.diagonals ?? 'southwest'),
    ...perimeterBoundaries(nx, ny, new Set(spec.openSides ?? [])),
  };
}

/**
 * Uniform values in [−0.5, 0.5), two per node (x then y, boundary nodes
 * included), always the same sequence. The products exceed 2^53, so this is
 * not an exact linear congruential generator, but it is deterministic and its
 * sequence defines the meshes the model's validation figures were computed on.
 */
function jitterSequence(): () => number {
  let seed = 12345;
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
}

function triangulate(nx: number, ny: number, diagonals: Diagonals): Int32Array {
  const triangles = new Int32Array(6 * (nx - 1) * (ny - 1));
  let t = 0;
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const sw = i + j * nx;
      const se = sw + 1;
      const nw = sw + nx;
      const ne = nw + 1;
      const alongSouthwest = diagonals === 'southwest' || (i + j) % 2 === 0;
      triangles[t++] = sw;
      triangles[t++] = se;
      triangles[t++] = alongSouthwest ? ne : nw;
      triangles[t++] = alongSouthwest ? sw : se;
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
