/**
 * waves.th.nc: the sea state at every open-boundary node through time, the
 * offshore condition of the built-in wave step (param.nml icou_elfe_wwm = 1).
 * SCHISM's WWM takes its boundary from wwminput.nml and its own files; this
 * file is coastcast's, laid out like elev2D.th.nc so that it reads the same:
 *
 *   dimensions  time (unlimited), nOpenBndNodes (boundary after boundary, hgrid.gr3 order)
 *   time(time)                                 double, model seconds from param.nml's start
 *   sigWaveHeight(time, nOpenBndNodes)         float, m, ≥ 0
 *   peakPeriod(time, nOpenBndNodes)            float, s, > 0
 *   meanWaveDirection(time, nOpenBndNodes)     float, degrees, nautical: where the waves come
 *                                              from, clockwise from the mesh's y axis
 *   global breaker_index (double)              γ of depth-induced breaking, Hmax = γ·h
 *   global wind_sea (int, 0 or 1)              add locally generated wind sea (needs nws = 2)
 *
 * Records need not be evenly spaced (forcing grids are 1- or 3-hourly, a
 * constant scenario has two records); between records Hs and Tp are linear
 * and the direction turns the short way round, as a unit vector.
 */
import { openNetcdf, type NetcdfFile } from '../netcdf/reader.js';
import type { Attribute } from '../netcdf/types.js';
import { NetcdfWriter } from '../netcdf/writer.js';
import { openBoundaryNodes, type BoundaryMesh } from './elev2dTh.js';

export const WAVES_TH = 'waves.th.nc';

export interface WaveSettings {
  /** γ: breaking limits the highest waves to γ times the depth (Battjes & Janssen). */
  breakerIndex: number;
  /** Grow wind sea from the atmospheric forcing on top of the waves from the boundary. */
  windSea: boolean;
}

export interface WaveBoundarySeries {
  /** Model seconds from param.nml's start, increasing; at least 2 records. */
  times: ArrayLike<number>;
  /** One array per record, one value per open-boundary node. */
  sigWaveHeight: ArrayLike<number>[];
  peakPeriod: ArrayLike<number>[];
  /** Degrees, nautical coming-from, relative to the mesh's y axis. */
  meanWaveDirection: ArrayLike<number>[];
}

/** Breaker indices outside this range are not depth-limited breaking as observed on beaches. */
export const BREAKER_INDEX_RANGE = { min: 0.4, max: 1.2 } as const;

const VARIABLES = {
  sigWaveHeight: { units: 'm', longName: 'significant wave height at open-boundary nodes', valid: (v: number) => v >= 0, rule: '≥ 0 m' },
  peakPeriod: { units: 's', longName: 'peak wave period at open-boundary nodes', valid: (v: number) => v > 0, rule: '> 0 s' },
  meanWaveDirection: { units: 'degree', longName: 'mean wave direction at open-boundary nodes (coming from, clockwise from the mesh y axis)', valid: (v: number) => v >= -360 && v <= 360, rule: 'within ±360°' },
} as const;

type WaveVariable = keyof typeof VARIABLES;
const WAVE_VARIABLES = Object.keys(VARIABLES) as WaveVariable[];

const text = (name: string, value: string): Attribute => ({ name, type: 'char', value });

function settingsProblem(settings: WaveSettings): string | undefined {
  const { min, max } = BREAKER_INDEX_RANGE;
  if (!(settings.breakerIndex >= min && settings.breakerIndex <= max)) return `breaker_index ${settings.breakerIndex} is outside ${min} .. ${max}`;
  return undefined;
}

/** One message for the first value that breaks its rule, naming record, time and node. */
function valuesProblem(path: string, times: ArrayLike<number>, records: Record<WaveVariable, ArrayLike<number>[]>, nodes: Int32Array): string | undefined {
  for (let k = 0; k < times.length; k++) {
    if (!Number.isFinite(times[k]) || (k > 0 && !(times[k] > times[k - 1]))) return `${path}: time[${k}] = ${times[k]} s does not follow time[${k - 1}] = ${times[k - 1]} s: times must increase`;
    for (const name of WAVE_VARIABLES) {
      const record = records[name][k];
      if (record.length !== nodes.length) return `${path}: ${name} record ${k} has ${record.length} values, the mesh has ${nodes.length} open-boundary nodes`;
      for (let j = 0; j < nodes.length; j++) {
        if (!(Number.isFinite(record[j]) && VARIABLES[name].valid(record[j]))) {
          return `${path}: ${name} record ${k} (${times[k]} s): ${record[j]} at open-boundary node ${j + 1} (mesh node ${nodes[j] + 1}); expected ${VARIABLES[name].rule}`;
        }
      }
    }
  }
  return undefined;
}

export async function writeWavesTh(path: string, mesh: BoundaryMesh, series: WaveBoundarySeries, settings: WaveSettings): Promise<void> {
  const nodes = openBoundaryNodes(mesh);
  if (nodes.length === 0) throw new Error(`${path}: the mesh has no open-boundary nodes, so there is nowhere for waves to come in`);
  const { times } = series;
  if (times.length < 2) throw new Error(`${path}: ${times.length} record(s) given; at least 2 are needed to interpolate in time`);
  for (const name of WAVE_VARIABLES) {
    if (series[name].length !== times.length) throw new Error(`${path}: ${series[name].length} records of ${name} for ${times.length} times`);
  }
  const problem = settingsProblem(settings) ?? valuesProblem(path, times, series, nodes);
  if (problem) throw new Error(problem.startsWith(path) ? problem : `${path}: ${problem}`);

  const writer = await NetcdfWriter.create(path, {
    format: '64bit-offset',
    dimensions: [
      { name: 'time', size: 'unlimited' },
      { name: 'nOpenBndNodes', size: nodes.length },
    ],
    attributes: [
      text('title', 'coastcast open-boundary sea state (waves.th.nc)'),
      text('source', 'coastcast'),
      { name: 'breaker_index', type: 'double', value: [settings.breakerIndex] },
      { name: 'wind_sea', type: 'int', value: [settings.windSea ? 1 : 0] },
    ],
    variables: [
      { name: 'time', type: 'double', dimensions: ['time'], attributes: [text('long_name', 'model time'), text('units', 's')] },
      ...WAVE_VARIABLES.map((name) => ({
        name,
        type: 'float' as const,
        dimensions: ['time', 'nOpenBndNodes'],
        attributes: [text('long_name', VARIABLES[name].longName), text('units', VARIABLES[name].units)],
      })),
    ],
  });
  try {
    for (let k = 0; k < times.length; k++) {
      await writer.appendRecord({ time: [times[k]], sigWaveHeight: series.sigWaveHeight[k], peakPeriod: series.peakPeriod[k], meanWaveDirection: series.meanWaveDirection[k] });
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** The sea state at the open-boundary nodes at one time. */
export interface BoundarySeaState {
  sigWaveHeight: Float64Array;
  peakPeriod: Float64Array;
  /** Degrees, nautical coming-from, relative to the mesh's y axis, in [0, 360). */
  meanWaveDirection: Float64Array;
}

export interface WavesTh {
  readonly path: string;
  readonly settings: WaveSettings;
  readonly nodeCount: number;
  /** First and last model times covered, s. */
  readonly start: number;
  readonly end: number;
  at(seconds: number): BoundarySeaState;
}

/** Reads the whole file (records × boundary nodes, small) and checks it against the mesh. */
export async function readWavesTh(path: string, mesh: BoundaryMesh): Promise<WavesTh> {
  const file = await openNetcdf(path);
  try {
    const nodes = openBoundaryNodes(mesh);
    for (const name of ['time', ...WAVE_VARIABLES]) {
      if (!file.hasVariable(name)) throw new Error(`${path}: no variable '${name}'`);
    }
    const times = Float64Array.from(numeric(file, 'time', await file.read('time')));
    if (times.length < 2) throw new Error(`${path}: ${times.length} record(s); at least 2 are needed to interpolate in time`);
    const records = {} as Record<WaveVariable, Float64Array[]>;
    for (const name of WAVE_VARIABLES) {
      const info = file.variable(name);
      if (info.shape.length !== 2 || info.shape[0] !== times.length || info.shape[1] !== nodes.length) {
        throw new Error(`${path}: ${name} has shape (${info.shape.join(', ')}), expected (${times.length} times, ${nodes.length} open-boundary nodes)`);
      }
      const values = Float64Array.from(numeric(file, name, await file.read(name)));
      records[name] = Array.from(times, (_, k) => values.subarray(k * nodes.length, (k + 1) * nodes.length));
    }
    const settings: WaveSettings = { breakerIndex: globalNumber(file, 'breaker_index'), windSea: globalNumber(file, 'wind_sea') === 1 };
    const problem = settingsProblem(settings) ?? valuesProblem(path, times, records, nodes);
    if (problem) throw new Error(problem.startsWith(path) ? problem : `${path}: ${problem}`);
    return new WavesSampler(path, settings, times, records, nodes.length);
  } finally {
    await file.close();
  }
}

function globalNumber(file: NetcdfFile, name: string): number {
  const value = file.attribute(name)?.value;
  if (!Array.isArray(value) || typeof value[0] !== 'number') throw new Error(`${file.path}: global attribute '${name}' missing or not a number`);
  return value[0];
}

function numeric(file: NetcdfFile, name: string, data: Awaited<ReturnType<NetcdfFile['read']>>): ArrayLike<number> {
  if (Array.isArray(data) || typeof data === 'string' || data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new Error(`${file.path}: variable '${name}' has type ${file.variable(name).type}, a floating-point or integer number expected`);
  }
  return data as ArrayLike<number>;
}

const RAD = Math.PI / 180;

class WavesSampler implements WavesTh {
  readonly start: number;
  readonly end: number;

  constructor(
    readonly path: string,
    readonly settings: WaveSettings,
    private readonly times: Float64Array,
    private readonly records: Record<WaveVariable, Float64Array[]>,
    readonly nodeCount: number,
  ) {
    this.start = times[0];
    this.end = times[times.length - 1];
  }

  at(seconds: number): BoundarySeaState {
    if (!(seconds >= this.start && seconds <= this.end)) {
      throw new RangeError(`${this.path}: model time ${seconds} s is outside the period covered, ${this.start} s to ${this.end} s`);
    }
    const { times, records } = this;
    let k = 0;
    while (k < times.length - 2 && times[k + 1] <= seconds) k++;
    const r = (seconds - times[k]) / (times[k + 1] - times[k]);
    const n = this.nodeCount;
    const state: BoundarySeaState = { sigWaveHeight: new Float64Array(n), peakPeriod: new Float64Array(n), meanWaveDirection: new Float64Array(n) };
    const [hs0, hs1] = [records.sigWaveHeight[k], records.sigWaveHeight[k + 1]];
    const [tp0, tp1] = [records.peakPeriod[k], records.peakPeriod[k + 1]];
    const [d0, d1] = [records.meanWaveDirection[k], records.meanWaveDirection[k + 1]];
    for (let j = 0; j < n; j++) {
      state.sigWaveHeight[j] = (1 - r) * hs0[j] + r * hs1[j];
      state.peakPeriod[j] = (1 - r) * tp0[j] + r * tp1[j];
      const east = (1 - r) * Math.sin(d0[j] * RAD) + r * Math.sin(d1[j] * RAD);
      const north = (1 - r) * Math.cos(d0[j] * RAD) + r * Math.cos(d1[j] * RAD);
      state.meanWaveDirection[j] = ((Math.atan2(east, north) / RAD) % 360 + 360) % 360;
    }
    return state;
  }
}
