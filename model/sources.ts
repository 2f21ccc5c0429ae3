import type { FlowState } from './state.js';

export const WATER_DENSITY = 1025;
export const AIR_DENSITY = 1.225;

/**
 * Neutral 10-m drag coefficient of Large & Pond (1981): 1.2·10⁻³ below
 * 11 m/s, (0.49 + 0.065·U10)·10⁻³ above, with U10 capped at 25 m/s (the top of
 * their data; beyond it the drag is held rather than extrapolated, as storm
 * surge models commonly do). Used by SCHISM-era 2D models and ADCIRC variants.
 */
export function largePondDrag(windSpeed: number): number {
  if (windSpeed < 11) return 1.2e-3;
  return (0.49 + 0.065 * Math.min(windSpeed, 25)) * 1e-3;
}

/** Surface forcing on one node's momentum, per unit area: τ/ρw − h ∇pa/ρw, zero on dry nodes. */
export function addAtmosphericSources(
  h: Float64Array, h0: number, area: Float64Array,
  windX: Float64Array, windY: Float64Array, pressureX: Float64Array, pressureY: Float64Array,
  rx: Float64Array, ry: Float64Array, begin: number, end: number,
): void {
  for (let i = begin; i < end; i++) {
    const hi = h[i];
    if (hi < h0) continue;
    const wx = windX[i];
    const wy = windY[i];
    const speed = Math.sqrt(wx * wx + wy * wy);
    const stress = (AIR_DENSITY / WATER_DENSITY) * largePondDrag(speed) * speed;
    rx[i] += area[i] * (stress * wx - (hi * pressureX[i]) / WATER_DENSITY);
    ry[i] += area[i] * (stress * wy - (hi * pressureY[i]) / WATER_DENSITY);
  }
}

/**
 * Local momentum sources over dt, applied as a split step:
 * - Manning friction τ/ρ = g n² |u| u / h^{1/3}, semi-implicit (the momentum
 *   is divided by 1 + dt·g n²|u|/h^{4/3}), so it only ever slows the flow,
 *   even in very shallow water;
 * - Coriolis, as the Crank–Nicolson (Cayley) rotation of (hu, hv) by f·dt,
 *   which preserves |hu| exactly, so it neither creates nor damps energy.
 * Nodes below h0 carry no momentum. Applies to the listed nodes `nodes[begin..end)`.
 */
export function applyLocalSources(
  state: FlowState, manning: Float64Array | undefined, coriolis: Float64Array | undefined,
  h0: number, g: number, dt: number, nodes: Int32Array, begin: number, end: number,
): void {
  const { h, hu, hv } = state;
  for (let q = begin; q < end; q++) {
    const i = nodes[q];
    const hi = h[i];
    if (hi < h0) continue;
    let qx = hu[i];
    let qy = hv[i];
    if (manning !== undefined) {
      const n = manning[i];
      const speed = Math.sqrt(qx * qx + qy * qy) / hi;
      const damping = 1 / (1 + (dt * g * n * n * speed) / (hi * Math.cbrt(hi)));
      qx *= damping;
      qy *= damping;
    }
    if (coriolis !== undefined) {
      const half = 0.5 * coriolis[i] * dt;
      const inv = 1 / (1 + half * half);
      const c = (1 - half * half) * inv;
      const s = 2 * half * inv;
      const rx = c * qx + s * qy;
      qy = c * qy - s * qx;
      qx = rx;
    }
    hu[i] = qx;
    hv[i] = qy;
  }
}
