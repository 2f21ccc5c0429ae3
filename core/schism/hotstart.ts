/**
 * The built-in model's hot start in SCHISM's hotstart.nc layout (the file
 * SCHISM reads with ihot = 1 or 2), restricted to what a 2D barotropic run
 * holds: elevation, depth-averaged velocity and wet/dry flags.
 *
 * SCHISM keeps velocity on sides (edges), so the writer also stores our node
 * velocities as `coastcast_u` / `coastcast_v`: SCHISM ignores them, and our own
 * hot start comes back exactly instead of smoothed through the sides.
 *
 * Variables SCHISM requires but a 2D barotropic run does not carry are
 * written as zeros: `we` (vertical velocity), `tr_el`, `tr_nd`, `tr_nd0`
 * (temperature and salinity, not transported when ibc = 1), `q2`, `xl`,
 * `dfv`, `dfh`, `dfq1`, `dfq2` (turbulence-closure state of the 3D model) and
 * `cumsum_eta` (SCHISM's running sum of elevation, which we do not track).
 */
import { openNetcdf, type NetcdfFile } from '../netcdf/reader.js';
import type { Attribute, NcData } from '../netcdf/types.js';
import { NetcdfWriter, type VariableSpec } from '../netcdf/writer.js';
import type { Mesh } from '../mesh/mesh.js';

/** Levels of a 2D SCHISM run (bottom and surface). */
export const HOTSTART_LEVELS = 2;
/** Tracers of a SCHISM build without modules: temperature and salinity. */
export const HOTSTART_TRACERS = 2;

export type SideMesh = Pick<Mesh, 'x' | 'triangles'>;

/**
 * The unique edges of a mesh in SCHISM's global side order: triangles are
 * visited in order, and side k of a triangle — the one facing corner k,
 * joining corners k+1 and k+2 — is numbered when first met. For a
 * triangle-only hgrid.gr3 this is the order of SCHISM's own su2/sv2.
 */
export interface MeshSides {
  count: number;
  /** Two node indices per side, in the order the first triangle meeting it lists them. */
  nodes: Int32Array;
  /** Two triangle indices per side: the one that numbered it, then its neighbour or −1 on the mesh boundary. */
  triangles: Int32Array;
}

export function meshSides(mesh: SideMesh): MeshSides {
  const np = mesh.x.length;
  const { triangles } = mesh;
  const ne = triangles.length / 3;
  // Sides are found through their smaller node: a bucket per node holds the larger nodes seen so far.
  const start = new Int32Array(np + 1);
  for (let c = 0; c < 3 * ne; c++) {
    const a = triangles[c];
    const b = triangles[c % 3 === 2 ? c - 2 : c + 1];
    start[Math.min(a, b) + 1]++;
  }
  for (let n = 0; n < np; n++) start[n + 1] += start[n];
  const used = new Int32Array(np);
  const partner = new Int32Array(3 * ne);
  const sideOf = new Int32Array(3 * ne);
  const nodes = new Int32Array(6 * ne);
  const owners = new Int32Array(6 * ne);
  let count = 0;
  for (let t = 0; t < ne; t++) {
    for (let k = 0; k < 3; k++) {
      const a = triangles[3 * t + ((k + 1) % 3)];
      const b = triangles[3 * t + ((k + 2) % 3)];
      const low = Math.min(a, b);
      const high = Math.max(a, b);
      const first = start[low];
      let s = -1;
      for (let i = first; i < first + used[low]; i++) {
        if (partner[i] === high) {
          s = sideOf[i];
          break;
        }
      }
      if (s < 0) {
        s = count++;
        partner[first + used[low]] = high;
        sideOf[first + used[low]] = s;
        used[low]++;
        nodes[2 * s] = a;
        nodes[2 * s + 1] = b;
        owners[2 * s] = t;
        owners[2 * s + 1] = -1;
      } else if (owners[2 * s + 1] < 0) {
        owners[2 * s + 1] = t;
      } else {
        throw new Error(`mesh edge ${a + 1}–${b + 1} is shared by more than two triangles (${owners[2 * s] + 1}, ${owners[2 * s + 1] + 1}, ${t + 1})`);
      }
    }
  }
  return { count, nodes: nodes.slice(0, 2 * count), triangles: owners.slice(0, 2 * count) };
}

/** The model state a hot start carries. */
export interface HotstartState {
  /** Model time in seconds (SCHISM's `time`: from the cold start). */
  time: number;
  /** Time step number at `time` (SCHISM's `iths`). */
  step: number;
  /** Elevation per node, m. */
  eta: ArrayLike<number>;
  /** Depth-averaged velocity per node, m s-1. */
  u: ArrayLike<number>;
  v: ArrayLike<number>;
  /** Per node: 1 dry, 0 wet. */
  dry: ArrayLike<number>;
  /** Output stack SCHISM continues from with ihot = 2 (`ifile`); default 1. */
  ifile?: number;
  /** Steps since the cold start (`nsteps_from_cold`); default `step`. */
  stepsFromCold?: number;
}

export interface Hotstart {
  time: number;
  step: number;
  ifile: number;
  stepsFromCold: number;
  eta: Float64Array;
  u: Float64Array;
  v: Float64Array;
  dry: Uint8Array;
  /** Where u and v came from: our exact node velocities, or the mean of each node's sides. */
  velocityFrom: 'nodes' | 'sides';
}

const text = (name: string, value: string): Attribute => ({ name, type: 'char', value });

function variable(name: string, type: 'int' | 'double', dimensions: string[], longName: string, units?: string): VariableSpec {
  const attributes = [text('long_name', longName)];
  if (units) attributes.push(text('units', units));
  return { name, type, dimensions, attributes };
}

const ZERO_FIELDS: readonly (readonly [string, string[], string])[] = [
  ['cumsum_eta', ['node'], 'running sum of elevation (not tracked by coastcast)'],
  ['we', ['elem', 'nVert'], 'vertical velocity'],
  ['tr_el', ['elem', 'nVert', 'ntracers'], 'tracers at elements (temperature, salinity)'],
  ['tr_nd', ['node', 'nVert', 'ntracers'], 'tracers at nodes (temperature, salinity)'],
  ['tr_nd0', ['node', 'nVert', 'ntracers'], 'initial tracers at nodes'],
  ['q2', ['node', 'nVert'], 'turbulent kinetic energy'],
  ['xl', ['node', 'nVert'], 'turbulent mixing length'],
  ['dfv', ['node', 'nVert'], 'vertical viscosity'],
  ['dfh', ['node', 'nVert'], 'vertical diffusivity'],
  ['dfq1', ['node', 'nVert'], 'turbulence closure diffusivity 1'],
  ['dfq2', ['node', 'nVert'], 'turbulence closure diffusivity 2'],
];

/** Writes hotstart.nc (64-bit offset) for `mesh`; `sides` may be passed when already built. */
export async function writeHotstart(path: string, mesh: SideMesh, state: HotstartState, sides = meshSides(mesh)): Promise<void> {
  const np = mesh.x.length;
  const ne = mesh.triangles.length / 3;
  const ns = sides.count;
  for (const [name, values] of [['eta', state.eta], ['u', state.u], ['v', state.v], ['dry', state.dry]] as const) {
    if (values.length !== np) throw new Error(`${path}: hot start ${name} has ${values.length} values, the mesh has ${np} nodes`);
  }
  const step = state.step;
  const ifile = state.ifile ?? 1;
  const stepsFromCold = state.stepsFromCold ?? step;
  for (const [name, value] of [['step', step], ['ifile', ifile], ['stepsFromCold', stepsFromCold]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${path}: hot start ${name} must be a non-negative integer, got ${value}`);
  }
  if (!Number.isFinite(state.time)) throw new Error(`${path}: hot start time must be finite, got ${state.time}`);

  const idry = Int32Array.from(state.dry, (d, n) => {
    if (d !== 0 && d !== 1) throw new Error(`${path}: hot start dry flag of node ${n + 1} is ${d}; 0 (wet) or 1 (dry) expected`);
    return d;
  });
  const { idryE, idryS } = dryFlags(mesh.triangles, sides, idry);
  const { su2, sv2 } = sideVelocities(sides, state.u, state.v);

  const writer = await NetcdfWriter.create(path, {
    format: '64bit-offset',
    dimensions: [
      { name: 'node', size: np },
      { name: 'elem', size: ne },
      { name: 'side', size: ns },
      { name: 'nVert', size: HOTSTART_LEVELS },
      { name: 'ntracers', size: HOTSTART_TRACERS },
      { name: 'one', size: 1 },
    ],
    attributes: [text('title', 'SCHISM hot start, 2D barotropic subset'), text('source', 'coastcast built-in coastal model')],
    variables: [
      variable('time', 'double', ['one'], 'model time', 's'),
      variable('iths', 'int', ['one'], 'time step number'),
      variable('ifile', 'int', ['one'], 'output file stack number'),
      variable('nsteps_from_cold', 'int', ['one'], 'time steps since the cold start'),
      variable('idry_e', 'int', ['elem'], 'wet/dry flag at elements (1 dry)'),
      variable('idry_s', 'int', ['side'], 'wet/dry flag at sides (1 dry)'),
      variable('idry', 'int', ['node'], 'wet/dry flag at nodes (1 dry)'),
      variable('eta2', 'double', ['node'], 'elevation', 'm'),
      variable('su2', 'double', ['side', 'nVert'], 'velocity at sides, x component', 'm s-1'),
      variable('sv2', 'double', ['side', 'nVert'], 'velocity at sides, y component', 'm s-1'),
      ...ZERO_FIELDS.map(([name, dims, longName]) => variable(name, 'double', [...dims], longName)),
      variable('coastcast_u', 'double', ['node'], 'depth-averaged velocity at nodes, x component', 'm s-1'),
      variable('coastcast_v', 'double', ['node'], 'depth-averaged velocity at nodes, y component', 'm s-1'),
    ],
  });
  try {
    await writer.write('time', [state.time]);
    await writer.write('iths', [step]);
    await writer.write('ifile', [ifile]);
    await writer.write('nsteps_from_cold', [stepsFromCold]);
    await writer.write('idry_e', idryE);
    await writer.write('idry_s', idryS);
    await writer.write('idry', idry);
    await writer.write('eta2', state.eta);
    await writer.write('su2', su2);
    await writer.write('sv2', sv2);
    const sizes: Record<string, number> = { node: np, elem: ne, nVert: HOTSTART_LEVELS, ntracers: HOTSTART_TRACERS };
    const zeros = new Float64Array(Math.max(np, ne) * HOTSTART_LEVELS * HOTSTART_TRACERS);
    for (const [name, dims] of ZERO_FIELDS) {
      await writer.write(name, zeros.subarray(0, dims.reduce((n, d) => n * sizes[d], 1)));
    }
    await writer.write('coastcast_u', state.u);
    await writer.write('coastcast_v', state.v);
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** SCHISM's rules: an element is dry when any of its nodes is, a side when every element on it is. */
export function dryFlags(triangles: Int32Array, sides: MeshSides, idry: Int32Array): { idryE: Int32Array; idryS: Int32Array } {
  const ne = triangles.length / 3;
  const idryE = new Int32Array(ne);
  for (let t = 0; t < ne; t++) idryE[t] = idry[triangles[3 * t]] | idry[triangles[3 * t + 1]] | idry[triangles[3 * t + 2]];
  const idryS = new Int32Array(sides.count);
  for (let s = 0; s < sides.count; s++) {
    const other = sides.triangles[2 * s + 1];
    idryS[s] = idryE[sides.triangles[2 * s]] & (other < 0 ? 1 : idryE[other]);
  }
  return { idryE, idryS };
}

/** Side velocity = mean of its two nodes', the same on both levels. */
function sideVelocities(sides: MeshSides, u: ArrayLike<number>, v: ArrayLike<number>): { su2: Float64Array; sv2: Float64Array } {
  const su2 = new Float64Array(sides.count * HOTSTART_LEVELS);
  const sv2 = new Float64Array(sides.count * HOTSTART_LEVELS);
  for (let s = 0; s < sides.count; s++) {
    const a = sides.nodes[2 * s];
    const b = sides.nodes[2 * s + 1];
    const us = 0.5 * (u[a] + u[b]);
    const vs = 0.5 * (v[a] + v[b]);
    for (let k = 0; k < HOTSTART_LEVELS; k++) {
      su2[s * HOTSTART_LEVELS + k] = us;
      sv2[s * HOTSTART_LEVELS + k] = vs;
    }
  }
  return { su2, sv2 };
}

/**
 * Reads a hot start written by us or by SCHISM (NetCDF-4, 2D: nVert = 2) for
 * `mesh`. Node velocity is `coastcast_u/v` when present, otherwise the mean of
 * the node's sides (mean over the levels).
 *
 * SCHISM's own hot start is the one combine_hotstart7 joins from the
 * per-process files: the same variables under the same names, but its
 * `time`, `iths`, `ifile` and `nsteps_from_cold` hang on a dimension of its
 * own, `one_new` (the per-process files' dimensions, `one` among them, are
 * copied over unused). SCHISM reads those four by name whatever their
 * dimension, and so do we: any single value will do.
 */
export async function readHotstart(path: string, mesh: SideMesh, sides = meshSides(mesh)): Promise<Hotstart> {
  const file = await openNetcdf(path);
  try {
    const np = mesh.x.length;
    const sizes = { node: np, elem: mesh.triangles.length / 3, side: sides.count };
    const noun = { node: 'nodes', elem: 'elements', side: 'sides' } as const;
    for (const dim of ['node', 'elem', 'side'] as const) {
      const found = dimensionSize(file, dim);
      if (found !== sizes[dim]) {
        throw new Error(`${path}: hotstart.nc was written for a mesh of ${found} ${noun[dim]}, this mesh has ${sizes[dim]}`);
      }
    }
    const nVert = dimensionSize(file, 'nVert');
    if (nVert !== HOTSTART_LEVELS) {
      throw new Error(`${path}: hotstart.nc has nVert = ${nVert} levels, a 3D hot start; the built-in model reads 2D ones (nVert = ${HOTSTART_LEVELS})`);
    }
    const time = await scalar(file, 'time');
    const step = await integerScalar(file, 'iths');
    const ifile = await integerScalar(file, 'ifile');
    const stepsFromCold = await integerScalar(file, 'nsteps_from_cold');
    const eta = Float64Array.from(await numbers(file, 'eta2', ['node']));
    const idry = await numbers(file, 'idry', ['node']);
    const dry = Uint8Array.from(idry, (d, n) => {
      if (d !== 0 && d !== 1) throw new Error(`${path}: idry of node ${n + 1} is ${d}; 0 (wet) or 1 (dry) expected`);
      return d;
    });
    let velocityFrom: Hotstart['velocityFrom'] = 'nodes';
    let u: Float64Array;
    let v: Float64Array;
    if (file.hasVariable('coastcast_u') && file.hasVariable('coastcast_v')) {
      u = Float64Array.from(await numbers(file, 'coastcast_u', ['node']));
      v = Float64Array.from(await numbers(file, 'coastcast_v', ['node']));
    } else {
      velocityFrom = 'sides';
      [u, v] = nodeVelocities(np, sides, await numbers(file, 'su2', ['side', 'nVert']), await numbers(file, 'sv2', ['side', 'nVert']));
    }
    return { time, step, ifile, stepsFromCold, eta, u, v, dry, velocityFrom };
  } finally {
    await file.close();
  }
}

/** Each node's velocity is the mean over its sides (and over both levels) of the side velocities. */
function nodeVelocities(np: number, sides: MeshSides, su2: ArrayLike<number>, sv2: ArrayLike<number>): [Float64Array, Float64Array] {
  const u = new Float64Array(np);
  const v = new Float64Array(np);
  const count = new Int32Array(np);
  for (let s = 0; s < sides.count; s++) {
    let us = 0;
    let vs = 0;
    for (let k = 0; k < HOTSTART_LEVELS; k++) {
      us += su2[s * HOTSTART_LEVELS + k];
      vs += sv2[s * HOTSTART_LEVELS + k];
    }
    for (const n of [sides.nodes[2 * s], sides.nodes[2 * s + 1]]) {
      u[n] += us / HOTSTART_LEVELS;
      v[n] += vs / HOTSTART_LEVELS;
      count[n]++;
    }
  }
  for (let n = 0; n < np; n++) {
    if (count[n] > 0) {
      u[n] /= count[n];
      v[n] /= count[n];
    }
  }
  return [u, v];
}

/** A one-value variable: no dimension, or one of length 1 whatever its name (`one` in ours, `one_new` in combine_hotstart7's). */
async function scalar(file: NetcdfFile, name: string): Promise<number> {
  if (!file.hasVariable(name)) throw new Error(`${file.path}: not a SCHISM hotstart.nc: no variable '${name}'`);
  const { dimensions, shape } = file.variable(name);
  if (shape.some((n) => n !== 1)) {
    throw new Error(`${file.path}: variable '${name}' has dimensions (${dimensions.join(', ')}) of ${shape.join(' x ')} values; one value expected`);
  }
  const [value] = Array.from(numeric(file, name, await file.read(name)));
  if (!Number.isFinite(value)) throw new Error(`${file.path}: variable '${name}' is ${value}, a finite number expected`);
  return value;
}

async function integerScalar(file: NetcdfFile, name: string): Promise<number> {
  const value = await scalar(file, name);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${file.path}: variable '${name}' is ${value}, a non-negative integer expected`);
  return value;
}

function dimensionSize(file: NetcdfFile, name: string): number {
  const dim = file.dimensions.find((d) => d.name === name);
  if (!dim) throw new Error(`${file.path}: not a SCHISM hotstart.nc: no dimension '${name}'`);
  return dim.size;
}

async function numbers(file: NetcdfFile, name: string, dimensions: string[]): Promise<ArrayLike<number>> {
  if (!file.hasVariable(name)) throw new Error(`${file.path}: not a SCHISM hotstart.nc: no variable '${name}'`);
  const found = file.variable(name).dimensions;
  if (found.join() !== dimensions.join()) {
    throw new Error(`${file.path}: variable '${name}' has dimensions (${found.join(', ')}), expected (${dimensions.join(', ')})`);
  }
  return numeric(file, name, await file.read(name));
}

function numeric(file: NetcdfFile, name: string, data: NcData): ArrayLike<number> {
  if (Array.isArray(data)) throw new Error(`${file.path}: variable '${name}' holds text, numbers expected`);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  return data as ArrayLike<number>;
}
