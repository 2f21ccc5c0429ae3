import { generateRectangleMesh } from '../../core/mesh/generate.js';
import { ShallowWaterModel } from '../stepper.js';
import { totalVolume } from '../state.js';
import { isMain, printFigures } from './run.js';

export interface WettingDryingFigures {
  readonly steps: number;
  readonly substeps: number;
  readonly rejectedSubsteps: number;
  readonly relativeVolumeChange: number;
  readonly minDepth: number;
  /** Nodes that were dry at some output and wet at another: the beach really floods and drains. */
  readonly nodesWettedAndDried: number;
}

/**
 * A closed basin with a sloping beach, started with a tilted surface so the
 * water sloshes up and down the beach with Manning friction. Only walls:
 * the volume must stay constant to round-off.
 */
export function wettingDrying({ steps = 10_000, dt = 1, localTimeStepping = false } = {}): WettingDryingFigures {
  const length = 2000;
  const mesh = generateRectangleMesh({ nx: 41, ny: 9, dx: length / 40, depth: (x) => 5 - (7 * x) / length, diagonals: 'alternating', jitter: 0.3 });
  const model = new ShallowWaterModel(mesh, { manning: 0.02, localTimeStepping });
  const { h } = model.state;
  for (let i = 0; i < h.length; i++) h[i] = Math.max(0, 0.8 * Math.cos((Math.PI * mesh.x[i]) / length) - model.bed[i]);
  const volume0 = totalVolume(model.state, model.dual.area);
  const everWet = new Uint8Array(h.length);
  const everDry = new Uint8Array(h.length);
  let minDepth = Infinity;
  for (let s = 0; s < steps; s++) {
    model.step(dt);
    for (let i = 0; i < h.length; i++) {
      if (h[i] < model.dryThreshold) everDry[i] = 1;
      else everWet[i] = 1;
      if (h[i] < minDepth) minDepth = h[i];
    }
  }
  let nodesWettedAndDried = 0;
  for (let i = 0; i < h.length; i++) nodesWettedAndDried += everWet[i] & everDry[i];
  return {
    steps,
    substeps: model.stats.substeps,
    rejectedSubsteps: model.stats.rejected,
    relativeVolumeChange: Math.abs(totalVolume(model.state, model.dual.area) - volume0) / volume0,
    minDepth,
    nodesWettedAndDried,
  };
}

if (isMain(import.meta.url)) printFigures('wetting and drying basin', wettingDrying());
