import { generateRectangleMesh } from '../../core/mesh/generate.js';
import { ShallowWaterModel } from '../stepper.js';
import { isMain, printFigures } from './run.js';

/** SWASHES' parameters for Thacker's planar surface in a paraboloid. */
const A = 1;
const H0 = 0.1;
const ETA = 0.5;
const SIDE = 4;
const G = 9.81;
const OMEGA = Math.sqrt(2 * G * H0) / A;
export const THACKER_PERIOD = (2 * Math.PI) / OMEGA;

function bed(x: number, y: number): number {
  const r2 = (x - SIDE / 2) ** 2 + (y - SIDE / 2) ** 2;
  return -H0 * (1 - r2 / (A * A));
}

/** Thacker (1981): a tilted plane surface rotating in a paraboloid, the shoreline a circle of radius a moving around the centre. */
function exactDepth(x: number, y: number, t: number): number {
  const surface = ((ETA * H0) / (A * A)) * (2 * (x - SIDE / 2) * Math.cos(OMEGA * t) + 2 * (y - SIDE / 2) * Math.sin(OMEGA * t) - ETA);
  return Math.max(0, surface - bed(x, y));
}

export interface ThackerRun {
  readonly cells: number;
  /** Mesh spacing, m. */
  readonly spacing: number;
  /** After each period: Σ area·|h − h_exact| / wetted area πa², m (the elevation error where wet, counting the shoreline). */
  readonly depthErrors: readonly number[];
}

export function thackerRun(cells: number, periods: number, dryThreshold = 1e-4, localTimeStepping = false): ThackerRun {
  const mesh = generateRectangleMesh({ nx: cells + 1, ny: cells + 1, dx: SIDE / cells, depth: (x, y) => -bed(x, y), diagonals: 'alternating' });
  const model = new ShallowWaterModel(mesh, { gravity: G, dryThreshold, localTimeStepping });
  const { h, hu, hv } = model.state;
  for (let i = 0; i < h.length; i++) {
    h[i] = exactDepth(mesh.x[i], mesh.y[i], 0);
    hu[i] = 0;
    hv[i] = h[i] * ETA * OMEGA;
  }
  const stepsPerPeriod = 100;
  const depthErrors: number[] = [];
  for (let p = 1; p <= periods; p++) {
    for (let s = 0; s < stepsPerPeriod; s++) model.step(THACKER_PERIOD / stepsPerPeriod);
    let error = 0;
    for (let i = 0; i < h.length; i++) error += model.dual.area[i] * Math.abs(h[i] - exactDepth(mesh.x[i], mesh.y[i], model.time));
    depthErrors.push(error / (Math.PI * A * A));
  }
  return { cells, spacing: SIDE / cells, depthErrors };
}

export interface ThackerFigures {
  readonly period: number;
  readonly runs: readonly ThackerRun[];
  /** log(e_coarse/e_fine)/log(2) between successive resolutions, after one and after three periods. */
  readonly observedOrderOnePeriod: readonly number[];
  readonly observedOrderThreePeriods: readonly number[];
}

export function thacker({ resolutions = [24, 48, 96], periods = 3, localTimeStepping = false } = {}): ThackerFigures {
  const runs = resolutions.map((cells) => thackerRun(cells, periods, 1e-4, localTimeStepping));
  const order = (p: number) =>
    runs.slice(1).map((fine, k) => Math.log(runs[k].depthErrors[p] / fine.depthErrors[p]) / Math.log(fine.cells / runs[k].cells));
  return { period: THACKER_PERIOD, runs, observedOrderOnePeriod: order(0), observedOrderThreePeriods: order(periods - 1) };
}

if (isMain(import.meta.url)) printFigures('Thacker planar surface in a paraboloid', thacker());
