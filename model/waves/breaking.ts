/**
 * Depth-induced breaking after Battjes & Janssen (1978): a random wave
 * field whose heights follow a Rayleigh distribution truncated at the
 * breaking height Hmax, of which the fraction Qb is breaking, each broken
 * wave dissipating like a bore. With energy per unit area E/(ρg) = Hrms²/8:
 *
 *   D/(ρg) = (α/4)·f·Qb·Hmax²,   (1 − Qb)/ln Qb = −(Hrms/Hmax)²,
 *   Hmax = (0.88/k)·tanh(γ·k·h/0.88)   (Miche's limit; γ·h in shallow water)
 *
 * with α = 1 and f the mean frequency, taken here as 1/Tp (a broad swell
 * spectrum's mean frequency is 10–30 % above it, so this dissipates a
 * little less than with the mean frequency; the surf zone stays depth
 * limited either way, where Hmax and not f sets the wave height).
 */

/** Battjes & Janssen's α, the proportionality of the bore dissipation. */
export const BREAKING_ALPHA = 1;

/** Breaking height (m) for wavenumber k in depth h with breaker index γ. */
export function breakingHeight(k: number, depth: number, gamma: number): number {
  return (0.88 / k) * Math.tanh((gamma * k * depth) / 0.88);
}

/**
 * Qb for b = Hrms/Hmax: the root below 1 of Q = exp((Q − 1)/b²). Newton from
 * Q = 0 climbs to it without overshooting, the function Q − exp((Q − 1)/b²)
 * being concave; below b = 0.2 Qb is under 1e-10 and taken as zero.
 */
export function breakingFraction(b: number): number {
  if (b <= 0.2) return 0;
  if (b >= 1) return 1;
  const b2 = b * b;
  let q = 0;
  for (let i = 0; i < 100; i++) {
    const e = Math.exp((q - 1) / b2);
    const next = q - (q - e) / (1 - e / b2);
    if (!(next < 1) || Math.abs(next - q) < 1e-12) return Math.min(next, 1);
    q = next;
  }
  return q;
}

/** D/(ρg), m²/s, for wave energy e = E/(ρg) = Hrms²/8 (m²), frequency f (Hz) and breaking height Hmax (m). */
export function breakingDissipation(e: number, frequency: number, hmax: number): number {
  if (!(e > 0) || !(hmax > 0)) return 0;
  return 0.25 * BREAKING_ALPHA * frequency * breakingFraction(Math.sqrt(8 * e) / hmax) * hmax * hmax;
}
