import type { DualMesh } from './dual.js';

/**
 * Time-step levels of local time stepping: node i steps by dt0·2^level[i],
 * an edge at the finer rate of its two nodes. With neighbours at most one
 * level apart, every piece of work of a fine sub-step is a prefix or a
 * segment of one of these lists, so threads share them as contiguous ranges:
 *
 * - `nodes` by level: the nodes that start and end steps together;
 * - `edges` by edge level, `faces` by their node's level;
 * - `gradientNodes` by the finest edge level around the node (the endpoints
 *   of all edges up to a level), `fieldNodes` by the finest such key of the
 *   node and its neighbours (what those endpoints' gradients read);
 * - per level k, `stageNodes` (endpoints of level-k edges and faces) and
 *   `stageField` (them and their neighbours), for the stages evaluated at a
 *   level's own times.
 *
 * `offsets` holds, per list, maxLevel + 2 starts (list L at L·(maxLevel + 2)).
 * All arrays are shared, so worker threads see each rebuild.
 */
export interface LevelPlan {
  readonly maxLevel: number;
  readonly level: Int8Array;
  readonly edgeLevel: Int8Array;
  readonly nodes: Int32Array;
  readonly edges: Int32Array;
  readonly faces: Int32Array;
  readonly gradientNodes: Int32Array;
  readonly fieldNodes: Int32Array;
  readonly stageNodes: Int32Array;
  readonly stageField: Int32Array;
  readonly offsets: Int32Array;
  /** Per level, 1 when one of its faces is open: only then do its stages need the boundary forcing. */
  readonly openFaces: Int32Array;
  /** Per node, the longest step (s) it may take: lowered where a step went negative, loosened again base step by base step (Infinity: none). */
  readonly capStep: Float64Array;
  /** Scratch of the planning, kept so that planning a cycle allocates nothing. */
  readonly scratch: { readonly next: Int8Array; readonly gradientKey: Int8Array; readonly fieldKey: Int8Array; readonly stamp: Int32Array; readonly fill: Int32Array };
}

export const LIST = { nodes: 0, edges: 1, faces: 2, gradientNodes: 3, fieldNodes: 4, stageNodes: 5, stageField: 6 } as const;
export type LevelList = (typeof LIST)[keyof typeof LIST];

const sharedInt32 = (n: number) => new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)));

export function allocateLevelPlan(dual: DualMesh, maxLevel: number): LevelPlan {
  const n = dual.nodeCount;
  return {
    maxLevel,
    level: new Int8Array(new SharedArrayBuffer(n)),
    edgeLevel: new Int8Array(new SharedArrayBuffer(dual.edgeCount)),
    nodes: sharedInt32(n),
    edges: sharedInt32(dual.edgeCount),
    faces: sharedInt32(dual.faceCount),
    gradientNodes: sharedInt32(n),
    fieldNodes: sharedInt32(n),
    // A node is an endpoint at its own level and at most the one below; read by endpoints of levels its own − 2 … its own + 1.
    stageNodes: sharedInt32(2 * n),
    stageField: sharedInt32(4 * n),
    offsets: sharedInt32(7 * (maxLevel + 2)),
    openFaces: sharedInt32(maxLevel + 1),
    capStep: new Float64Array(n).fill(Infinity),
    scratch: { next: new Int8Array(n), gradientKey: new Int8Array(n), fieldKey: new Int8Array(n), stamp: new Int32Array(n), fill: new Int32Array(maxLevel + 1) },
  };
}

/**
 * Levels from each node's flux rate (Σ speed·face length / area): the
 * largest k with dt0·2^k·rate ≤ limit and dt0·2^k within the node's cap, at most maxLevel, then lowered until
 * neighbours differ by at most one (lowering only ever shortens a step).
 * Returns whether any level changed.
 */
export function assignLevels(plan: LevelPlan, dual: DualMesh, rate: Float64Array, dt0: number, limit: number, maxLevel: number): boolean {
  const { level } = plan;
  const { next } = plan.scratch;
  for (let i = 0; i < dual.nodeCount; i++) {
    const allowed = rate[i] > 0 ? Math.floor(Math.log2(limit / (rate[i] * dt0))) : maxLevel;
    const cap = plan.capStep[i];
    // A cap just set is half an earlier step, a power of two of dt0: the tolerance keeps rounding from costing it a level.
    const capped = cap === Infinity ? maxLevel : Math.floor(Math.log2(cap / dt0) + 1e-9);
    next[i] = Math.max(0, Math.min(maxLevel, capped, allowed));
  }
  const { edgeNodes, edgeCount } = dual;
  for (let changed = true; changed;) {
    changed = false;
    for (let e = 0; e < edgeCount; e++) {
      const a = edgeNodes[2 * e];
      const b = edgeNodes[2 * e + 1];
      if (next[a] > next[b] + 1) {
        next[a] = next[b] + 1;
        changed = true;
      } else if (next[b] > next[a] + 1) {
        next[b] = next[a] + 1;
        changed = true;
      }
    }
  }
  let changed = false;
  for (let i = 0; i < dual.nodeCount; i++) {
    if (next[i] !== level[i]) changed = true;
    level[i] = next[i];
  }
  for (let e = 0; e < edgeCount; e++) plan.edgeLevel[e] = Math.min(level[edgeNodes[2 * e]], level[edgeNodes[2 * e + 1]]);
  return changed;
}

/** Rebuilds every list of the plan from its levels. */
export function buildLevelLists(plan: LevelPlan, dual: DualMesh): void {
  const { level, edgeLevel, maxLevel } = plan;
  const n = dual.nodeCount;
  const { nodeEdgeStart, nodeEdges, edgeNodes, faceNode, faceOpen } = dual;
  const neighbour = (k: number) => {
    const code = nodeEdges[k];
    return edgeNodes[(code & ~1) + 1 - (code & 1)];
  };
  const { gradientKey, fieldKey, stamp } = plan.scratch;
  for (let i = 0; i < n; i++) {
    let key = level[i];
    for (let k = nodeEdgeStart[i]; k < nodeEdgeStart[i + 1]; k++) key = Math.min(key, level[neighbour(k)]);
    gradientKey[i] = key;
  }
  for (let i = 0; i < n; i++) {
    let key = gradientKey[i];
    for (let k = nodeEdgeStart[i]; k < nodeEdgeStart[i + 1]; k++) key = Math.min(key, gradientKey[neighbour(k)]);
    fieldKey[i] = key;
  }
  sortByKey(plan, LIST.nodes, plan.nodes, n, (i) => level[i]);
  sortByKey(plan, LIST.edges, plan.edges, dual.edgeCount, (e) => edgeLevel[e]);
  sortByKey(plan, LIST.faces, plan.faces, dual.faceCount, (f) => level[faceNode[f]]);
  sortByKey(plan, LIST.gradientNodes, plan.gradientNodes, n, (i) => gradientKey[i]);
  sortByKey(plan, LIST.fieldNodes, plan.fieldNodes, n, (i) => fieldKey[i]);
  plan.openFaces.fill(0);
  for (let f = 0; f < dual.faceCount; f++) if (faceOpen[f] >= 0) plan.openFaces[level[faceNode[f]]] = 1;

  // Per level k: its own nodes, and the nodes one level coarser that share an edge with them.
  const stride = maxLevel + 2;
  const stageStart = LIST.stageNodes * stride;
  const fieldStart = LIST.stageField * stride;
  stamp.fill(-1);
  let count = 0;
  let fieldCount = 0;
  for (let k = 0; k <= maxLevel; k++) {
    plan.offsets[stageStart + k] = count;
    plan.offsets[fieldStart + k] = fieldCount;
    const first = count;
    for (let q = plan.offsets[LIST.nodes * stride + k]; q < plan.offsets[LIST.nodes * stride + k + 1]; q++) plan.stageNodes[count++] = plan.nodes[q];
    if (k + 1 <= maxLevel) {
      for (let q = plan.offsets[LIST.nodes * stride + k + 1]; q < plan.offsets[LIST.nodes * stride + k + 2]; q++) {
        const i = plan.nodes[q];
        if (gradientKey[i] === k) plan.stageNodes[count++] = i;
      }
    }
    for (let q = first; q < count; q++) {
      const i = plan.stageNodes[q];
      if (stamp[i] !== k) {
        stamp[i] = k;
        plan.stageField[fieldCount++] = i;
      }
      for (let m = nodeEdgeStart[i]; m < nodeEdgeStart[i + 1]; m++) {
        const j = neighbour(m);
        if (stamp[j] !== k) {
          stamp[j] = k;
          plan.stageField[fieldCount++] = j;
        }
      }
    }
  }
  plan.offsets[stageStart + maxLevel + 1] = count;
  plan.offsets[fieldStart + maxLevel + 1] = fieldCount;
}

/** Counting sort of 0 … count − 1 by a key in 0 … maxLevel, stable, so each list keeps mesh order within a level. */
function sortByKey(plan: LevelPlan, list: LevelList, out: Int32Array, count: number, key: (item: number) => number): void {
  const stride = plan.maxLevel + 2;
  const base = list * stride;
  const start = plan.offsets;
  start.fill(0, base, base + stride);
  for (let item = 0; item < count; item++) start[base + key(item) + 1]++;
  for (let k = 0; k <= plan.maxLevel; k++) start[base + k + 1] += start[base + k];
  const { fill } = plan.scratch;
  for (let k = 0; k <= plan.maxLevel; k++) fill[k] = start[base + k];
  for (let item = 0; item < count; item++) out[fill[key(item)]++] = item;
}
