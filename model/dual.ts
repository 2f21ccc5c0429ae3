/**
 * Median-dual geometry for vertex-centred finite volumes. Each mesh node owns
 * the control volume bounded by the segments joining triangle centroids to
 * edge midpoints, so elevations, depths and open-boundary nodes live where
 * SCHISM keeps them. All fluxes are exchanged across the dual face of a mesh
 * edge, or across the half boundary edges of boundary nodes.
 */

export interface DualMesh {
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** Two nodes per edge; the face normal points from the first to the second. */
  readonly edgeNodes: Int32Array;
  /** Unit normal of the edge's dual face and the face length (sum over its one or two triangles). */
  readonly edgeNx: Float64Array;
  readonly edgeNy: Float64Array;
  readonly edgeLength: Float64Array;
  /** Vector from the first node to the second (for reconstruction along the edge). */
  readonly edgeDx: Float64Array;
  readonly edgeDy: Float64Array;
  /** Dual (control-volume) area per node: a third of each adjacent triangle. */
  readonly area: Float64Array;
  /** Per node, its edges as `2·edge + side` (side 0: first node), in increasing edge order; CSR by `nodeEdgeStart`. */
  readonly nodeEdgeStart: Int32Array;
  readonly nodeEdges: Int32Array;
  /** Per `nodeEdges` slot, the node at the edge's other end. */
  readonly nodeNeighbour: Int32Array;
  /**
   * Per `nodeEdges` slot, the Green–Gauss weights of the median dual: the
   * gradient at node i is Σ (φ_j − φ_i)·(wx, wy) over its slots, the
   * boundary half-edges' (5φi + φk)/6 face values folded into the slot of
   * that boundary edge. Exact for linear fields at interior and boundary
   * nodes (it is the area-weighted mean of the element gradients).
   */
  readonly gradientWx: Float64Array;
  readonly gradientWy: Float64Array;
  /**
   * Boundary faces: each boundary edge gives its two nodes a half-edge face.
   * Sorted by node (CSR by `nodeFaceStart`) so a node gathers them in a fixed order.
   */
  readonly faceCount: number;
  readonly faceNode: Int32Array;
  /** The other node of the boundary edge (for second-order bed values along the boundary). */
  readonly faceOther: Int32Array;
  readonly faceNx: Float64Array;
  readonly faceNy: Float64Array;
  readonly faceLength: Float64Array;
  /** Index into the open-boundary value array for open faces, −1 for land (wall) faces. */
  readonly faceOpen: Int32Array;
  readonly nodeFaceStart: Int32Array;
  /** All open-boundary nodes, boundary after boundary: the layout of prescribed elevations. */
  readonly openNodes: Int32Array;
  /** One triangle touching each node, to name an element in error messages. */
  readonly nodeTriangle: Int32Array;
}

export function buildDual(
  x: Float64Array,
  y: Float64Array,
  triangles: Int32Array,
  openBoundaries: readonly { readonly nodes: Int32Array }[],
): DualMesh {
  const nodeCount = x.length;
  const triCount = triangles.length / 3;
  const edgeIndex = new Map<number, number>();
  const edgeA: number[] = [];
  const edgeB: number[] = [];
  const edgeTriangles: number[] = [];
  const edgeOpposite: number[] = [];
  const nodeTriangle = new Int32Array(nodeCount).fill(-1);
  const area = new Float64Array(nodeCount);

  for (let t = 0; t < triCount; t++) {
    const n0 = triangles[3 * t];
    const n1 = triangles[3 * t + 1];
    const n2 = triangles[3 * t + 2];
    const twiceArea = (x[n1] - x[n0]) * (y[n2] - y[n0]) - (x[n2] - x[n0]) * (y[n1] - y[n0]);
    if (!(twiceArea > 0)) {
      throw new Error(`element ${t + 1} (nodes ${n0 + 1} ${n1 + 1} ${n2 + 1}) is not counter-clockwise or is degenerate`);
    }
    for (const n of [n0, n1, n2]) {
      area[n] += twiceArea / 6;
      if (nodeTriangle[n] < 0) nodeTriangle[n] = t;
    }
    for (let k = 0; k < 3; k++) {
      const a = triangles[3 * t + k];
      const b = triangles[3 * t + ((k + 1) % 3)];
      const key = Math.min(a, b) * nodeCount + Math.max(a, b);
      let e = edgeIndex.get(key);
      if (e === undefined) {
        e = edgeA.length;
        edgeIndex.set(key, e);
        edgeA.push(Math.min(a, b));
        edgeB.push(Math.max(a, b));
        edgeTriangles.push(0);
        edgeOpposite.push(triangles[3 * t + ((k + 2) % 3)]);
      }
      edgeTriangles[e]++;
      if (edgeTriangles[e] > 2) throw new Error(`edge ${a + 1}-${b + 1} is shared by more than two elements`);
    }
  }
  for (let n = 0; n < nodeCount; n++) {
    if (nodeTriangle[n] < 0) throw new Error(`node ${n + 1} belongs to no element`);
  }

  const edgeCount = edgeA.length;
  const edgeNodes = new Int32Array(2 * edgeCount);
  const nx = new Float64Array(edgeCount);
  const ny = new Float64Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    edgeNodes[2 * e] = edgeA[e];
    edgeNodes[2 * e + 1] = edgeB[e];
  }
  // Each triangle contributes, for each of its edges, the centroid–midpoint segment rotated to face the edge direction.
  for (let t = 0; t < triCount; t++) {
    const n0 = triangles[3 * t];
    const n1 = triangles[3 * t + 1];
    const n2 = triangles[3 * t + 2];
    const cx = (x[n0] + x[n1] + x[n2]) / 3;
    const cy = (y[n0] + y[n1] + y[n2]) / 3;
    for (let k = 0; k < 3; k++) {
      const p = triangles[3 * t + k];
      const q = triangles[3 * t + ((k + 1) % 3)];
      const a = Math.min(p, q);
      const b = Math.max(p, q);
      const e = edgeIndex.get(a * nodeCount + b)!;
      const sx = cx - 0.5 * (x[a] + x[b]);
      const sy = cy - 0.5 * (y[a] + y[b]);
      let vx = sy;
      let vy = -sx;
      if (vx * (x[b] - x[a]) + vy * (y[b] - y[a]) < 0) {
        vx = -vx;
        vy = -vy;
      }
      nx[e] += vx;
      ny[e] += vy;
    }
  }
  const edgeLength = new Float64Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const len = Math.hypot(nx[e], ny[e]);
    edgeLength[e] = len;
    nx[e] /= len;
    ny[e] /= len;
  }

  const nodeEdgeStart = new Int32Array(nodeCount + 1);
  for (let e = 0; e < edgeCount; e++) {
    nodeEdgeStart[edgeA[e] + 1]++;
    nodeEdgeStart[edgeB[e] + 1]++;
  }
  for (let n = 0; n < nodeCount; n++) nodeEdgeStart[n + 1] += nodeEdgeStart[n];
  const nodeEdges = new Int32Array(2 * edgeCount);
  const fill = nodeEdgeStart.slice(0, nodeCount);
  for (let e = 0; e < edgeCount; e++) {
    nodeEdges[fill[edgeA[e]]++] = 2 * e;
    nodeEdges[fill[edgeB[e]]++] = 2 * e + 1;
  }

  // Open-boundary layout: a boundary edge is open when both its nodes belong to the same open boundary.
  let openCount = 0;
  for (const ob of openBoundaries) openCount += ob.nodes.length;
  const openNodes = new Int32Array(openCount);
  const openSegment = new Int32Array(nodeCount).fill(-1);
  const openSlot = new Int32Array(nodeCount).fill(-1);
  let slot = 0;
  openBoundaries.forEach((ob, s) => {
    for (const n of ob.nodes) {
      if (n < 0 || n >= nodeCount) throw new Error(`open boundary ${s + 1} names node ${n + 1}, outside the mesh`);
      openNodes[slot] = n;
      if (openSegment[n] < 0) {
        openSegment[n] = s;
        openSlot[n] = slot;
      }
      slot++;
    }
  });

  const faces: { node: number; other: number; nx: number; ny: number; len: number; open: number }[] = [];
  for (let e = 0; e < edgeCount; e++) {
    if (edgeTriangles[e] !== 1) continue;
    const a = edgeA[e];
    const b = edgeB[e];
    const o = edgeOpposite[e];
    const ex = x[b] - x[a];
    const ey = y[b] - y[a];
    const len = Math.hypot(ex, ey);
    let ux = ey / len;
    let uy = -ex / len;
    if (ux * (x[o] - x[a]) + uy * (y[o] - y[a]) > 0) {
      ux = -ux;
      uy = -uy;
    }
    const open = openSegment[a] >= 0 && openSegment[a] === openSegment[b];
    faces.push({ node: a, other: b, nx: ux, ny: uy, len: len / 2, open: open ? openSlot[a] : -1 });
    faces.push({ node: b, other: a, nx: ux, ny: uy, len: len / 2, open: open ? openSlot[b] : -1 });
  }
  faces.sort((p, q) => p.node - q.node || p.other - q.other);
  const faceCount = faces.length;
  const nodeFaceStart = new Int32Array(nodeCount + 1);
  for (const f of faces) nodeFaceStart[f.node + 1]++;
  for (let n = 0; n < nodeCount; n++) nodeFaceStart[n + 1] += nodeFaceStart[n];

  const nodeNeighbour = new Int32Array(2 * edgeCount);
  const gradientWx = new Float64Array(2 * edgeCount);
  const gradientWy = new Float64Array(2 * edgeCount);
  for (let n = 0; n < nodeCount; n++) {
    for (let k = nodeEdgeStart[n]; k < nodeEdgeStart[n + 1]; k++) {
      const e = nodeEdges[k] >> 1;
      const side = nodeEdges[k] & 1;
      const j = side === 0 ? edgeB[e] : edgeA[e];
      // Face value (φi + φj)/2 on the dual face, outward from n: +normal for the edge's first node.
      const w = (0.5 * edgeLength[e] * (side === 0 ? 1 : -1)) / area[n];
      nodeNeighbour[k] = j;
      gradientWx[k] = w * nx[e];
      gradientWy[k] = w * ny[e];
    }
  }
  for (const f of faces) {
    // The boundary edge's slot among the node's few edges.
    let k = nodeEdgeStart[f.node];
    while (nodeNeighbour[k] !== f.other) k++;
    const w = f.len / 6 / area[f.node];
    gradientWx[k] += w * f.nx;
    gradientWy[k] += w * f.ny;
  }

  return {
    nodeCount,
    edgeCount,
    edgeNodes,
    edgeNx: nx,
    edgeNy: ny,
    edgeLength,
    edgeDx: Float64Array.from(edgeA, (a, e) => x[edgeB[e]] - x[a]),
    edgeDy: Float64Array.from(edgeA, (a, e) => y[edgeB[e]] - y[a]),
    area,
    nodeEdgeStart,
    nodeEdges,
    nodeNeighbour,
    gradientWx,
    gradientWy,
    faceCount,
    faceNode: Int32Array.from(faces, (f) => f.node),
    faceOther: Int32Array.from(faces, (f) => f.other),
    faceNx: Float64Array.from(faces, (f) => f.nx),
    faceNy: Float64Array.from(faces, (f) => f.ny),
    faceLength: Float64Array.from(faces, (f) => f.len),
    faceOpen: Int32Array.from(faces, (f) => f.open),
    nodeFaceStart,
    openNodes,
    nodeTriangle,
  };
}
