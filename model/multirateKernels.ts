import { computeBoundaryFluxes, FACE_STRIDE } from './boundaries.js';
import { computeEdgeFluxes, EDGE_STRIDE } from './edgeFluxes.js';
import { PHASE, slice, type Phase, type Solver } from './kernels.js';
import { LIST, type LevelList, type LevelPlan } from './levels.js';
import { computePrimitives, greenGauss, primitiveGradients } from './reconstruction.js';
import { AIR_DENSITY, applyLocalSources, largePondDrag, WATER_DENSITY } from './sources.js';
import type { FlowState } from './state.js';

/** Local time stepping's shared arrays (see multirate.ts for the scheme). */
export interface MultirateArrays {
  readonly plan: LevelPlan;
  /** Per node, the flux (× area) integrated since the start of its own step. */
  readonly integral: FlowState;
  /** Per node, its first-stage rate of change R(Uⁿ)/area: its predictor, and the slope its neighbours interpolate it with. */
  readonly slope: FlowState;
  /** The state at the time of the stage being evaluated, on the nodes that stage reads. */
  readonly field: FlowState;
  /** Per node, 1 when one of its stages in this cycle had a negative depth. */
  readonly negative: Uint8Array;
  /** Surface stress / ρw per node at the cycle's mid-time. */
  readonly stressX: Float64Array;
  readonly stressY: Float64Array;
}

/** Slots of Solver.params for the local phases: the finest step, the sub-step index, the stage time (in finest steps), the level, the stage (1 or 2). */
export const MR_PARAM = { dt0: 2, step: 3, time: 4, level: 5, stage: 6 } as const;

/** [begin, end) in `list` of the items of levels ≤ level (a prefix) or of exactly that level (a segment). */
export function listRange(plan: LevelPlan, list: LevelList, level: number, prefix: boolean): [number, number] {
  const base = list * (plan.maxLevel + 2);
  return [prefix ? plan.offsets[base] : plan.offsets[base + level], plan.offsets[base + level + 1]];
}

/** The lists a stage reads: stage 1 (all levels up to `level`, at the sub-step's start) or stage 2 (one level, at its own step's end). */
function stageLists(s: Solver): { level: number; prefix: boolean } {
  return { level: s.params[MR_PARAM.level], prefix: s.params[MR_PARAM.stage] === 1 };
}

export function runMultiratePhase(s: Solver, phase: Phase, thread: number, threads: number): void {
  const m = s.multirate!;
  const { plan } = m;
  const dt0 = s.params[MR_PARAM.dt0];
  const { level, prefix } = stageLists(s);
  switch (phase) {
    case PHASE.multirateBegin:
      for (let k = 0; k <= level; k++) {
        const [b, e] = listRange(plan, LIST.nodes, k, false);
        const [q0, q1] = slice(b, e, thread, threads);
        applyLocalSources(s.state, s.manning, s.coriolis, s.dryThreshold, s.gravity, 0.5 * dt0 * 2 ** k, plan.nodes, q0, q1);
      }
      return;
    case PHASE.multirateField: {
      const [b, e] = listRange(plan, prefix ? LIST.fieldNodes : LIST.stageField, level, prefix);
      const list = prefix ? plan.fieldNodes : plan.stageField;
      const [q0, q1] = slice(b, e, thread, threads);
      interpolateField(s, m, list, q0, q1);
      computePrimitives(m.field, s.bed, s.dryThreshold, s.prim, list, q0, q1);
      return;
    }
    case PHASE.multirateGradients: {
      const [b, e] = listRange(plan, prefix ? LIST.gradientNodes : LIST.stageNodes, level, prefix);
      const list = prefix ? plan.gradientNodes : plan.stageNodes;
      const [q0, q1] = slice(b, e, thread, threads);
      primitiveGradients(s.dual, s.prim, list, q0, q1);
      return;
    }
    case PHASE.multirateFluxes: {
      const [eb, ee] = listRange(plan, LIST.edges, level, prefix);
      const [e0, e1] = slice(eb, ee, thread, threads);
      computeEdgeFluxes(s.dual, m.field, s.bed, s.prim, s.gravity, s.secondOrder, s.edgeFlux, plan.edges, e0, e1);
      const [fb, fe] = listRange(plan, LIST.faces, level, prefix);
      const [f0, f1] = slice(fb, fe, thread, threads);
      computeBoundaryFluxes(s.dual, m.field, s.bed, s.prim, s.open, s.gravity, s.secondOrder, s.faceFlux, plan.faces, f0, f1);
      return;
    }
    case PHASE.multirateGather: {
      const [b, e] = listRange(plan, prefix ? LIST.gradientNodes : LIST.stageNodes, level, prefix);
      const [q0, q1] = slice(b, e, thread, threads);
      if (gatherStage(s, m, prefix ? plan.gradientNodes : plan.stageNodes, q0, q1, level, prefix)) s.threadNegative[thread] = 1;
      return;
    }
    case PHASE.multirateUpdate:
      for (let k = 0; k <= level; k++) {
        const [b, e] = listRange(plan, LIST.nodes, k, false);
        const [q0, q1] = slice(b, e, thread, threads);
        if (completeSteps(s, m, q0, q1)) s.threadNegative[thread] = 1;
        if (s.manning !== undefined || s.coriolis !== undefined) {
          applyLocalSources(s.state, s.manning, s.coriolis, s.dryThreshold, s.gravity, 0.5 * dt0 * 2 ** k, plan.nodes, q0, q1);
        }
      }
      return;
    case PHASE.multirateAtmosphere: {
      const a = s.atmosphere!;
      const [b, e] = slice(0, s.dual.nodeCount, thread, threads);
      greenGauss(s.dual, a.pressure, a.pressureX, a.pressureY, b, e);
      for (let i = b; i < e; i++) {
        const wx = a.windX[i];
        const wy = a.windY[i];
        const speed = Math.sqrt(wx * wx + wy * wy);
        const stress = (AIR_DENSITY / WATER_DENSITY) * largePondDrag(speed) * speed;
        m.stressX[i] = stress * wx;
        m.stressY[i] = stress * wy;
      }
      return;
    }
  }
}

/**
 * The state of each listed node at the stage time: its state at the start of
 * its own step plus the elapsed time times its first-stage slope, i.e. exact
 * at its start, its Heun predictor at its end, and linear in between (its
 * value seen by finer neighbours mid-step). Finer nodes read past the end of
 * their own step (only as gradient neighbours) hold their predictor.
 */
function interpolateField(s: Solver, m: MultirateArrays, nodes: Int32Array, begin: number, end: number): void {
  const { level } = m.plan;
  const step = s.params[MR_PARAM.step];
  const time = s.params[MR_PARAM.time];
  const dt0 = s.params[MR_PARAM.dt0];
  const { h, hu, hv } = s.state;
  const { slope, field } = m;
  for (let q = begin; q < end; q++) {
    const i = nodes[q];
    const span = 2 ** level[i];
    const start = step - (step % span);
    const dt = (Math.min(time, start + span) - start) * dt0;
    if (dt === 0) {
      field.h[i] = h[i];
      field.hu[i] = hu[i];
      field.hv[i] = hv[i];
    } else {
      field.h[i] = h[i] + dt * slope.h[i];
      field.hu[i] = hu[i] + dt * slope.hu[i];
      field.hv[i] = hv[i] + dt * slope.hv[i];
    }
  }
}

/**
 * Adds each listed node's share of the stage's fluxes, × half the step of
 * the edge's level (Heun's weight), to its integral: at stage 1 the edges
 * of every level up to `level`, at stage 2 those of exactly `level`. Nodes
 * whose own step starts now (stage 1) also get their slope; returns whether
 * one of their predictors has a negative depth (marking the node).
 */
function gatherStage(s: Solver, m: MultirateArrays, nodes: Int32Array, begin: number, end: number, level: number, firstStage: boolean): boolean {
  const { nodeEdgeStart, nodeEdges, nodeFaceStart, area } = s.dual;
  const { level: nodeLevel, edgeLevel } = m.plan;
  const ef = s.edgeFlux;
  const ff = s.faceFlux;
  const edgeStride = EDGE_STRIDE;
  const faceStride = FACE_STRIDE;
  const halfDt0 = 0.5 * s.params[MR_PARAM.dt0];
  const { integral, slope, field } = m;
  const a = s.atmosphere;
  let negative = false;
  for (let q = begin; q < end; q++) {
    const i = nodes[q];
    const own = nodeLevel[i];
    // Sums over the edges of the node's own level and of the level below (the only other one its edges can have).
    let oh = 0, ox = 0, oy = 0, fh = 0, fx = 0, fy = 0;
    for (let k = nodeEdgeStart[i]; k < nodeEdgeStart[i + 1]; k++) {
      const code = nodeEdges[k];
      const e = code >> 1;
      const el = edgeLevel[e];
      if (firstStage ? el > level : el !== level) continue;
      const o = edgeStride * e;
      let dh, dx, dy;
      if ((code & 1) === 0) {
        dh = -ef[o];
        dx = -ef[o + 1];
        dy = -ef[o + 2];
      } else {
        dh = ef[o];
        dx = ef[o + 3];
        dy = ef[o + 4];
      }
      if (el === own) {
        oh += dh; ox += dx; oy += dy;
      } else {
        fh += dh; fx += dx; fy += dy;
      }
    }
    const ownStage = firstStage ? own <= level : own === level;
    if (ownStage) {
      for (let f = nodeFaceStart[i]; f < nodeFaceStart[i + 1]; f++) {
        const o = faceStride * f;
        oh -= ff[o];
        ox -= ff[o + 1];
        oy -= ff[o + 2];
      }
      const hi = field.h[i];
      if (a && hi >= s.dryThreshold) {
        ox += area[i] * (m.stressX[i] - (hi * a.pressureX[i]) / WATER_DENSITY);
        oy += area[i] * (m.stressY[i] - (hi * a.pressureY[i]) / WATER_DENSITY);
      }
    }
    const wOwn = halfDt0 * 2 ** own;
    const wFine = 0.5 * wOwn;
    integral.h[i] += wOwn * oh + wFine * fh;
    integral.hu[i] += wOwn * ox + wFine * fx;
    integral.hv[i] += wOwn * oy + wFine * fy;
    if (firstStage && ownStage) {
      const inv = 1 / area[i];
      slope.h[i] = (oh + fh) * inv;
      slope.hu[i] = (ox + fx) * inv;
      slope.hv[i] = (oy + fy) * inv;
      if (s.state.h[i] + 2 * wOwn * slope.h[i] < 0) {
        m.negative[i] = 1;
        negative = true;
      }
    }
  }
  return negative;
}

/**
 * Ends the steps of the listed nodes (`plan.nodes[begin..end)`): Uⁿ⁺¹ = Uⁿ
 * + integral / area, nodes left below h0 lose their momentum (never mass).
 * Returns whether a depth went negative (marking the node).
 */
function completeSteps(s: Solver, m: MultirateArrays, begin: number, end: number): boolean {
  const { nodes } = m.plan;
  const { area } = s.dual;
  const { h, hu, hv } = s.state;
  const { integral } = m;
  const h0 = s.dryThreshold;
  let negative = false;
  for (let q = begin; q < end; q++) {
    const i = nodes[q];
    const inv = 1 / area[i];
    h[i] += integral.h[i] * inv;
    hu[i] += integral.hu[i] * inv;
    hv[i] += integral.hv[i] * inv;
    integral.h[i] = 0;
    integral.hu[i] = 0;
    integral.hv[i] = 0;
    if (h[i] < h0) {
      if (h[i] < 0) {
        m.negative[i] = 1;
        negative = true;
      }
      hu[i] = 0;
      hv[i] = 0;
    }
  }
  return negative;
}
