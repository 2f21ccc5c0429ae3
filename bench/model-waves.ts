/**
 * Cost of the wave step against the hydrodynamic step it rides on, on a
 * ~20 k and a ~100 k triangle coast (a shelf from 20 m to a beach, with a
 * bay and a headland, jittered nodes): one base step of the flow (dt = 300 s,
 * local time stepping, 1 thread, the model's default on 2 cores below 10 k
 * triangles per thread), and one wave solve at the same water depth (a 2.5 m,
 * 12 s swell from 285°), split into its parts. The wave step runs once per
 * output (every 30 min = 6 steps here), so the figure that matters is its
 * share of an output interval. Prints figures only.
 */
import { generateRectangleMesh } from '../core/mesh/generate.js';
import type { BoundarySeaState } from '../core/schism/wavesTh.js';
import { ShallowWaterModel } from '../model/stepper.js';
import { solveEnergyBalance } from '../model/waves/energyBalance.js';
import { WaveModel } from '../model/waves/waveModel.js';
import { directionsFromPhase, marchWavefronts, wavefrontMesh } from '../model/waves/wavefronts.js';

const DT = 300;
const STEPS_PER_OUTPUT = 6;

function coast(nx: number, ny: number, cell: number) {
  const length = (nx - 1) * cell;
  const width = (ny - 1) * cell;
  // The shore runs north–south at 80 % of the length, with a bay cut into it and a headland beside the bay.
  const depth = (x: number, y: number) => {
    const bay = 0.15 * length * Math.exp(-(((y - 0.35 * width) / (0.12 * width)) ** 2));
    const headland = 0.12 * length * Math.exp(-(((y - 0.65 * width) / (0.05 * width)) ** 2));
    const shore = 0.8 * length + bay - headland;
    return 20 * (1 - x / shore) - 1;
  };
  return generateRectangleMesh({ nx, ny, dx: cell, depth, openSides: ['west'], diagonals: 'alternating', jitter: 0.3 });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

for (const [nx, ny, cell] of [[101, 101, 100], [251, 201, 60]] as const) {
  const mesh = coast(nx, ny, cell);
  const triangles = mesh.triangles.length / 3;
  const flow = new ShallowWaterModel(mesh, { manning: 0.025, localTimeStepping: true, boundaryElevation: (time, eta) => eta.fill(0.8 * Math.sin((2 * Math.PI * time) / 44_712)) });
  await flow.ready();
  const { h } = flow.state;
  for (let i = 0; i < h.length; i++) h[i] = Math.max(0, -flow.bed[i]);
  flow.step(DT);
  const stepMs: number[] = [];
  for (let s = 0; s < 12; s++) {
    const t0 = performance.now();
    flow.step(DT);
    stepMs.push(performance.now() - t0);
  }

  const waves = new WaveModel(mesh, { ics: 1, breakerIndex: 0.73, minDepth: 0.01, dual: flow.dual });
  const open = flow.dual.openNodes.length;
  const boundary: BoundarySeaState = {
    sigWaveHeight: new Float64Array(open).fill(2.5),
    peakPeriod: new Float64Array(open).fill(12),
    meanWaveDirection: new Float64Array(open).fill(285),
  };
  const depth = Float64Array.from(h);
  waves.solve(depth, boundary);
  const solveMs: number[] = [];
  let stats = { reached: 0, passes: 0 };
  for (let s = 0; s < 10; s++) {
    const t0 = performance.now();
    stats = waves.solve(depth, boundary).stats;
    solveMs.push(performance.now() - t0);
  }

  // The parts, as waveModel.solve runs them.
  const fronts = wavefrontMesh(mesh.x, mesh.y, mesh.triangles);
  const entry = { nodes: flow.dual.openNodes, omega: new Float64Array(open).fill((2 * Math.PI) / 12), dirX: new Float64Array(open).fill(-Math.sin((285 * Math.PI) / 180)), dirY: new Float64Array(open).fill(-Math.cos((285 * Math.PI) / 180)) };
  let t0 = performance.now();
  const marched = marchWavefronts(fronts, depth, 0.01, entry);
  const marchMs = performance.now() - t0;
  t0 = performance.now();
  directionsFromPhase(marched, flow.dual, flow.dual.openNodes);
  const directionMs = performance.now() - t0;
  t0 = performance.now();
  solveEnergyBalance({ dual: flow.dual, fronts: marched, depth, breakerIndex: 0.73, entryNodes: flow.dual.openNodes, entryEnergy: new Float64Array(open).fill(2.5 ** 2 / 16) });
  const energyMs = performance.now() - t0;
  await flow.close();

  const step = median(stepMs);
  const solve = median(solveMs);
  console.log(`${triangles} triangles, ${mesh.x.length} nodes (${stats.reached} reached by the swell, energy balance in ${stats.passes} passes):`);
  console.log(`  hydrodynamic step (dt ${DT} s, local stepping, 1 thread): ${step.toFixed(1)} ms (median of ${stepMs.length})`);
  console.log(`  wave solve: ${solve.toFixed(1)} ms (median of ${solveMs.length}) = ${(solve / step).toFixed(2)}× one hydrodynamic step`);
  console.log(`    wavefronts ${marchMs.toFixed(1)} ms, directions ${directionMs.toFixed(1)} ms, energy balance ${energyMs.toFixed(1)} ms`);
  console.log(`  per output interval (${STEPS_PER_OUTPUT} steps): waves add ${((100 * solve) / (STEPS_PER_OUTPUT * step)).toFixed(1)} % to the flow's time`);
}
