import type { DualMesh } from './dual.js';
import { hllNormalFlux, wallNormalFlux } from './flux.js';
import type { Primitives } from './reconstruction.js';
import type { FlowState } from './state.js';

/** Values stored per boundary face: mass, x and y momentum flux (outward, × face length), speed × face length. */
export const FACE_STRIDE = 4;

const frame = new Float64Array(3);

/**
 * The exterior state at the open-boundary nodes (`DualMesh.openNodes` order):
 * prescribed elevation η_b (m) and external depth-averaged velocity (m/s).
 */
export interface OpenBoundaryValues {
  readonly eta: Float64Array;
  readonly u: Float64Array;
  readonly v: Float64Array;
}

/**
 * Fluxes through the listed boundary half-edge faces `faces[begin..end)`.
 *
 * Land faces are walls (no normal flow): the mirror-state HLL flux, which
 * carries pressure and a reflection term but exactly no mass.
 *
 * Open faces are characteristic (radiating) boundaries: of the two Riemann
 * invariants along the outward normal, the outgoing R+ = u_n + 2√(g h)
 * comes from the interior and the incoming R− = u_n,ext − 2√(g h_b) from the
 * exterior state, depth h_b = η_b − b and the external velocity (zero unless
 * the run gives one). The ghost state holds both, u_n = (R+ + R−)/2 and
 * √(g h) = (R+ − R−)/4, so waves leaving the domain pass through it while
 * the prescribed tide still comes in; linearised this is Flather's condition
 * u_n = u_n,ext + √(g/h)(η − η_b). Interior and ghost share R+, so they are
 * joined by the incoming wave only and the HLL flux between them is the
 * characteristic one. Where both characteristics point the same way
 * (supercritical flow) the upwind side alone is the ghost; against a dry
 * boundary node the exterior state floods in as a dam break. The tangential
 * velocity is taken upwind by the flux: the interior's on outflow, the
 * exterior's on inflow.
 *
 * Away from fronts the face bed is the half-edge mean (3 b_i + b_k)/4 with
 * depth η_i − b_f, plus the same centred bed term as interior faces, so the
 * boundary nodes of a sloping lake stay at rest too.
 */
export function computeBoundaryFluxes(
  dual: DualMesh, state: FlowState, bed: Float64Array, p: Primitives, open: OpenBoundaryValues,
  g: number, secondOrder: boolean, out: Float64Array, faces: Int32Array, begin: number, end: number,
): void {
  const { faceNode, faceOther, faceNx, faceNy, faceLength, faceOpen } = dual;
  const { h } = state;
  for (let q = begin; q < end; q++) {
    const f = faces[q];
    const i = faceNode[f];
    const nx = faceNx[f];
    const ny = faceNy[f];
    const len = faceLength[f];
    const hi = h[i];
    let hF = hi;
    let bF = bed[i];
    if (secondOrder && p.front[i] === 0) {
      const bHalf = 0.75 * bed[i] + 0.25 * bed[faceOther[f]];
      const hHalf = p.eta[i] - bHalf;
      if (hHalf >= 0) {
        hF = hHalf;
        bF = bHalf;
      }
    }
    const un = p.u[i] * nx + p.v[i] * ny;
    const bedTerm = 0.5 * g * (hF + hi) * (bF - bed[i]);
    const o = FACE_STRIDE * f;
    const slot = faceOpen[f];
    let speed: number;
    if (slot < 0) {
      speed = wallNormalFlux(hF, un, g, frame, 0);
      const normal = frame[0] + bedTerm;
      out[o] = 0;
      out[o + 1] = normal * nx * len;
      out[o + 2] = normal * ny * len;
    } else {
      const ut = p.v[i] * nx - p.u[i] * ny;
      const uOut = open.u[slot];
      const vOut = open.v[slot];
      const hOut = Math.max(0, open.eta[slot] - bF);
      const unOut = uOut * nx + vOut * ny;
      const cIn = Math.sqrt(g * hF);
      // The exterior itself unless the interior has an outgoing invariant: dry node (it floods in) or supercritical inflow.
      let hGhost = hOut;
      let unGhost = unOut;
      if (hF > 0 && un >= cIn) {
        hGhost = hF;
        unGhost = un;
      } else if (hF > 0) {
        const outgoing = un + 2 * cIn;
        const incoming = unOut - 2 * Math.sqrt(g * hOut);
        const c = 0.25 * (outgoing - incoming);
        const u = 0.5 * (outgoing + incoming);
        if (c <= 0) {
          hGhost = 0;
          unGhost = 0;
        } else if (u > -c) {
          // Scaled from the interior depth rather than c²/g, so a ghost equal to the interior is exactly it (still water stays still).
          hGhost = hF * (c / cIn) * (c / cIn);
          unGhost = u;
        }
      }
      speed = hllNormalFlux(hF, un, ut, hGhost, unGhost, vOut * nx - uOut * ny, g, frame, 0);
      const normal = frame[1] + bedTerm;
      out[o] = frame[0] * len;
      out[o + 1] = (normal * nx - frame[2] * ny) * len;
      out[o + 2] = (normal * ny + frame[2] * nx) * len;
    }
    out[o + 3] = speed * len;
  }
}
