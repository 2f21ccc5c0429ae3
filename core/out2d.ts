/**
 * The model-output contract (ARCHITECTURE.md, "Contract: model output"):
 * SCHISM's out2d_<n>.nc layout — a UGRID-1.0 mesh topology with CF time and
 * one frame per output time — written as NetCDF classic by the built-in model
 * and read back, from our files or SCHISM's NetCDF-4 ones, by post-processing.
 */
import { decodeCfTimes } from './netcdf/cfTime.js';
import { openNetcdf, type NetcdfFile } from './netcdf/reader.js';
import type { Attribute, NumericArray } from './netcdf/types.js';
import { NetcdfWriter, type VariableSpec } from './netcdf/writer.js';

export const NODE_DIM = 'nSCHISM_hgrid_node';
export const FACE_DIM = 'nSCHISM_hgrid_face';
export const MAX_FACE_NODES_DIM = 'nMaxSCHISM_hgrid_face_nodes';
export const TIME_DIM = 'time';
export const MESH_VARIABLE = 'SCHISM_hgrid';

/** What the output layer needs of a mesh: node positions, depth (positive down) and 0-based counter-clockwise triangles. */
export interface OutputMesh {
  x: Float64Array;
  y: Float64Array;
  depth: Float64Array;
  triangles: Int32Array;
}

/** Per-node, per-time fields of out2d files, under SCHISM's names. */
export const FIELDS = {
  elevation: { type: 'float', units: 'm', standardName: 'sea_surface_height_above_geoid', longName: 'water surface elevation' },
  depthAverageVelX: { type: 'float', units: 'm s-1', standardName: 'barotropic_sea_water_x_velocity', longName: 'depth-averaged velocity, x component' },
  depthAverageVelY: { type: 'float', units: 'm s-1', standardName: 'barotropic_sea_water_y_velocity', longName: 'depth-averaged velocity, y component' },
  dryFlagNode: { type: 'int', units: '1', standardName: undefined, longName: 'wet/dry flag at nodes (1 dry, 0 wet)' },
  sigWaveHeight: { type: 'float', units: 'm', standardName: 'sea_surface_wave_significant_height', longName: 'significant wave height' },
  peakPeriod: { type: 'float', units: 's', standardName: 'sea_surface_wave_period_at_variance_spectral_density_maximum', longName: 'peak wave period' },
  meanWaveDirection: { type: 'float', units: 'degree', standardName: 'sea_surface_wave_from_direction', longName: 'mean wave direction (coming from, nautical)' },
} as const;

export type Field = keyof typeof FIELDS;

export function isField(name: string): name is Field {
  return Object.hasOwn(FIELDS, name);
}

/** ics = 1: projected metres; ics = 2: longitude/latitude degrees. */
export type Coordinates = 'metres' | 'lonlat';

export interface Out2dOptions {
  /** Model start time; `time` counts seconds from it. */
  start: Date;
  coordinates: Coordinates;
  fields: Field[];
  title?: string;
}

const text = (name: string, value: string): Attribute => ({ name, type: 'char', value });
const int = (name: string, value: number): Attribute => ({ name, type: 'int', value: [value] });

/** `seconds since 2026-11-25 00:00:00 +00:00`, the form SCHISM writes. */
export function timeUnits(start: Date): string {
  const iso = start.toISOString();
  return `seconds since ${iso.slice(0, 10)} ${iso.slice(11, 19)} +00:00`;
}

function coordinateVariables(coordinates: Coordinates): VariableSpec[] {
  const axis = (which: 'x' | 'y'): VariableSpec => {
    const lonlat = coordinates === 'lonlat';
    const names = lonlat
      ? { x: ['longitude', 'degrees_east', 'node longitude'], y: ['latitude', 'degrees_north', 'node latitude'] }
      : { x: ['projection_x_coordinate', 'm', 'node x-coordinate'], y: ['projection_y_coordinate', 'm', 'node y-coordinate'] };
    const [standardName, units, longName] = names[which];
    return {
      name: `SCHISM_hgrid_node_${which}`,
      type: 'double',
      dimensions: [NODE_DIM],
      attributes: [text('long_name', longName), text('standard_name', standardName), text('units', units), text('mesh', MESH_VARIABLE), text('location', 'node')],
    };
  };
  return [axis('x'), axis('y')];
}

function fieldVariable(field: Field): VariableSpec {
  const spec = FIELDS[field];
  const attributes = [text('long_name', spec.longName), text('units', spec.units)];
  if (spec.standardName) attributes.push(text('standard_name', spec.standardName));
  attributes.push(text('mesh', MESH_VARIABLE), text('location', 'node'), text('data_horizontal_center', 'node'), int('i23d', 1));
  return { name: field, type: spec.type, dimensions: [TIME_DIM, NODE_DIM], attributes };
}

/** Writes one out2d file frame by frame, so a 72-hour forecast never sits in memory whole. */
export class Out2dWriter {
  private constructor(
    private readonly writer: NetcdfWriter,
    private readonly nodeCount: number,
    private readonly fields: readonly Field[],
  ) {}

  static async create(path: string, mesh: OutputMesh, options: Out2dOptions): Promise<Out2dWriter> {
    const nodeCount = mesh.x.length;
    const faceCount = mesh.triangles.length / 3;
    if (mesh.y.length !== nodeCount || mesh.depth.length !== nodeCount || !Number.isInteger(faceCount)) {
      throw new Error(`${path}: mesh arrays disagree (x ${mesh.x.length}, y ${mesh.y.length}, depth ${mesh.depth.length} nodes, ${mesh.triangles.length} triangle corners)`);
    }
    const writer = await NetcdfWriter.create(path, {
      format: '64bit-offset',
      dimensions: [
        { name: TIME_DIM, size: 'unlimited' },
        { name: NODE_DIM, size: nodeCount },
        { name: FACE_DIM, size: faceCount },
        { name: MAX_FACE_NODES_DIM, size: 4 },
      ],
      attributes: [
        text('Conventions', 'CF-1.7, UGRID-1.0'),
        text('title', options.title ?? 'coastcast model output'),
        text('source', 'coastcast built-in coastal model'),
      ],
      variables: [
        {
          name: TIME_DIM,
          type: 'double',
          dimensions: [TIME_DIM],
          attributes: [text('long_name', 'Time'), text('standard_name', 'time'), text('units', timeUnits(options.start)), text('calendar', 'proleptic_gregorian')],
        },
        {
          name: MESH_VARIABLE,
          type: 'int',
          dimensions: [],
          attributes: [
            text('long_name', 'Topology data of 2d unstructured mesh'),
            text('cf_role', 'mesh_topology'),
            int('topology_dimension', 2),
            text('node_coordinates', 'SCHISM_hgrid_node_x SCHISM_hgrid_node_y'),
            text('face_node_connectivity', 'SCHISM_hgrid_face_nodes'),
          ],
        },
        ...coordinateVariables(options.coordinates),
        {
          name: 'SCHISM_hgrid_face_nodes',
          type: 'int',
          dimensions: [FACE_DIM, MAX_FACE_NODES_DIM],
          attributes: [
            text('long_name', 'Horizontal Element Table'),
            text('cf_role', 'face_node_connectivity'),
            int('start_index', 1),
            int('_FillValue', -1),
          ],
        },
        {
          name: 'depth',
          type: 'float',
          dimensions: [NODE_DIM],
          attributes: [text('long_name', 'Bathymetry'), text('units', 'm'), text('positive', 'down'), text('mesh', MESH_VARIABLE), text('location', 'node')],
        },
        ...options.fields.map(fieldVariable),
      ],
    });
    try {
      await writer.write('SCHISM_hgrid_node_x', mesh.x);
      await writer.write('SCHISM_hgrid_node_y', mesh.y);
      await writer.write('depth', mesh.depth);
      await writer.write('SCHISM_hgrid_face_nodes', faceNodesOf(mesh.triangles));
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return new Out2dWriter(writer, nodeCount, options.fields);
  }

  get frameCount(): number {
    return this.writer.recordCount;
  }

  /** Appends the frame at `seconds` after start; every declared field must be given, one value per node. */
  async appendFrame(seconds: number, values: Partial<Record<Field, ArrayLike<number>>>): Promise<void> {
    const record: Record<string, ArrayLike<number>> = { [TIME_DIM]: [seconds] };
    for (const field of this.fields) {
      const data = values[field];
      if (!data) throw new Error(`frame at ${seconds} s: field ${field} missing`);
      if (data.length !== this.nodeCount) throw new Error(`frame at ${seconds} s: field ${field} has ${data.length} values for ${this.nodeCount} nodes`);
      record[field] = data;
    }
    const extra = Object.keys(values).filter((name) => !this.fields.includes(name as Field));
    if (extra.length) throw new Error(`frame at ${seconds} s: field(s) ${extra.join(', ')} not declared for this file`);
    await this.writer.appendRecord(record);
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}

/** Triangles (0-based, 3 per face) as SCHISM's face-node table: 1-based, 4 columns, -1 where a face has 3 nodes. */
function faceNodesOf(triangles: Int32Array): Int32Array {
  const faces = triangles.length / 3;
  const table = new Int32Array(faces * 4);
  for (let f = 0; f < faces; f++) {
    table[4 * f] = triangles[3 * f] + 1;
    table[4 * f + 1] = triangles[3 * f + 1] + 1;
    table[4 * f + 2] = triangles[3 * f + 2] + 1;
    table[4 * f + 3] = -1;
  }
  return table;
}

/** Faces as triangles, 0-based; quads (SCHISM allows them) split along their first diagonal. */
function trianglesOf(path: string, table: NumericArray, maxNodes: number, nodeCount: number): Int32Array {
  const faces = table.length / maxNodes;
  const triangles: number[] = [];
  for (let f = 0; f < faces; f++) {
    const corners: number[] = [];
    for (let k = 0; k < maxNodes; k++) {
      const id = Number(table[f * maxNodes + k]);
      if (id === -1) continue;
      if (!Number.isInteger(id) || id < 1 || id > nodeCount) throw new Error(`${path}: SCHISM_hgrid_face_nodes face ${f + 1} refers to node ${id}, outside 1..${nodeCount}`);
      corners.push(id - 1);
    }
    if (corners.length === 3) triangles.push(corners[0], corners[1], corners[2]);
    else if (corners.length === 4) triangles.push(corners[0], corners[1], corners[2], corners[0], corners[2], corners[3]);
    else throw new Error(`${path}: SCHISM_hgrid_face_nodes face ${f + 1} has ${corners.length} nodes (3 or 4 expected)`);
  }
  return Int32Array.from(triangles);
}

export interface Out2dFile {
  readonly path: string;
  readonly mesh: OutputMesh;
  readonly coordinates: Coordinates;
  readonly start: Date;
  /** Output times as seconds after start, and as dates. */
  readonly seconds: Float64Array;
  readonly times: Date[];
  /** The per-node fields this file holds. */
  readonly fields: Field[];
  readFrame(field: Field, index: number): Promise<Float32Array>;
  close(): Promise<void>;
}

function requireVariable(file: NetcdfFile, name: string): void {
  if (!file.hasVariable(name)) throw new Error(`${file.path}: not an out2d file: variable ${name} missing`);
}

function toFloat64(data: unknown, path: string, name: string): Float64Array {
  if (Array.isArray(data)) throw new Error(`${path}: variable ${name} is text, numbers expected`);
  return Float64Array.from(data as ArrayLike<number>);
}

/**
 * The model start and the output times. `time:units` when the file has them
 * (ours; SCHISM's since its CF metadata: `seconds since 2026-11-25T00:00:00+00`);
 * otherwise SCHISM's older `time:base_date`, " yyyy mm dd hh.hh utc_start"
 * (start_year… of param.nml, `%5d %2d %2d %10.2f %10.2f`), the start in local
 * time with utc_start the hours local time is behind UTC, as param.nml has it.
 * (SCHISM's CF units write utc_start as the offset `+UU`, which a CF reader
 * takes the other way round; coastcast's runs set utc_start 0.)
 */
async function timeAxis(file: NetcdfFile): Promise<{ start: Date; seconds: Float64Array; times: Date[] }> {
  const units = file.attribute('units', TIME_DIM)?.value;
  if (typeof units === 'string') {
    const calendar = file.attribute('calendar', TIME_DIM)?.value;
    const start = decodeCfTimes(units, [0], typeof calendar === 'string' ? calendar : undefined)[0];
    const times = await file.readTimes(TIME_DIM);
    return { start, times, seconds: Float64Array.from(times, (t) => (t.getTime() - start.getTime()) / 1000) };
  }
  const baseDate = file.attribute('base_date', TIME_DIM)?.value;
  if (typeof baseDate !== 'string') throw new Error(`${file.path}: variable time has neither units nor SCHISM's base_date`);
  const parts = baseDate.trim().split(/\s+/).map(Number);
  const [year, month, day, hour, utcStart] = parts;
  if (parts.length !== 5 || parts.some((n) => !Number.isFinite(n)) || ![year, month, day].every(Number.isInteger) || month < 1 || month > 12 || day < 1 || day > 31) {
    throw new Error(`${file.path}: time:base_date '${baseDate}' is not SCHISM's "year month day hour utc_start"`);
  }
  const start = new Date(Date.UTC(year, month - 1, day) + Math.round((hour + utcStart) * 3_600_000));
  const values = await file.read(TIME_DIM);
  if (Array.isArray(values)) throw new Error(`${file.path}: variable time holds text, seconds expected`);
  const seconds = Float64Array.from(values as ArrayLike<number>, Number);
  return { start, seconds, times: Array.from(seconds, (s) => new Date(start.getTime() + Math.round(s * 1000))) };
}

/**
 * Degrees or metres, from the units of SCHISM_hgrid_node_x (`degrees_east`
 * in ours, `degree_E` in SCHISM's for ics 2; `m` for ics 1). SCHISM's scribes
 * before its CF metadata label neither axis; their ics 2 coordinates are
 * degrees, all within ±360 and ±90, which the metres of a projected coastal
 * mesh never are.
 */
function coordinatesOf(file: NetcdfFile, x: Float64Array, y: Float64Array): Coordinates {
  const units = file.attribute('units', 'SCHISM_hgrid_node_x')?.value;
  if (typeof units === 'string') return units.startsWith('degree') ? 'lonlat' : 'metres';
  return x.every((v) => Math.abs(v) <= 360) && y.every((v) => Math.abs(v) <= 90) ? 'lonlat' : 'metres';
}

/** Opens an out2d file — ours (classic) or SCHISM's (NetCDF-4) — through the one NetCDF reader. */
export async function openOut2d(path: string): Promise<Out2dFile> {
  const file = await openNetcdf(path);
  try {
    for (const name of [TIME_DIM, 'SCHISM_hgrid_node_x', 'SCHISM_hgrid_node_y', 'SCHISM_hgrid_face_nodes', 'depth']) requireVariable(file, name);
    const x = toFloat64(await file.read('SCHISM_hgrid_node_x'), path, 'SCHISM_hgrid_node_x');
    const y = toFloat64(await file.read('SCHISM_hgrid_node_y'), path, 'SCHISM_hgrid_node_y');
    const depth = toFloat64(await file.read('depth'), path, 'depth');
    const faceInfo = file.variable('SCHISM_hgrid_face_nodes');
    const table = await file.read('SCHISM_hgrid_face_nodes');
    if (Array.isArray(table)) throw new Error(`${path}: SCHISM_hgrid_face_nodes is text, integers expected`);
    const triangles = trianglesOf(path, table, faceInfo.shape[1], x.length);
    const { start, seconds, times } = await timeAxis(file);
    const coordinates = coordinatesOf(file, x, y);
    const fields = file.variables.filter((v) => isField(v.name) && v.dimensions[0] === TIME_DIM && v.dimensions[1] === NODE_DIM).map((v) => v.name as Field);
    return {
      path,
      mesh: { x, y, depth, triangles },
      coordinates,
      start,
      seconds,
      times,
      fields,
      async readFrame(field, index) {
        if (!fields.includes(field)) throw new Error(`${path}: field ${field} not in this file (it has ${fields.join(', ') || 'none'})`);
        if (!Number.isInteger(index) || index < 0 || index >= seconds.length) throw new Error(`${path}: frame ${index} out of range 0..${seconds.length - 1}`);
        const data = await file.readRecord(field, index);
        if (Array.isArray(data)) throw new Error(`${path}: variable ${field} is text, numbers expected`);
        return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
      },
      close: () => file.close(),
    };
  } catch (error) {
    await file.close();
    throw error;
  }
}
