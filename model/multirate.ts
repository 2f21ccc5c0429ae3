import { PHASE, type Phase, type Solver } from './kernels.js';
import { assignLevels, buildLevelLists, LIST, type LevelList } from './levels.js';
import { listRange, MR_PARAM, type MultirateArrays } from './multirateKernels.js';
import type { Executor } from './parallel.js';

/**
 * Below this many items a phase runs on the calling thread alone: handing it
 * to the workers costs more than it saves. Any split gives the same result.
 */
const SERIAL_BELOW = 256;

/** A failed node's step cap grows by this factor per base step: one level per four base steps. */
const RELAX_PER_BASE_STEP = 2 ** 0.25;

/** How far (in edges) a node looks for the fastest rate it may meet within a cycle (see updateReach). */
const REACH_RINGS = 2;

/**
 * Local time stepping (multirate Heun). A cycle of span Δ = dt0·2^K is
 * walked in finest sub-steps of dt0; a node of level k takes Heun steps of
 * τk = dt0·2^k, starting at the sub-steps that are multiples of 2^k, and an
 * edge is evaluated at the finer rate of its two nodes. For a node, its
 * step is exactly SSP-RK2: stage 1 at its start, the predictor U* = Uⁿ +
 * τ·R(Uⁿ)/A, stage 2 at its end, Uⁿ⁺¹ = Uⁿ + τ/2·(R₁ + R₂)/A. Where a
 * coarser neighbour is mid-step, its value is interpolated linearly between
 * its start and its predictor (its first-stage slope: the interpolation of
 * Krivodonova's multirate RK2 schemes), which keeps the step second order
 * across level interfaces.
 *
 * Conservation is by flux register: every evaluation of an edge adds the
 * same τe/2·F, with opposite signs, to the flux integrals of its two nodes,
 * and a node applies its integral only at the end of its own step, so the
 * volume is conserved to round-off however the levels are arranged; water
 * at rest gives zero fluxes at every stage, so it stays at rest. A cycle in
 * which a predictor or an update has a negative depth is undone and retried
 * with the nodes concerned at half their step: a level finer, below the
 * cycle's finest if need be (the other nodes keep their steps), and only
 * when that runs out with every step of the cycle halved, as the global
 * step does. Their caps are lifted gradually over the following base steps.
 *
 * Friction and Coriolis are split around each node's own step (half before,
 * half after, as the global step does around each sub-step). The
 * atmospheric forcing is taken at the cycle's mid-time, which integrates a
 * forcing linear in time exactly over the cycle (sflux records are hours
 * apart; a cycle is a minute or two).
 */
export class MultirateIntegrator {
  private planned = false;
  /** Per node, log2 of its CFL step: scratch of cyclesFor. */
  private readonly stepLog: Float64Array;
  /** Per node, the largest flux rate within REACH_RINGS edges of it: what sets its level. */
  private readonly reach: Float64Array;
  private readonly reachScratch: Float64Array;

  constructor(
    private readonly solver: Solver,
    private readonly executor: Executor,
    /** Sets the open-boundary values for a time; undefined without open boundaries. */
    private readonly boundary: ((time: number) => void) | undefined,
    /** Sets the atmospheric fields for a time; undefined without forcing. */
    private readonly atmosphere: ((time: number) => void) | undefined,
  ) {
    this.stepLog = new Float64Array(solver.dual.nodeCount);
    this.reach = new Float64Array(solver.dual.nodeCount);
    this.reachScratch = new Float64Array(solver.dual.nodeCount);
  }

  private get arrays(): MultirateArrays {
    return this.solver.multirate!;
  }

  /**
   * Splits `remaining` seconds into equal cycles of 2^levels finest
   * sub-steps, none longer than the CFL limit of the fastest node (from
   * Solver.rate): the split that costs the fewest node steps, each node at
   * the coarsest level its own limit allows (a longer cycle lets slow nodes
   * step less often; a cycle that does not fit the remaining time evenly
   * shortens every step), plus half a node step per node and cycle for the
   * full residual that plans it.
   */
  cyclesFor(remaining: number, limit: number, maxLevel: number): { levels: number; pieces: number } {
    this.updateReach();
    const rate = this.reach;
    let fastest = 0;
    for (let i = 0; i < rate.length; i++) if (rate[i] > fastest) fastest = rate[i];
    const finestSteps = fastest > 0 ? (remaining * fastest) / limit : 1;
    const { stepLog } = this;
    for (let i = 0; i < rate.length; i++) stepLog[i] = rate[i] > 0 ? Math.log2(limit / rate[i]) : Infinity;
    let best = { levels: 0, pieces: Math.max(1, Math.ceil(finestSteps)) };
    let bestCost = Infinity;
    for (let levels = 0; levels <= maxLevel; levels++) {
      const pieces = Math.max(1, Math.ceil(finestSteps / 2 ** levels));
      const dt0Log = Math.log2(remaining / (pieces * 2 ** levels));
      let nodeSteps = 0.5 * rate.length;
      for (let i = 0; i < rate.length; i++) {
        const allowed = Math.floor(stepLog[i] - dt0Log);
        nodeSteps += 2 ** (levels - Math.max(0, Math.min(levels, allowed)));
      }
      const cost = pieces * nodeSteps;
      if (cost < bestCost) {
        best = { levels, pieces };
        bestCost = cost;
      }
    }
    return best;
  }

  /**
   * A node's rate at the start of a cycle says nothing of the water that
   * reaches it during the cycle: a dry node on a tidal flat has rate 0, and
   * a wetting front or a bore crosses about a cell per step of the nodes it
   * comes from. So each node steps at the finest rate found within
   * REACH_RINGS edges of it; without this, flats flooding at coarse levels
   * stepped past their CFL limit and the estuary drifted from global
   * stepping by half a metre.
   */
  private updateReach(): void {
    const { rate, dual } = this.solver;
    const { edgeNodes, edgeCount } = dual;
    let from = rate;
    for (let ring = 0; ring < REACH_RINGS; ring++) {
      const to = ring % 2 === 0 ? this.reach : this.reachScratch;
      to.set(from);
      for (let e = 0; e < edgeCount; e++) {
        const a = edgeNodes[2 * e];
        const b = edgeNodes[2 * e + 1];
        if (from[b] > to[a]) to[a] = from[b];
        if (from[a] > to[b]) to[b] = from[a];
      }
      from = to;
    }
    if (from !== this.reach) this.reach.set(from);
  }

  /**
   * Loosens the caps that failed cycles put on steps by RELAX_PER_BASE_STEP:
   * called at the start of each base step. A node that went negative
   * usually does so for a while (a flat draining beside a channel), and
   * every failure redoes its whole cycle, so a cap is lifted gradually.
   */
  relaxCaps(): void {
    const { capStep } = this.arrays.plan;
    for (let i = 0; i < capStep.length; i++) capStep[i] *= RELAX_PER_BASE_STEP;
  }

  /**
   * After a failed cycle of finest step dt0, caps each node whose depth went
   * negative at half the step it had, for the retry and later cycles
   * until relaxCaps lifts it. Returns the smallest cap set: below dt0, the
   * retry needs a finer level than the cycle had.
   */
  capFailedNodes(dt0: number): number {
    const { plan, negative } = this.arrays;
    let smallest = Infinity;
    for (let i = 0; i < negative.length; i++) {
      if (negative[i] === 0) continue;
      const cap = dt0 * 2 ** (plan.level[i] - 1);
      if (cap < plan.capStep[i]) plan.capStep[i] = cap;
      if (cap < smallest) smallest = cap;
    }
    return smallest;
  }

  /**
   * Sets the levels for a cycle of 2^maxLevel finest steps of dt0 from the
   * nodes' flux rates (Solver.rate, from a full residual at the cycle's start).
   */
  plan(dt0: number, limit: number, maxLevel: number): void {
    const { plan } = this.arrays;
    const { dual } = this.solver;
    if (assignLevels(plan, dual, this.reach, dt0, limit, maxLevel) || !this.planned) buildLevelLists(plan, dual);
    this.planned = true;
  }

  /**
   * One cycle from `time` over `2^levels` finest sub-steps of dt0 (the
   * levels must be planned for it). Returns false, with the state as it was,
   * if a depth would go negative.
   */
  cycle(time: number, dt0: number, levels: number): boolean {
    const { solver, executor } = this;
    const { params } = solver;
    params[MR_PARAM.dt0] = dt0;
    solver.threadNegative.fill(0);
    this.arrays.negative.fill(0);
    executor.run(PHASE.save);
    if (this.atmosphere) {
      this.atmosphere(time + 0.5 * dt0 * 2 ** levels);
      executor.run(PHASE.multirateAtmosphere);
    }
    const steps = 2 ** levels;
    const split = solver.manning !== undefined || solver.coriolis !== undefined;
    for (let step = 0; step < steps; step++) {
      params[MR_PARAM.step] = step;
      const starting = step === 0 ? levels : trailingZeros(step);
      if (split) this.stage(PHASE.multirateBegin, LIST.nodes, starting, true);
      this.evaluate(time, dt0, step, starting, 1);
      for (let k = 0; k <= starting; k++) this.evaluate(time, dt0, step + 2 ** k, k, 2);
      this.stage(PHASE.multirateUpdate, LIST.nodes, step + 1 === steps ? levels : trailingZeros(step + 1), true);
      if (solver.threadNegative.includes(1)) {
        executor.run(PHASE.restore);
        this.arrays.integral.h.fill(0);
        this.arrays.integral.hu.fill(0);
        this.arrays.integral.hv.fill(0);
        return false;
      }
    }
    return true;
  }

  /** Stage 1 (every level up to `level`, at `at` = the sub-step) or stage 2 (level `level` alone, at the end of its step). */
  private evaluate(time: number, dt0: number, at: number, level: number, stage: 1 | 2): void {
    const { solver, arrays } = this;
    const prefix = stage === 1;
    solver.params[MR_PARAM.time] = at;
    solver.params[MR_PARAM.stage] = stage;
    solver.params[MR_PARAM.level] = level;
    const [n0, n1] = listRange(arrays.plan, prefix ? LIST.gradientNodes : LIST.stageNodes, level, prefix);
    if (n0 === n1) return;
    const [e0, e1] = listRange(arrays.plan, LIST.edges, level, prefix);
    const [f0, f1] = listRange(arrays.plan, LIST.faces, level, prefix);
    if (this.boundary && this.hasOpenFaces(prefix ? 0 : level, level)) this.boundary(time + at * dt0);
    this.stage(PHASE.multirateField, prefix ? LIST.fieldNodes : LIST.stageField, level, prefix);
    if (solver.secondOrder) this.stage(PHASE.multirateGradients, prefix ? LIST.gradientNodes : LIST.stageNodes, level, prefix);
    if (e1 > e0 || f1 > f0) this.run(PHASE.multirateFluxes, e1 - e0 + f1 - f0);
    this.stage(PHASE.multirateGather, prefix ? LIST.gradientNodes : LIST.stageNodes, level, prefix);
  }

  private hasOpenFaces(from: number, to: number): boolean {
    const { openFaces } = this.arrays.plan;
    for (let k = from; k <= to; k++) if (openFaces[k] === 1) return true;
    return false;
  }

  private stage(phase: Phase, list: LevelList, level: number, prefix: boolean): void {
    this.solver.params[MR_PARAM.level] = level;
    const [begin, end] = listRange(this.arrays.plan, list, level, prefix);
    if (end > begin) this.run(phase, end - begin);
  }

  private run(phase: Phase, items: number): void {
    this.executor.run(phase, items < SERIAL_BELOW);
  }
}

function trailingZeros(n: number): number {
  return 31 - Math.clz32(n & -n);
}
