/**
 * Polygons of a set of triangles: the boundary edges of the set traced into
 * rings, so that adjacent flooded triangles merge into one polygon with holes
 * where dry ground sits inside.
 *
 * Half-edge k of triangle t runs from corner k to corner k+1. Triangles are
 * counter-clockwise, so the set lies to the left of each of its boundary
 * edges: rings traced along them come out counter-clockwise around the set
 * and clockwise around holes — the orientation RFC 7946 asks of GeoJSON.
 *
 * At a node where the set touches itself only at that node, the trace turns
 * through the flooded triangles around the node rather than jumping to another
 * boundary edge that starts there, so pieces that meet at a single node come
 * out as separate rings instead of one ring crossing itself.
 */

/** Which half-edge runs the other way along the same edge (-1 on the mesh boundary). */
export class MeshTopology {
  readonly twin: Int32Array;

  constructor(
    readonly triangles: Int32Array,
    nodeCount: number,
  ) {
    const halfEdges = triangles.length;
    // Half-edges grouped by their start node (counting sort), so a twin is
    // found among the few half-edges leaving a node rather than in a hash of all edges.
    const first = new Int32Array(nodeCount + 1);
    for (let h = 0; h < halfEdges; h++) first[triangles[h] + 1]++;
    for (let n = 0; n < nodeCount; n++) first[n + 1] += first[n];
    const leaving = new Int32Array(halfEdges);
    const fill = first.slice(0, nodeCount);
    for (let h = 0; h < halfEdges; h++) leaving[fill[triangles[h]]++] = h;
    this.twin = new Int32Array(halfEdges).fill(-1);
    for (let h = 0; h < halfEdges; h++) {
      const from = triangles[h];
      const to = triangles[nextHalfEdge(h)];
      for (let i = first[to]; i < first[to + 1]; i++) {
        const candidate = leaving[i];
        if (triangles[nextHalfEdge(candidate)] === from) {
          this.twin[h] = candidate;
          break;
        }
      }
    }
  }
}

/** The next half-edge of the same triangle: h = 3t + k → 3t + (k + 1) % 3. */
function nextHalfEdge(h: number): number {
  return h % 3 === 2 ? h - 2 : h + 1;
}

/** A polygon as node indices: exterior ring first, then holes; rings are not closed (the first node is not repeated). */
export type NodePolygon = number[][];

/** Twice the signed area of a ring in the mesh plane: > 0 counter-clockwise. */
function signedArea2(ring: readonly number[], x: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (x[ring[j]] - x[ring[i]]) * (y[ring[j]] + y[ring[i]]);
  return sum;
}

/** Connected pieces of the set (triangles sharing an edge), numbered from 0; -1 outside the set. */
function pieces(topology: MeshTopology, inSet: Uint8Array): { piece: Int32Array; count: number } {
  const piece = new Int32Array(inSet.length).fill(-1);
  const stack: number[] = [];
  let count = 0;
  for (let seed = 0; seed < inSet.length; seed++) {
    if (!inSet[seed] || piece[seed] >= 0) continue;
    piece[seed] = count;
    stack.push(seed);
    while (stack.length) {
      const t = stack.pop()!;
      for (let k = 0; k < 3; k++) {
        const twin = topology.twin[3 * t + k];
        if (twin < 0) continue;
        const neighbour = (twin / 3) | 0;
        if (inSet[neighbour] && piece[neighbour] < 0) {
          piece[neighbour] = count;
          stack.push(neighbour);
        }
      }
    }
    count++;
  }
  return { piece, count };
}

/**
 * The polygons covering the triangles with inSet[t] = 1, one per piece of
 * triangles connected through edges, each with its holes; x and y are the
 * mesh coordinates (used only for the orientation of rings).
 */
export function tracePolygons(topology: MeshTopology, inSet: Uint8Array, x: ArrayLike<number>, y: ArrayLike<number>): NodePolygon[] {
  const { triangles, twin } = topology;
  const onBoundary = (h: number) => twin[h] < 0 || !inSet[(twin[h] / 3) | 0];
  const { piece, count } = pieces(topology, inSet);
  const exterior: (number[] | undefined)[] = new Array(count);
  const holes: number[][][] = Array.from({ length: count }, () => []);
  const traced = new Uint8Array(triangles.length);
  for (let start = 0; start < triangles.length; start++) {
    if (traced[start] || !inSet[(start / 3) | 0] || !onBoundary(start)) continue;
    const ring: number[] = [];
    let h = start;
    do {
      traced[h] = 1;
      ring.push(triangles[h]);
      // Turn about the edge's end node through the set until the next boundary edge.
      let next = nextHalfEdge(h);
      while (!onBoundary(next)) next = nextHalfEdge(twin[next]);
      h = next;
    } while (h !== start);
    const p = piece[(start / 3) | 0];
    if (signedArea2(ring, x, y) > 0) {
      if (exterior[p]) throw new Error(`flood polygons: piece ${p} has two exterior rings (mesh triangles overlap or are not counter-clockwise)`);
      exterior[p] = ring;
    } else holes[p].push(ring);
  }
  return exterior.map((ring, p) => {
    if (!ring) throw new Error(`flood polygons: piece ${p} has no exterior ring (mesh triangles are not counter-clockwise)`);
    return [ring, ...holes[p]];
  });
}
