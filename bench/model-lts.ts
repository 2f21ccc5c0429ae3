/**
 * Local against global time stepping on the estuary of bench/model-estuary.ts
 * (a ~20 k-triangle lagoon behind a barrier with a 600 m inlet, a meandering
 * channel and intertidal flats, 160 m elements, depth −2 … 20 m, Manning
 * 0.025), driven by an M2+S2+K1+O1 tide ramped over half a day, in base steps
 * of 300 s, straight through ShallowWaterModel (no run directory, no
 * output). Prints wall time, sub-steps, the volume balance and the largest
 * elevation difference between the two at the end. `--hours N` (default 72),
 * `--threads 1,2`.
 */
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { ShallowWaterModel } from '../model/stepper.js';
import { setStillWater, totalVolume } from '../model/state.js';

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const hours = Number(argument('--hours', '72'));
const threadCounts = argument('--threads', '1').split(',').map(Number);
const dt = 300;
const cell = 160;
const [nx, ny] = [126, 81];
const middle = ((ny - 1) * cell) / 2;

function depth(x: number, y: number): number {
  if (x < 4000) return 20 - (10 * x) / 4000;
  if (x < 5000) return Math.abs(y - middle) < 300 ? 12 : -2;
  const along = (x - 5000) / 15_000;
  const off = Math.abs(y - (middle + 1500 * Math.sin((x - 5000) / 3000)));
  if (off < 200) return 8 - 5 * along;
  return Math.max(-2, 1 - (3 * (off - 200)) / 2500);
}

/** Amplitude (m), angular frequency (rad/s) and phase (rad) of M2, S2, K1, O1. */
const tide = [
  [1.0, 1.405189e-4, 1.31],
  [0.35, 1.454441e-4, 1.78],
  [0.08, 7.292117e-5, 1.05],
  [0.06, 6.759774e-5, 5.41],
];
const boundaryElevation = (t: number, eta: Float64Array) => {
  let level = 0;
  for (const [a, omega, phase] of tide) level += a * Math.cos(omega * t - phase);
  eta.fill(Math.tanh(t / 43_200) * level);
};

const mesh = generateRectangleMesh({ nx, ny, dx: cell, depth, openSides: ['west'], diagonals: 'alternating', jitter: 0.3 });
const triangles = mesh.triangles.length / 3;
console.log(JSON.stringify({ bench: 'estuary, local vs global time stepping', nodes: mesh.x.length, triangles, hours, dt }));

for (const threads of threadCounts) {
  const ends: Float64Array[] = [];
  for (const localTimeStepping of [false, true]) {
    const model = new ShallowWaterModel(mesh, { manning: 0.025, threads, localTimeStepping, boundaryElevation });
    await model.ready();
    setStillWater(model.state, model.bed, 0);
    const volume0 = totalVolume(model.state, model.dual.area);
    const t0 = performance.now();
    for (let s = 0; s < (hours * 3600) / dt; s++) model.step(dt);
    const wall = (performance.now() - t0) / 1000;
    await model.close();
    ends.push(Float64Array.from(model.state.h, (h, i) => h + model.bed[i]));
    console.log(JSON.stringify({
      threads,
      localTimeStepping,
      wall_s: Number(wall.toFixed(1)),
      wall_s_per_72h: Number(((wall * 72) / hours).toFixed(1)),
      finest_substeps: model.stats.substeps,
      rejected: model.stats.rejected,
      mean_finest_substep_s: Number(((hours * 3600) / model.stats.substeps).toFixed(2)),
      volume_change_relative: Number(((totalVolume(model.state, model.dual.area) - volume0) / volume0).toExponential(3)),
    }));
  }
  let difference = 0;
  for (let i = 0; i < ends[0].length; i++) if (mesh.depth[i] > 0) difference = Math.max(difference, Math.abs(ends[0][i] - ends[1][i]));
  console.log(JSON.stringify({ threads, max_wet_elevation_difference_m: Number(difference.toExponential(3)) }));
}
