/**
 * Validation of a forcing file that arrived, before anything downstream sees
 * it: a server under load, a proxy or a full disk hand over truncated files,
 * HTML error pages saved as .nc, or a subset that silently misses the end of
 * the forecast, and any of those would otherwise surface hours later as a
 * model blow-up or a flat-calm forecast. Every problem is collected, not just
 * the first, and named: what was looked at, what was expected, what was found.
 */
import { open } from 'node:fs/promises';

import { openNetcdf, type NetcdfFile, type VariableInfo } from '../../core/netcdf/reader.js';
import { DEFAULT_FILL, NetcdfFormatError, type ClassicType, type NumericArray } from '../../core/netcdf/types.js';
import type { BoundingBox, ForcingFile, ForcingRequest } from './source.js';

export interface ForcingProblem {
  /** What was looked at: "file", "variable 'uwind'", "longitude 'lon'", "request". */
  subject: string;
  expected: string;
  found: string;
}

export class ForcingValidationError extends Error {
  constructor(
    /** The request, or the file as the user knows it (its origin), not the cache's temporary name. */
    readonly subject: string,
    readonly problems: ForcingProblem[],
  ) {
    super(`${subject}: ${problems.length === 1 ? 'one problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p.subject}: expected ${p.expected}; found ${p.found}`).join('\n')}`);
    this.name = 'ForcingValidationError';
  }
}

const LONGITUDE_NAMES = ['lon', 'longitude'];
const LATITUDE_NAMES = ['lat', 'latitude'];
/** Coordinates stored as float32 miss a bbox edge on a grid point by this much. */
const COORDINATE_TOLERANCE = 1e-4;

export function requestProblems(request: ForcingRequest): ForcingProblem[] {
  const problems: ForcingProblem[] = [];
  const { bbox, start, end, variables } = request;
  if (variables.length === 0) problems.push({ subject: 'request', expected: 'at least one variable', found: 'none' });
  if (new Set(variables).size !== variables.length) {
    problems.push({ subject: 'request', expected: 'each variable once', found: variables.join(', ') });
  }
  if (!(start.getTime() < end.getTime())) {
    problems.push({ subject: 'request', expected: 'start before end', found: `start ${iso(start)}, end ${iso(end)}` });
  }
  const edges = [bbox.west, bbox.south, bbox.east, bbox.north];
  if (!edges.every(Number.isFinite) || !(bbox.south < bbox.north) || bbox.south < -90 || bbox.north > 90) {
    problems.push({
      subject: 'request',
      expected: 'a bounding box with finite edges and -90 <= south < north <= 90',
      found: `west ${bbox.west}, south ${bbox.south}, east ${bbox.east}, north ${bbox.north}`,
    });
  }
  return problems;
}

/**
 * Checks the NetCDF at `path` against the request: `variables` maps each
 * requested variable to its name in the file. Throws ForcingValidationError,
 * naming the file `name`.
 */
export async function validateForcingFile(
  path: string,
  request: ForcingRequest,
  variables: Record<string, string>,
  name = path,
): Promise<ForcingFile> {
  let file: NetcdfFile;
  try {
    file = await openNetcdf(path);
  } catch (error) {
    throw new ForcingValidationError(name, [await unreadableFile(path, error)]);
  }
  try {
    const problems: ForcingProblem[] = [];
    let times: Date[] = [];
    const checkedTimes = new Set<string>();
    const grid = await horizontalGrid(file, problems);
    for (const [requested, inFile] of Object.entries(variables)) {
      const label = requested === inFile ? `variable '${inFile}'` : `variable '${inFile}' (${requested})`;
      if (!file.hasVariable(inFile)) {
        const known = file.variables.map((v) => v.name).join(', ') || 'no variables';
        problems.push({ subject: label, expected: 'present in the file', found: `only ${known}` });
        continue;
      }
      const variable = file.variable(inFile);
      const timeName = await timeCoordinate(file, variable, label, problems);
      if (timeName === undefined) continue;
      if (grid) checkGridDimensions(variable, grid, label, problems);
      const variableTimes = await file.readTimes(timeName).catch((error: Error) => {
        problems.push({ subject: `time '${timeName}'`, expected: 'decodable CF times', found: error.message.replace(`${path}: `, '') });
        return undefined;
      });
      if (!variableTimes) continue;
      if (!checkedTimes.has(timeName)) {
        checkedTimes.add(timeName);
        checkTimes(timeName, variableTimes, request, problems);
      }
      if (times.length === 0) times = variableTimes;
      await checkValues(file, variable, variableTimes, label, VALUE_RULES[requested], problems);
    }
    let coverage: BoundingBox | undefined;
    if (grid) coverage = checkCoverage(grid, request.bbox, problems);
    if (problems.length > 0 || !coverage) throw new ForcingValidationError(name, problems);
    return { path, variables: { ...variables }, times, coverage };
  } finally {
    await file.close();
  }
}

/** Why the reader refused the file, saying so plainly when it is a web page. */
async function unreadableFile(path: string, error: unknown): Promise<ForcingProblem> {
  const expected = 'a NetCDF file (classic, 64-bit offset or NetCDF-4)';
  if (!(error instanceof NetcdfFormatError)) return { subject: 'file', expected, found: (error as Error).message };
  let found = error.message.startsWith(`${path}: `) ? error.message.slice(path.length + 2) : error.message;
  const text = await leadingText(path);
  if (text !== undefined && /^\s*</.test(text)) {
    const line = text.replace(/<[^>]*>/g, ' ').split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0);
    found += `; it is an HTML/XML page${line ? ` ("${line.slice(0, 120)}")` : ''}, likely a server error page`;
  }
  return { subject: 'file', expected, found };
}

async function leadingText(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const bytes = Buffer.alloc(2048);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    return bytes.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The variable's first dimension, provided a CF time coordinate variable of that name describes it. */
async function timeCoordinate(file: NetcdfFile, variable: VariableInfo, label: string, problems: ForcingProblem[]): Promise<string | undefined> {
  const dimensions = `(${variable.dimensions.join(', ')})`;
  const first = variable.dimensions[0];
  if (first === undefined) {
    problems.push({ subject: label, expected: 'a time dimension first', found: 'a scalar' });
    return undefined;
  }
  const units = file.hasVariable(first) ? file.attribute('units', first)?.value : undefined;
  if (typeof units !== 'string' || !/\bsince\b/i.test(units)) {
    problems.push({
      subject: label,
      expected: "a time dimension first, with a coordinate variable in CF units ('<unit> since <date>')",
      found: `dimensions ${dimensions}, and '${first}' ${file.hasVariable(first) ? `has units ${JSON.stringify(units ?? null)}` : 'has no coordinate variable'}`,
    });
    return undefined;
  }
  return first;
}

function checkTimes(name: string, times: Date[], request: ForcingRequest, problems: ForcingProblem[]): void {
  const subject = `time '${name}'`;
  const wanted = `${iso(request.start)} to ${iso(request.end)}`;
  if (times.length === 0) {
    problems.push({ subject, expected: `times covering ${wanted}`, found: 'no time steps' });
    return;
  }
  const back = times.findIndex((t, i) => i > 0 && t.getTime() <= times[i - 1].getTime());
  if (back > 0) {
    problems.push({
      subject,
      expected: 'strictly increasing times',
      found: `step ${back} (${iso(times[back])}) does not follow step ${back - 1} (${iso(times[back - 1])})`,
    });
    return;
  }
  const first = times[0];
  const last = times[times.length - 1];
  const missing: string[] = [];
  if (first > request.start) missing.push(`${duration(first.getTime() - request.start.getTime())} at the start (${iso(request.start)} to ${iso(first)})`);
  if (last < request.end) missing.push(`${duration(request.end.getTime() - last.getTime())} at the end (${iso(last)} to ${iso(request.end)})`);
  if (missing.length > 0) {
    problems.push({ subject, expected: `times covering ${wanted}`, found: `${iso(first)} to ${iso(last)}, missing ${missing.join(' and ')}` });
  }
}

/** What the values of some of our fields must be, NaN and fill aside: anything else is a broken file, not a sea state. */
export const VALUE_RULES: Readonly<Record<string, { valid: (value: number) => boolean; rule: string }>> = {
  hs: { valid: (v) => Number.isFinite(v) && v >= 0, rule: 'a significant wave height is never negative' },
  tp: { valid: (v) => Number.isFinite(v) && v > 0, rule: 'a peak period is positive' },
  dir: { valid: Number.isFinite, rule: 'a direction is a finite number of degrees' },
};

/**
 * No time step of the field may be all NaN or fill: that is an absent field,
 * not calm weather. A field with a rule (VALUE_RULES) must keep to it.
 */
async function checkValues(
  file: NetcdfFile,
  variable: VariableInfo,
  times: Date[],
  label: string,
  rule: (typeof VALUE_RULES)[string] | undefined,
  problems: ForcingProblem[],
): Promise<void> {
  if (variable.type === 'char' || variable.type === 'string') {
    problems.push({ subject: label, expected: 'numeric values', found: `type ${variable.type}` });
    return;
  }
  const isMissing = missingTest(file, variable);
  const unpack = unpacking(file, variable);
  const empty: number[] = [];
  let broken: { value: number; step: number; count: number } | undefined;
  for (let step = 0; step < variable.shape[0]; step++) {
    const values = (await file.readRecord(variable.name, step)) as NumericArray;
    let valid = 0;
    for (let i = 0; i < values.length; i++) {
      const value = Number(values[i]);
      if (Number.isNaN(value) || isMissing(value)) continue;
      valid++;
      if (rule && !rule.valid(unpack(value))) {
        if (broken) broken.count++;
        else broken = { value: unpack(value), step, count: 1 };
      }
    }
    if (valid === 0) empty.push(step);
  }
  const at = (step: number): string => (times[step] ? iso(times[step]) : `step ${step}`);
  if (empty.length > 0) {
    problems.push({
      subject: label,
      expected: 'at least one valid (not NaN, not fill) value at every time step',
      found: `${empty.length} of ${variable.shape[0]} time steps with none: ${empty.slice(0, 5).map(at).join(', ')}${empty.length > 5 ? ', …' : ''}`,
    });
  }
  if (rule && broken) {
    problems.push({ subject: label, expected: `values where ${rule.rule}`, found: `${broken.value} at ${at(broken.step)}${broken.count > 1 ? ` and ${broken.count - 1} more` : ''}` });
  }
}

/** A packed variable's stored values to what they stand for (CF scale_factor and add_offset; fill is tested on the stored value). */
export function unpacking(file: NetcdfFile, variable: VariableInfo): (stored: number) => number {
  const number = (name: string) => {
    const value = file.attribute(name, variable.name)?.value;
    return Array.isArray(value) && typeof value[0] === 'number' ? value[0] : undefined;
  };
  const scale = number('scale_factor') ?? 1;
  const offset = number('add_offset') ?? 0;
  return scale === 1 && offset === 0 ? (stored) => stored : (stored) => stored * scale + offset;
}

/** _FillValue and missing_value, or netCDF's default fill when the variable declares none. */
export function missingTest(file: NetcdfFile, variable: VariableInfo): (value: number) => boolean {
  const declared = ['_FillValue', 'missing_value'].flatMap((name) => {
    const value = file.attribute(name, variable.name)?.value;
    return Array.isArray(value) ? value : [];
  });
  const markers = declared.length > 0 ? declared : variable.type in DEFAULT_FILL ? [DEFAULT_FILL[variable.type as ClassicType]] : [];
  // A float variable's values are float32, its fill marker may have been written as a double.
  const set = new Set(markers.flatMap((m) => [m, Math.fround(m)]));
  return (value) => set.has(value);
}

interface Coordinate {
  name: string;
  dimensions: string[];
  min: number;
  max: number;
}

interface HorizontalGrid {
  lon: Coordinate;
  lat: Coordinate;
}

async function horizontalGrid(file: NetcdfFile, problems: ForcingProblem[]): Promise<HorizontalGrid | undefined> {
  const lon = await coordinate(file, 'longitude', LONGITUDE_NAMES, problems);
  const lat = await coordinate(file, 'latitude', LATITUDE_NAMES, problems);
  if (!lon || !lat) return undefined;
  const sameShape = lon.dimensions.length === 1 && lat.dimensions.length === 1
    ? lon.dimensions[0] !== lat.dimensions[0]
    : lon.dimensions.join() === lat.dimensions.join();
  if (!sameShape) {
    problems.push({
      subject: `longitude '${lon.name}' and latitude '${lat.name}'`,
      expected: 'two 1-D coordinates on their own dimensions, or two 2-D coordinates on the same dimensions',
      found: `(${lon.dimensions.join(', ')}) and (${lat.dimensions.join(', ')})`,
    });
    return undefined;
  }
  return { lon, lat };
}

async function coordinate(file: NetcdfFile, axis: string, names: string[], problems: ForcingProblem[]): Promise<Coordinate | undefined> {
  const name = names.find((n) => file.hasVariable(n));
  if (name === undefined) {
    problems.push({
      subject: axis,
      expected: `a 1-D or 2-D variable named ${names.map((n) => `'${n}'`).join(' or ')}`,
      found: `only ${file.variables.map((v) => v.name).join(', ') || 'no variables'}`,
    });
    return undefined;
  }
  const variable = file.variable(name);
  const subject = `${axis} '${name}'`;
  if (variable.dimensions.length < 1 || variable.dimensions.length > 2 || variable.type === 'char' || variable.type === 'string') {
    problems.push({ subject, expected: 'numeric, 1-D or 2-D', found: `${variable.type} (${variable.dimensions.join(', ')})` });
    return undefined;
  }
  const values = (await file.read(name)) as NumericArray;
  const isMissing = missingTest(file, variable);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const value = Number(values[i]);
    if (Number.isNaN(value) || isMissing(value)) continue;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  if (!(min <= max)) {
    problems.push({ subject, expected: 'valid coordinate values', found: `${values.length} values, none valid` });
    return undefined;
  }
  return { name, dimensions: variable.dimensions, min, max };
}

/** A field must vary over the grid's dimensions, or its values are not on that grid. */
function checkGridDimensions(variable: VariableInfo, grid: HorizontalGrid, label: string, problems: ForcingProblem[]): void {
  const needed = [...new Set([...grid.lat.dimensions, ...grid.lon.dimensions])];
  const lacking = needed.filter((d) => !variable.dimensions.includes(d));
  if (lacking.length > 0) {
    problems.push({
      subject: label,
      expected: `dimensions including ${needed.join(', ')} (those of '${grid.lon.name}' and '${grid.lat.name}')`,
      found: `(${variable.dimensions.join(', ')})`,
    });
  }
}

/** The grid's extent; the request's longitudes are also tried 360° either way, for grids in 0..360. */
function checkCoverage(grid: HorizontalGrid, bbox: BoundingBox, problems: ForcingProblem[]): BoundingBox {
  const coverage = { west: grid.lon.min, south: grid.lat.min, east: grid.lon.max, north: grid.lat.max };
  const east = bbox.east < bbox.west ? bbox.east + 360 : bbox.east;
  const lonCovered = [-360, 0, 360].some(
    (shift) => coverage.west <= bbox.west + shift + COORDINATE_TOLERANCE && coverage.east >= east + shift - COORDINATE_TOLERANCE,
  );
  if (!lonCovered) {
    problems.push({
      subject: `longitude '${grid.lon.name}'`,
      expected: `to cover west ${bbox.west} to east ${bbox.east}`,
      found: `${coverage.west} to ${coverage.east}`,
    });
  }
  if (coverage.south > bbox.south + COORDINATE_TOLERANCE || coverage.north < bbox.north - COORDINATE_TOLERANCE) {
    problems.push({
      subject: `latitude '${grid.lat.name}'`,
      expected: `to cover south ${bbox.south} to north ${bbox.north}`,
      found: `${coverage.south} to ${coverage.north}`,
    });
  }
  return coverage;
}

function iso(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'an invalid date' : date.toISOString().replace('.000Z', 'Z');
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
