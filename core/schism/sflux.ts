/**
 * SCHISM's atmospheric forcing for nws = 2: the `sflux/sflux_air_1.<n>.nc`
 * stacks (wind at 10 m, sea-level pressure, air temperature and humidity on a
 * lon/lat grid) and the `sflux_inputs.txt` namelist, read the way SCHISM's
 * sflux_9c.F90 reads them and written so that SCHISM reads them back.
 *
 * What SCHISM does, and so what this does:
 * - stacks are numbered from 1 with no gap; `lon`/`lat` come from stack 1,
 *   every stack must have the same grid;
 * - `time` is in days since the `base_date` attribute of `time`, of which only
 *   year, month and day count (its hour is ignored);
 * - a later stack's record within 0.001 day of an earlier one replaces it, a
 *   record after the last one so far is appended, any other is ignored;
 * - two records more than `air_1_max_window_hours` apart (default 120) do
 *   not bracket a time.
 * Unlike SCHISM, which cuts each grid cell into two triangles, values are
 * bilinear in each cell (for a curvilinear grid, in the cell's own
 * coordinates), and a node outside the grid is an error, not extrapolated.
 * A second dataset (`sflux_air_2.*`), which SCHISM blends in, is refused.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { decodeCfTimes } from '../netcdf/cfTime.js';
import { openNetcdf, type NetcdfFile } from '../netcdf/reader.js';
import type { Attribute, NcData } from '../netcdf/types.js';
import { NetcdfWriter } from '../netcdf/writer.js';
import { parseNamelist } from './namelist.js';

export const SFLUX_INPUTS = 'sflux_inputs.txt';

const MS_PER_DAY = 86_400_000;
/** SCHISM's check_times: records this close are the same time. */
const REPEAT_MS = 0.001 * MS_PER_DAY;
/** Tolerance, in a cell's unit coordinates, for a node on a cell edge. */
const EDGE_TOLERANCE = 1e-9;

/** `sflux_air_1.0001.nc`: the four-digit stack number SCHISM's manual shows, which every SCHISM version opens. */
export function sfluxAirFileName(stack: number, dataset = 'sflux_air_1'): string {
  if (!Number.isInteger(stack) || stack < 1 || stack > 9999) throw new Error(`sflux stack number must be an integer in 1..9999, got ${stack}`);
  return `${dataset}.${String(stack).padStart(4, '0')}.nc`;
}

/** The `&sflux_inputs` settings the air forcing depends on (SCHISM's defaults when absent). */
export interface SfluxInputs {
  air1File: string;
  air2File: string;
  uwindName: string;
  vwindName: string;
  prmslName: string;
  air1MaxWindowHours: number;
}

const DEFAULT_INPUTS: SfluxInputs = {
  air1File: 'sflux_air_1',
  air2File: 'sflux_air_2',
  uwindName: 'uwind',
  vwindName: 'vwind',
  prmslName: 'prmsl',
  air1MaxWindowHours: 120,
};

const INPUT_KEYS: Readonly<Record<string, keyof SfluxInputs>> = {
  air_1_file: 'air1File',
  air_2_file: 'air2File',
  uwind_name: 'uwindName',
  vwind_name: 'vwindName',
  prmsl_name: 'prmslName',
  air_1_max_window_hours: 'air1MaxWindowHours',
};

/** Reads the `&sflux_inputs` group; settings for radiation and precipitation are accepted and not used. */
export function parseSfluxInputs(path: string, content: string): SfluxInputs {
  const group = parseNamelist(content, path).get('sflux_inputs');
  if (!group) throw new Error(`${path}: no '&sflux_inputs' namelist group`);
  const inputs = { ...DEFAULT_INPUTS };
  for (const [key, { value, line }] of group) {
    const field = INPUT_KEYS[key];
    if (!field) continue;
    if (field === 'air1MaxWindowHours') {
      if (!(typeof value === 'number' && value > 0)) throw new Error(`${path}:${line}: ${key} must be a positive number of hours, got ${JSON.stringify(value)}`);
      inputs[field] = value;
    } else {
      if (typeof value !== 'string' || value.trim() === '') throw new Error(`${path}:${line}: ${key} must be a quoted name, got ${JSON.stringify(value)}`);
      inputs[field] = value.trim();
    }
  }
  return inputs;
}

/** SCHISM will not start without sflux_inputs.txt; an empty group takes every default. */
export async function writeSfluxInputs(dir: string): Promise<void> {
  await writeFile(join(dir, SFLUX_INPUTS), '&sflux_inputs\n/\n');
}

export interface SfluxGrid {
  /** Points along a grid row (x, longitude direction) and rows (y). */
  nx: number;
  ny: number;
  /** Degrees, row-major (ny_grid, nx_grid): point (i, j) at j·nx + i. */
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
}

export interface SfluxAirFields {
  /** Eastward and northward wind at 10 m, m s-1; one value per grid point. */
  uwind: ArrayLike<number>;
  vwind: ArrayLike<number>;
  /** Pressure reduced to mean sea level, Pa. */
  prmsl: ArrayLike<number>;
  /** Air temperature at 2 m, K; default 288.15 K (the standard atmosphere). */
  stmp?: ArrayLike<number>;
  /** Specific humidity at 2 m, kg/kg; default 0. */
  spfh?: ArrayLike<number>;
}

const text = (name: string, value: string): Attribute => ({ name, type: 'char', value });

const FIELD_ATTRIBUTES: Readonly<Record<keyof SfluxAirFields, [string, string, string]>> = {
  uwind: ['Surface Eastward Air Velocity (10m AGL)', 'eastward_wind', 'm/s'],
  vwind: ['Surface Northward Air Velocity (10m AGL)', 'northward_wind', 'm/s'],
  prmsl: ['Pressure reduced to MSL', 'air_pressure_at_sea_level', 'Pa'],
  stmp: ['Surface Air Temperature (2m AGL)', 'air_temperature', 'K'],
  spfh: ['Surface Specific Humidity (2m AGL)', 'specific_humidity', '1'],
};

/**
 * Writes one sflux_air stack record by record. SCHISM needs stmp and spfh
 * even when it computes no heat flux (ihconsv = 0), so they are always
 * written; give real ones for a run with heat exchange.
 */
export class SfluxAirWriter {
  private lastMs = -Infinity;

  private constructor(
    private readonly path: string,
    private readonly writer: NetcdfWriter,
    private readonly baseMs: number,
    private readonly points: number,
  ) {}

  /** `base` is the UTC day the file's times count from (its time of day is dropped, as SCHISM drops it). */
  static async create(path: string, grid: SfluxGrid, base: Date): Promise<SfluxAirWriter> {
    const { nx, ny } = grid;
    if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx >= 2 && ny >= 2)) throw new Error(`${path}: the sflux grid must be at least 2 × 2 points, got ${nx} × ${ny}`);
    for (const [name, values] of [['lon', grid.lon], ['lat', grid.lat]] as const) {
      if (values.length !== nx * ny) throw new Error(`${path}: ${name} has ${values.length} values for a grid of ${nx} × ${ny} = ${nx * ny} points`);
    }
    if (Number.isNaN(base.getTime())) throw new Error(`${path}: invalid base date`);
    const baseMs = Date.UTC(base.getUTCFullYear(), base.getUTCMonth(), base.getUTCDate());
    const day = new Date(baseMs);
    const baseDate = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 0];
    const coordinate = (name: string, longName: string, standardName: string, units: string) => ({
      name,
      type: 'float' as const,
      dimensions: ['ny_grid', 'nx_grid'],
      attributes: [text('long_name', longName), text('standard_name', standardName), text('units', units)],
    });
    const writer = await NetcdfWriter.create(path, {
      format: '64bit-offset',
      dimensions: [
        { name: 'time', size: 'unlimited' },
        { name: 'ny_grid', size: ny },
        { name: 'nx_grid', size: nx },
      ],
      attributes: [text('Conventions', 'CF-1.0'), text('source', 'coastcast')],
      variables: [
        {
          name: 'time',
          type: 'double',
          dimensions: ['time'],
          attributes: [
            text('long_name', 'Time'),
            text('standard_name', 'time'),
            text('units', `days since ${day.toISOString().slice(0, 10)} 00:00:00 +00:00`),
            { name: 'base_date', type: 'int', value: baseDate },
          ],
        },
        coordinate('lon', 'Longitude', 'longitude', 'degrees_east'),
        coordinate('lat', 'Latitude', 'latitude', 'degrees_north'),
        ...(Object.keys(FIELD_ATTRIBUTES) as (keyof SfluxAirFields)[]).map((name) => {
          const [longName, standardName, units] = FIELD_ATTRIBUTES[name];
          return {
            name,
            type: 'float' as const,
            dimensions: ['time', 'ny_grid', 'nx_grid'],
            attributes: [text('long_name', longName), text('standard_name', standardName), text('units', units)],
          };
        }),
      ],
    });
    try {
      await writer.write('lon', grid.lon);
      await writer.write('lat', grid.lat);
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return new SfluxAirWriter(path, writer, baseMs, nx * ny);
  }

  /** Appends the fields at `time`; times must increase. */
  async appendRecord(time: Date, fields: SfluxAirFields): Promise<void> {
    const ms = time.getTime();
    if (!(ms > this.lastMs)) throw new Error(`${this.path}: record at ${describeTime(ms)} does not follow the previous one (${describeTime(this.lastMs)})`);
    const record: Record<string, ArrayLike<number>> = { time: [(ms - this.baseMs) / MS_PER_DAY] };
    for (const name of Object.keys(FIELD_ATTRIBUTES) as (keyof SfluxAirFields)[]) {
      const values = fields[name] ?? new Float32Array(this.points).fill(name === 'stmp' ? 288.15 : 0);
      if (values.length !== this.points) throw new Error(`${this.path}: ${name} at ${describeTime(ms)} has ${values.length} values for ${this.points} grid points`);
      record[name] = values;
    }
    await this.writer.appendRecord(record);
    this.lastMs = ms;
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}

/** Wind (m s-1) and sea-level pressure (Pa) at each node. */
export interface SfluxSample {
  uwind: Float64Array;
  vwind: Float64Array;
  prmsl: Float64Array;
}

export interface SfluxAir {
  /** The stacks read, in order. */
  readonly files: string[];
  readonly inputs: SfluxInputs;
  /** Record times after SCHISM's merge of the stacks. */
  readonly times: Date[];
  readonly nx: number;
  readonly ny: number;
  /** Grid coordinates from stack 1, row-major (ny, nx). */
  readonly lon: Float64Array;
  readonly lat: Float64Array;
  /**
   * Fields at model time `seconds` (from the `start` given at open) at the
   * nodes lon/lat (degrees): bilinear in space, linear in time. The spatial
   * weights are computed once per pair of coordinate arrays and reused.
   */
  atNodes(seconds: number, lon: Float64Array, lat: Float64Array): Promise<SfluxSample>;
  close(): Promise<void>;
}

export interface SfluxOpenOptions {
  /** The UTC instant of model time 0 (param.nml's start date, hour and utc_start). */
  start: Date;
}

/** Where one merged record lives. */
interface RecordRef {
  ms: number;
  file: number;
  index: number;
}

/** Per node: the grid cell (index of its (i, j) corner) and the position (u, v) in it. */
interface NodeWeights {
  lat: Float64Array;
  cell: Int32Array;
  u: Float64Array;
  v: Float64Array;
}

/** Opens the sflux air forcing in `dir` (a run's `sflux/` directory). */
export async function openSfluxAir(dir: string, options: SfluxOpenOptions): Promise<SfluxAir> {
  const startMs = options.start.getTime();
  if (Number.isNaN(startMs)) throw new Error(`${dir}: invalid start date for the sflux forcing`);
  const entries = await readdir(dir);
  const inputs = entries.includes(SFLUX_INPUTS)
    ? parseSfluxInputs(join(dir, SFLUX_INPUTS), await readFile(join(dir, SFLUX_INPUTS), 'utf8'))
    : { ...DEFAULT_INPUTS };
  const second = stacksOf(dir, entries, inputs.air2File);
  if (second.length > 0) {
    throw new Error(`${join(dir, second[0])}: a second air dataset (${inputs.air2File}), which SCHISM blends with the first, is not supported by the built-in model`);
  }
  const names = stacksOf(dir, entries, inputs.air1File);
  if (names.length === 0) throw new Error(`${dir}: no ${inputs.air1File}.<n>.nc files (e.g. ${sfluxAirFileName(1, inputs.air1File)})`);
  const files: NetcdfFile[] = [];
  try {
    for (const name of names) files.push(await openNetcdf(join(dir, name)));
    const grid = await readGrid(files, inputs);
    const records: RecordRef[] = [];
    for (let f = 0; f < files.length; f++) mergeRecords(records, await fileTimes(files[f]), f);
    if (records.length < 2) throw new Error(`${files[0].path}: ${records.length} record(s) in all; at least 2 are needed to interpolate in time`);
    return new SfluxAirReader(files, inputs, grid, records, startMs);
  } catch (error) {
    await Promise.all(files.map((file) => file.close().catch(() => undefined)));
    throw error;
  }
}

/** Stack files of `dataset` in stack order; SCHISM stops at the first missing number, so a gap is an error here. */
function stacksOf(dir: string, entries: string[], dataset: string): string[] {
  const escaped = dataset.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}\\.(\\d+)\\.nc$`);
  const byStack = new Map<number, string>();
  for (const entry of entries) {
    const m = pattern.exec(entry);
    if (!m) continue;
    const stack = Number(m[1]);
    const other = byStack.get(stack);
    if (other) throw new Error(`${dir}: ${other} and ${entry} are both stack ${stack} of ${dataset}`);
    byStack.set(stack, entry);
  }
  const stacks = [...byStack.keys()].sort((a, b) => a - b);
  stacks.forEach((stack, i) => {
    if (stack !== i + 1) {
      throw new Error(`${dir}: ${dataset} stack ${i + 1} is missing (found ${byStack.get(stack)}); stacks must be numbered 1, 2, 3 … without gaps`);
    }
  });
  return stacks.map((stack) => byStack.get(stack)!);
}

interface Grid {
  nx: number;
  ny: number;
  lon: Float64Array;
  lat: Float64Array;
}

async function readGrid(files: NetcdfFile[], inputs: SfluxInputs): Promise<Grid> {
  const first = files[0];
  const lat = first.variable('lat');
  if (lat.shape.length !== 2) throw new Error(`${first.path}: lat has dimensions (${lat.dimensions.join(', ')}); 2 expected (ny_grid, nx_grid)`);
  const [ny, nx] = lat.shape;
  if (nx < 2 || ny < 2) throw new Error(`${first.path}: the grid is ${nx} × ${ny} points; at least 2 × 2 are needed to interpolate`);
  const grid: Grid = {
    nx,
    ny,
    lon: Float64Array.from(numeric(first.path, 'lon', await first.read('lon'))),
    lat: Float64Array.from(numeric(first.path, 'lat', await first.read('lat'))),
  };
  for (const file of files) {
    for (const name of ['lon', 'lat']) {
      const info = file.variable(name);
      if (info.dimensions.join() !== lat.dimensions.join() || info.shape.join() !== lat.shape.join()) {
        throw new Error(`${file.path}: ${name} is (${describeShape(info.dimensions, info.shape)}), but lat of ${first.path} is (${describeShape(lat.dimensions, lat.shape)}); every stack must share one grid`);
      }
    }
    for (const name of [inputs.uwindName, inputs.vwindName, inputs.prmslName]) {
      const info = file.variable(name);
      const time = file.variable('time').dimensions[0];
      const expected = [time, ...lat.dimensions];
      if (info.dimensions.join() !== expected.join() || info.shape.slice(1).join() !== lat.shape.join()) {
        throw new Error(`${file.path}: ${name} is (${describeShape(info.dimensions, info.shape)}), expected (${describeShape(expected, [file.variable('time').shape[0], ...lat.shape])})`);
      }
    }
    if (file === first) continue;
    for (const name of ['lon', 'lat'] as const) {
      const values = numeric(file.path, name, await file.read(name));
      for (let p = 0; p < values.length; p++) {
        if (values[p] !== grid[name][p]) {
          throw new Error(`${file.path}: ${name} at grid point (${p % nx}, ${Math.floor(p / nx)}) is ${values[p]}, but ${grid[name][p]} in ${first.path}; SCHISM takes the grid of the first stack for all`);
        }
      }
    }
  }
  return grid;
}

function describeShape(dimensions: string[], shape: number[]): string {
  return dimensions.map((d, i) => `${d} = ${shape[i]}`).join(', ');
}

/** Record times of one stack as epoch ms, from `time` (days) and the date of `base_date`. */
async function fileTimes(file: NetcdfFile): Promise<number[]> {
  const info = file.variable('time');
  if (info.dimensions.length !== 1) throw new Error(`${file.path}: time has dimensions (${info.dimensions.join(', ')}); 1 expected`);
  const baseDate = file.attribute('base_date', 'time');
  if (!baseDate) throw new Error(`${file.path}: time has no 'base_date' attribute; SCHISM counts sflux times in days from it`);
  if (typeof baseDate.value === 'string' || baseDate.value.length < 3) {
    throw new Error(`${file.path}: time:base_date is ${JSON.stringify(baseDate.value)}; year, month, day (and hour) integers expected`);
  }
  const [year, month, day, hour = 0] = baseDate.value;
  const baseMs = Date.UTC(year, month - 1, day);
  const check = new Date(baseMs);
  if (![year, month, day].every(Number.isInteger) || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new Error(`${file.path}: time:base_date ${baseDate.value.join(', ')} is not a valid year, month, day`);
  }
  const baseText = check.toISOString().slice(0, 10);
  if (hour !== 0) {
    throw new Error(`${file.path}: time:base_date has hour ${hour}; SCHISM ignores it and counts from ${baseText} 00:00 UTC, so the times would shift by ${hour} h. Count from midnight instead`);
  }
  const units = file.attribute('units', 'time')?.value;
  if (typeof units === 'string') {
    let decoded: Date[] | undefined;
    try {
      decoded = decodeCfTimes(units, [0, 1]);
    } catch {
      // SCHISM never reads units; only units that say something else are a conflict.
    }
    if (decoded && (decoded[0].getTime() !== baseMs || decoded[1].getTime() !== baseMs + MS_PER_DAY)) {
      throw new Error(`${file.path}: time units '${units}' disagree with base_date ${baseText}; SCHISM reads time as days since base_date`);
    }
  }
  const days = numeric(file.path, 'time', await file.read('time'));
  // float days cannot hold whole hours exactly (0.04 s off after 3 days); forcing times are whole seconds.
  const whole = info.type === 'float' ? 1000 : 1;
  const times = Array.from(days, (d) => baseMs + Math.round((d * MS_PER_DAY) / whole) * whole);
  times.forEach((ms, k) => {
    if (!Number.isFinite(ms)) throw new Error(`${file.path}: time[${k}] is ${days[k]}, not a number of days`);
    if (k > 0 && !(ms > times[k - 1])) throw new Error(`${file.path}: time[${k}] (${describeTime(ms)}) does not follow time[${k - 1}] (${describeTime(times[k - 1])})`);
  });
  return times;
}

/** SCHISM's get_times_etc: repeats replace, later records append, anything else is dropped. */
function mergeRecords(records: RecordRef[], times: number[], file: number): void {
  times.forEach((ms, index) => {
    let repeat = -1;
    for (let r = 0; r < records.length; r++) if (Math.abs(ms - records[r].ms) <= REPEAT_MS) repeat = r;
    if (repeat >= 0) records[repeat] = { ms: records[repeat].ms, file, index };
    else if (records.length === 0 || ms > records[records.length - 1].ms + REPEAT_MS) records.push({ ms, file, index });
  });
}

function describeTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : String(ms);
}

function numeric(path: string, name: string, data: NcData): ArrayLike<number> {
  if (Array.isArray(data) || data instanceof BigInt64Array || data instanceof BigUint64Array) throw new Error(`${path}: variable '${name}' must hold floating-point numbers`);
  return data as ArrayLike<number>;
}

type Field = 'uwind' | 'vwind' | 'prmsl';
type RecordFields = Record<Field, ArrayLike<number>>;

class SfluxAirReader implements SfluxAir {
  readonly files: string[];
  readonly times: Date[];
  readonly nx: number;
  readonly ny: number;
  readonly lon: Float64Array;
  readonly lat: Float64Array;
  private readonly weights = new WeakMap<Float64Array, NodeWeights>();
  /** The records of the last bracket: model steps advance slowly through them. */
  private cache = new Map<number, Promise<RecordFields>>();
  private locator: CellLocator | undefined;

  constructor(
    private readonly handles: NetcdfFile[],
    readonly inputs: SfluxInputs,
    grid: Grid,
    private readonly records: RecordRef[],
    private readonly startMs: number,
  ) {
    this.files = handles.map((h) => h.path);
    this.times = records.map((r) => new Date(r.ms));
    ({ nx: this.nx, ny: this.ny, lon: this.lon, lat: this.lat } = grid);
  }

  async atNodes(seconds: number, lon: Float64Array, lat: Float64Array): Promise<SfluxSample> {
    const weights = this.weightsFor(lon, lat);
    const ms = this.startMs + seconds * 1000;
    const k = this.bracket(seconds, ms);
    const r0 = this.records[k];
    const r1 = this.records[k + 1];
    const r = (ms - r0.ms) / (r1.ms - r0.ms);
    const [a, b] = await Promise.all([this.record(k), this.record(k + 1)]);
    for (const key of this.cache.keys()) if (key !== k && key !== k + 1) this.cache.delete(key);
    return {
      uwind: interpolate(weights, this.nx, a.uwind, b.uwind, r),
      vwind: interpolate(weights, this.nx, a.vwind, b.vwind, r),
      prmsl: interpolate(weights, this.nx, a.prmsl, b.prmsl, r),
    };
  }

  close(): Promise<void> {
    return Promise.all(this.handles.map((h) => h.close())).then(() => undefined);
  }

  /** Index k of the records bracketing `ms`, as SCHISM's get_bracket plus its window check. */
  private bracket(seconds: number, ms: number): number {
    const { records } = this;
    const first = records[0].ms;
    const last = records[records.length - 1].ms;
    const when = `model time ${seconds} s (${describeTime(ms)})`;
    if (!(ms >= first && ms <= last)) {
      throw new RangeError(`${this.files[0]}: ${when} is outside the period the sflux air files cover, ${describeTime(first)} to ${describeTime(last)}`);
    }
    let low = 0;
    let high = records.length - 1;
    while (high - low > 1) {
      const mid = (low + high) >> 1;
      if (records[mid].ms <= ms) low = mid;
      else high = mid;
    }
    const gapHours = (records[low + 1].ms - records[low].ms) / 3_600_000;
    if (!(gapHours < this.inputs.air1MaxWindowHours)) {
      throw new RangeError(
        `${this.files[0]}: ${when} falls between records ${describeTime(records[low].ms)} and ${describeTime(records[low + 1].ms)}, ${gapHours} h apart; air_1_max_window_hours is ${this.inputs.air1MaxWindowHours}`,
      );
    }
    return low;
  }

  private record(k: number): Promise<RecordFields> {
    let fields = this.cache.get(k);
    if (!fields) {
      const { file, index } = this.records[k];
      const handle = this.handles[file];
      const read = async (name: string) => numeric(handle.path, name, await handle.readRecord(name, index));
      fields = Promise.all([read(this.inputs.uwindName), read(this.inputs.vwindName), read(this.inputs.prmslName)]).then(([uwind, vwind, prmsl]) => ({ uwind, vwind, prmsl }));
      this.cache.set(k, fields);
      fields.catch(() => this.cache.delete(k));
    }
    return fields;
  }

  private weightsFor(lon: Float64Array, lat: Float64Array): NodeWeights {
    const cached = this.weights.get(lon);
    if (cached && cached.lat === lat) return cached;
    if (lon.length !== lat.length) throw new Error(`sflux interpolation: ${lon.length} node longitudes but ${lat.length} latitudes`);
    this.locator ??= new CellLocator(this.nx, this.ny, this.lon, this.lat);
    const weights = this.locator.locate(lon, lat, this.files[0]);
    this.weights.set(lon, weights);
    return weights;
  }
}

function interpolate(w: NodeWeights, nx: number, a: ArrayLike<number>, b: ArrayLike<number>, r: number): Float64Array {
  const { cell, u, v } = w;
  const out = new Float64Array(cell.length);
  const s = 1 - r;
  for (let n = 0; n < cell.length; n++) {
    const c = cell[n];
    const un = u[n];
    const vn = v[n];
    const v00 = s * a[c] + r * b[c];
    const v10 = s * a[c + 1] + r * b[c + 1];
    const v01 = s * a[c + nx] + r * b[c + nx];
    const v11 = s * a[c + nx + 1] + r * b[c + nx + 1];
    out[n] = (1 - vn) * ((1 - un) * v00 + un * v10) + vn * ((1 - un) * v01 + un * v11);
  }
  return out;
}

/**
 * Finds the grid cell holding each node: cells are binned by bounding box on
 * a uniform lon/lat raster (as many bins as cells), so a node is tested
 * against the few cells of its bin, never the whole grid.
 */
class CellLocator {
  private readonly minX: number;
  private readonly minY: number;
  private readonly maxX: number;
  private readonly maxY: number;
  private readonly bx: number;
  private readonly by: number;
  private readonly binStart: Int32Array;
  private readonly binCells: Int32Array;

  constructor(
    private readonly nx: number,
    private readonly ny: number,
    private readonly lon: Float64Array,
    private readonly lat: Float64Array,
  ) {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let p = 0; p < lon.length; p++) {
      if (!(Number.isFinite(lon[p]) && Number.isFinite(lat[p]))) {
        throw new Error(`sflux grid point (${p % nx}, ${Math.floor(p / nx)}) has lon ${lon[p]}, lat ${lat[p]}`);
      }
      minX = Math.min(minX, lon[p]);
      maxX = Math.max(maxX, lon[p]);
      minY = Math.min(minY, lat[p]);
      maxY = Math.max(maxY, lat[p]);
    }
    if (!(maxX > minX && maxY > minY)) throw new Error(`sflux grid spans lon ${minX}..${maxX}, lat ${minY}..${maxY}: it has no area`);
    this.minX = minX;
    this.minY = minY;
    this.maxX = maxX;
    this.maxY = maxY;
    this.bx = nx - 1;
    this.by = ny - 1;
    const cells = (nx - 1) * (ny - 1);
    const counts = new Int32Array(this.bx * this.by + 1);
    this.forEachBin(cells, (bin) => counts[bin + 1]++);
    for (let b = 0; b < this.bx * this.by; b++) counts[b + 1] += counts[b];
    this.binStart = counts;
    this.binCells = new Int32Array(counts[this.bx * this.by]);
    const fill = counts.slice(0, -1);
    this.forEachBin(cells, (bin, cell) => (this.binCells[fill[bin]++] = cell));
  }

  /** Calls `visit` for every (bin, cell) pair where the cell's bounding box touches the bin. */
  private forEachBin(cells: number, visit: (bin: number, cell: number) => void): void {
    const { nx, lon, lat } = this;
    for (let cell = 0; cell < cells; cell++) {
      const p = cell + Math.floor(cell / (nx - 1));
      const corners = [p, p + 1, p + nx, p + nx + 1];
      const xs = corners.map((c) => lon[c]);
      const ys = corners.map((c) => lat[c]);
      const [i0, i1] = [this.binX(Math.min(...xs)), this.binX(Math.max(...xs))];
      const [j0, j1] = [this.binY(Math.min(...ys)), this.binY(Math.max(...ys))];
      for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) visit(j * this.bx + i, p);
    }
  }

  private binX(x: number): number {
    return Math.min(this.bx - 1, Math.max(0, Math.floor(((x - this.minX) / (this.maxX - this.minX)) * this.bx)));
  }

  private binY(y: number): number {
    return Math.min(this.by - 1, Math.max(0, Math.floor(((y - this.minY) / (this.maxY - this.minY)) * this.by)));
  }

  locate(lon: Float64Array, lat: Float64Array, file: string): NodeWeights {
    const n = lon.length;
    const weights: NodeWeights = { lat, cell: new Int32Array(n), u: new Float64Array(n), v: new Float64Array(n) };
    const uv = new Float64Array(2);
    for (let node = 0; node < n; node++) {
      const x = lon[node];
      const y = lat[node];
      const slackX = 1e-9 * Math.max(1, Math.abs(x));
      const slackY = 1e-9 * Math.max(1, Math.abs(y));
      let found = -1;
      if (x >= this.minX - slackX && x <= this.maxX + slackX && y >= this.minY - slackY && y <= this.maxY + slackY) {
        const bin = this.binY(y) * this.bx + this.binX(x);
        for (let b = this.binStart[bin]; b < this.binStart[bin + 1] && found < 0; b++) {
          if (this.inCell(this.binCells[b], x, y, uv)) found = this.binCells[b];
        }
      }
      if (found < 0) throw new RangeError(this.outsideMessage(node, x, y, file));
      weights.cell[node] = found;
      weights.u[node] = uv[0];
      weights.v[node] = uv[1];
    }
    return weights;
  }

  /**
   * Inverts the cell's bilinear map p = a + u·e + v·f + u·v·g (a the (i, j)
   * corner, u along i, v along j): eliminating u leaves k2·v² + k1·v + k0 = 0.
   */
  private inCell(p: number, x: number, y: number, uv: Float64Array): boolean {
    const { lon, lat, nx } = this;
    const ax = lon[p];
    const ay = lat[p];
    const ex = lon[p + 1] - ax;
    const ey = lat[p + 1] - ay;
    const fx = lon[p + nx] - ax;
    const fy = lat[p + nx] - ay;
    const gx = lon[p + nx + 1] - lon[p + 1] - lon[p + nx] + ax;
    const gy = lat[p + nx + 1] - lat[p + 1] - lat[p + nx] + ay;
    const hx = x - ax;
    const hy = y - ay;
    const k2 = gx * fy - gy * fx;
    const k1 = ex * fy - ey * fx + hx * gy - hy * gx;
    const k0 = hx * ey - hy * ex;
    const roots: number[] = [];
    if (k2 === 0) {
      if (k1 !== 0) roots.push(-k0 / k1);
    } else {
      const disc = k1 * k1 - 4 * k2 * k0;
      if (disc < 0) return false;
      // The stable pair of roots: no cancellation when k2 is tiny (a near-parallelogram cell).
      const q = -0.5 * (k1 + Math.sign(k1 || 1) * Math.sqrt(disc));
      roots.push(q / k2);
      if (q !== 0) roots.push(k0 / q);
    }
    for (const v of roots) {
      if (!(v >= -EDGE_TOLERANCE && v <= 1 + EDGE_TOLERANCE)) continue;
      const dx = ex + v * gx;
      const dy = ey + v * gy;
      const length2 = dx * dx + dy * dy;
      if (length2 === 0) continue;
      const u = ((hx - v * fx) * dx + (hy - v * fy) * dy) / length2;
      if (!(u >= -EDGE_TOLERANCE && u <= 1 + EDGE_TOLERANCE)) continue;
      uv[0] = Math.min(1, Math.max(0, u));
      uv[1] = Math.min(1, Math.max(0, v));
      return true;
    }
    return false;
  }

  private outsideMessage(node: number, x: number, y: number, file: string): string {
    const range = `lon ${this.minX}..${this.maxX}, lat ${this.minY}..${this.maxY}`;
    const shifted = [x - 360, x + 360].find((s) => s >= this.minX && s <= this.maxX);
    const hint = shifted === undefined ? '' : `; the grid's longitudes may use another range (${shifted} would be inside)`;
    return `${file}: node ${node + 1} (lon ${x}, lat ${y}) is outside the sflux grid (${range})${hint}`;
  }
}
