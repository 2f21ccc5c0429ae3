/**
 * The unstructured mesh (SCHISM hgrid.gr3 / ADCIRC fort.14) as the rest of
 * coastcast sees it, the problems a mesh file can have, and the validation
 * that turns what a file says (a MeshDraft) into a Mesh.
 *
 * In memory node indices are 0-based (the file's ids are 1-based) and every
 * element is a counter-clockwise triangle: quads are split on read, so
 * triangle numbers differ from the file's element ids when the file had quads.
 */
import { detectIcs, meshDistance, type Ics } from '../geodesy.js';
import { InputFileError, type InputProblem, type Severity } from '../inputProblems.js';

export interface OpenBoundary {
  /** Node indices (0-based) in the order the file lists them. */
  nodes: Int32Array;
}

export interface LandBoundary {
  /** The file's ibtype: 0 land (exterior), 1 island. */
  kind: number;
  nodes: Int32Array;
}

export interface Mesh {
  title: string;
  /** Node coordinates: metres (ics 1) or degrees longitude/latitude (ics 2). */
  x: Float64Array;
  y: Float64Array;
  /** Depth below the datum in metres, positive down; land is negative. */
  depth: Float64Array;
  /** Three 0-based node indices per triangle, counter-clockwise. */
  triangles: Int32Array;
  openBoundaries: OpenBoundary[];
  landBoundaries: LandBoundary[];
}

/** One thing wrong with a mesh file, at the line (1-based) where it shows. */
export interface MeshProblem extends InputProblem {
  line: number;
  severity: Severity;
}

/** What to do with quadrilateral elements: split each into two triangles, or refuse the mesh. */
export type QuadPolicy = 'split' | 'reject';

export interface MeshOptions {
  /** Default 'split'. */
  quads?: QuadPolicy;
  /** Coordinate kind; detected from the coordinates when absent (see detectIcs). */
  ics?: Ics;
}

export function hasErrors(problems: readonly MeshProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** How many problems of a severity were found, counting those past the cap. */
export function countProblems(problems: readonly MeshProblem[], severity: Severity): number {
  return problems.reduce((n, p) => n + (p.severity === severity ? (p.omitted ?? 1) : 0), 0);
}

/** Thrown by loadMesh when a mesh file has errors; carries every problem found. */
export class MeshError extends InputFileError {
  override name = 'MeshError';
  constructor(
    file: string,
    override readonly problems: readonly MeshProblem[],
  ) {
    const errors = countProblems(problems, 'error');
    super(file, problems, `${file}: ${errors} error${errors === 1 ? '' : 's'} in mesh`);
  }
}

/**
 * Collects problems, keeping at most `capPerKind` of each kind so a broken
 * million-element mesh yields a readable list; the rest of a kind are counted
 * and summarised in one extra problem at the first line left out.
 */
export class ProblemLog {
  private readonly kept: MeshProblem[] = [];
  private readonly omitted = new Map<string, { count: number; first: MeshProblem }>();
  private readonly perKind = new Map<string, number>();

  constructor(private readonly capPerKind = 100) {}

  add(kind: string, severity: Severity, line: number, message: string): void {
    const n = (this.perKind.get(kind) ?? 0) + 1;
    this.perKind.set(kind, n);
    if (n <= this.capPerKind) {
      this.kept.push({ line, severity, message });
      return;
    }
    const left = this.omitted.get(kind);
    if (left) left.count++;
    else this.omitted.set(kind, { count: 1, first: { line, severity, message } });
  }

  error(kind: string, line: number, message: string): void {
    this.add(kind, 'error', line, message);
  }

  warning(kind: string, line: number, message: string): void {
    this.add(kind, 'warning', line, message);
  }

  /** All problems by line, then in the order found. */
  list(): MeshProblem[] {
    const summaries = [...this.omitted.values()].map(({ count, first }) => ({
      line: first.line,
      severity: first.severity,
      message: `${count} more problem${count === 1 ? '' : 's'} like the ${this.capPerKind} above not listed (first: ${first.message})`,
      omitted: count,
    }));
    return [...this.kept, ...summaries].sort((a, b) => a.line - b.line);
  }
}

/** A boundary as the file lists it, node indices not yet checked. */
export interface BoundaryDraft {
  /** The line of the boundary's header (`nvdll` or `nvel ibtype`). */
  line: number;
  /** ibtype for land boundaries; absent for open boundaries. */
  kind?: number;
  /** 0-based node indices (file id − 1). */
  nodes: Int32Array;
  /** The line of each node. */
  lines: Int32Array;
}

/**
 * What a gr3 file says, before validation: elements as written and the line
 * of every record, so that validation can point at lines.
 */
export interface MeshDraft {
  title: string;
  /** The line holding `ne np`. */
  countsLine: number;
  x: Float64Array;
  y: Float64Array;
  depth: Float64Array;
  nodeLines: Int32Array;
  /** Four slots of 0-based node indices (file id − 1) per element; a triangle leaves the fourth unused. */
  elements: Int32Array;
  /** Nodes per element: 3 or 4. */
  elementSizes: Uint8Array;
  elementLines: Int32Array;
  openBoundaries: BoundaryDraft[];
  landBoundaries: BoundaryDraft[];
}

/**
 * Checks a draft and builds the Mesh: elements reference existing nodes, are
 * not degenerate (repeated node, zero area) nor duplicates (same node set);
 * clockwise triangles are re-oriented (warning); quads are split along the
 * shorter diagonal (warning) or rejected; boundary nodes exist. Elements that
 * cannot become triangles are left out of the Mesh (and reported as errors).
 */
export function validateMesh(draft: MeshDraft, options: MeshOptions, log: ProblemLog): Mesh {
  const ics = options.ics ?? detectIcs(draft.x, draft.y);
  if (draft.elementLines.length === 0) log.error('no-elements', draft.countsLine, 'the mesh has no elements (ne = 0)');
  const triangles = buildTriangles(draft, options.quads ?? 'split', ics, log);
  reportDuplicateElements(draft, log);
  reportUnusedNodes(draft, log);
  return {
    title: draft.title,
    x: draft.x,
    y: draft.y,
    depth: draft.depth,
    triangles,
    openBoundaries: draft.openBoundaries.map((b, i) => ({ nodes: checkBoundary(b, `open boundary ${i + 1}`, draft, log) })),
    landBoundaries: draft.landBoundaries.map((b, i) => ({
      kind: checkLandKind(b, i, log),
      nodes: checkBoundary(b, `land boundary ${i + 1}`, draft, log),
    })),
  };
}

/** Turns elements into counter-clockwise triangles, reporting what it must fix or drop. */
function buildTriangles(draft: MeshDraft, quads: QuadPolicy, ics: Ics, log: ProblemLog): Int32Array {
  const { elements, elementSizes, elementLines, x, y } = draft;
  const ne = elementLines.length;
  const np = x.length;
  let quadCount = 0;
  for (let e = 0; e < ne; e++) if (elementSizes[e] === 4) quadCount++;
  const out = new Int32Array(3 * (ne + (quads === 'split' ? quadCount : 0)));
  const corners = new Int32Array(4);
  let t = 0;
  for (let e = 0; e < ne; e++) {
    const line = elementLines[e];
    const nv = elementSizes[e];
    for (let k = 0; k < nv; k++) corners[k] = elements[4 * e + k];
    if (!cornersExist(corners, nv, np, e, line, log) || !cornersDistinct(corners, nv, e, line, log)) continue;
    if (nv === 3) {
      t = addTriangle(out, t, corners, x, y, e, line, log);
    } else if (quads === 'reject') {
      log.error('quad', line, `element ${e + 1} is a quad (4 nodes); quads are not accepted (quads: 'reject')`);
    } else {
      t = addSplitQuad(out, t, corners, x, y, ics, e, line, log);
    }
  }
  return t * 3 === out.length ? out : out.slice(0, 3 * t);
}

function cornersExist(corners: Int32Array, nv: number, np: number, e: number, line: number, log: ProblemLog): boolean {
  for (let k = 0; k < nv; k++) {
    if (corners[k] < 0 || corners[k] >= np) {
      log.error('node-ref', line, `element ${e + 1} references node ${corners[k] + 1}, which does not exist (np = ${np})`);
      return false;
    }
  }
  return true;
}

function cornersDistinct(corners: Int32Array, nv: number, e: number, line: number, log: ProblemLog): boolean {
  for (let a = 0; a < nv; a++) {
    for (let b = a + 1; b < nv; b++) {
      if (corners[a] === corners[b]) {
        log.error('degenerate', line, `element ${e + 1} is degenerate: node ${corners[a] + 1} appears twice`);
        return false;
      }
    }
  }
  return true;
}

/**
 * +1 counter-clockwise, −1 clockwise, 0 degenerate. "Zero area" means the
 * sine of the angle at a is below 1e-12: exact zero would miss collinear
 * nodes whose coordinates do not cancel exactly in floating point.
 */
function orientation(x: Float64Array, y: Float64Array, a: number, b: number, c: number): number {
  const abx = x[b] - x[a];
  const aby = y[b] - y[a];
  const acx = x[c] - x[a];
  const acy = y[c] - y[a];
  const cross = abx * acy - aby * acx;
  if (!(Math.abs(cross) > 1e-12 * Math.hypot(abx, aby) * Math.hypot(acx, acy))) return 0;
  return cross > 0 ? 1 : -1;
}

function addTriangle(out: Int32Array, t: number, c: Int32Array, x: Float64Array, y: Float64Array, e: number, line: number, log: ProblemLog): number {
  const o = orientation(x, y, c[0], c[1], c[2]);
  if (o === 0) {
    log.error('degenerate', line, `element ${e + 1} is degenerate: zero area (nodes ${c[0] + 1}, ${c[1] + 1}, ${c[2] + 1} are collinear)`);
    return t;
  }
  if (o < 0) log.warning('clockwise', line, `element ${e + 1} is clockwise; re-oriented counter-clockwise`);
  out[3 * t] = c[0];
  out[3 * t + 1] = o > 0 ? c[1] : c[2];
  out[3 * t + 2] = o > 0 ? c[2] : c[1];
  return t + 1;
}

/**
 * Splits quad c0 c1 c2 c3 along its shorter diagonal (better-shaped
 * triangles), or along the other one when the shorter lies outside a
 * non-convex quad.
 */
function addSplitQuad(out: Int32Array, t: number, c: Int32Array, x: Float64Array, y: Float64Array, ics: Ics, e: number, line: number, log: ProblemLog): number {
  const along02 = [c[0], c[1], c[2], c[0], c[2], c[3]];
  const along13 = [c[0], c[1], c[3], c[1], c[2], c[3]];
  const shorter02 = meshDistance(ics, x[c[0]], y[c[0]], x[c[2]], y[c[2]]) <= meshDistance(ics, x[c[1]], y[c[1]], x[c[3]], y[c[3]]);
  const candidates = shorter02 ? [along02, along13] : [along13, along02];
  for (const tri of candidates) {
    const o = orientation(x, y, tri[0], tri[1], tri[2]);
    if (o === 0 || o !== orientation(x, y, tri[3], tri[4], tri[5])) continue;
    const diagonal = tri === along02 ? [c[0], c[2]] : [c[1], c[3]];
    const shorter = tri === candidates[0] ? 'shorter' : 'longer (the shorter lies outside the quad)';
    const turned = o < 0 ? '; it was clockwise and is re-oriented counter-clockwise' : '';
    log.warning('quad', line, `element ${e + 1} is a quad; split into two triangles along its ${shorter} diagonal ${diagonal[0] + 1}–${diagonal[1] + 1}${turned}`);
    for (let k = 0; k < 6; k += 3) {
      out[3 * t] = tri[k];
      out[3 * t + 1] = o > 0 ? tri[k + 1] : tri[k + 2];
      out[3 * t + 2] = o > 0 ? tri[k + 2] : tri[k + 1];
      t++;
    }
    return t;
  }
  log.error('degenerate', line, `element ${e + 1} is a degenerate or self-intersecting quad: neither diagonal splits it into two proper triangles`);
  return t;
}

/**
 * Elements with the same node set share their smallest node, so elements are
 * bucketed by it (a counting sort: linear, and cache-friendly on the usual
 * spatially numbered meshes) and compared only within a bucket.
 */
function reportDuplicateElements(draft: MeshDraft, log: ProblemLog): void {
  const { elements, elementSizes, elementLines } = draft;
  const np = draft.x.length;
  const start = new Int32Array(np + 1);
  const bucketOf = (e: number) => {
    let smallest = elements[4 * e];
    for (let k = 1; k < elementSizes[e]; k++) smallest = Math.min(smallest, elements[4 * e + k]);
    return smallest >= 0 && smallest < np ? smallest : -1; // a missing node is reported elsewhere
  };
  for (let e = 0; e < elementSizes.length; e++) {
    const n = bucketOf(e);
    if (n >= 0) start[n + 1]++;
  }
  for (let n = 0; n < np; n++) start[n + 1] += start[n];
  const order = new Int32Array(start[np]);
  const fill = start.slice(0, np);
  for (let e = 0; e < elementSizes.length; e++) {
    const n = bucketOf(e);
    if (n >= 0) order[fill[n]++] = e;
  }
  const duplicates: [number, number][] = [];
  const scratchA = new Int32Array(4);
  const scratchB = new Int32Array(4);
  for (let n = 0; n < np; n++) {
    if (start[n + 1] - start[n] > 1) findDuplicates(draft, order.subarray(start[n], start[n + 1]), duplicates, scratchA, scratchB);
  }
  // In element order, so that the problem cap keeps the first ones in the file.
  duplicates.sort((p, q) => p[0] - q[0]);
  for (const [e, o] of duplicates) log.error('duplicate', elementLines[e], `element ${e + 1} duplicates element ${o + 1} (line ${elementLines[o]}): same nodes`);
}

/** Adds [element, earlier element with the same nodes] pairs found in one bucket (elements in index order). */
function findDuplicates(draft: MeshDraft, bucket: Int32Array, into: [number, number][], a: Int32Array, b: Int32Array): void {
  if (bucket.length > 16) return findDuplicatesSorted(draft, bucket, into);
  const { elements, elementSizes } = draft;
  for (let j = 1; j < bucket.length; j++) {
    const nv = elementSizes[bucket[j]];
    sortedCorners(elements, nv, bucket[j], a);
    for (let i = 0; i < j; i++) {
      if (elementSizes[bucket[i]] === nv && compareKeys(a, sortedCorners(elements, nv, bucket[i], b), nv) === 0) {
        into.push([bucket[j], bucket[i]]);
        break;
      }
    }
  }
}

/** A fan centre can be the smallest node of thousands of elements: sort those rather than compare every pair. */
function findDuplicatesSorted({ elements, elementSizes }: MeshDraft, bucket: Int32Array, into: [number, number][]): void {
  const keys = Array.from(bucket, (e) => sortedCorners(elements, elementSizes[e], e, new Int32Array(elementSizes[e])));
  const byKey = (i: number, j: number) => keys[i].length - keys[j].length || compareKeys(keys[i], keys[j], keys[i].length) || i - j;
  const ranked = Array.from(bucket, (_, i) => i).sort(byKey);
  let runStart = ranked[0];
  for (let r = 1; r < ranked.length; r++) {
    const i = ranked[r];
    if (keys[i].length === keys[runStart].length && compareKeys(keys[i], keys[runStart], keys[i].length) === 0) into.push([bucket[i], bucket[runStart]]);
    else runStart = i;
  }
}

/** Lexicographic order of the first nv corners. */
function compareKeys(a: Int32Array, b: Int32Array, nv: number): number {
  for (let k = 0; k < nv; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}

function sortedCorners(elements: Int32Array, nv: number, e: number, into: Int32Array): Int32Array {
  for (let k = 0; k < nv; k++) {
    const v = elements[4 * e + k];
    let j = k;
    for (; j > 0 && into[j - 1] > v; j--) into[j] = into[j - 1];
    into[j] = v;
  }
  return into;
}

/** Counts use by the elements as written, so that an element left out for another error does not add noise here. */
function reportUnusedNodes(draft: MeshDraft, log: ProblemLog): void {
  const { elements, elementSizes } = draft;
  const used = new Uint8Array(draft.x.length);
  for (let e = 0; e < elementSizes.length; e++) {
    // A reference past the nodes (reported elsewhere) writes outside the typed array, which is a no-op.
    for (let k = 0; k < elementSizes[e]; k++) used[elements[4 * e + k]] = 1;
  }
  for (let n = 0; n < used.length; n++) {
    if (!used[n]) log.warning('unused-node', draft.nodeLines[n], `node ${n + 1} is not part of any element`);
  }
}

function checkBoundary(boundary: BoundaryDraft, name: string, draft: MeshDraft, log: ProblemLog): Int32Array {
  const np = draft.x.length;
  boundary.nodes.forEach((n, j) => {
    if (n < 0 || n >= np) log.error('boundary-node', boundary.lines[j], `${name}: node ${n + 1} does not exist (np = ${np})`);
  });
  return boundary.nodes;
}

function checkLandKind(boundary: BoundaryDraft, i: number, log: ProblemLog): number {
  const kind = boundary.kind ?? 0;
  if (kind !== 0 && kind !== 1) {
    log.warning('boundary-kind', boundary.line, `land boundary ${i + 1}: ibtype ${kind} is not a SCHISM kind (0 land, 1 island)`);
  }
  return kind;
}
