import { generateRectangleMesh } from '../../core/mesh/generate.js';
import { ShallowWaterModel } from '../stepper.js';
import { isMain, printFigures } from './run.js';

export interface RitterFigures {
  readonly time: number;
  /** ∫|h − h_exact| dx / ∫h_exact dx along the channel. */
  readonly relativeL1DepthError: number;
  /** The front, tracked as the furthest point where h ≥ 1 % of the reservoir depth (a sharp front is not a node value). */
  readonly frontDepth: number;
  readonly exactFront: number;
  readonly modelFront: number;
  /** |front − exact front| / distance the exact front travelled from the dam. */
  readonly relativeFrontError: number;
  /** The wet edge (h ≥ h0) against the exact dry-bed front x0 + 2t√(g h_L), for information: velocities are zero below h0, which holds the thinnest film back. */
  readonly wetEdge: number;
  readonly exactDryBedFront: number;
  /** Depth at the dam site, which Ritter's solution holds at 4/9 of the reservoir depth. */
  readonly damSiteDepth: number;
  readonly exactDamSiteDepth: number;
}

/**
 * Ritter's dam break onto a dry, flat, frictionless bed along a long channel:
 * h = (2√(g h_L) − (x − x0)/t)² / (9g) between the rarefaction head
 * x0 − t√(g h_L) and the front x0 + 2t√(g h_L).
 */
export function ritter({ cells = 200, time = 30, dryThreshold = 1e-3, localTimeStepping = false } = {}): RitterFigures {
  const length = 1000;
  const dam = 500;
  const reservoir = 1;
  const g = 9.81;
  const mesh = generateRectangleMesh({ nx: cells + 1, ny: 3, dx: length / cells, depth: () => 0, diagonals: 'alternating' });
  const model = new ShallowWaterModel(mesh, { gravity: g, dryThreshold, localTimeStepping });
  const { h } = model.state;
  for (let i = 0; i < h.length; i++) h[i] = mesh.x[i] < dam ? reservoir : mesh.x[i] === dam ? reservoir / 2 : 0;
  const steps = 100;
  for (let s = 0; s < steps; s++) model.step(time / steps);

  const c0 = Math.sqrt(g * reservoir);
  const exact = (x: number) => {
    const xi = (x - dam) / time;
    if (xi <= -c0) return reservoir;
    if (xi >= 2 * c0) return 0;
    return (2 * c0 - xi) ** 2 / (9 * g);
  };
  const { area } = model.dual;
  let errorSum = 0;
  let exactSum = 0;
  const frontDepth = 0.01 * reservoir;
  let modelFront = 0;
  let wetEdge = 0;
  let damSum = 0;
  let damCount = 0;
  for (let i = 0; i < h.length; i++) {
    const he = exact(mesh.x[i]);
    errorSum += area[i] * Math.abs(h[i] - he);
    exactSum += area[i] * he;
    if (h[i] >= frontDepth) modelFront = Math.max(modelFront, mesh.x[i]);
    if (h[i] >= dryThreshold) wetEdge = Math.max(wetEdge, mesh.x[i]);
    if (mesh.x[i] === dam) {
      damSum += h[i];
      damCount++;
    }
  }
  const exactFront = dam + time * (2 * c0 - Math.sqrt(9 * g * frontDepth));
  return {
    time,
    relativeL1DepthError: errorSum / exactSum,
    frontDepth,
    exactFront,
    modelFront,
    relativeFrontError: Math.abs(modelFront - exactFront) / (exactFront - dam),
    wetEdge,
    exactDryBedFront: dam + 2 * c0 * time,
    damSiteDepth: damSum / damCount,
    exactDamSiteDepth: (4 / 9) * reservoir,
  };
}

if (isMain(import.meta.url)) for (const cells of [200, 400, 800]) printFigures(`Ritter dam break on a dry bed, ${cells} cells`, ritter({ cells }));
