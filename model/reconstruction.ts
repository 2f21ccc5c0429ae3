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

/** Green–Gauss gradient of φ on the median dual (DualMesh.gradientWx/Wy) at nodes [begin, end). */
export function greenGauss(dual: DualMesh, phi: Float64Array, gx: Float64Array, gy: Float64Array, begin: number, end: number): void {
  const { nodeEdgeStart, nodeNeighbour, gradientWx, gradientWy } = dual;
  for (let i = begin; i < end; i++) {
    const phiI = phi[i];
    let sx = 0;
    let sy = 0;
    for (let k = nodeEdgeStart[i]; k < nodeEdgeStart[i + 1]; k++) {
      const d = phi[nodeNeighbour[k]] - phiI;
      sx += d * gradientWx[k];
      sy += d * gradientWy[k];
    }
    gx[i] = sx;
    gy[i] = sy;
  }
}

/**
 * The same Green–Gauss gradients of η, u and v together (one pass over the
 * edges) for the listed nodes, which also get their `front` flag (the node
 * or a neighbour dry: needs `dry` of the neighbours). Front nodes reconstruct
 * to first order, so their gradients are zero.
 */
export function primitiveGradients(dual: DualMesh, p: Primitives, nodes: Int32Array, begin: number, end: number): void {
  const { nodeEdgeStart, nodeNeighbour, gradientWx, gradientWy } = dual;
  const { eta, u, v, dry } = p;
  for (let q = begin; q < end; q++) {
    const i = nodes[q];
    let front = dry[i];
    let ex = 0, ey = 0, ux = 0, uy = 0, vx = 0, vy = 0;
    if (front === 0) {
      const etaI = eta[i], uI = u[i], vI = v[i];
      for (let k = nodeEdgeStart[i]; k < nodeEdgeStart[i + 1]; k++) {
        const j = nodeNeighbour[k];
        front |= dry[j];
        const wx = gradientWx[k];
        const wy = gradientWy[k];
        const dEta = eta[j] - etaI, dU = u[j] - uI, dV = v[j] - vI;
        ex += dEta * wx; ey += dEta * wy;
        ux += dU * wx; uy += dU * wy;
        vx += dV * wx; vy += dV * wy;
      }
      if (front !== 0) ex = ey = ux = uy = vx = vy = 0;
    }
    p.front[i] = front;
    p.etaX[i] = ex; p.etaY[i] = ey;
    p.uX[i] = ux; p.uY[i] = uy;
    p.vX[i] = vx; p.vY[i] = vy;
  }
}
