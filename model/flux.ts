/**
 * Riemann fluxes across one face, per unit face length, in the face's normal
 * frame. HLL for mass and normal momentum; the tangential momentum is carried
 * upwind by the mass flux (the HLLC contact treatment), which keeps shear
 * layers from being smeared by the HLL average.
 */

/**
 * HLL flux between states that stand on the same bed level. Writes mass,
 * normal and tangential momentum flux at out[o..o+2]; returns the largest
 * signal speed (for the CFL limit). Written with the wave speeds clamped to
 * sL ≤ 0 ≤ sR instead of branches (the same flux: a clamped speed selects
 * the upwind physical flux), which keeps the hot loop free of mispredictions.
 */
export function hllNormalFlux(
  hL: number, unL: number, utL: number,
  hR: number, unR: number, utR: number,
  g: number, out: Float64Array, o: number,
): number {
  const cL = Math.sqrt(g * hL);
  const cR = Math.sqrt(g * hR);
  // Against a dry side, the speeds are the exact front speeds of a dam break onto a dry bed.
  const sL = hL > 0 ? (hR > 0 ? Math.min(unL - cL, unR - cR) : unL - cL) : unR - 2 * cR;
  const sR = hR > 0 ? (hL > 0 ? Math.max(unL + cL, unR + cR) : unR + cR) : unL + 2 * cL;
  const sl = sL < 0 ? sL : 0;
  const sr = sR > 0 ? sR : 0;
  const width = sr - sl;
  // Both sides dry: width can only be non-zero through a velocity, and every flux term is zero anyway.
  const inv = width > 0 ? 1 / width : 0;
  const qL = hL * unL;
  const qR = hR * unR;
  const mass = (sr * qL - sl * qR + sl * sr * (hR - hL)) * inv;
  out[o] = mass;
  out[o + 1] = (sr * (qL * unL + 0.5 * g * hL * hL) - sl * (qR * unR + 0.5 * g * hR * hR) + sl * sr * (qR - qL)) * inv;
  out[o + 2] = mass * (mass >= 0 ? utL : utR);
  return -sl > sr ? -sl : sr;
}

/**
 * Normal momentum flux through a wall: the HLL flux against the mirror state
 * (same depth, normal velocity reversed), in closed form so the mass flux is
 * exactly zero. Writes the flux per unit length at out[o]; returns the largest
 * signal speed.
 */
export function wallNormalFlux(h: number, un: number, g: number, out: Float64Array, o: number): number {
  const speed = Math.abs(un) + Math.sqrt(g * h);
  out[o] = h * un * un + 0.5 * g * h * h + speed * h * un;
  return speed;
}
