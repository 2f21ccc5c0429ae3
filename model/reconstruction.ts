import type { DualMesh } from './dual.js';
import type { FlowState } from './state.js';

/**
 * Nodal primitive variables and their limited-reconstruction inputs. MUSCL
 * reconstructs the elevation η (not h), so a flat surface stays flat over any
 * bathymetry, and the velocity.
 */
export interface Primitives {
  readonly eta: Float64Array;
  readonly u: Float64Array;
  readonly v: Float64Array;
  /** 1 where h < h0: velocity zero, the node takes part only through mass and pressure. */
  readonly dry: Uint8Array;
  /** 1 where the node or a neighbour is dry: reconstruction falls back to first order. */
  readonly front: Uint8Array;
  readonly etaX: Float64Array;
  readonly etaY: Float64Array;
  readonly uX: Float64Array;
  readonly uY: Float64Array;
  readonly vX: Float64Array;
  readonly vY: Float64Array;
}

/** Shared buffers, so worker threads can fill node ranges of the same arrays. */
export function allocatePrimitives(n: number): Primitives {
  const f = () => new Float64Array(new SharedArrayBuffer(8 * n));
  const flags = () => new Uint8Array(new SharedArrayBuffer(n));
  return {
    eta: f(), u: f(), v: f(), dry: flags(), front: flags(),
    etaX: f(), etaY: f(), uX: f(), uY: f(), vX: f(), vY: f(),
  };
}

/** Primitives of the listed nodes `nodes[begin..end)`, from `state`. */
export function computePrimitives(state: FlowState, bed: Float64Array, h0: number, p: Primitives, nodes: Int32Array, begin: number, end: number): void {
  const { h, hu, hv } = state;
  for (let q = begin; q < end; q++) {
    const i = nodes[q];
    const hi = h[i];
    p.eta[i] = hi + bed[i];
    if (hi >= h0) {
      p.u[i] = hu[i] / hi;
      p.v[i] = hv[i] / hi;
      p.dry[i] = 0;
    } else {
      p.u[i] = 0;
      p.v[i] = 0;
      p.dry[i] = 1;
    }
  }
}

/**
 * Green–Gauss gradient on the median dual, edge-based: with face values
 * (φi + φj)/2 and boundary half-edges weighted (5φi + φk)/6, it equals the
 * area-weighted mean of the element gradients, so it is exact for linear
 * fields at interior and boundary nodes.
 */
export function greenGauss(dual: DualMesh, phi: Float64Array, gx: Float64Array, gy: Float64Array, begin: number, end: number): void {
  const { nodeEdgeStart, nodeEdges, edgeNodes, edgeNx, edgeNy, edgeLength, nodeFaceStart, faceOther, faceNx, faceNy, faceLength, area } = dual;
  for (let i = begin; i < end; i++) {
    const phiI = phi[i];
    let sx = 0;
    let sy = 0;
    for (let k = nodeEdgeStart[i]; k < nodeEdgeStart[i + 1]; k++) {
      const code = nodeEdges[k];
      const e = code >> 1;
      const side = code & 1;
      // Outward from node i: +normal for the edge's first node, −normal for its second.
      const w = 0.5 * (phi[edgeNodes[2 * e + 1 - side]] - phiI) * edgeLength[e] * (side === 0 ? 1 : -1);
      sx += w * edgeNx[e];
      sy += w * edgeNy[e];
    }
    for (let f = nodeFaceStart[i]; f < nodeFaceStart[i + 1]; f++) {
      const w = ((phi[faceOther[f]] - phiI) / 6) * faceLength[f];
      sx += w * faceNx[f];
      sy += w * faceNy[f];
    }
    gx[i] = sx / area[i];
    gy[i] = sy / area[i];
  }
}

/**
 * The same Green–Gauss gradients of η, u and v together (one pass over the
 * edges) for the listed nodes, which also get their `front` flag (the node
 * or a neighbour dry: needs `dry` of the neighbours). Front nodes reconstruct
 * to first order, so their gradients are zero.
 */
export function primitiveGradients(dual: DualMesh, p: Primitives, nodes: Int32Array, begin: number, end: number): void {
  const { nodeEdgeStart, nodeEdges, edgeNodes, edgeNx, edgeNy, edgeLength, nodeFaceStart, faceOther, faceNx, faceNy, faceLength, area } = dual;
  const { eta, u, v, dry } = p;
  for (let q = begin; q < end; q++) {
    const i = nodes[q];
    let front = dry[i];
    let ex = 0, ey = 0, ux = 0, uy = 0, vx = 0, vy = 0;
    if (front === 0) {
      const etaI = eta[i], uI = u[i], vI = v[i];
      for (let k = nodeEdgeStart[i]; k < nodeEdgeStart[i + 1]; k++) {
        const code = nodeEdges[k];
        const e = code >> 1;
        const side = code & 1;
        const j = edgeNodes[2 * e + 1 - side];
        front |= dry[j];
        const w = 0.5 * edgeLength[e] * (side === 0 ? 1 : -1);
        const wx = w * edgeNx[e];
        const wy = w * edgeNy[e];
        const dEta = eta[j] - etaI, dU = u[j] - uI, dV = v[j] - vI;
        ex += dEta * wx; ey += dEta * wy;
        ux += dU * wx; uy += dU * wy;
        vx += dV * wx; vy += dV * wy;
      }
      for (let f = nodeFaceStart[i]; f < nodeFaceStart[i + 1]; f++) {
        const k = faceOther[f];
        const wx = (faceLength[f] / 6) * faceNx[f];
        const wy = (faceLength[f] / 6) * faceNy[f];
        const dEta = eta[k] - etaI, dU = u[k] - uI, dV = v[k] - vI;
        ex += dEta * wx; ey += dEta * wy;
        ux += dU * wx; uy += dU * wy;
        vx += dV * wx; vy += dV * wy;
      }
      const inv = front === 0 ? 1 / area[i] : 0;
      ex *= inv; ey *= inv; ux *= inv; uy *= inv; vx *= inv; vy *= inv;
    }
    p.front[i] = front;
    p.etaX[i] = ex; p.etaY[i] = ey;
    p.uX[i] = ux; p.uY[i] = uy;
    p.vX[i] = vx; p.vY[i] = vy;
  }
}
