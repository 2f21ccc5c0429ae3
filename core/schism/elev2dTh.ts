/**
 * elev2D.th.nc: elevation at every open-boundary node through time, the
 * boundary forcing SCHISM reads for iettype 4 (and 5).
 *
 * SCHISM reads only `time_step` and `time_series`: record k holds model time
 * k × time_step, counted from the cold start (with ihot = 2 model time goes
 * on from the hot start's, and so does the record it reads). `time` is
 * written for people and tools; on read it must agree with that rule.
 * Nodes are all open-boundary nodes, boundary after boundary in hgrid.gr3 order.
 */
import { openNetcdf, type NetcdfFile } from '../netcdf/reader.js';
import { DEFAULT_FILL, type Attribute } from '../netcdf/types.js';
import { NetcdfWriter } from '../netcdf/writer.js';
import type { Mesh } from '../mesh/mesh.js';

export const ELEV2D_TH = 'elev2D.th.nc';

export type BoundaryMesh = Pick<Mesh, 'openBoundaries'>;

export interface Elev2dSeries {
  /** Seconds between records; SCHISM requires it to be at least the model time step. */
  timeStep: number;
  /** One array per record (at k × timeStep s), one elevation (m) per open-boundary node. */
  records: ArrayLike<number>[];
}

/** All open-boundary nodes (0-based), boundary after boundary, in file order. */
export function openBoundaryNodes(mesh: BoundaryMesh): Int32Array {
  const nodes = new Int32Array(mesh.openBoundaries.reduce((n, b) => n + b.nodes.length, 0));
  let at = 0;
  for (const boundary of mesh.openBoundaries) {
    nodes.set(boundary.nodes, at);
    at += boundary.nodes.length;
  }
  return nodes;
}

const text = (name: string, value: string): Attribute => ({ name, type: 'char', value });

export async function writeElev2dTh(path: string, mesh: BoundaryMesh, series: Elev2dSeries): Promise<void> {
  const boundaryNodes = openBoundaryNodes(mesh);
  const nodeCount = boundaryNodes.length;
  const { timeStep, records } = series;
  if (nodeCount === 0) throw new Error(`${path}: the mesh has no open-boundary nodes, so there is nothing to force`);
  if (!(Number.isFinite(timeStep) && timeStep > 0)) throw new Error(`${path}: time_step must be a positive number of seconds, got ${timeStep}`);
  if (records.length < 2) throw new Error(`${path}: ${records.length} record(s) given; SCHISM interpolates between records, so at least 2 are needed`);
  records.forEach((record, k) => {
    if (record.length !== nodeCount) {
      throw new Error(`${path}: record ${k} has ${record.length} values, the mesh has ${nodeCount} open-boundary nodes`);
    }
    for (let j = 0; j < nodeCount; j++) {
      if (!Number.isFinite(record[j])) {
        throw new Error(`${path}: record ${k} (${k * timeStep} s): elevation ${record[j]} at open-boundary node ${j + 1} (mesh node ${boundaryNodes[j] + 1})`);
      }
    }
  });
  const writer = await NetcdfWriter.create(path, {
    format: '64bit-offset',
    dimensions: [
      { name: 'time', size: 'unlimited' },
      { name: 'one', size: 1 },
      { name: 'nOpenBndNodes', size: nodeCount },
      { name: 'nLevels', size: 1 },
      { name: 'nComponents', size: 1 },
    ],
    attributes: [text('title', 'SCHISM open-boundary elevation (elev2D.th.nc)'), text('source', 'coastcast')],
    variables: [
      { name: 'time_step', type: 'float', dimensions: ['one'], attributes: [text('long_name', 'time step between records'), text('units', 's')] },
      { name: 'time', type: 'double', dimensions: ['time'], attributes: [text('long_name', 'model time'), text('units', 's')] },
      {
        name: 'time_series',
        type: 'float',
        dimensions: ['time', 'nOpenBndNodes', 'nLevels', 'nComponents'],
        attributes: [text('long_name', 'elevation at open-boundary nodes'), text('units', 'm')],
      },
    ],
  });
  try {
    await writer.write('time_step', [timeStep]);
    for (let k = 0; k < records.length; k++) await writer.appendRecord({ time: [k * timeStep], time_series: records[k] });
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

export interface Elev2dTh {
  readonly path: string;
  /** Seconds between records (stored as float, as SCHISM reads it). */
  readonly timeStep: number;
  readonly recordCount: number;
  readonly nodeCount: number;
  /** Last model time covered, s; the first is 0. */
  readonly end: number;
  /** Elevation at every open-boundary node at model time `seconds`, linear between records. */
  elevationAt(seconds: number): Float64Array;
}

/** Reads the whole file (it is small: records × boundary nodes) and checks it against the mesh. */
export async function readElev2dTh(path: string, mesh: BoundaryMesh): Promise<Elev2dTh> {
  const file = await openNetcdf(path);
  try {
    const expectedNodes = openBoundaryNodes(mesh).length;
    const series = file.variable('time_series');
    const [recordCount, nodeCount, levels, components] = series.shape;
    if (series.shape.length !== 4) {
      throw new Error(`${path}: time_series has ${series.shape.length} dimensions (${series.dimensions.join(', ')}), expected 4 (time, nOpenBndNodes, nLevels, nComponents)`);
    }
    if (nodeCount !== expectedNodes) {
      throw new Error(`${path}: time_series has ${nodeCount} open-boundary nodes (dimension ${series.dimensions[1]}), the mesh has ${expectedNodes}`);
    }
    if (levels !== 1 || components !== 1) {
      throw new Error(`${path}: time_series has ${levels} level(s) and ${components} component(s); elevation has 1 of each`);
    }
    if (recordCount < 2) throw new Error(`${path}: ${recordCount} record(s); at least 2 are needed to interpolate in time`);
    const timeStep = await readTimeStep(file);
    if (file.hasVariable('time')) await checkTimes(file, timeStep, recordCount);
    const values = Float64Array.from(numeric(file, 'time_series', await file.read('time_series')));
    const fill = fillValue(file, 'time_series');
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]) || values[i] === fill) {
        const k = Math.floor(i / nodeCount);
        const what = values[i] === fill ? `missing (fill value ${fill})` : String(values[i]);
        throw new Error(`${path}: time_series record ${k} (${k * timeStep} s): elevation ${what} at open-boundary node ${(i % nodeCount) + 1}`);
      }
    }
    return new Elev2dSampler(path, timeStep, recordCount, nodeCount, values);
  } finally {
    await file.close();
  }
}

async function readTimeStep(file: NetcdfFile): Promise<number> {
  if (!file.hasVariable('time_step')) throw new Error(`${file.path}: no variable 'time_step'; SCHISM places record k at k × time_step s`);
  const values = numeric(file, 'time_step', await file.read('time_step'));
  if (values.length !== 1) throw new Error(`${file.path}: time_step has ${values.length} values, expected 1`);
  const timeStep = values[0];
  if (!(Number.isFinite(timeStep) && timeStep > 0)) throw new Error(`${file.path}: time_step is ${timeStep}, expected a positive number of seconds`);
  return timeStep;
}

/** SCHISM never reads `time`, so a file whose `time` says otherwise would be forced at other times than it claims. */
async function checkTimes(file: NetcdfFile, timeStep: number, recordCount: number): Promise<void> {
  const times = numeric(file, 'time', await file.read('time'));
  if (times.length !== recordCount) throw new Error(`${file.path}: time has ${times.length} values for ${recordCount} records of time_series`);
  for (let k = 0; k < recordCount; k++) {
    const expected = k * timeStep;
    if (!(Math.abs(times[k] - expected) <= 1e-6 * Math.max(expected, timeStep))) {
      throw new Error(`${file.path}: time[${k}] is ${times[k]} s, but SCHISM reads record ${k} as ${expected} s (k × time_step ${timeStep} s)`);
    }
  }
}

function fillValue(file: NetcdfFile, name: string): number | undefined {
  const declared = file.attribute('_FillValue', name)?.value;
  if (Array.isArray(declared)) return declared[0];
  const type = file.variable(name).type;
  return type in DEFAULT_FILL ? DEFAULT_FILL[type as keyof typeof DEFAULT_FILL] : undefined;
}

function numeric(file: NetcdfFile, name: string, data: Awaited<ReturnType<NetcdfFile['read']>>): ArrayLike<number> {
  if (Array.isArray(data) || data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new Error(`${file.path}: variable '${name}' has type ${file.variable(name).type}, a floating-point or integer number expected`);
  }
  return data as ArrayLike<number>;
}

class Elev2dSampler implements Elev2dTh {
  readonly end: number;

  constructor(
    readonly path: string,
    readonly timeStep: number,
    readonly recordCount: number,
    readonly nodeCount: number,
    private readonly values: Float64Array,
  ) {
    this.end = (recordCount - 1) * timeStep;
  }

  elevationAt(seconds: number): Float64Array {
    if (!(seconds >= 0 && seconds <= this.end)) {
      throw new RangeError(
        `${this.path}: model time ${seconds} s is outside the period covered, 0 s to ${this.end} s (${this.recordCount} records every ${this.timeStep} s)`,
      );
    }
    const k = Math.min(Math.floor(seconds / this.timeStep), this.recordCount - 2);
    const r = seconds / this.timeStep - k;
    const n = this.nodeCount;
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) out[j] = (1 - r) * this.values[k * n + j] + r * this.values[(k + 1) * n + j];
    return out;
  }
}
