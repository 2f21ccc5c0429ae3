/**
 * SCHISM's bctides.in: tidal potential, boundary forcing frequencies and the
 * forcing type of each open boundary, read and written in SCHISM's layout
 * (as schism_init.F90 reads it):
 *
 * ```
 * <date line, not read by SCHISM>
 * ntip tip_dp                       tidal potential constituents, cut-off depth (m)
 *   name                            } ntip times
 *   species amplitude frequency nodal_factor equilibrium_argument
 * nbfr                              boundary forcing frequencies
 *   name                            } nbfr times
 *   frequency nodal_factor equilibrium_argument
 * nope                              open boundaries (as in hgrid.gr3)
 *   neta iettype ifltype itetype isatype      } nope times, then by iettype:
 *     2: one line, the elevation (m)
 *     3, 5: per frequency, its name, then neta lines `amplitude phase`
 *     0, 1, 4: nothing (4 and 5 read elev2D.th.nc, 1 reads elev.th)
 *   then the blocks of ifltype, itetype and isatype when non-zero
 * ```
 *
 * Frequencies are in rad/s, equilibrium arguments and phases in degrees.
 * SCHISM pairs a boundary's tidal blocks with the nbfr frequencies by
 * position, not by name; the reader checks that the names agree, so a
 * reordered list cannot silently pair a wave with the wrong frequency.
 *
 * As in SCHISM each value record takes its numbers from the start of the
 * line and ignores the rest (where files carry their comments). Stricter than
 * SCHISM: all numbers of a record must be on its line, and blank lines and
 * content after the last boundary are errors.
 *
 * The header of a boundary holds one tracer type per tracer model; the
 * reader assumes SCHISM without tracer modules (T and S only: itetype,
 * isatype). Blocks for non-zero ifltype, itetype and isatype are kept as
 * lines so the file writes back unchanged; the built-in model rejects them
 * (checkBuiltInSupport).
 */
import { readFile } from 'node:fs/promises';
import type { Mesh } from '../mesh/mesh.js';
import { parseFortranNumber } from './namelist.js';
import { InputFileError, type InputProblem } from '../inputProblems.js';

export interface TidalPotentialConstituent {
  name: string;
  /** 0 long period, 1 diurnal, 2 semi-diurnal. */
  species: 0 | 1 | 2;
  /** Equilibrium amplitude (m). */
  amplitude: number;
  /** rad/s. */
  frequency: number;
  nodalFactor: number;
  /** Degrees. */
  equilibriumArgument: number;
  /** Line of the name. */
  line?: number;
}

export interface BoundaryFrequency {
  name: string;
  /** rad/s. */
  frequency: number;
  nodalFactor: number;
  /** Degrees. */
  equilibriumArgument: number;
  /** Line of the name. */
  line?: number;
}

/** One constituent on one boundary: the frequency's constants and an amplitude and phase per boundary node. */
export interface BoundaryTide extends BoundaryFrequency {
  /** Metres, one per boundary node in hgrid.gr3 order. */
  amplitude: Float64Array;
  /** Degrees, one per boundary node. */
  phase: Float64Array;
}

export interface OpenBoundaryForcing {
  /** Number of nodes (neta in bctides.in; hgrid.gr3's count for the boundary). */
  neta: number;
  /** Elevation: 0 none, 1 elev.th, 2 constant, 3 tides, 4 elev2D.th.nc, 5 tides + elev2D.th.nc. */
  iettype: number;
  /** Velocity / flow. */
  ifltype: number;
  /** Temperature. */
  itetype: number;
  /** Salinity. */
  isatype: number;
  /** iettype 2: the elevation (m). */
  elevation?: number;
  /** iettype 3 and 5: one per boundary frequency, in the nbfr order; empty otherwise. */
  tides: BoundaryTide[];
  /** The lines of the ifltype, itetype and isatype blocks, verbatim. */
  otherLines: string[];
  /** Line of the boundary's header. */
  line?: number;
}

export interface Bctides {
  /** The first line: SCHISM does not read it; usually the start date. */
  dateLine: string;
  /** Depth (m) below which the tidal potential is applied. */
  tipDp: number;
  tidalPotential: TidalPotentialConstituent[];
  frequencies: BoundaryFrequency[];
  boundaries: OpenBoundaryForcing[];
  /** Lines of the ntip, nbfr and nope records. */
  lines?: { ntip: number; nbfr: number; nope: number };
}

export interface BctidesProblem extends InputProblem {
  line: number;
}

/** A bctides.in that cannot be read, does not fit the mesh, or asks for what the built-in model lacks. */
export class BctidesError extends InputFileError {
  override name = 'BctidesError';
  constructor(
    file: string,
    override readonly problems: readonly BctidesProblem[],
  ) {
    super(file, problems, problems.length === 1 ? undefined : `${file}: ${problems.length} problems`);
  }
}

export async function readBctides(path: string, mesh?: Mesh): Promise<Bctides> {
  return parseBctides(await readFile(path, 'utf8'), path, mesh);
}

/** Reads bctides.in text; with a mesh, also checks the open boundaries against it. Throws BctidesError. */
export function parseBctides(text: string, file: string, mesh?: Mesh): Bctides {
  const b = new Reader(text, file).bctides();
  if (mesh) checkAgainstMesh(b, mesh, file);
  return b;
}

/** Tracer types and their block lengths in lines (schism_init.F90). */
const TRACER_LINES: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 1, 4: 1 };

class Reader {
  private readonly lines: string[];
  private next = 0;

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    while (this.lines.length > 0 && this.lines[this.lines.length - 1].trim() === '') this.lines.pop();
  }

  bctides(): Bctides {
    if (this.lines.length === 0) throw this.error(1, 'the file is empty');
    const dateLine = this.lines[this.next++];
    const [ntip, tipDp] = this.record('', 'ntip tip_dp', ['count', 'real']);
    const ntipLine = this.lineNo;
    const tidalPotential: TidalPotentialConstituent[] = [];
    for (let i = 0; i < ntip; i++) {
      const { name, line } = this.name(`tidal potential constituent ${i + 1} of ${ntip}`);
      const [species, amplitude, frequency, nodalFactor, equilibriumArgument] = this.record(`tidal potential ${name}`, 'species amplitude frequency nodal_factor equilibrium_argument', ['integer', 'real', 'real', 'real', 'real']);
      if (species < 0 || species > 2) throw this.error(this.lineNo, `tidal potential ${name}: species ${species} must be 0 (long period), 1 (diurnal) or 2 (semi-diurnal)`);
      tidalPotential.push({ name, species: species as 0 | 1 | 2, amplitude, frequency, nodalFactor, equilibriumArgument, line });
    }
    const [nbfr] = this.record('', 'nbfr', ['count']);
    const nbfrLine = this.lineNo;
    const frequencies: BoundaryFrequency[] = [];
    for (let i = 0; i < nbfr; i++) {
      const { name, line } = this.name(`boundary forcing frequency ${i + 1} of ${nbfr}`);
      const twin = frequencies.find((f) => sameName(f.name, name));
      if (twin) throw this.error(line, `frequency ${name} is listed twice (also at line ${twin.line})`);
      const [frequency, nodalFactor, equilibriumArgument] = this.record(`frequency ${name}`, 'frequency nodal_factor equilibrium_argument', ['real', 'real', 'real']);
      frequencies.push({ name, frequency, nodalFactor, equilibriumArgument, line });
    }
    const [nope] = this.record('', 'nope', ['count']);
    const nopeLine = this.lineNo;
    const boundaries: OpenBoundaryForcing[] = [];
    for (let k = 0; k < nope; k++) boundaries.push(this.boundary(k + 1, frequencies));
    if (this.next < this.lines.length) throw this.error(this.next + 1, `unexpected content after the last open boundary: '${this.lines[this.next].trim()}' (is nope or a boundary's neta too small?)`);
    return { dateLine, tipDp, tidalPotential, frequencies, boundaries, lines: { ntip: ntipLine, nbfr: nbfrLine, nope: nopeLine } };
  }

  private boundary(k: number, frequencies: BoundaryFrequency[]): OpenBoundaryForcing {
    const where = `open boundary ${k}`;
    const [neta, iettype, ifltype, itetype, isatype] = this.record(where, 'neta iettype ifltype itetype isatype', ['count', 'integer', 'integer', 'integer', 'integer']);
    const line = this.lineNo;
    const b: OpenBoundaryForcing = { neta, iettype, ifltype, itetype, isatype, tides: [], otherLines: [], line };
    if (iettype === 2) [b.elevation] = this.record(`${where} (iettype 2)`, 'elevation', ['real']);
    else if (iettype === 3 || iettype === 5) b.tides = frequencies.map((f, i) => this.tide(where, f, i, neta));
    else if (iettype !== 0 && iettype !== 1 && iettype !== 4) throw this.error(line, `${where}: iettype ${iettype} is not a SCHISM elevation type (0 to 5)`);
    const flowLines = this.flowLines(where, line, ifltype, neta, frequencies.length);
    const tracerLines = [itetype, isatype].map((type, i) => {
      const count = TRACER_LINES[type];
      if (count === undefined) throw this.error(line, `${where}: ${i === 0 ? 'itetype' : 'isatype'} ${type} is not a SCHISM tracer type (0 to 4)`);
      return count;
    });
    b.otherLines = this.raw(flowLines + tracerLines[0] + tracerLines[1], `${where}: the blocks of ifltype ${ifltype}, itetype ${itetype}, isatype ${isatype}`);
    return b;
  }

  private tide(where: string, f: BoundaryFrequency, i: number, neta: number): BoundaryTide {
    const { name, line } = this.name(`${where}: the name of frequency ${i + 1} (${f.name})`);
    if (!sameName(name, f.name)) {
      throw this.error(line, `${where}: found constituent ${name} where frequency ${i + 1} of the nbfr list, ${f.name}, belongs (SCHISM pairs the blocks with the list by position)`);
    }
    const amplitude = new Float64Array(neta);
    const phase = new Float64Array(neta);
    for (let j = 0; j < neta; j++) {
      [amplitude[j], phase[j]] = this.record(`${where}, ${f.name}, node ${j + 1} of ${neta}`, 'amplitude phase', ['real', 'real']);
      if (amplitude[j] < 0) throw this.error(this.lineNo, `${where}, ${f.name}, node ${j + 1}: amplitude ${amplitude[j]} is negative`);
    }
    return { name: f.name, frequency: f.frequency, nodalFactor: f.nodalFactor, equilibriumArgument: f.equilibriumArgument, amplitude, phase, line };
  }

  /** Lines of a flow block (schism_init.F90): 2 one value, 3 tides as u v pairs, ±4/±5 nudging factors when negative, −1 Flather, −2 a discharge relation. */
  private flowLines(where: string, line: number, ifltype: number, neta: number, nbfr: number): number {
    const tides = nbfr * (1 + neta);
    switch (ifltype) {
      case 0:
      case 1:
      case 4:
        return 0;
      case 2:
      case -4:
      case -2:
        return 1;
      case 3:
      case 5:
        return tides;
      case -5:
        return 1 + tides;
      case -1:
        return 2 * (1 + neta);
      default:
        throw this.error(line, `${where}: ifltype ${ifltype} is not a SCHISM flow type`);
    }
  }

  private get lineNo(): number {
    return this.next;
  }

  /** The next line's numbers, as many as `kinds` asks for, from the start of the line. */
  private record(where: string, fields: string, kinds: ('count' | 'integer' | 'real')[]): number[] {
    const what = where === '' ? fields : `${where}: ${fields}`;
    const text = this.take(what);
    const tokens = text.trim().split(/[\s,]+/);
    const names = fields.split(' ');
    return kinds.map((kind, i) => {
      const token = tokens[i] ?? '';
      const value = parseFortranNumber(token);
      if (value === undefined) throw this.error(this.lineNo, `${what}: expected ${kinds.length} number${kinds.length === 1 ? '' : 's'}, found '${text.trim()}'`);
      if (kind !== 'real' && !Number.isInteger(value)) throw this.error(this.lineNo, `${what}: ${names[i]} must be an integer, found ${token}`);
      if (kind === 'count' && value < 0) throw this.error(this.lineNo, `${what}: ${names[i]} = ${value} is negative`);
      return value;
    });
  }

  private name(what: string): { name: string; line: number } {
    const name = this.take(what).trim().split(/[\s,!]+/)[0];
    if (name === '' || parseFortranNumber(name) !== undefined) throw this.error(this.lineNo, `expected ${what}, found '${this.lines[this.lineNo - 1].trim()}' (is a count above too large or too small?)`);
    return { name, line: this.lineNo };
  }

  private raw(count: number, what: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.take(what));
    return out;
  }

  private take(what: string): string {
    if (this.next >= this.lines.length) throw this.error(this.lines.length, `file ends where ${what} should follow`);
    const text = this.lines[this.next++];
    if (text.trim() === '') throw this.error(this.next, `blank line where ${what} should be (bctides.in has one record per line)`);
    return text;
  }

  private error(line: number, message: string): BctidesError {
    return new BctidesError(this.file, [{ line, message }]);
  }
}

function sameName(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

function checkAgainstMesh(b: Bctides, mesh: Mesh, file: string): void {
  const problems: BctidesProblem[] = [];
  const nopeLine = b.lines?.nope ?? 1;
  if (b.boundaries.length !== mesh.openBoundaries.length) {
    problems.push({ line: nopeLine, message: `nope = ${b.boundaries.length}, but the mesh has ${mesh.openBoundaries.length} open boundaries` });
  }
  const n = Math.min(b.boundaries.length, mesh.openBoundaries.length);
  for (let k = 0; k < n; k++) {
    const boundary = b.boundaries[k];
    const nodes = mesh.openBoundaries[k].nodes.length;
    if (boundary.neta !== nodes) problems.push({ line: boundary.line ?? nopeLine, message: `open boundary ${k + 1}: neta = ${boundary.neta}, but the mesh's open boundary ${k + 1} has ${nodes} nodes` });
  }
  if (problems.length > 0) throw new BctidesError(file, problems);
}

const ELEVATION_TYPES = new Set([0, 2, 3, 4, 5]);

/**
 * Throws a BctidesError listing everything the built-in model does not
 * support: tidal potential (ntip > 0), iettype 1 (elev.th), and any flow or
 * tracer boundary condition (ifltype, itetype, isatype other than 0).
 */
export function checkBuiltInSupport(b: Bctides, file: string): void {
  const problems: BctidesProblem[] = [];
  if (b.tidalPotential.length > 0) {
    problems.push({ line: b.lines?.ntip ?? 1, message: `ntip = ${b.tidalPotential.length}: the built-in model does not apply the tidal potential; set ntip = 0` });
  }
  for (const [k, boundary] of b.boundaries.entries()) {
    const line = boundary.line ?? b.lines?.nope ?? 1;
    const where = `open boundary ${k + 1}`;
    if (!ELEVATION_TYPES.has(boundary.iettype)) {
      problems.push({ line, message: `${where}: iettype ${boundary.iettype} (elev.th, one elevation series for the whole boundary) is not supported by the built-in model; use 0, 2, 3, 4 or 5` });
    }
    const others: [string, number, string][] = [
      ['ifltype', boundary.ifltype, 'velocity or flow'],
      ['itetype', boundary.itetype, 'temperature'],
      ['isatype', boundary.isatype, 'salinity'],
    ];
    for (const [field, value, what] of others) {
      if (value !== 0) problems.push({ line, message: `${where}: ${field} ${value} (${what} boundary condition) is not supported by the built-in model; it must be 0` });
    }
  }
  if (problems.length > 0) throw new BctidesError(file, problems);
}

/** bctides.in text that parseBctides reads back equal (numbers in shortest round-trip form). */
export function formatBctides(b: Bctides): string {
  if (/[\r\n]/.test(b.dateLine)) throw new Error('bctides.in: the date line must be one line');
  const out: string[] = [b.dateLine];
  out.push(`${b.tidalPotential.length} ${num(b.tipDp)} ! ntip, tip_dp`);
  for (const c of b.tidalPotential) {
    out.push(constituentName(c.name), `${c.species} ${num(c.amplitude)} ${num(c.frequency)} ${num(c.nodalFactor)} ${num(c.equilibriumArgument)}`);
  }
  out.push(`${b.frequencies.length} ! nbfr`);
  for (const f of b.frequencies) out.push(constituentName(f.name), `${num(f.frequency)} ${num(f.nodalFactor)} ${num(f.equilibriumArgument)}`);
  out.push(`${b.boundaries.length} ! nope`);
  for (const [k, boundary] of b.boundaries.entries()) {
    const where = `bctides.in, open boundary ${k + 1}`;
    out.push(`${boundary.neta} ${boundary.iettype} ${boundary.ifltype} ${boundary.itetype} ${boundary.isatype} ! neta iettype ifltype itetype isatype`);
    if (boundary.iettype === 2) {
      if (boundary.elevation === undefined) throw new Error(`${where}: iettype 2 needs an elevation`);
      out.push(num(boundary.elevation));
    }
    if (boundary.iettype === 3 || boundary.iettype === 5) out.push(...tideLines(boundary, b.frequencies, where));
    else if (boundary.tides.length > 0) throw new Error(`${where}: tides given with iettype ${boundary.iettype} (only 3 and 5 have them)`);
    for (const line of boundary.otherLines) {
      if (/[\r\n]/.test(line)) throw new Error(`${where}: otherLines must be single lines`);
      out.push(line);
    }
  }
  return out.join('\n') + '\n';
}

function tideLines(boundary: OpenBoundaryForcing, frequencies: BoundaryFrequency[], where: string): string[] {
  if (boundary.tides.length !== frequencies.length) throw new Error(`${where}: ${boundary.tides.length} tides for ${frequencies.length} frequencies (one per frequency, in order)`);
  const out: string[] = [];
  for (const [i, tide] of boundary.tides.entries()) {
    if (!sameName(tide.name, frequencies[i].name)) throw new Error(`${where}: tide ${i + 1} is ${tide.name}, but frequency ${i + 1} is ${frequencies[i].name}`);
    if (tide.amplitude.length !== boundary.neta || tide.phase.length !== boundary.neta) throw new Error(`${where}, ${tide.name}: amplitude and phase need neta = ${boundary.neta} values`);
    out.push(constituentName(tide.name));
    for (let j = 0; j < boundary.neta; j++) out.push(`${num(tide.amplitude[j])} ${num(tide.phase[j])}`);
  }
  return out;
}

function constituentName(name: string): string {
  if (!/^[^\s,!]+$/.test(name) || parseFortranNumber(name) !== undefined) throw new Error(`bctides.in: '${name}' cannot be a constituent name (one word, not a number)`);
  return name;
}

function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`bctides.in: ${v} cannot be written`);
  return Object.is(v, -0) ? '-0' : String(v);
}
