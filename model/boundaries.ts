import type { DualMesh } from './dual.js';
import { hllNormalFlux, wallNormalFlux } from './flux.js';
import type { Primitives } from './reconstruction.js';
import type { FlowState } from './state.js';

/** Values stored per boundary face: mass, x and y momentum flux (outward, × face length), speed × face length. */
export const FACE_STRIDE = 4;

const frame = new Float64Array(3);

/**
 * Fluxes through the boundary half-edge faces in [begin, end).
 *
 * Land faces are walls (no normal flow): the mirror-state HLL flux, which
 * carries pressure and a reflection term but exactly no mass.
 *
 * Open faces impose the elevation η_b (SCHISM's iettype 3/4 meaning: the
 * total elevation is prescribed) through a ghost state: depth η_b − b and
 * the normal velocity that keeps the outgoing Riemann invariant,
 * u_n,ghost = u_n + 2(√(g h) − √(g h_ghost)). Interior and ghost are joined by
 * the incoming wave only, so the face flux is the characteristic one and
 * there is no numerical boundary layer; note that, as with any clamped
 * elevation, waves reaching the boundary are reflected as needed to hold η_b.
 *
 * Away from fronts the face bed is the half-edge mean (3 b_i + b_k)/4 with
 * depth η_i − b_f, plus the same centred bed term as interior faces, so the
 * boundary nodes of a sloping lake stay at rest too.
 */
export function computeBoundaryFluxes(
  dual: DualMesh, state: FlowState, bed: Float64Array, p: Primitives, openEta: Float64Array,
  g: number, secondOrder: boolean, out: Float64Array, begin: number, end: number,
): void {
  const { faceNode, faceOther, faceNx, faceNy, faceLength, faceOpen } = dual;
  const { h } = state;
  for (let f = begin; f < end; f++) {
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
      const hGhost = Math.max(0, openEta[slot] - bF);
      const unGhost = un + 2 * (Math.sqrt(g * hF) - Math.sqrt(g * hGhost));
      speed = hllNormalFlux(hF, un, ut, hGhost, unGhost, ut, g, frame, 0);
      const normal = frame[1] + bedTerm;
      out[o] = frame[0] * len;
      out[o + 1] = (normal * nx - frame[2] * ny) * len;
      out[o + 2] = (normal * ny + frame[2] * nx) * len;
    }
    out[o + 3] = speed * len;
  }
}
