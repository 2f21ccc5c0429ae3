/**
 * The wave step against linear wave theory on plane slopes with straight,
 * parallel depth contours (x shore-normal, the sea at x = 0, the shore to
 * the east), where the exact stationary solution is known:
 *
 * - shoaling at normal incidence: E·c_g is constant, so H/H0 = √(c_g0/c_g);
 * - refraction at oblique incidence: k·sin θ is constant (Snell's law, θ from
 *   the shore normal) and E·c_g·cos θ is constant, so
 *   H/H0 = √(c_g0·cos θ0 / (c_g·cos θ));
 * - breaking: seaward of the surf zone the energy flux is conserved; inside
 *   a saturated surf zone the height is the depth-limited one, Hrms = γ·h.
 *
 * Each case returns the largest deviations from those solutions.
 */
import { generateRectangleMesh } from '../../core/mesh/generate.js';
import type { BoundarySeaState } from '../../core/schism/wavesTh.js';
import { BREAKING_ALPHA, breakingFraction, breakingHeight } from '../waves/breaking.js';
import { groupVelocity, wavenumber } from '../waves/dispersion.js';
import { WaveModel } from '../waves/waveModel.js';
import { isMain, printFigures } from './run.js';

interface SlopeSpec {
  /** Domain, m: offshore depth at x = 0 falling by `slope` per metre towards the shore. */
  length: number;
  width: number;
  spacing: number;
  offshoreDepth: number;
  slope: number;
  sigWaveHeight: number;
  peakPeriod: number;
  /** Nautical direction the waves come from; 270° is straight onshore. */
  from: number;
  breakerIndex: number;
  /** Displacement of interior nodes, a fraction of the spacing: unstructured geometry. */
  jitter?: number;
}

function runSlope(spec: SlopeSpec) {
  const depthAt = (x: number) => spec.offshoreDepth - spec.slope * x;
  const mesh = generateRectangleMesh({
    nx: Math.round(spec.length / spec.spacing) + 1,
    ny: Math.round(spec.width / spec.spacing) + 1,
    dx: spec.spacing,
    depth: (x) => depthAt(x),
    openSides: ['west'],
    diagonals: 'alternating',
    jitter: spec.jitter,
  });
  const model = new WaveModel(mesh, { ics: 1, breakerIndex: spec.breakerIndex, minDepth: 0.05 });
  const open = model.dual.openNodes.length;
  const boundary: BoundarySeaState = {
    sigWaveHeight: new Float64Array(open).fill(spec.sigWaveHeight),
    peakPeriod: new Float64Array(open).fill(spec.peakPeriod),
    meanWaveDirection: new Float64Array(open).fill(spec.from),
  };
  const depth = Float64Array.from(mesh.depth);
  const sea = model.solve(depth, boundary);
  return { mesh, depth, sea, omega: (2 * Math.PI) / spec.peakPeriod };
}

const DEG = Math.PI / 180;

/** Normal incidence up a 1:50 slope, 20 m to 2 m deep, waves too low to break. */
export function shoaling({ jitter = 0 } = {}) {
  const spec: SlopeSpec = { length: 900, width: 30, spacing: 5, offshoreDepth: 20, slope: 1 / 50, sigWaveHeight: 0.1, peakPeriod: 10, from: 270, breakerIndex: 0.73, jitter };
  const { mesh, depth, sea, omega } = runSlope(spec);
  const k0 = wavenumber(omega, spec.offshoreDepth);
  const cg0 = groupVelocity(omega, k0, spec.offshoreDepth);
  let maxRelativeError = 0;
  let shoalingAtShallowest = 0;
  for (let i = 0; i < depth.length; i++) {
    const cg = groupVelocity(omega, wavenumber(omega, depth[i]), depth[i]);
    const exact = spec.sigWaveHeight * Math.sqrt(cg0 / cg);
    maxRelativeError = Math.max(maxRelativeError, Math.abs(sea.sigWaveHeight[i] - exact) / exact);
    if (mesh.x[i] === spec.length && mesh.y[i] === 0) shoalingAtShallowest = sea.sigWaveHeight[i] / spec.sigWaveHeight;
  }
  return { nodes: depth.length, shoalingAtShallowest, maxRelativeError };
}

/** Waves from 225° (45° to the shore normal) up a 1:100 slope, 20 m to 5 m deep; the middle of a wide strip, away from the walls' shadows. */
export function refraction({ jitter = 0 } = {}) {
  const spec: SlopeSpec = { length: 1500, width: 4000, spacing: 20, offshoreDepth: 20, slope: 1 / 100, sigWaveHeight: 0.1, peakPeriod: 10, from: 225, breakerIndex: 0.73, jitter };
  const { mesh, depth, sea, omega } = runSlope(spec);
  const k0 = wavenumber(omega, spec.offshoreDepth);
  const cg0 = groupVelocity(omega, k0, spec.offshoreDepth);
  const theta0 = 45 * DEG;
  let maxAngleError = 0;
  let maxRelativeError = 0;
  let angleAtShallowest = 0;
  for (let i = 0; i < depth.length; i++) {
    if (mesh.y[i] < 2500 || mesh.y[i] > 3000) continue;
    const k = wavenumber(omega, depth[i]);
    const theta = Math.asin((Math.sin(theta0) * k0) / k);
    // Travel towards 45° nautical - refraction turns it towards the shore normal (east, 90°).
    const travel = (sea.meanWaveDirection[i] + 180) % 360;
    const modelTheta = (90 - travel) * DEG;
    maxAngleError = Math.max(maxAngleError, Math.abs(modelTheta - theta) / DEG);
    const exact = spec.sigWaveHeight * Math.sqrt((cg0 * Math.cos(theta0)) / (groupVelocity(omega, k, depth[i]) * Math.cos(theta)));
    maxRelativeError = Math.max(maxRelativeError, Math.abs(sea.sigWaveHeight[i] - exact) / exact);
    if (mesh.x[i] === spec.length && mesh.y[i] === 2500) angleAtShallowest = modelTheta / DEG;
  }
  const kShallow = wavenumber(omega, spec.offshoreDepth - spec.slope * spec.length);
  return {
    nodes: depth.length,
    snellAngleAtShallowest: Math.asin((Math.sin(theta0) * k0) / kShallow) / DEG,
    angleAtShallowest,
    maxAngleErrorDeg: maxAngleError,
    maxRelativeHeightError: maxRelativeError,
  };
}

/**
 * A 2 m, 10 s swell breaking on a 1:20 beach. Seaward of the surf zone
 * (fewer than one wave in a thousand breaking) the energy flux is that of
 * the offshore boundary. Inside it the height is limited by the depth: a
 * wave field at its breaking height Hrms = γ·h carries a flux ∝ h^(5/2),
 * which decreases shoreward faster than bore dissipation at Qb = 1 can
 * remove energy once h < g·(s/(0.8·α·f))² (3.8 m here), so there
 * the surf zone is saturated and Hrms = γ·h.
 */
export function surfZone({ breakerIndex = 0.73 } = {}) {
  const spec: SlopeSpec = { length: 200, width: 6, spacing: 1, offshoreDepth: 10, slope: 1 / 20, sigWaveHeight: 2, peakPeriod: 10, from: 270, breakerIndex };
  const { mesh, depth, sea, omega } = runSlope(spec);
  const row = [...depth.keys()].filter((i) => mesh.y[i] === 3).sort((a, b) => mesh.x[a] - mesh.x[b]);
  const flux = (i: number) => (sea.sigWaveHeight[i] ** 2 / 16) * groupVelocity(omega, wavenumber(omega, depth[i]), depth[i]);
  const flux0 = flux(row[0]);
  const frequency = 1 / spec.peakPeriod;
  const saturationDepth = 9.81 * (spec.slope / (0.8 * BREAKING_ALPHA * frequency)) ** 2;
  let fluxErrorOutside = 0;
  let outerSurfDepth: number | undefined;
  let saturatedFromDepth: number | undefined;
  const saturation: number[] = [];
  for (const i of row) {
    if (!(depth[i] >= 0.2)) continue;
    const k = wavenumber(omega, depth[i]);
    const hrms = sea.sigWaveHeight[i] / Math.SQRT2;
    const breaking = breakingFraction(hrms / breakingHeight(k, depth[i], breakerIndex));
    if (breaking < 1e-3 && outerSurfDepth === undefined) fluxErrorOutside = Math.max(fluxErrorOutside, Math.abs(flux(i) - flux0) / flux0);
    else outerSurfDepth ??= depth[i];
    if (breaking === 1) saturatedFromDepth ??= depth[i];
    if (saturatedFromDepth !== undefined) saturation.push(hrms / (breakerIndex * depth[i]));
  }
  return {
    /** Depth where one wave in a thousand breaks. */
    outerSurfDepth,
    fluxErrorOutside,
    /** Deepest water where a saturated surf zone can persist: g·(s/(0.8·α·f))². */
    saturationDepth,
    /** Where the waves reach their breaking height (Qb = 1). */
    saturatedFromDepth,
    /** Hrms/(γh) from there to 0.2 m of water. */
    saturationMin: Math.min(...saturation),
    saturationMax: Math.max(...saturation),
  };
}

if (isMain(import.meta.url)) {
  printFigures('shoaling at normal incidence', shoaling());
  printFigures('shoaling at normal incidence, jittered mesh', shoaling({ jitter: 0.3 }));
  printFigures('refraction over parallel contours', refraction());
  printFigures('refraction over parallel contours, jittered mesh', refraction({ jitter: 0.3 }));
  printFigures('breaking on a plane beach', surfZone());
}
