import { generateRectangleMesh } from '../../core/mesh/generate.js';
import { ShallowWaterModel } from '../stepper.js';
import { isMain, printFigures } from './run.js';

export interface SeicheFigures {
  readonly exactPeriod: number;
  readonly modelPeriod: number;
  readonly relativePeriodError: number;
  /** Amplitude left after the run, relative to the initial one (numerical damping). */
  readonly amplitudeRatio: number;
}

/**
 * First seiche mode of a closed, flat rectangular basin: η = a cos(πx/L),
 * period 2L/√(gH). The period is measured from the zero crossings of the
 * elevation at the west wall.
 */
export function seiche({ cells = 50, periods = 3, localTimeStepping = false } = {}): SeicheFigures {
  const length = 10_000;
  const depth = 10;
  const amplitude = 0.01;
  const g = 9.81;
  const mesh = generateRectangleMesh({ nx: cells + 1, ny: 4, dx: length / cells, depth: () => depth, diagonals: 'alternating' });
  const model = new ShallowWaterModel(mesh, { gravity: g, localTimeStepping });
  const { h } = model.state;
  for (let i = 0; i < h.length; i++) h[i] = depth + amplitude * Math.cos((Math.PI * mesh.x[i]) / length);
  const west: number[] = [];
  for (let i = 0; i < h.length; i++) if (mesh.x[i] === 0) west.push(i);
  const westElevation = () => west.reduce((s, i) => s + h[i] - depth, 0) / west.length;

  const exactPeriod = (2 * length) / Math.sqrt(g * depth);
  const dt = exactPeriod / 400;
  const crossings: number[] = [];
  let previous = westElevation();
  let peak = 0;
  for (let s = 0; s < Math.ceil(periods * 400) + 1; s++) {
    model.step(dt);
    const current = westElevation();
    if (previous !== 0 && Math.sign(current) !== Math.sign(previous)) {
      crossings.push(model.time - dt * (current / (current - previous)));
    }
    if (model.time > (periods - 1) * exactPeriod) peak = Math.max(peak, Math.abs(current));
    previous = current;
  }
  const modelPeriod = (2 * (crossings[crossings.length - 1] - crossings[0])) / (crossings.length - 1);
  return {
    exactPeriod,
    modelPeriod,
    relativePeriodError: Math.abs(modelPeriod - exactPeriod) / exactPeriod,
    amplitudeRatio: peak / amplitude,
  };
}

if (isMain(import.meta.url)) printFigures('seiche in a closed basin', seiche());
