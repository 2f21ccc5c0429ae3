import { EARTH_RADIUS_M, type Ics } from '../core/geodesy.js';

const DEG = Math.PI / 180;
/** Earth's rotation rate (sidereal day), rad/s. */
export const EARTH_ROTATION = 7.2921159e-5;

/** Node positions in a local metric plane, where the finite-volume geometry is computed. */
export interface PlanarNodes {
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Latitude in degrees per node for ics 2 (Coriolis); undefined for ics 1. */
  readonly latitude: Float64Array | undefined;
}

/**
 * ics 1 meshes are already metric. ics 2 meshes are projected with SCHISM's
 * CPP approach (equirectangular about the mean latitude φ0):
 * x = R·cos(φ0)·λ, y = R·φ on a sphere R = 6371000 m. Areas and lengths are
 * then plane geometry; the distortion (cos φ/cos φ0 − 1) stays below 1 % for
 * coastal meshes spanning a few degrees of latitude, which is SCHISM's own
 * trade-off for ics 2 on small domains.
 */
export function projectNodes(x: Float64Array, y: Float64Array, ics: Ics): PlanarNodes {
  if (ics === 1) return { x, y, latitude: undefined };
  const n = x.length;
  let latSum = 0;
  for (let i = 0; i < n; i++) latSum += y[i];
  const cosLat0 = Math.cos((latSum / n) * DEG);
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    px[i] = EARTH_RADIUS_M * cosLat0 * x[i] * DEG;
    py[i] = EARTH_RADIUS_M * y[i] * DEG;
  }
  return { x: px, y: py, latitude: Float64Array.from(y) };
}

/** f = 2Ω sin φ per node. */
export function coriolisFromLatitude(latitudeDeg: Float64Array): Float64Array {
  const f = new Float64Array(latitudeDeg.length);
  for (let i = 0; i < f.length; i++) f[i] = 2 * EARTH_ROTATION * Math.sin(latitudeDeg[i] * DEG);
  return f;
}
