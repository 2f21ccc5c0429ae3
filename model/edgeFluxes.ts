import type { DualMesh } from './dual.js';
import type { Primitives } from './reconstruction.js';
import type { FlowState } from './state.js';

/**
 * Values stored per edge, all × face length: mass flux, then the momentum
 * rate of its first node (x, y) and of its second (x, y), each side with its
 * own pressure/bed terms, then speed. Gathering a node then reads three
 * values per edge and adds them, without the edge's normal.
 */
export const EDGE_STRIDE = 6;

/**
 * Fluxes of the listed edges `edges[begin..end)` into `out` (EDGE_STRIDE per
 * edge). Edges are independent, so ranges can go to different threads; nodes
 * gather them later in a fixed order.
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
  g: number, secondOrder: boolean, out: Float64Array, edges: Int32Array, begin: number, end: number,
): void {
  const { edgeNodes, edgeNx, edgeNy, edgeLength, edgeDx, edgeDy } = dual;
  const { h } = state;
  const { eta, u, v, front, etaX, etaY, uX, uY, vX, vY } = p;
  const halfG = 0.5 * g;
  for (let q = begin; q < end; q++) {
    const e = edges[q];
    const a = edgeNodes[2 * e];
    const b = edgeNodes[2 * e + 1];
    const ha = h[a];
    const hb = h[b];
    const o = EDGE_STRIDE * e;
    if (ha === 0 && hb === 0) {
      // Land between two emerged nodes, most of an estuary mesh at low tide: every term below is exactly zero.
      out[o] = 0;
      out[o + 1] = 0;
      out[o + 2] = 0;
      out[o + 3] = 0;
      out[o + 4] = 0;
      out[o + 5] = 0;
      continue;
    }
    const bedA = bed[a];
    const bedB = bed[b];
    let hA = ha, uA = u[a], vA = v[a], bA = bedA;
    let hB = hb, uB = u[b], vB = v[b], bB = bedB;
    if (secondOrder) {
      const dx = edgeDx[e];
      const dy = edgeDy[e];
      const bMid = 0.5 * (bedA + bedB);
      // A side reconstructs to second order only where its water is deeper than the bed falls to the midpoint: a thin
      // layer beside a bed step (a flat by a channel) would otherwise get the midpoint's depth, and with it pressure
      // and bed forces its volume cannot carry.
      const halfStep = 0.5 * Math.abs(bedB - bedA);
      if (front[a] === 0 && ha > halfStep) {
        const dEta = eta[b] - eta[a];
        const hF = eta[a] + 0.5 * vanAlbada(2 * (etaX[a] * dx + etaY[a] * dy) - dEta, dEta) - bMid;
        if (hF >= 0) {
          const dU = u[b] - uA;
          const dV = v[b] - vA;
          hA = hF;
          bA = bMid;
          uA += 0.5 * vanAlbada(2 * (uX[a] * dx + uY[a] * dy) - dU, dU);
          vA += 0.5 * vanAlbada(2 * (vX[a] * dx + vY[a] * dy) - dV, dV);
        }
      }
      if (front[b] === 0 && hb > halfStep) {
        const dEta = eta[a] - eta[b];
        const hF = eta[b] + 0.5 * vanAlbada(-2 * (etaX[b] * dx + etaY[b] * dy) - dEta, dEta) - bMid;
        if (hF >= 0) {
          const dU = u[a] - uB;
          const dV = v[a] - vB;
          hB = hF;
          bB = bMid;
          uB += 0.5 * vanAlbada(-2 * (uX[b] * dx + uY[b] * dy) - dU, dU);
          vB += 0.5 * vanAlbada(-2 * (vX[b] * dx + vY[b] * dy) - dV, dV);
        }
      }
    }
    // Audusse et al.'s (2004) hydrostatic reconstruction: both sides brought to the interface bed b* = max(bA, bB),
    // h* = max(0, η − b*), which keeps water at rest at rest (also against emerged land) and h ≥ 0 for steps within the CFL limit
    // of the first-order scheme (a larger step that still drives a depth negative is retried smaller).
    const nx = edgeNx[e];
    const ny = edgeNy[e];
    const len = edgeLength[e];
    const bStar = bA > bB ? bA : bB;
    const hL = Math.max(0, hA + bA - bStar);
    const hR = Math.max(0, hB + bB - bStar);
    const unL = uA * nx + vA * ny;
    const unR = uB * nx + vB * ny;
    // HLL (flux.ts's hllNormalFlux, written out: this is the model's hottest loop, and V8 does not inline a call this size).
    const cL = Math.sqrt(g * hL);
    const cR = Math.sqrt(g * hR);
    const sL = hL > 0 ? (hR > 0 ? Math.min(unL - cL, unR - cR) : unL - cL) : unR - 2 * cR;
    const sR = hR > 0 ? (hL > 0 ? Math.max(unL + cL, unR + cR) : unR + cR) : unL + 2 * cL;
    const sl = sL < 0 ? sL : 0;
    const sr = sR > 0 ? sR : 0;
    const width = sr - sl;
    const inv = width > 0 ? 1 / width : 0;
    const qL = hL * unL;
    const qR = hR * unR;
    const mass = (sr * qL - sl * qR + sl * sr * (hR - hL)) * inv;
    const normal = (sr * (qL * unL + halfG * hL * hL) - sl * (qR * unR + halfG * hR * hR) + sl * sr * (qR - qL)) * inv;
    const tangential = mass * (mass >= 0 ? vA * nx - uA * ny : vB * nx - uB * ny);
    const fx = normal * nx - tangential * ny;
    const fy = normal * ny + tangential * nx;
    // Each side: the pressure correction g/2·(h² − h*²) and the centred bed term against its own node.
    const pA = halfG * (hA * hA - hL * hL) + halfG * (hA + ha) * (bA - bedA);
    const pB = halfG * (hB * hB - hR * hR) + halfG * (hB + hb) * (bB - bedB);
    // Scaled by the length term by term, in this order, so sums round as they always have.
    const fxLen = fx * len;
    const fyLen = fy * len;
    const pALen = pA * len;
    const pBLen = pB * len;
    out[o] = mass * len;
    out[o + 1] = fxLen + pALen * nx;
    out[o + 2] = fyLen + pALen * ny;
    out[o + 3] = fxLen + pBLen * nx;
    out[o + 4] = fyLen + pBLen * ny;
    out[o + 5] = (-sl > sr ? -sl : sr) * len;
  }
}

/** van Albada limiter of two slope estimates: the smooth mean where they agree in sign, zero at extrema. */
function vanAlbada(a: number, b: number): number {
  const ab = a * b;
  return ab <= 0 ? 0 : (ab * (a + b)) / (a * a + b * b);
}
