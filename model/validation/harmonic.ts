/**
 * Least-squares harmonic analysis at one known frequency: fits
 * m + A cos ωt + B sin ωt to samples and returns the amplitude √(A² + B²)
 * and the phase lag atan2(B, A).
 */
export function harmonicFit(times: readonly number[], values: readonly number[], omega: number): { amplitude: number; phase: number; mean: number } {
  // Normal equations of the 3-parameter linear model, solved by Cramer's rule.
  const m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const r = [0, 0, 0];
  for (let k = 0; k < times.length; k++) {
    const basis = [1, Math.cos(omega * times[k]), Math.sin(omega * times[k])];
    for (let i = 0; i < 3; i++) {
      r[i] += basis[i] * values[k];
      for (let j = 0; j < 3; j++) m[i][j] += basis[i] * basis[j];
    }
  }
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  const solve = (col: number) => det(m.map((row, i) => row.map((v, j) => (j === col ? r[i] : v)))) / d;
  const [mean, a, b] = [solve(0), solve(1), solve(2)];
  return { amplitude: Math.hypot(a, b), phase: Math.atan2(b, a), mean };
}
