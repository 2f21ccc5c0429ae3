/**
 * Where the waves go: the wave phase S of geometric optics, |∇S| = k(x),
 * solved on the triangles by fast marching (Sethian; Kimmel & Sethian's
 * triangle update), from the offshore boundary inwards.
 *
 * Rays are the curves along ∇S, so this is ray refraction in its wavefront
 * form. It is preferred to tracing rays because it gives every node exactly
 * one direction (the first arrival, the viscosity solution), with no ray
 * spacing to estimate, no crossing rays and no caustic where ray theory's
 * energy becomes infinite; and it costs one pass of N log N. Over straight
 * parallel depth contours the tangential component of ∇S is conserved,
 * which is Snell's law. The price is that where two wave trains would cross,
 * only the earlier one is kept.
 *
 * The order in which nodes are accepted is also an upwind order for the
 * energy balance (energyBalance.ts): the ray reaching a node comes from
 * nodes accepted before it.
 */
import type { DualMesh } from '../dual.js';
import { GRAVITY, wavenumber } from './dispersion.js';

/** The mesh as fast marching needs it: planar positions and, per node, its triangles. */
export interface WavefrontMesh {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly triangles: Int32Array;
  /** CSR: the triangles of node i are nodeTriangles[nodeTriangleStart[i] .. nodeTriangleStart[i+1]). */
  readonly nodeTriangleStart: Int32Array;
  readonly nodeTriangles: Int32Array;
}

export function wavefrontMesh(x: Float64Array, y: Float64Array, triangles: Int32Array): WavefrontMesh {
  const n = x.length;
  const count = new Int32Array(n + 1);
  for (const node of triangles) count[node + 1]++;
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const fill = count.slice(0, n);
  const nodeTriangles = new Int32Array(triangles.length);
  for (let c = 0; c < triangles.length; c++) nodeTriangles[fill[triangles[c]]++] = Math.floor(c / 3);
  return { x, y, triangles, nodeTriangleStart: count, nodeTriangles };
}

/** The offshore condition: nodes where waves enter, each with its frequency and direction of travel. */
export interface WaveEntry {
  nodes: Int32Array;
  /** Angular frequency, rad/s, per entry node. */
  omega: Float64Array;
  /** Unit vector of travel (where the waves go), per entry node. */
  dirX: Float64Array;
  dirY: Float64Array;
}

export interface Wavefronts {
  /** Nodes reached, in the order they were accepted (entry nodes first). */
  readonly order: Int32Array;
  readonly reached: number;
  /** Phase S (rad) per node; Infinity where not reached (dry, or cut off by land). */
  readonly phase: Float64Array;
  /** Unit direction of travel per node (0, 0 where not reached). */
  readonly dirX: Float64Array;
  readonly dirY: Float64Array;
  /** Angular frequency per node, carried along the rays from the entry. */
  readonly omega: Float64Array;
  /** Wavenumber per node. */
  readonly k: Float64Array;
}

const FAR = 0;
const TRIAL = 1;
const ACCEPTED = 2;
/** A ray arriving this close to an edge of the triangle still counts as coming through it. */
const CAUSALITY_TOLERANCE = 1e-9;

/**
 * Fast marching over the wet nodes (`depth` > `minDepth`, total water depth).
 * Entry nodes start with S = k_ref·(d·x): a plane wave of the smallest
 * wavenumber among them, so that along the boundary S never changes faster
 * than the local k allows and the boundary stays a source of waves.
 */
export function marchWavefronts(mesh: WavefrontMesh, depth: Float64Array, minDepth: number, entry: WaveEntry, g = GRAVITY): Wavefronts {
  const { x, y, triangles, nodeTriangleStart, nodeTriangles } = mesh;
  const n = x.length;
  const phase = new Float64Array(n).fill(Infinity);
  const dirX = new Float64Array(n);
  const dirY = new Float64Array(n);
  const omega = new Float64Array(n);
  const k = new Float64Array(n);
  const status = new Uint8Array(n);
  const order = new Int32Array(n);
  let reached = 0;
  const heap = new PhaseHeap(n);

  let kRef = Infinity;
  let cx = 0;
  let cy = 0;
  let entries = 0;
  for (let e = 0; e < entry.nodes.length; e++) {
    const node = entry.nodes[e];
    if (!(depth[node] > minDepth)) continue;
    kRef = Math.min(kRef, wavenumber(entry.omega[e], depth[node], g));
    cx += x[node];
    cy += y[node];
    entries++;
  }
  if (entries === 0) return { order, reached, phase, dirX, dirY, omega, k };
  cx /= entries;
  cy /= entries;
  for (let e = 0; e < entry.nodes.length; e++) {
    const node = entry.nodes[e];
    if (!(depth[node] > minDepth) || status[node] !== FAR) continue;
    phase[node] = kRef * (entry.dirX[e] * (x[node] - cx) + entry.dirY[e] * (y[node] - cy));
    dirX[node] = entry.dirX[e];
    dirY[node] = entry.dirY[e];
    omega[node] = entry.omega[e];
    k[node] = wavenumber(omega[node], depth[node], g);
    status[node] = TRIAL;
    heap.push(node, phase[node]);
  }

  // A node's tentative direction and frequency belong to its tentative phase, updated together.
  const candidate = { phase: 0, dirX: 0, dirY: 0, omega: 0 };
  while (heap.size > 0) {
    const node = heap.pop();
    if (status[node] === ACCEPTED) continue;
    status[node] = ACCEPTED;
    order[reached++] = node;
    if (k[node] === 0) k[node] = wavenumber(omega[node], depth[node], g);
    for (let s = nodeTriangleStart[node]; s < nodeTriangleStart[node + 1]; s++) {
      const t = nodeTriangles[s];
      for (let c = 0; c < 3; c++) {
        const target = triangles[3 * t + c];
        if (status[target] === ACCEPTED || !(depth[target] > minDepth)) continue;
        const a = triangles[3 * t + ((c + 1) % 3)];
        const b = triangles[3 * t + ((c + 2) % 3)];
        if (!triangleUpdate(target, a, b)) continue;
        if (candidate.phase < phase[target]) {
          phase[target] = candidate.phase;
          dirX[target] = candidate.dirX;
          dirY[target] = candidate.dirY;
          omega[target] = candidate.omega;
          status[target] = TRIAL;
          heap.push(target, candidate.phase);
        }
      }
    }
  }
  return { order: order.subarray(0, reached), reached, phase, dirX, dirY, omega, k };

  /**
   * The phase at `c` from triangle (c, a, b): a plane front through the
   * accepted corners whose gradient has the local wavenumber, if the ray
   * reaching c comes through the triangle; otherwise along an edge from one
   * accepted corner. Fills `candidate`; false when neither corner is accepted.
   */
  function triangleUpdate(c: number, a: number, b: number): boolean {
    const aDone = status[a] === ACCEPTED;
    const bDone = status[b] === ACCEPTED;
    if (!aDone && !bDone) return false;
    if (aDone && bDone) {
      const w = 0.5 * (omega[a] + omega[b]);
      const kc = wavenumber(w, depth[c], g);
      if (planeFront(c, a, b, kc, w)) return true;
      const viaA = phase[a] + kc * Math.hypot(x[c] - x[a], y[c] - y[a]);
      const viaB = phase[b] + kc * Math.hypot(x[c] - x[b], y[c] - y[b]);
      return edgeUpdate(c, viaA <= viaB ? a : b, kc);
    }
    const from = aDone ? a : b;
    return edgeUpdate(c, from, wavenumber(omega[from], depth[c], g));
  }

  function edgeUpdate(c: number, from: number, kc: number): boolean {
    const ex = x[c] - x[from];
    const ey = y[c] - y[from];
    const length = Math.hypot(ex, ey);
    candidate.phase = phase[from] + kc * length;
    candidate.dirX = ex / length;
    candidate.dirY = ey / length;
    candidate.omega = omega[from];
    return true;
  }

  /**
   * S linear on the triangle: S_a − S_c = g·(a − c), S_b − S_c = g·(b − c)
   * with |g| = k gives a quadratic in S_c; the later root is the arriving
   * front. It is accepted when −g points into the triangle's angle at c.
   */
  function planeFront(c: number, a: number, b: number, kc: number, w: number): boolean {
    const ax = x[a] - x[c];
    const ay = y[a] - y[c];
    const bx = x[b] - x[c];
    const by = y[b] - y[c];
    const det = ax * by - ay * bx;
    if (det === 0) return false;
    // g = p − S_c·q, with p = M⁻¹(S_a, S_b) and q = M⁻¹(1, 1), M's rows (a − c) and (b − c).
    const sa = phase[a];
    const sb = phase[b];
    const px = (by * sa - ay * sb) / det;
    const py = (-bx * sa + ax * sb) / det;
    const qx = (by - ay) / det;
    const qy = (-bx + ax) / det;
    const qq = qx * qx + qy * qy;
    const pq = px * qx + py * qy;
    const pp = px * px + py * py;
    const disc = pq * pq - qq * (pp - kc * kc);
    if (disc < 0) return false;
    const sc = (pq + Math.sqrt(disc)) / qq;
    const gx = px - sc * qx;
    const gy = py - sc * qy;
    // −g = α(a − c) + β(b − c): the ray comes in between the two edges when α, β ≥ 0.
    const alpha = (-gx * by + gy * bx) / det;
    const beta = (-ax * gy + ay * gx) / det;
    const scale = Math.hypot(ax, ay) + Math.hypot(bx, by);
    if (alpha < -CAUSALITY_TOLERANCE * scale || beta < -CAUSALITY_TOLERANCE * scale) return false;
    const norm = Math.hypot(gx, gy);
    candidate.phase = sc;
    candidate.dirX = gx / norm;
    candidate.dirY = gy / norm;
    candidate.omega = w;
    return true;
  }
}

/** A binary min-heap of nodes by phase; a node pushed again is simply found again, stale entries skipped by the caller. */
class PhaseHeap {
  private nodes: Int32Array;
  private keys: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.nodes = new Int32Array(Math.max(16, capacity));
    this.keys = new Float64Array(Math.max(16, capacity));
  }

  push(node: number, key: number): void {
    if (this.size === this.nodes.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.nodes[i] = this.nodes[parent];
      this.keys[i] = this.keys[parent];
      i = parent;
    }
    this.nodes[i] = node;
    this.keys[i] = key;
  }

  pop(): number {
    const top = this.nodes[0];
    const lastNode = this.nodes[--this.size];
    const lastKey = this.keys[this.size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.keys[child + 1] < this.keys[child]) child++;
      if (this.keys[child] >= lastKey) break;
      this.nodes[i] = this.nodes[child];
      this.keys[i] = this.keys[child];
      i = child;
    }
    this.nodes[i] = lastNode;
    this.keys[i] = lastKey;
    return top;
  }

  private grow(): void {
    const nodes = new Int32Array(this.nodes.length * 2);
    const keys = new Float64Array(this.keys.length * 2);
    nodes.set(this.nodes);
    keys.set(this.keys);
    this.nodes = nodes;
    this.keys = keys;
  }
}

/**
 * Directions of travel as the gradient of the phase, Green–Gauss over each
 * node's dual cell (exact for a plane wave), in place of the direction of the
 * one triangle that set the node's phase: on an irregular mesh that one is
 * often an edge (the ray missed the triangle by a little) and off by the
 * angle of the edge, up to 20° at 30 % jitter, whereas the phase itself is
 * smooth. Entry nodes keep the offshore direction; nodes next to one not
 * reached (dry, shadowed) keep their own, having no gradient around them.
 */
export function directionsFromPhase(fronts: Wavefronts, dual: DualMesh, entryNodes: Int32Array): void {
  const { order, phase, dirX, dirY } = fronts;
  const entry = new Uint8Array(phase.length);
  for (const node of entryNodes) entry[node] = 1;
  const gx = new Float64Array(order.length);
  const gy = new Float64Array(order.length);
  order.forEach((node, r) => {
    gx[r] = NaN;
    if (entry[node]) return;
    let sx = 0;
    let sy = 0;
    for (let s = dual.nodeEdgeStart[node]; s < dual.nodeEdgeStart[node + 1]; s++) {
      const difference = phase[dual.nodeNeighbour[s]] - phase[node];
      if (!Number.isFinite(difference)) return;
      sx += difference * dual.gradientWx[s];
      sy += difference * dual.gradientWy[s];
    }
    gx[r] = sx;
    gy[r] = sy;
  });
  order.forEach((node, r) => {
    const norm = Math.hypot(gx[r], gy[r]);
    if (!(norm > 0)) return;
    dirX[node] = gx[r] / norm;
    dirY[node] = gy[r] / norm;
  });
}
