import { generateRectangleMesh } from '../../core/mesh/generate.js';
import { ShallowWaterModel } from '../stepper.js';
import { setStillWater, totalVolume } from '../state.js';
import { isMain, printFigures } from './run.js';

/** Bathymetry with rolling relief and two islands standing above the still water level. */
function islandDepth(x: number, y: number): number {
  return 4 + 2 * Math.sin(x / 150) * Math.cos(y / 200)
    - 9 * Math.exp(-((x - 300) ** 2 + (y - 600) ** 2) / 120 ** 2)
    - 8 * Math.exp(-((x - 700) ** 2 + (y - 300) ** 2) / 90 ** 2);
}

export interface LakeAtRestFigures {
  readonly steps: number;
  readonly dryNodes: number;
  readonly maxSpeed: number;
  readonly maxElevationChange: number;
  readonly relativeVolumeChange: number;
}

/**
 * Water at rest over uneven bathymetry with emerged islands, on a distorted
 * (jittered) mesh: the well-balanced scheme must keep it at rest.
 */
export function lakeAtRest({ cells = 20, steps = 500, level = 0.3, localTimeStepping = false } = {}): LakeAtRestFigures {
  const mesh = generateRectangleMesh({ nx: cells + 1, ny: cells + 1, dx: 1000 / cells, depth: islandDepth, diagonals: 'alternating', jitter: 0.35 });
  const model = new ShallowWaterModel(mesh, { localTimeStepping });
  setStillWater(model.state, model.bed, level);
  const volume0 = totalVolume(model.state, model.dual.area);
  for (let s = 0; s < steps; s++) model.step(10);
  const { h, hu, hv } = model.state;
  let maxSpeed = 0;
  let maxElevationChange = 0;
  let dryNodes = 0;
  for (let i = 0; i < h.length; i++) {
    if (h[i] < model.dryThreshold) dryNodes++;
    else maxSpeed = Math.max(maxSpeed, Math.hypot(hu[i], hv[i]) / h[i]);
    if (h[i] > 0) maxElevationChange = Math.max(maxElevationChange, Math.abs(h[i] + model.bed[i] - level));
  }
  const relativeVolumeChange = Math.abs(totalVolume(model.state, model.dual.area) - volume0) / volume0;
  return { steps, dryNodes, maxSpeed, maxElevationChange, relativeVolumeChange };
}

if (isMain(import.meta.url)) printFigures('lake at rest with islands', lakeAtRest());
