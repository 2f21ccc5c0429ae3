import { generateRectangleMesh } from '../../core/mesh/generate.js';
import { ShallowWaterModel } from '../stepper.js';
import { harmonicFit } from './harmonic.js';
import { isMain, printFigures } from './run.js';

export interface TidalChannelFigures {
  readonly kL: number;
  /** Largest |A_model − A_exact| / A_exact over the stations along the channel. */
  readonly maxRelativeAmplitudeError: number;
  readonly stations: readonly { x: number; exact: number; model: number }[];
}

/**
 * A frictionless flat channel, open at x = 0, closed at x = L, driven from
 * rest by a tide ramped up as SCHISM does (tanh(2t/ramp)). The linear
 * standing wave has amplitude a·cos(k(L − x))/cos(kL), k = ω/√(gH), and a
 * mouth current u = −(a√(gH)/H)·tan(kL)·sin ωt.
 *
 * The mouth is a radiating boundary, so it needs both halves of the exterior
 * state: the tide η_b = a cos ωt and, as Flather's external velocity, that
 * mouth current. (With the elevation alone the exterior is taken at rest and
 * the mouth lets the channel's current through at the cost of an elevation
 * difference, √(H/g)·u, which the standing wave here would feel at the 50 %
 * level.) Whatever the start-up excites leaves through the mouth within a
 * round trip 2L/√(gH), so the amplitude is fitted over the last two of
 * `periods` periods.
 */
export function tidalChannel({ cells = 100, periods = 5, rampPeriods = 1, kL = 1, localTimeStepping = false } = {}): TidalChannelFigures {
  const length = 10_000;
  const depth = 10;
  const a = 0.01;
  const g = 9.81;
  const c = Math.sqrt(g * depth);
  const k = kL / length;
  const omega = k * c;
  const period = (2 * Math.PI) / omega;
  const ramp = (t: number) => Math.tanh((2 * t) / (rampPeriods * period));
  const mouthCurrent = ((a * c) / depth) * Math.tan(kL);
  const mesh = generateRectangleMesh({ nx: cells + 1, ny: 4, dx: length / cells, depth: () => depth, diagonals: 'alternating', openSides: ['west'] });
  const model = new ShallowWaterModel(mesh, {
    gravity: g,
    localTimeStepping,
    boundaryElevation: (t, eta) => eta.fill(ramp(t) * a * Math.cos(omega * t)),
    boundaryVelocity: (t, u, v) => {
      u.fill(-ramp(t) * mouthCurrent * Math.sin(omega * t));
      v.fill(0);
    },
  });
  const { h } = model.state;
  h.fill(depth);
  const standing = (x: number) => (a * Math.cos(k * (length - x))) / Math.cos(kL);

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

if (isMain(import.meta.url)) printFigures('tidal channel closed at the far end, started from rest', tidalChannel());
