/**
 * SCHISM hgrid.gr3 (= ADCIRC fort.14) and gr3 property files (elev.ic,
 * manning.gr3, …): a streaming reader and writer.
 *
 * The reader pulls the file through one reused buffer and parses numbers
 * straight from the bytes into typed arrays, so a million-node mesh never
 * exists as one string. Anything after the numbers a line needs is a comment
 * (`= Number of open boundaries`, `! …`). Syntax errors (truncation, a field
 * that is not a number, an impossible count) stop the read; everything else
 * is collected as problems (see mesh.ts).
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  MeshError,
  ProblemLog,
  hasErrors,
  validateMesh,
  type BoundaryDraft,
  type Mesh,
  type MeshDraft,
  type MeshOptions,
  type MeshProblem,
} from './mesh.js';

const DEFAULT_CHUNK = 4 << 20;
const MAX_LINE_BYTES = 16 << 20;
/** Enough fields for a quad record `id 4 n1 n2 n3 n4`; later tokens are comment. */
const MAX_TOKENS = 8;
/** np and ne above this are a typo or a different format, not a mesh that fits in memory. */
const MAX_COUNT = 1 << 30;

export interface ReadOptions {
  /** Bytes read per chunk (the buffer grows for a longer line). Default 4 MiB. */
  chunkSize?: number;
  /** Problems kept per kind before the rest are only counted. Default 100. */
  problemCap?: number;
}

export interface ReadMeshOptions extends MeshOptions, ReadOptions {}

/** A read mesh and every problem found; `mesh` is null when a syntax error stopped the read. */
export interface MeshReading {
  mesh: Mesh | null;
  problems: MeshProblem[];
}

/** Reads and validates an hgrid.gr3; never throws for problems in the file, only for I/O. */
export async function readMesh(path: string, options: ReadMeshOptions = {}): Promise<MeshReading> {
  const log = new ProblemLog(options.problemCap);
  const draft = await parseFile(path, 'mesh', log, options.chunkSize);
  const mesh = draft && validateMesh(draft, options, log);
  return { mesh, problems: log.list() };
}

/** Reads a mesh a program can use, or throws a MeshError listing every problem when any is an error. */
export async function loadMesh(path: string, options: ReadMeshOptions = {}): Promise<Mesh> {
  const { mesh, problems } = await readMesh(path, options);
  if (!mesh || hasErrors(problems)) throw new MeshError(path, problems);
  return mesh;
}

export interface ReadPropertyOptions extends ReadOptions {
  /** The mesh the values belong to: node count and coordinates must match it. */
  mesh?: Mesh;
  /**
   * Largest coordinate difference still taken as the same node. Default 1e-6
   * of the mesh's larger extent: property files are often written with fewer
   * digits than the hgrid.gr3 they come from.
   */
  tolerance?: number;
}

export interface PropertyReading {
  title: string;
  /** One value per node (the depth column); null when a syntax error stopped the read. */
  values: Float64Array | null;
  problems: MeshProblem[];
}

/** Reads a gr3 property file (elements and boundaries, if any, are read and ignored). */
export async function readGr3Property(path: string, options: ReadPropertyOptions = {}): Promise<PropertyReading> {
  const log = new ProblemLog(options.problemCap);
  const draft = await parseFile(path, 'property', log, options.chunkSize);
  if (draft && options.mesh) checkAgainstMesh(draft, options.mesh, options.tolerance, log);
  return { title: draft?.title ?? '', values: draft?.depth ?? null, problems: log.list() };
}

/** The values of a property file, or a MeshError when it has errors or does not fit the mesh. */
export async function loadGr3Property(path: string, options: ReadPropertyOptions = {}): Promise<Float64Array> {
  const { values, problems } = await readGr3Property(path, options);
  if (!values || hasErrors(problems)) throw new MeshError(path, problems);
  return values;
}

function checkAgainstMesh(draft: MeshDraft, mesh: Mesh, tolerance: number | undefined, log: ProblemLog): void {
  const np = mesh.x.length;
  if (draft.x.length !== np) {
    log.error('node-count', draft.countsLine, `np = ${draft.x.length}, but the mesh has ${np} nodes`);
    return;
  }
  const tol = tolerance ?? 1e-6 * Math.max(extent(mesh.x), extent(mesh.y));
  for (let i = 0; i < np; i++) {
    if (Math.abs(draft.x[i] - mesh.x[i]) > tol || Math.abs(draft.y[i] - mesh.y[i]) > tol) {
      log.error('coordinates', draft.nodeLines[i], `node ${i + 1} is at (${draft.x[i]}, ${draft.y[i]}), but the mesh node is at (${mesh.x[i]}, ${mesh.y[i]})`);
    }
  }
}

function extent(values: Float64Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}

/** A problem that stops the read: the file cannot be understood past this line. */
class Gr3SyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

type Gr3Kind = 'mesh' | 'property';

async function parseFile(path: string, kind: Gr3Kind, log: ProblemLog, chunkSize = DEFAULT_CHUNK): Promise<MeshDraft | null> {
  const file = await open(path, 'r');
  try {
    return await parseGr3(new LineCursor(file, chunkSize), kind, log);
  } catch (error) {
    if (!(error instanceof Gr3SyntaxError)) throw error;
    log.error('syntax', Math.max(1, error.line), error.message);
    return null;
  } finally {
    await file.close();
  }
}

/**
 * Lines of a file, one at a time, split into whitespace-separated tokens
 * without leaving the byte buffer. `next()` serves what is buffered and says
 * false when it needs `refill()`; the hot loops call it synchronously and only
 * await at chunk boundaries.
 */
class LineCursor {
  buf: Buffer;
  /** Physical line number (1-based) of the current line, blank lines included. */
  lineNo = 0;
  lineStart = 0;
  lineEnd = 0;
  /** Tokens on the current line (at most MAX_TOKENS are recorded). */
  count = 0;
  readonly tokenStart = new Int32Array(MAX_TOKENS);
  readonly tokenEnd = new Int32Array(MAX_TOKENS);
  private pos = 0;
  private filled = 0;
  private eof = false;

  constructor(
    private readonly file: FileHandle,
    chunkSize: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(16, chunkSize));
  }

  get exhausted(): boolean {
    return this.eof && this.pos >= this.filled;
  }

  /** Moves to the next complete line (the next non-blank one with skipBlank); false when more bytes are needed or none are left. */
  next(skipBlank = true): boolean {
    const b = this.buf;
    const filled = this.filled;
    for (;;) {
      const start = this.pos;
      let i = start;
      let count = 0;
      let inToken = false;
      for (; i < filled; i++) {
        const ch = b[i];
        if (ch === 10) break;
        if (ch === 32 || ch === 9 || ch === 13) {
          if (inToken && count <= MAX_TOKENS) this.tokenEnd[count - 1] = i;
          inToken = false;
        } else if (!inToken) {
          inToken = true;
          if (count < MAX_TOKENS) this.tokenStart[count] = i;
          count++;
        }
      }
      if (i === filled && (!this.eof || start === filled)) return false;
      if (inToken && count <= MAX_TOKENS) this.tokenEnd[count - 1] = i;
      this.lineNo++;
      this.lineStart = start;
      this.lineEnd = i;
      this.count = Math.min(count, MAX_TOKENS);
      this.pos = i < filled ? i + 1 : i;
      if (count > 0 || !skipBlank) return true;
    }
  }

  /** Keeps the unfinished line, reads the next chunk after it. */
  async refill(): Promise<void> {
    const kept = this.filled - this.pos;
    if (kept === this.buf.length) this.grow();
    else this.buf.copyWithin(0, this.pos, this.filled);
    this.pos = 0;
    this.filled = kept;
    const { bytesRead } = await this.file.read(this.buf, kept, this.buf.length - kept, null);
    this.filled += bytesRead;
    if (bytesRead === 0) this.eof = true;
  }

  private grow(): void {
    if (this.buf.length >= MAX_LINE_BYTES) throw new Gr3SyntaxError(this.lineNo + 1, `line longer than ${MAX_LINE_BYTES >> 20} MiB`);
    const bigger = Buffer.allocUnsafe(this.buf.length * 2);
    this.buf.copy(bigger, 0, 0, this.filled);
    this.buf = bigger;
  }

  token(k: number): string {
    const text = this.buf.toString('latin1', this.tokenStart[k], this.tokenEnd[k]);
    return text.length > 40 ? `${text.slice(0, 40)}…` : text;
  }

  lineText(): string {
    return this.buf.toString('utf8', this.lineStart, Math.min(this.lineEnd, this.lineStart + 80)).trim();
  }

  /**
   * Token k as a number; otherwise a syntax error naming the field and the
   * record (`record index`, or `record` alone for index 0: the message is
   * built only on failure, keeping the per-line path free of string work).
   */
  decimal(k: number, field: string, record: string, index = 0): number {
    const v = k < this.count ? parseDecimal(this.buf, this.tokenStart[k], this.tokenEnd[k]) : NaN;
    if (Number.isNaN(v)) this.fieldError(k, field, index ? `${record} ${index}` : record, 'a number');
    return v;
  }

  integer(k: number, field: string, record: string, index = 0): number {
    const v = k < this.count ? parseInteger(this.buf, this.tokenStart[k], this.tokenEnd[k]) : NaN;
    if (Number.isNaN(v)) this.fieldError(k, field, index ? `${record} ${index}` : record, 'an integer');
    return v;
  }

  /** Leading tokens that read as numbers; the rest of the line is comment. */
  numericTokens(): number {
    let k = 0;
    while (k < this.count && !Number.isNaN(parseDecimal(this.buf, this.tokenStart[k], this.tokenEnd[k]))) k++;
    return k;
  }

  fieldError(k: number, field: string, record: string, expected: string): never {
    const problem = k < this.count ? `is not ${expected}: '${this.token(k)}'` : 'is missing';
    throw new Gr3SyntaxError(this.lineNo, `${record}: ${field} ${problem}`);
  }
}

/** Next non-blank line, refilling as needed; false at the end of the file. */
async function nextRecord(c: LineCursor): Promise<boolean> {
  while (!c.next()) {
    if (c.exhausted) return false;
    await c.refill();
  }
  return true;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A decimal number (Fortran D exponents accepted) from bytes [start, end), or
 * NaN when the text is not one. Exact: with at most 15 significant digits
 * and |exponent| ≤ 22 both the digits and the power of ten are exact doubles,
 * so the one correctly rounded IEEE multiplication or division gives the
 * nearest double (Clinger's fast path); anything else goes through Number().
 */
export function parseDecimal(b: Buffer, start: number, end: number): number {
  let i = start;
  const negative = b[i] === 45;
  if (negative || b[i] === 43) i++;
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let exp10 = 0;
  let inFraction = false;
  for (; i < end; i++) {
    const ch = b[i];
    if (ch === 46 && !inFraction) {
      inFraction = true;
      continue;
    }
    const d = ch - 48;
    if (d < 0 || d > 9) break;
    digits++;
    if (inFraction) exp10--;
    if (mantissa !== 0 || d !== 0) {
      significant++;
      mantissa = mantissa * 10 + d;
    }
  }
  if (digits === 0) return NaN;
  if (i < end) {
    const exponent = parseExponent(b, i, end);
    if (Number.isNaN(exponent)) return NaN;
    exp10 += exponent;
  }
  if (significant > 15 || exp10 < -22 || exp10 > 22) return Number(b.toString('latin1', start, end).replace(/[dD]/, 'e'));
  const v = exp10 < 0 ? mantissa / POW10[-exp10] : mantissa * POW10[exp10];
  return negative ? -v : v;
}

/** The exponent part `e-7`, `E+21`, `D0` starting at i, or NaN. */
function parseExponent(b: Buffer, i: number, end: number): number {
  const marker = b[i] | 0x20;
  if (marker !== 101 && marker !== 100) return NaN;
  i++;
  const negative = b[i] === 45;
  if (i < end && (negative || b[i] === 43)) i++;
  if (i === end) return NaN;
  let exponent = 0;
  for (; i < end; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return NaN;
    if (exponent < 1e6) exponent = exponent * 10 + d;
  }
  return negative ? -exponent : exponent;
}

/** A 32-bit signed integer from bytes [start, end), or NaN. */
export function parseInteger(b: Buffer, start: number, end: number): number {
  let i = start;
  const negative = b[i] === 45;
  if (negative || b[i] === 43) i++;
  if (i === end || end - i > 10) return NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  if (v > 2147483647) return NaN;
  return negative ? -v : v;
}

async function parseGr3(c: LineCursor, kind: Gr3Kind, log: ProblemLog): Promise<MeshDraft> {
  const title = await readTitle(c);
  if (!(await nextRecord(c))) throw new Gr3SyntaxError(c.lineNo, 'file ends before the `ne np` line');
  const countsLine = c.lineNo;
  const ne = count(c, 0, 'ne', 'the `ne np` line (elements, nodes)');
  const np = count(c, 1, 'np', 'the `ne np` line (elements, nodes)');
  if (np === 0) throw new Gr3SyntaxError(countsLine, 'np = 0: the file has no nodes');
  const nodes = await readNodes(c, np, log);
  const elements = await readElements(c, ne, kind, log);
  const boundaries = await readBoundaries(c, log);
  return { title, countsLine, ...nodes, ...elements, ...boundaries };
}

async function readTitle(c: LineCursor): Promise<string> {
  while (!c.next(false)) {
    if (c.exhausted) throw new Gr3SyntaxError(1, 'the file is empty');
    await c.refill();
  }
  const bom = c.buf[c.lineStart] === 0xef && c.buf[c.lineStart + 1] === 0xbb && c.buf[c.lineStart + 2] === 0xbf ? 3 : 0;
  return c.buf.toString('utf8', c.lineStart + bom, c.lineEnd).trim();
}

function count(c: LineCursor, k: number, field: string, record: string): number {
  const n = c.integer(k, field, record);
  if (n < 0 || n > MAX_COUNT) throw new Gr3SyntaxError(c.lineNo, `${record}: ${field} = ${n} is out of range 0..${MAX_COUNT}`);
  return n;
}

async function readNodes(c: LineCursor, np: number, log: ProblemLog): Promise<Pick<MeshDraft, 'x' | 'y' | 'depth' | 'nodeLines'>> {
  const x = new Float64Array(np);
  const y = new Float64Array(np);
  const depth = new Float64Array(np);
  const nodeLines = new Int32Array(np);
  for (let i = 0; i < np; i++) {
    if (!c.next() && !(await nextRecord(c))) throw new Gr3SyntaxError(c.lineNo, `file ends after ${i} of ${np} nodes (np = ${np})`);
    const id = c.integer(0, 'id', 'node', i + 1);
    x[i] = c.decimal(1, 'x', 'node', i + 1);
    y[i] = c.decimal(2, 'y', 'node', i + 1);
    depth[i] = c.decimal(3, 'depth', 'node', i + 1);
    nodeLines[i] = c.lineNo;
    if (id !== i + 1) log.error('node-id', c.lineNo, `node id ${id} out of sequence: expected ${i + 1} (ids must run 1..np in order)`);
  }
  return { x, y, depth, nodeLines };
}

/** Element records; a property file may stop before them even when ne > 0. */
async function readElements(c: LineCursor, ne: number, kind: Gr3Kind, log: ProblemLog): Promise<Pick<MeshDraft, 'elements' | 'elementSizes' | 'elementLines'>> {
  if (kind === 'property' && (ne === 0 || !(await nextRecord(c)))) return { elements: new Int32Array(0), elementSizes: new Uint8Array(0), elementLines: new Int32Array(0) };
  const elements = new Int32Array(4 * ne);
  const elementSizes = new Uint8Array(ne);
  const elementLines = new Int32Array(ne);
  for (let e = 0; e < ne; e++) {
    const pending = kind === 'property' && e === 0; // the first record is already current
    if (!pending && !c.next() && !(await nextRecord(c))) throw new Gr3SyntaxError(c.lineNo, `file ends after ${e} of ${ne} elements (ne = ${ne})`);
    const id = c.integer(0, 'id', 'element', e + 1);
    const nv = elementSize(c, e + 1);
    for (let k = 0; k < nv; k++) elements[4 * e + k] = c.integer(2 + k, CORNER_FIELDS[k], 'element', e + 1) - 1;
    elementSizes[e] = nv;
    elementLines[e] = c.lineNo;
    if (id !== e + 1) log.error('element-id', c.lineNo, `element id ${id} out of sequence: expected ${e + 1} (ids must run 1..ne in order)`);
  }
  return { elements, elementSizes, elementLines };
}

const CORNER_FIELDS = ['node 1', 'node 2', 'node 3', 'node 4'];

function elementSize(c: LineCursor, index: number): 3 | 4 {
  const nv = c.count > 1 ? parseInteger(c.buf, c.tokenStart[1], c.tokenEnd[1]) : NaN;
  if (nv === 3 || nv === 4) return nv;
  const record = `element ${index}`;
  if (c.count < 2) c.fieldError(1, 'nv', record, '');
  const looksLikeNode = c.numericTokens() === 4 || c.token(1).includes('.');
  const hint = looksLikeNode ? ' (this looks like a node record `id x y depth`: is np too small?)' : '';
  throw new Gr3SyntaxError(c.lineNo, `${record}: nv must be 3 (triangle) or 4 (quad), found '${c.token(1)}'${hint}`);
}

async function readBoundaries(c: LineCursor, log: ProblemLog): Promise<Pick<MeshDraft, 'openBoundaries' | 'landBoundaries'>> {
  const none = { openBoundaries: [], landBoundaries: [] };
  if (!(await nextRecord(c))) return none;
  const openBoundaries = await readBoundaryGroup(c, log, OPEN);
  if (!(await nextRecord(c))) return { openBoundaries, landBoundaries: [] };
  const landBoundaries = await readBoundaryGroup(c, log, LAND);
  if (await nextRecord(c)) log.warning('trailing', c.lineNo, `unexpected content after the land boundaries, ignored: '${c.lineText()}'`);
  return { openBoundaries, landBoundaries };
}

/** The words that differ between the open and the land boundary sections. */
interface BoundaryGroup {
  name: string;
  plural: string;
  countField: string;
  totalField: string;
  totalName: string;
  sizeField: string;
  /** Land boundaries carry ibtype after their size. */
  hasKind: boolean;
  /** A mistake that most often leads to a malformed group header. */
  headerHint: string;
}

const OPEN: BoundaryGroup = {
  name: 'open boundary',
  plural: 'open boundaries',
  countField: 'nope (number of open boundaries)',
  totalField: 'neta (total number of open boundary nodes)',
  totalName: 'neta',
  sizeField: 'nvdll',
  hasKind: false,
  headerHint: ' (is ne too small?)',
};

const LAND: BoundaryGroup = {
  name: 'land boundary',
  plural: 'land boundaries',
  countField: 'nland (number of land boundaries)',
  totalField: 'nvel (total number of land boundary nodes)',
  totalName: 'nvel',
  sizeField: 'nvel',
  hasKind: true,
  headerHint: '',
};

/** One boundary section: `count`, `total`, then each boundary's header and node lines. The current line is the count line. */
async function readBoundaryGroup(c: LineCursor, log: ProblemLog, group: BoundaryGroup): Promise<BoundaryDraft[]> {
  const section = `${group.name} section`;
  const n = headerNumber(c, section, group.countField, 1, group.headerHint);
  if (!(await nextRecord(c))) throw new Gr3SyntaxError(c.lineNo, `file ends inside the ${section}: ${group.totalField} is missing`);
  const totalLine = c.lineNo;
  const total = headerNumber(c, section, group.totalField, 1, '');
  const boundaries: BoundaryDraft[] = [];
  let listed = 0;
  for (let b = 0; b < n; b++) {
    const boundary = await readBoundary(c, group, b + 1);
    listed += boundary.nodes.length;
    boundaries.push(boundary);
  }
  if (listed !== total) {
    log.error('count', totalLine, `${group.totalName} = ${total}, but the ${n} ${n === 1 ? group.name : group.plural} list ${listed} nodes`);
  }
  return boundaries;
}

async function readBoundary(c: LineCursor, group: BoundaryGroup, index: number): Promise<BoundaryDraft> {
  const where = `${group.name} ${index}`;
  if (!(await nextRecord(c))) throw new Gr3SyntaxError(c.lineNo, `file ends before ${where}`);
  const line = c.lineNo;
  const size = headerNumber(c, where, group.sizeField, 2, '');
  const kind = group.hasKind ? c.integer(1, 'ibtype (0 land, 1 island)', where) : undefined;
  // Grown as nodes arrive: a mistyped huge count then ends in a clear truncation error, not an allocation failure.
  const nodeRecord = `${where}, node`;
  let nodes: Int32Array = new Int32Array(Math.min(size, 1024));
  let lines: Int32Array = new Int32Array(nodes.length);
  for (let j = 0; j < size; j++) {
    if (!c.next() && !(await nextRecord(c))) throw new Gr3SyntaxError(c.lineNo, `file ends inside ${where}: ${j} of ${size} nodes (${group.sizeField} = ${size})`);
    if (j === nodes.length) [nodes, lines] = [grown(nodes, size), grown(lines, size)];
    nodes[j] = c.integer(0, 'node id', nodeRecord, j + 1) - 1;
    lines[j] = c.lineNo;
  }
  return kind === undefined ? { line, nodes, lines } : { line, kind, nodes, lines };
}

function grown(a: Int32Array, limit: number): Int32Array {
  const bigger = new Int32Array(Math.min(limit, 2 * a.length));
  bigger.set(a);
  return bigger;
}

/** A count in the first field of a header line that holds at most `allowed` numbers before its comment. */
function headerNumber(c: LineCursor, record: string, field: string, allowed: number, hint: string): number {
  const numbers = c.numericTokens();
  if (numbers > allowed) {
    throw new Gr3SyntaxError(c.lineNo, `${record}: expected ${field}, found a record of ${numbers} numbers: '${c.lineText()}'${hint}`);
  }
  const n = c.integer(0, field, record);
  if (n < 0) throw new Gr3SyntaxError(c.lineNo, `${record}: ${field} = ${n} is negative`);
  return n;
}

export interface WriteOptions {
  /** Bytes buffered before each write. Default 4 MiB. */
  chunkSize?: number;
}

/** Writes an hgrid.gr3 whose numbers read back bit-identical (shortest round-trip decimal). */
export async function writeMesh(path: string, mesh: Mesh, options: WriteOptions = {}): Promise<void> {
  await withWriter(path, options, async (w) => {
    await writeNodesAndElements(w, mesh.title, mesh, mesh.depth, mesh.triangles);
    await writeBoundaries(w, mesh);
  });
}

/** Writes a gr3 property file: the mesh's nodes with `values` in the depth column, and its elements. */
export async function writeGr3Property(path: string, mesh: Mesh, values: Float64Array, title = mesh.title, options: WriteOptions = {}): Promise<void> {
  if (values.length !== mesh.x.length) throw new Error(`${values.length} values for a mesh of ${mesh.x.length} nodes`);
  await withWriter(path, options, (w) => writeNodesAndElements(w, title, mesh, values, mesh.triangles));
}

async function withWriter(path: string, options: WriteOptions, write: (w: ChunkWriter) => Promise<void>): Promise<void> {
  const file = await open(path, 'w');
  try {
    const w = new ChunkWriter(file, options.chunkSize ?? DEFAULT_CHUNK);
    await write(w);
    await w.flush();
  } finally {
    await file.close();
  }
}

async function writeNodesAndElements(w: ChunkWriter, title: string, mesh: Mesh, column: Float64Array, triangles: Int32Array): Promise<void> {
  if (/[\r\n]/.test(title)) throw new Error('a gr3 title must be one line');
  await w.line(title, 'utf8');
  const ne = triangles.length / 3;
  await w.line(`${ne} ${mesh.x.length}`);
  for (let i = 0; i < mesh.x.length; i++) {
    const line = `${i + 1} ${formatNumber(mesh.x[i], i)} ${formatNumber(mesh.y[i], i)} ${formatNumber(column[i], i)}`;
    if (!w.put(line)) await w.line(line);
  }
  for (let t = 0; t < ne; t++) {
    const line = `${t + 1} 3 ${triangles[3 * t] + 1} ${triangles[3 * t + 1] + 1} ${triangles[3 * t + 2] + 1}`;
    if (!w.put(line)) await w.line(line);
  }
}

async function writeBoundaries(w: ChunkWriter, mesh: Mesh): Promise<void> {
  const sum = (list: { nodes: Int32Array }[]) => list.reduce((n, b) => n + b.nodes.length, 0);
  await w.line(`${mesh.openBoundaries.length} = Number of open boundaries`);
  await w.line(`${sum(mesh.openBoundaries)} = Total number of open boundary nodes`);
  for (const [k, b] of mesh.openBoundaries.entries()) {
    await w.line(`${b.nodes.length} = Number of nodes for open boundary ${k + 1}`);
    await writeBoundaryNodes(w, b.nodes);
  }
  await w.line(`${mesh.landBoundaries.length} = Number of land boundaries`);
  await w.line(`${sum(mesh.landBoundaries)} = Total number of land boundary nodes`);
  for (const [k, b] of mesh.landBoundaries.entries()) {
    await w.line(`${b.nodes.length} ${b.kind} = Number of nodes for land boundary ${k + 1}`);
    await writeBoundaryNodes(w, b.nodes);
  }
}

async function writeBoundaryNodes(w: ChunkWriter, nodes: Int32Array): Promise<void> {
  for (const n of nodes) {
    const line = String(n + 1);
    if (!w.put(line)) await w.line(line);
  }
}

/** JS's shortest round-trip decimal; -0 is spelled out because String(-0) is "0". */
function formatNumber(v: number, node: number): string {
  if (!Number.isFinite(v)) throw new Error(`node ${node + 1}: ${v} cannot be written to a gr3 file`);
  return Object.is(v, -0) ? '-0' : String(v);
}

/** Collects lines in one buffer and writes it when full. */
class ChunkWriter {
  private readonly buf: Buffer;
  private pos = 0;

  constructor(
    private readonly file: FileHandle,
    chunkSize: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(256, chunkSize));
  }

  /** Buffers an ASCII line if it fits; false when the buffer must be flushed first. */
  put(line: string): boolean {
    if (this.pos + line.length + 1 > this.buf.length) return false;
    this.pos += this.buf.write(line, this.pos, 'latin1');
    this.buf[this.pos++] = 10;
    return true;
  }

  async line(text: string, encoding: 'latin1' | 'utf8' = 'latin1'): Promise<void> {
    const bytes = Buffer.from(`${text}\n`, encoding);
    if (this.pos + bytes.length > this.buf.length) await this.flush();
    if (bytes.length > this.buf.length) await this.file.write(bytes);
    else this.pos += bytes.copy(this.buf, this.pos);
  }

  async flush(): Promise<void> {
    if (this.pos > 0) await this.file.write(this.buf, 0, this.pos);
    this.pos = 0;
  }
}
