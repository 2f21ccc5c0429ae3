import type { DualMesh } from './dual.js';
import { hydrostaticFlux } from './flux.js';
import { vanAlbada, type Primitives } from './reconstruction.js';
import type { FlowState } from './state.js';

/** Values stored per edge: mass, x and y momentum flux, the two sides' pressure/bed terms, and speed × face length. */
export const EDGE_STRIDE = 6;

/**
 * Fluxes of the edges in [begin, end) into `out` (EDGE_STRIDE per edge, all
 * already multiplied by the face length). Edges are independent, so ranges
 * can go to different threads; nodes gather them later in a fixed order.
 *
 * Each side is reconstructed at the edge midpoint: limited η, u, v and the
 * midpoint bed (bi + bj)/2, or first order (the node's own values and bed)
 * at wet/dry fronts and wherever the reconstructed depth would be negative.
 * Its bed term g·(h_f + h_i)/2·(b_f − b_i), the centred source of Audusse et
 * al.'s second-order scheme, balances the pressure of the reconstructed
 * depth, so lake at rest holds face by face whatever order each side uses.
 */
export function computeEdgeFluxes(
  dual: DualMesh, state: FlowState, bed: Float64Array, p: Primitives,
  g: number, secondOrder: boolean, out: Float64Array, begin: number, end: number,
): void {
  const { edgeNodes, edgeNx, edgeNy, edgeLength, edgeDx, edgeDy } = dual;
  const { h } = state;
  const { eta, u, v, front, etaX, etaY, uX, uY, vX, vY } = p;
  for (let e = begin; e < end; e++) {
    const a = edgeNodes[2 * e];
    const b = edgeNodes[2 * e + 1];
    const ha = h[a];
    const hb = h[b];
    let hA = ha, uA = u[a], vA = v[a], bA = bed[a];
    let hB = hb, uB = u[b], vB = v[b], bB = bed[b];
    if (secondOrder) {
      const dx = edgeDx[e];
      const dy = edgeDy[e];
      const bMid = 0.5 * (bed[a] + bed[b]);
      if (front[a] === 0) {
        const dEta = eta[b] - eta[a];
        const hF = eta[a] + 0.5 * vanAlbada(2 * (etaX[a] * dx + etaY[a] * dy) - dEta, dEta) - bMid;
        if (hF >= 0) {
          const dU = u[b] - u[a];
          const dV = v[b] - v[a];
          hA = hF;
          bA = bMid;
          uA = u[a] + 0.5 * vanAlbada(2 * (uX[a] * dx + uY[a] * dy) - dU, dU);
          vA = v[a] + 0.5 * vanAlbada(2 * (vX[a] * dx + vY[a] * dy) - dV, dV);
        }
      }
      if (front[b] === 0) {
        const dEta = eta[a] - eta[b];
        const hF = eta[b] + 0.5 * vanAlbada(-2 * (etaX[b] * dx + etaY[b] * dy) - dEta, dEta) - bMid;
        if (hF >= 0) {
          const dU = u[a] - u[b];
          const dV = v[a] - v[b];
          hB = hF;
          bB = bMid;
          uB = u[b] + 0.5 * vanAlbada(-2 * (uX[b] * dx + uY[b] * dy) - dU, dU);
          vB = v[b] + 0.5 * vanAlbada(-2 * (vX[b] * dx + vY[b] * dy) - dV, dV);
        }
      }
    }
    const o = EDGE_STRIDE * e;
    const len = edgeLength[e];
    const speed = hydrostaticFlux(hA, uA, vA, bA, hB, uB, vB, bB, edgeNx[e], edgeNy[e], g, out, o);
    out[o] *= len;
    out[o + 1] *= len;
    out[o + 2] *= len;
    out[o + 3] = (out[o + 3] + 0.5 * g * (hA + ha) * (bA - bed[a])) * len;
    out[o + 4] = (out[o + 4] + 0.5 * g * (hB + hb) * (bB - bed[b])) * len;
    out[o + 5] = speed * len;
  }
}
