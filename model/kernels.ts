import { computeBoundaryFluxes, FACE_STRIDE, type OpenBoundaryValues } from './boundaries.js';
import type { DualMesh } from './dual.js';
import { computeEdgeFluxes, EDGE_STRIDE } from './edgeFluxes.js';
import { runMultiratePhase, type MultirateArrays } from './multirateKernels.js';
import { computePrimitives, greenGauss, primitiveGradients, type Primitives } from './reconstruction.js';
import { addAtmosphericSources, applyLocalSources } from './sources.js';
import type { FlowState } from './state.js';

/**
 * Everything one time step touches, as arrays that worker threads can share:
 * the mutable ones live in SharedArrayBuffers, the geometry is read-only.
 */
export interface Solver {
  readonly dryThreshold: number;
  readonly gravity: number;
  readonly secondOrder: boolean;
  readonly threads: number;
  readonly dual: DualMesh;
  readonly bed: Float64Array;
  readonly manning: Float64Array | undefined;
  readonly coriolis: Float64Array | undefined;
  /** The state being advanced, the state at the start of the sub-step, and the two stage residuals. */
  readonly state: FlowState;
  readonly start: FlowState;
  readonly r0: FlowState;
  readonly r1: FlowState;
  readonly prim: Primitives;
  readonly edgeFlux: Float64Array;
  readonly faceFlux: Float64Array;
  /** 0, 1, … of nodes, edges and boundary faces: the lists of a global step. */
  readonly allNodes: Int32Array;
  readonly allEdges: Int32Array;
  readonly allFaces: Int32Array;
  /** Per node, Σ speed·face length / area at the last full residual: the CFL limit is 2·CFL / rate. */
  readonly rate: Float64Array;
  /** Local time stepping's arrays, when it is on. */
  readonly multirate: MultirateArrays | undefined;
  readonly open: OpenBoundaryValues;
  readonly atmosphere: AtmosphereArrays | undefined;
  /** Arguments of the phase being run: [dt, residual slot (0: r0, 1: r1)], then local time stepping's (see MR_PARAM). */
  readonly params: Float64Array;
  /** Per-thread results: the largest flux rate of its nodes, and whether a stage made a depth negative. */
  readonly threadRate: Float64Array;
  readonly threadNegative: Int32Array;
}

export interface AtmosphereArrays {
  readonly windX: Float64Array;
  readonly windY: Float64Array;
  readonly pressure: Float64Array;
  readonly pressureX: Float64Array;
  readonly pressureY: Float64Array;
}

/** The pieces of a step; between two phases every thread has finished the previous one. */
export const PHASE = {
  primitives: 0,
  gradients: 1,
  fluxes: 2,
  gather: 3,
  stage1: 4,
  stage2: 5,
  sources: 6,
  save: 7,
  restore: 8,
  multirateBegin: 9,
  multirateField: 10,
  multirateGradients: 11,
  multirateFluxes: 12,
  multirateGather: 13,
  multirateUpdate: 14,
  multirateAtmosphere: 15,
} as const;
export type Phase = (typeof PHASE)[keyof typeof PHASE];

/** Thread `thread`'s share of [begin, end) when `threads` split it. */
export function slice(begin: number, end: number, thread: number, threads: number): [number, number] {
  const count = end - begin;
  return [begin + Math.floor((count * thread) / threads), begin + Math.floor((count * (thread + 1)) / threads)];
}

/** Runs one thread's share of a phase: a contiguous range of nodes, edges or boundary faces. */
export function runPhase(s: Solver, phase: Phase, thread: number, threads: number): void {
  if (phase >= PHASE.multirateBegin) {
    runMultiratePhase(s, phase, thread, threads);
    return;
  }
  const [begin, end] = slice(0, s.dual.nodeCount, thread, threads);
  const nodes = s.allNodes;
  switch (phase) {
    case PHASE.primitives:
      computePrimitives(s.state, s.bed, s.dryThreshold, s.prim, nodes, begin, end);
      return;
    case PHASE.gradients:
      primitiveGradients(s.dual, s.prim, nodes, begin, end);
      return;
    case PHASE.fluxes: {
      const [e0, e1] = slice(0, s.dual.edgeCount, thread, threads);
      computeEdgeFluxes(s.dual, s.state, s.bed, s.prim, s.gravity, s.secondOrder, s.edgeFlux, s.allEdges, e0, e1);
      const [f0, f1] = slice(0, s.dual.faceCount, thread, threads);
      computeBoundaryFluxes(s.dual, s.state, s.bed, s.prim, s.open, s.gravity, s.secondOrder, s.faceFlux, s.allFaces, f0, f1);
      return;
    }
    case PHASE.gather: {
      const r = s.params[1] === 0 ? s.r0 : s.r1;
      s.threadRate[thread] = gather(s, r, begin, end);
      const a = s.atmosphere;
      if (a) {
        greenGauss(s.dual, a.pressure, a.pressureX, a.pressureY, begin, end);
        addAtmosphericSources(s.state.h, s.dryThreshold, s.dual.area, a.windX, a.windY, a.pressureX, a.pressureY, r.hu, r.hv, begin, end);
      }
      return;
    }
    case PHASE.stage1:
    case PHASE.stage2:
      s.threadNegative[thread] = stageUpdate(s, phase === PHASE.stage2, begin, end) ? 1 : 0;
      return;
    case PHASE.sources:
      applyLocalSources(s.state, s.manning, s.coriolis, s.dryThreshold, s.gravity, s.params[0], nodes, begin, end);
      return;
    case PHASE.save:
      copyRange(s.state, s.start, begin, end);
      return;
    case PHASE.restore:
      copyRange(s.start, s.state, begin, end);
      return;
  }
}

function copyRange(from: FlowState, to: FlowState, begin: number, end: number): void {
  to.h.set(from.h.subarray(begin, end), begin);
  to.hu.set(from.hu.subarray(begin, end), begin);
  to.hv.set(from.hv.subarray(begin, end), begin);
}

/**
 * Sums each node's edge and boundary fluxes into r (volume and momentum
 * rates, i.e. × area) in a fixed order, so results do not depend on how the
 * edges were split among threads. Returns max Σ speed·face length / area.
 */
function gather(s: Solver, r: FlowState, begin: number, end: number): number {
  const { nodeEdgeStart, nodeEdges, nodeFaceStart, area } = s.dual;
  const ef = s.edgeFlux;
  const ff = s.faceFlux;
  const edgeStride = EDGE_STRIDE;
  const faceStride = FACE_STRIDE;
  let maxRate = 0;
  for (let i = begin; i < end; i++) {
    let rh = 0;
    let rx = 0;
    let ry = 0;
    let rate = 0;
    for (let k = nodeEdgeStart[i]; k < nodeEdgeStart[i + 1]; k++) {
      const code = nodeEdges[k];
      const o = edgeStride * (code >> 1);
      if ((code & 1) === 0) {
        rh -= ef[o];
        rx -= ef[o + 1];
        ry -= ef[o + 2];
      } else {
        rh += ef[o];
        rx += ef[o + 3];
        ry += ef[o + 4];
      }
      rate += ef[o + 5];
    }
    for (let f = nodeFaceStart[i]; f < nodeFaceStart[i + 1]; f++) {
      const o = faceStride * f;
      rh -= ff[o];
      rx -= ff[o + 1];
      ry -= ff[o + 2];
      rate += ff[o + 3];
    }
    r.h[i] = rh;
    r.hu[i] = rx;
    r.hv[i] = ry;
    rate /= area[i];
    s.rate[i] = rate;
    if (rate > maxRate) maxRate = rate;
  }
  return maxRate;
}

/**
 * Heun's stages: U1 = U0 + dt·R(U0), then U = ½U0 + ½(U1 + dt·R(U1)).
 * Nodes left below h0 lose their momentum (SCHISM's dry rule; never mass).
 * Returns whether a depth went negative, so the caller can retry smaller.
 */
function stageUpdate(s: Solver, second: boolean, begin: number, end: number): boolean {
  const { area } = s.dual;
  const { h, hu, hv } = s.state;
  const s0 = s.start;
  const dt = s.params[0];
  const h0 = s.dryThreshold;
  let negative = false;
  if (second) {
    const r = s.r1;
    for (let i = begin; i < end; i++) {
      const k = dt / area[i];
      h[i] = 0.5 * (s0.h[i] + h[i] + k * r.h[i]);
      hu[i] = 0.5 * (s0.hu[i] + hu[i] + k * r.hu[i]);
      hv[i] = 0.5 * (s0.hv[i] + hv[i] + k * r.hv[i]);
    }
  } else {
    const r = s.r0;
    for (let i = begin; i < end; i++) {
      const k = dt / area[i];
      h[i] = s0.h[i] + k * r.h[i];
      hu[i] = s0.hu[i] + k * r.hu[i];
      hv[i] = s0.hv[i] + k * r.hv[i];
    }
  }
  for (let i = begin; i < end; i++) {
    if (h[i] < h0) {
      if (h[i] < 0) negative = true;
      hu[i] = 0;
      hv[i] = 0;
    }
  }
  return negative;
}
