/**
 * The stationary wave energy balance ∇·(E·c_g·d) = −D on the median-dual
 * cells of the mesh (model/dual.ts), d the direction of travel from the
 * wavefronts: per node, energy flux in from upwind neighbours = flux out +
 * dissipation by breaking in its cell. Face fluxes are upwind in E·c_g and
 * take the mean direction of the two nodes, so without dissipation the flux
 * is conserved exactly across the cells (it telescopes): the discrete form
 * of shoaling (E·c_g constant along a ray tube) and of refraction's
 * spreading or focusing of the tubes.
 *
 * Nodes are solved upwind first (sweepOrder below), so one pass solves all
 * but the cycles of the upwind graph, which further passes settle. Land boundaries and dry nodes
 * absorb what reaches them (no reflection); entry nodes keep the offshore
 * energy. A breaking wave field is never higher than its breaking height:
 * E is capped at Hmax²/8, what would exceed it being dissipated.
 */
import type { DualMesh } from '../dual.js';
import { breakingDissipation, breakingHeight } from './breaking.js';
import { groupVelocity } from './dispersion.js';
import type { Wavefronts } from './wavefronts.js';

export interface EnergyBalanceInput {
  dual: DualMesh;
  fronts: Wavefronts;
  /** Total water depth per node, m. */
  depth: Float64Array;
  /** γ of breaking. */
  breakerIndex: number;
  /** Entry nodes and their energy E/(ρg) = Hs²/16, m², fixed. */
  entryNodes: Int32Array;
  entryEnergy: Float64Array;
}

export interface EnergyBalance {
  /** E/(ρg) per node, m²: Hs = 4·√e. Zero where no wave reaches. */
  energy: Float64Array;
  /** Passes over the nodes until the energy changed by less than 1e-6 of its largest value. */
  passes: number;
}

/** Passes converge geometrically where the upwind graph has cycles, by a factor of about 30 each on the bench's coast. */
const MAX_PASSES = 20;
const TOLERANCE = 1e-6;

export function solveEnergyBalance(input: EnergyBalanceInput): EnergyBalance {
  const { dual, fronts, depth, breakerIndex } = input;
  const { order, dirX, dirY, omega, k } = fronts;
  const n = dual.nodeCount;
  const energy = new Float64Array(n);
  /** E·c_g per node: what the faces carry. */
  const flux = new Float64Array(n);
  const groupSpeed = new Float64Array(n);
  const reached = new Uint8Array(n);
  const fixed = new Uint8Array(n);
  for (const node of order) {
    reached[node] = 1;
    groupSpeed[node] = groupVelocity(omega[node], k[node], depth[node]);
  }
  input.entryNodes.forEach((node, e) => {
    if (!reached[node]) return;
    const hmax = breakingHeight(k[node], depth[node], breakerIndex);
    energy[node] = Math.min(input.entryEnergy[e], (hmax * hmax) / 8);
    flux[node] = energy[node] * groupSpeed[node];
    fixed[node] = 1;
  });
  const faceRate = edgeRates(dual, reached, dirX, dirY);
  const sweep = sweepOrder(dual, order, reached, fixed, faceRate);

  let passes = 0;
  while (passes < MAX_PASSES) {
    passes++;
    let change = 0;
    let largest = 0;
    for (const node of sweep) {
      const before = energy[node];
      energy[node] = nodeEnergy(node);
      flux[node] = energy[node] * groupSpeed[node];
      change = Math.max(change, Math.abs(energy[node] - before));
      largest = Math.max(largest, energy[node]);
    }
    if (change <= TOLERANCE * largest) break;
  }
  return { energy, passes };

  function nodeEnergy(node: number): number {
    let out = 0;
    let inflow = 0;
    for (let s = dual.nodeEdgeStart[node]; s < dual.nodeEdgeStart[node + 1]; s++) {
      const slot = dual.nodeEdges[s];
      const w = (slot & 1) === 0 ? faceRate[slot >> 1] : -faceRate[slot >> 1];
      if (w > 0) out += w;
      else inflow -= w * flux[dual.nodeNeighbour[s]];
    }
    for (let f = dual.nodeFaceStart[node]; f < dual.nodeFaceStart[node + 1]; f++) {
      const w = (dirX[node] * dual.faceNx[f] + dirY[node] * dual.faceNy[f]) * dual.faceLength[f];
      if (w > 0) out += w;
    }
    if (inflow <= 0) return 0;
    const cg = groupSpeed[node];
    const hmax = breakingHeight(k[node], depth[node], breakerIndex);
    const cap = (hmax * hmax) / 8;
    const frequency = omega[node] / (2 * Math.PI);
    const area = dual.area[node];
    const residual = (e: number) => e * cg * out + area * breakingDissipation(e, frequency, hmax) - inflow;
    const unbroken = out > 0 ? inflow / (cg * out) : cap;
    let hi = Math.min(unbroken, cap);
    if (residual(hi) <= 0) return hi;
    // Regula falsi with the Illinois modification: the residual is increasing in e, the root bracketed in [0, hi].
    let lo = 0;
    let rLo = -inflow;
    let rHi = residual(hi);
    let side = 0;
    for (let i = 0; i < 60; i++) {
      const e = (lo * rHi - hi * rLo) / (rHi - rLo);
      const r = residual(e);
      if (Math.abs(r) <= 1e-12 * inflow || hi - lo <= 1e-12 * hi) return e;
      if (r > 0) {
        hi = e;
        rHi = r;
        if (side === 1) rLo /= 2;
        side = 1;
      } else {
        lo = e;
        rLo = r;
        if (side === -1) rHi /= 2;
        side = -1;
      }
    }
    return 0.5 * (lo + hi);
  }
}

/**
 * Per edge, the rate d·n·length across its dual face (from its first node to
 * its second), with d the mean direction of the two nodes (of the one
 * reached when the other is not). Both cells use the same rate, which makes
 * the scheme conservative.
 */
function edgeRates(dual: DualMesh, reached: Uint8Array, dirX: Float64Array, dirY: Float64Array): Float64Array {
  const rate = new Float64Array(dual.edgeCount);
  for (let e = 0; e < dual.edgeCount; e++) {
    const a = dual.edgeNodes[2 * e];
    const b = dual.edgeNodes[2 * e + 1];
    if (!reached[a] && !reached[b]) continue;
    let fx = (reached[a] ? dirX[a] : 0) + (reached[b] ? dirX[b] : 0);
    let fy = (reached[a] ? dirY[a] : 0) + (reached[b] ? dirY[b] : 0);
    const norm = Math.hypot(fx, fy);
    if (norm === 0) continue;
    fx /= norm;
    fy /= norm;
    rate[e] = (fx * dual.edgeNx[e] + fy * dual.edgeNy[e]) * dual.edgeLength[e];
  }
  return rate;
}

/**
 * The nodes to solve, each after every neighbour that sends it energy
 * (Kahn's topological order of the faces' upwind graph), so that one pass
 * solves the balance. The wavefronts' order alone is not enough: on a
 * skewed cell a dual face can face upwind of the edge it belongs to. Where
 * the graph has a cycle (rare: the directions would have to turn around a
 * node), the earliest node in the wavefronts' order is taken next and the
 * cycle is settled by a further pass.
 */
function sweepOrder(dual: DualMesh, order: Int32Array, reached: Uint8Array, fixed: Uint8Array, faceRate: Float64Array): Int32Array {
  const n = dual.nodeCount;
  const waiting = new Int32Array(n);
  const done = new Uint8Array(n);
  for (const node of order) {
    if (fixed[node]) continue;
    for (let s = dual.nodeEdgeStart[node]; s < dual.nodeEdgeStart[node + 1]; s++) {
      const slot = dual.nodeEdges[s];
      const w = (slot & 1) === 0 ? faceRate[slot >> 1] : -faceRate[slot >> 1];
      const from = dual.nodeNeighbour[s];
      if (w < 0 && reached[from] && !fixed[from]) waiting[node]++;
    }
  }
  const sweep = new Int32Array(order.length);
  let length = 0;
  const ready: number[] = [];
  const release = (node: number) => {
    for (let s = dual.nodeEdgeStart[node]; s < dual.nodeEdgeStart[node + 1]; s++) {
      const slot = dual.nodeEdges[s];
      const w = (slot & 1) === 0 ? faceRate[slot >> 1] : -faceRate[slot >> 1];
      const to = dual.nodeNeighbour[s];
      if (w > 0 && reached[to] && !fixed[to] && !done[to] && --waiting[to] === 0) ready.push(to);
    }
  };
  for (const node of order) if (fixed[node]) release(node);
  for (const node of order) if (!fixed[node] && waiting[node] === 0) ready.push(node);
  let next = 0;
  for (;;) {
    let node = ready.pop();
    while (node !== undefined && done[node]) node = ready.pop();
    if (node === undefined) {
      while (next < order.length && (fixed[order[next]] || done[order[next]])) next++;
      if (next === order.length) break;
      node = order[next];
    }
    done[node] = 1;
    sweep[length++] = node;
    release(node);
  }
  return sweep.subarray(0, length);
}
