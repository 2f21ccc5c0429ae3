/**
 * Linear wave theory for one frequency: the dispersion relation
 * ω² = g·k·tanh(k·h) and the group velocity c_g = n·ω/k with
 * n = ½(1 + 2kh / sinh 2kh), the speed at which wave energy travels.
 */

export const GRAVITY = 9.81;

/**
 * Wavenumber k (rad/m) of angular frequency ω (rad/s) in depth h (m): Newton's
 * method on ω² − g·k·tanh(kh), started from the shallow- or deep-water limit
 * (whichever is larger, so the iteration approaches from above and converges
 * monotonically: the residual is concave in k).
 */
export function wavenumber(omega: number, depth: number, g = GRAVITY): number {
  const deep = (omega * omega) / g;
  let k = Math.max(deep, omega / Math.sqrt(g * depth));
  for (let i = 0; i < 50; i++) {
    const t = Math.tanh(k * depth);
    const f = g * k * t - omega * omega;
    const df = g * t + g * k * depth * (1 - t * t);
    const next = k - f / df;
    if (Math.abs(next - k) <= 1e-12 * k) return next;
    k = next;
  }
  return k;
}

/** Group velocity (m/s) at wavenumber k in depth h for angular frequency ω. */
export function groupVelocity(omega: number, k: number, depth: number): number {
  const kh2 = 2 * k * depth;
  // sinh overflows past kh ≈ 350; n is ½ there to machine precision.
  const n = kh2 > 700 ? 0.5 : 0.5 * (1 + kh2 / Math.sinh(kh2));
  return (n * omega) / k;
}
