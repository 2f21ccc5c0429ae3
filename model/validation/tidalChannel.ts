import { ShallowWaterModel } from '../stepper.js';
import { rectangleMesh } from '../testCases.js';
import { harmonicFit } from './harmonic.js';
import { isMain, printFigures } from './run.js';

export interface TidalChannelFigures {
  readonly kL: number;
  /** Largest |A_model − A_exact| / A_exact over the stations along the channel. */
  readonly maxRelativeAmplitudeError: number;
  readonly stations: readonly { x: number; exact: number; model: number }[];
}

/**
 * A frictionless flat channel, open at x = 0 where η = a cos ωt is imposed,
 * closed at x = L. The linear standing-wave solution has amplitude
 * a·cos(k(L − x))/cos(kL), k = ω/√(gH).
 *
 * Without friction and with the elevation clamped at the mouth, free modes
 * of the channel never decay (the clamped mouth reflects them, exactly as
 * the analytical solution assumes), so a start from rest would leave
 * start-up oscillations at the free-mode frequencies for ever. The run
 * therefore starts from the analytical state at t = 0 (η at its crest, u = 0)
 * and runs `periods` tidal periods; the amplitude is fitted over the last two.
 */
export function tidalChannel({ cells = 100, periods = 4, kL = 1 } = {}): TidalChannelFigures {
  const length = 10_000;
  const depth = 10;
  const a = 0.01;
  const g = 9.81;
  const c = Math.sqrt(g * depth);
  const k = kL / length;
  const omega = k * c;
  const period = (2 * Math.PI) / omega;
  const mesh = rectangleMesh({ lx: length, ly: (3 * length) / cells, nx: cells, ny: 3, depth: () => depth, open: ['west'] });
  const model = new ShallowWaterModel(mesh, {
    gravity: g,
    boundaryElevation: (t, eta) => eta.fill(a * Math.cos(omega * t)),
  });
  const standing = (x: number) => (a * Math.cos(k * (length - x))) / Math.cos(kL);
  const { h } = model.state;
  for (let i = 0; i < h.length; i++) h[i] = depth + standing(mesh.x[i]);

  const stationX = [0, 0.25, 0.5, 0.75, 1].map((f) => (Math.round(f * cells) * length) / cells);
  const stationNodes = stationX.map((sx) => {
    const nodes: number[] = [];
    for (let i = 0; i < h.length; i++) if (Math.abs(mesh.x[i] - sx) < 1e-6 * length) nodes.push(i);
    return nodes;
  });
  const samplesPerPeriod = 200;
  const dt = period / samplesPerPeriod;
  const times: number[] = [];
  const series: number[][] = stationX.map(() => []);
  for (let s = 0; s < periods * samplesPerPeriod; s++) {
    model.step(dt);
    if (s >= (periods - 2) * samplesPerPeriod) {
      times.push(model.time);
      stationNodes.forEach((nodes, j) => series[j].push(nodes.reduce((sum, i) => sum + h[i] - depth, 0) / nodes.length));
    }
  }
  const stations = stationX.map((x, j) => ({ x, exact: Math.abs(standing(x)), model: harmonicFit(times, series[j], omega).amplitude }));
  const maxRelativeAmplitudeError = Math.max(...stations.map((s) => Math.abs(s.model - s.exact) / s.exact));
  return { kL, maxRelativeAmplitudeError, stations };
}

if (isMain(import.meta.url)) printFigures('tidal channel closed at the far end', tidalChannel());
