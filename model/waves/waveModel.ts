/**
 * The built-in wave step: a stationary transformation of the offshore sea
 * state over the mesh, for the water depth of one moment (tide and surge
 * included), one-way coupled (the waves do not act back on the flow):
 *
 *   wavefronts.ts     direction of travel and period along the rays (refraction)
 *   energyBalance.ts  energy flux along them (shoaling, refraction's spreading)
 *   breaking.ts       depth-induced breaking, Battjes & Janssen, γ ≈ 0.73
 *   windSea.ts        optional wind sea grown over the fetch inside the mesh
 *
 * The sea is represented by one component per node: Hs, the peak period and
 * a mean direction (a swell or a narrow-banded sea), which is what the
 * offshore forcing gives. Currents do not refract the waves, and waves do
 * not diffract or reflect: a shadow behind a breakwater is filled only by
 * the spreading of first arrivals around its end.
 */
import type { Ics } from '../../core/geodesy.js';
import type { BoundarySeaState } from '../../core/schism/wavesTh.js';
import { buildDual, type DualMesh } from '../dual.js';
import type { ModelMesh } from '../mesh.js';
import { projectNodes } from '../projection.js';
import { breakingHeight } from './breaking.js';
import { wavenumber } from './dispersion.js';
import { solveEnergyBalance } from './energyBalance.js';
import { directionsFromPhase, marchWavefronts, wavefrontMesh, type WavefrontMesh } from './wavefronts.js';
import { fetchAlongWind, windSea } from './windSea.js';

export interface WaveModelOptions {
  ics: Ics;
  /** γ of depth-induced breaking. */
  breakerIndex: number;
  /** Nodes with less total water depth (m) are dry for the waves. */
  minDepth: number;
  /** Grow wind sea from the wind given to solve(). */
  windSea?: boolean;
  /** The hydrodynamic model's dual mesh, to share rather than build again. */
  dual?: DualMesh;
}

/** Per node; directions nautical (coming from, clockwise from the mesh's y axis), degrees in [0, 360). */
export interface SeaState {
  sigWaveHeight: Float64Array;
  peakPeriod: Float64Array;
  meanWaveDirection: Float64Array;
}

export interface WaveSolveStats {
  /** Wet nodes the offshore waves reached. */
  reached: number;
  /** Passes of the energy balance. */
  passes: number;
}

const DEG = Math.PI / 180;

export class WaveModel {
  readonly dual: DualMesh;
  private readonly fronts: WavefrontMesh;
  private readonly openNodes: Int32Array;

  constructor(mesh: ModelMesh, private readonly options: WaveModelOptions) {
    const planar = projectNodes(mesh.x, mesh.y, options.ics);
    this.dual = options.dual ?? buildDual(planar.x, planar.y, mesh.triangles, mesh.openBoundaries);
    this.fronts = wavefrontMesh(planar.x, planar.y, mesh.triangles);
    this.openNodes = this.dual.openNodes;
  }

  /**
   * The sea state over the mesh for total water depth `depth` (m per node),
   * the offshore state at the open-boundary nodes (dual.openNodes order) and,
   * with wind sea on, the wind at 10 m per node (m/s, along the mesh axes).
   */
  solve(depth: Float64Array, boundary: BoundarySeaState, wind?: { x: Float64Array; y: Float64Array }, out?: SeaState): SeaState & { stats: WaveSolveStats } {
    const { breakerIndex, minDepth } = this.options;
    const n = depth.length;
    const open = this.openNodes;
    const entry = {
      nodes: open,
      omega: Float64Array.from(boundary.peakPeriod, (tp) => (2 * Math.PI) / tp),
      dirX: Float64Array.from(boundary.meanWaveDirection, (from) => -Math.sin(from * DEG)),
      dirY: Float64Array.from(boundary.meanWaveDirection, (from) => -Math.cos(from * DEG)),
    };
    const fronts = marchWavefronts(this.fronts, depth, minDepth, entry);
    directionsFromPhase(fronts, this.dual, open);
    const balance = solveEnergyBalance({
      dual: this.dual,
      fronts,
      depth,
      breakerIndex,
      entryNodes: open,
      entryEnergy: Float64Array.from(boundary.sigWaveHeight, (hs) => (hs * hs) / 16),
    });
    const state = out ?? { sigWaveHeight: new Float64Array(n), peakPeriod: new Float64Array(n), meanWaveDirection: new Float64Array(n) };
    state.sigWaveHeight.fill(0);
    state.peakPeriod.fill(0);
    state.meanWaveDirection.fill(0);
    for (const node of fronts.order) {
      state.sigWaveHeight[node] = 4 * Math.sqrt(balance.energy[node]);
      state.peakPeriod[node] = (2 * Math.PI) / fronts.omega[node];
      state.meanWaveDirection[node] = nautical(fronts.dirX[node], fronts.dirY[node]);
    }
    if (this.options.windSea && wind) this.addWindSea(state, depth, wind);
    return { ...state, stats: { reached: fronts.reached, passes: balance.passes } };
  }

  /**
   * Adds wind sea to the swell as an independent component: energies add,
   * the period is the more energetic component's, the direction their
   * energy-weighted mean; breaking still caps the total. The fetch follows
   * the mesh-mean wind: over sheltered water the wind's direction varies
   * little, while its speed is taken at each node.
   */
  private addWindSea(state: SeaState, depth: Float64Array, wind: { x: Float64Array; y: Float64Array }): void {
    const n = depth.length;
    const wet = Uint8Array.from(depth, (d) => (d > this.options.minDepth ? 1 : 0));
    let meanX = 0;
    let meanY = 0;
    for (let i = 0; i < n; i++) {
      meanX += wind.x[i];
      meanY += wind.y[i];
    }
    const fetch = fetchAlongWind(this.fronts, wet, meanX / n, meanY / n);
    for (let i = 0; i < n; i++) {
      if (!wet[i]) continue;
      const sea = windSea(Math.hypot(wind.x[i], wind.y[i]), fetch[i], depth[i]);
      if (sea.sigWaveHeight === 0) continue;
      const swell = (state.sigWaveHeight[i] * state.sigWaveHeight[i]) / 16;
      const local = (sea.sigWaveHeight * sea.sigWaveHeight) / 16;
      const windFrom = nautical(wind.x[i], wind.y[i]);
      const dx = swell * Math.sin(state.meanWaveDirection[i] * DEG) + local * Math.sin(windFrom * DEG);
      const dy = swell * Math.cos(state.meanWaveDirection[i] * DEG) + local * Math.cos(windFrom * DEG);
      const period = local > swell ? sea.peakPeriod : state.peakPeriod[i];
      const hmax = breakingHeight(wavenumber((2 * Math.PI) / period, depth[i]), depth[i], this.options.breakerIndex);
      state.sigWaveHeight[i] = 4 * Math.sqrt(Math.min(swell + local, (hmax * hmax) / 8));
      state.peakPeriod[i] = period;
      state.meanWaveDirection[i] = ((Math.atan2(dx, dy) / DEG) % 360 + 360) % 360;
    }
  }
}

/** Nautical direction (coming from, clockwise from +y) of a travel direction (x, y). */
function nautical(x: number, y: number): number {
  return ((Math.atan2(-x, -y) / DEG) % 360 + 360) % 360;
}
