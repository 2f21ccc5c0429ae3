/**
 * Forcing files as a run reads them: fields on a lon/lat grid, time first,
 * as a forcing source validated them (activities/forcing/validate.ts), packed
 * ones (CF scale_factor, add_offset: Copernicus Marine stores its fields as
 * 16-bit integers) unpacked, in our units, rows south to north; what the
 * atmosphere's sflux (sfluxFromForcing.ts) and the boundary waves
 * (boundaryWaves.ts) share.
 */
import { openNetcdf, type NetcdfFile } from '../../core/netcdf/reader.js';
import type { NcData } from '../../core/netcdf/types.js';
import type { NodeLonLat } from '../../core/tide/boundaryTide.js';
import type { RunForcing } from '../prepareRun.js';
import { missingTest, unpacking } from './validate.js';

/** Units read, as the factor to ours (m s-1, Pa, m, s, degrees); a variable without units is taken as ours. */
const FIELD_UNITS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  uwind: { 'm s-1': 1, 'm/s': 1, 'm s**-1': 1, 'm.s-1': 1, 'meters/second': 1 },
  vwind: { 'm s-1': 1, 'm/s': 1, 'm s**-1': 1, 'm.s-1': 1, 'meters/second': 1 },
  prmsl: { pa: 1, hpa: 100, mbar: 100, millibar: 100, mb: 100 },
  hs: { m: 1, meters: 1, metres: 1, meter: 1, metre: 1 },
  tp: { s: 1, seconds: 1, second: 1, sec: 1 },
  dir: { degree: 1, degrees: 1, degree_true: 1, degrees_true: 1, deg: 1 },
};

export interface ForcingFields<F extends string> {
  nc: NetcdfFile;
  /** Each of our fields' variable in the file. */
  names: Record<F, string>;
  grid: ForcingGrid;
  times: Date[];
  /** The records that bracket the run: times[first] ≤ start, times[last] ≥ end. */
  first: number;
  last: number;
  /** Added to the grid's longitudes, it puts them in the convention of the mesh's nodes. */
  shift: number;
  /** A field's stored values to ours: unpacked, in our units. */
  toOurs: Record<F, (stored: number) => number>;
  /** A field as messages name it: 'VHM0' (hs). */
  label: (field: F) => string;
  fail: (message: string) => Error;
}

/**
 * Opens a forcing file and checks what both readers need: the fields on one
 * (time, y, x) grid, in known units, with records bracketing the
 * run and a grid over `nodes`, those the forcing is needed at (every node
 * for the atmosphere, the open boundary's for waves). The caller closes `nc`.
 */
export async function openForcingFields<F extends string>(forcing: RunForcing, fields: readonly F[], nodes: NodeLonLat, start: Date, end: Date, fail: (message: string) => Error): Promise<ForcingFields<F>> {
  let nc: NetcdfFile;
  try {
    nc = await openNetcdf(forcing.path);
  } catch (error) {
    throw fail((error as Error).message.replace(`${forcing.path}: `, ''));
  }
  try {
    const names = Object.fromEntries(fields.map((f) => [f, forcing.variables?.[f] ?? f])) as Record<F, string>;
    const label = (f: F) => (names[f] === f ? `'${f}'` : `'${names[f]}' (${f})`);
    for (const f of fields) if (!nc.hasVariable(names[f])) throw fail(`no variable ${label(f)} (variables: ${nc.variables.map((v) => v.name).join(', ')})`);
    const grid = await forcingGrid(nc, fail);
    const timeDim = nc.variable(names[fields[0]]).dimensions[0];
    for (const f of fields) {
      const name = names[f];
      const dims = nc.variable(name).dimensions;
      if (dims.join() !== [timeDim, ...grid.dims].join()) throw fail(`variable ${label(f)} has dimensions (${dims.join(', ')}); expected (${[timeDim, ...grid.dims].join(', ')})`);
    }
    const times = await nc.readTimes(timeDim);
    const first = times.findLastIndex((t) => t.getTime() <= start.getTime());
    const last = times.findIndex((t) => t.getTime() >= end.getTime());
    if (first < 0 || last < 0) {
      const covered = times.length > 0 ? `${times[0].toISOString()} to ${times[times.length - 1].toISOString()}` : 'no times';
      throw fail(`covers ${covered}; the run needs ${start.toISOString()} to ${end.toISOString()}`);
    }
    const mesh = extent(nodes);
    const shift = longitudeShift(grid, mesh);
    if (shift === undefined) {
      throw fail(`its grid (lon ${grid.lonMin}..${grid.lonMax}, lat ${grid.latMin}..${grid.latMax}) does not cover the nodes it forces (lon ${mesh.west}..${mesh.east}, lat ${mesh.south}..${mesh.north})`);
    }
    const toOurs = Object.fromEntries(fields.map((f) => {
      const unpack = unpacking(nc, nc.variable(names[f]));
      const factor = unitFactor(nc, f, names[f], fail);
      return [f, (stored: number) => unpack(stored) * factor];
    })) as Record<F, (stored: number) => number>;
    return { nc, names, grid, times, first, last, shift, toOurs, label, fail };
  } catch (error) {
    await nc.close();
    throw error;
  }
}

export interface ForcingGrid {
  /** The fields' grid dimensions, (y, x). */
  dims: string[];
  nx: number;
  ny: number;
  /** Row-major (ny, nx), rows south to north. */
  lon: Float64Array;
  lat: Float64Array;
  /** The file's rows run north to south and are reversed. */
  flipped: boolean;
  /** A regular grid's axes (1-D longitude and latitude), latitudes south to north. */
  axes?: { lon: Float64Array; lat: Float64Array };
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

async function forcingGrid(nc: NetcdfFile, fail: (message: string) => Error): Promise<ForcingGrid> {
  const coordinate = async (names: string[]) => {
    const name = names.find((n) => nc.hasVariable(n));
    if (name === undefined) throw fail(`no ${names.map((n) => `'${n}'`).join(' or ')} coordinate`);
    return { dims: nc.variable(name).dimensions, values: Float64Array.from(numeric(await nc.read(name), name, fail), Number) };
  };
  const lon = await coordinate(['lon', 'longitude']);
  const lat = await coordinate(['lat', 'latitude']);
  let dims: string[];
  let lon2: Float64Array;
  let lat2: Float64Array;
  if (lon.dims.length === 1 && lat.dims.length === 1) {
    dims = [lat.dims[0], lon.dims[0]];
    const nx = lon.values.length;
    lon2 = Float64Array.from({ length: nx * lat.values.length }, (_, p) => lon.values[p % nx]);
    lat2 = Float64Array.from({ length: nx * lat.values.length }, (_, p) => lat.values[Math.floor(p / nx)]);
  } else if (lon.dims.length === 2 && lon.dims.join() === lat.dims.join()) {
    dims = lon.dims;
    lon2 = lon.values;
    lat2 = lat.values;
  } else {
    throw fail(`longitude (${lon.dims.join(', ')}) and latitude (${lat.dims.join(', ')}) are neither two 1-D axes nor one 2-D grid`);
  }
  const nx = nc.dimensions.find((d) => d.name === dims[1])?.size ?? 0;
  const ny = nc.dimensions.find((d) => d.name === dims[0])?.size ?? 0;
  if (nx < 2 || ny < 2) throw fail(`the grid is ${nx} × ${ny} points; interpolating in it needs at least 2 × 2`);
  const flipped = lat2[nx * (ny - 1)] < lat2[0];
  const rows = (values: Float64Array) => (flipped ? flipRows(values, nx, ny) : values);
  const { west, east, south, north } = extent({ lon: lon2, lat: lat2 });
  const axes = lon.dims.length === 1 ? { lon: lon.values, lat: flipped ? lat.values.slice().reverse() : lat.values } : undefined;
  return { dims, nx, ny, lon: rows(lon2), lat: rows(lat2), flipped, axes, lonMin: west, lonMax: east, latMin: south, latMax: north };
}

function flipRows<T extends Float64Array | Float32Array>(values: T, nx: number, ny: number): T {
  const out = values.slice() as T;
  for (let j = 0; j < ny; j++) out.set(values.subarray((ny - 1 - j) * nx, (ny - j) * nx), j * nx);
  return out;
}

interface Extent {
  west: number;
  east: number;
  south: number;
  north: number;
}

function extent(nodes: NodeLonLat): Extent {
  const e = { west: Infinity, east: -Infinity, south: Infinity, north: -Infinity };
  for (let n = 0; n < nodes.lon.length; n++) {
    e.west = Math.min(e.west, nodes.lon[n]);
    e.east = Math.max(e.east, nodes.lon[n]);
    e.south = Math.min(e.south, nodes.lat[n]);
    e.north = Math.max(e.north, nodes.lat[n]);
  }
  return e;
}

/** 0, −360 or +360: what puts the mesh inside the grid's longitudes (a 0..360 grid for a −180..180 mesh); undefined when none does. */
function longitudeShift(grid: ForcingGrid, mesh: Extent): number | undefined {
  if (mesh.south < grid.latMin || mesh.north > grid.latMax) return undefined;
  return [0, -360, 360].find((shift) => mesh.west >= grid.lonMin + shift && mesh.east <= grid.lonMax + shift);
}

function unitFactor(nc: NetcdfFile, field: string, name: string, fail: (message: string) => Error): number {
  const units = nc.attribute('units', name)?.value;
  if (typeof units !== 'string') return 1;
  const factor = FIELD_UNITS[field][units.trim().toLowerCase()] ?? FIELD_UNITS[field][units.trim()];
  if (factor === undefined) throw fail(`variable '${name}' (${field}) has units '${units}'; expected ${Object.keys(FIELD_UNITS[field]).join(', ')}`);
  return factor;
}

/** One record of a field on the sflux grid, in SI; a missing value is an error (sflux has no mask). */
export function gridValues(nc: NetcdfFile, name: string, data: NcData, grid: ForcingGrid, toOurs: (stored: number) => number, time: Date, fail: (message: string) => Error): Float32Array {
  const raw = numeric(data, name, fail);
  const isMissing = missingTest(nc, nc.variable(name));
  const values = new Float32Array(grid.nx * grid.ny);
  for (let p = 0; p < values.length; p++) {
    const v = Number(raw[p]);
    if (Number.isNaN(v) || isMissing(v)) throw fail(`variable '${name}' has a missing value at ${time.toISOString()}, grid point ${p % grid.nx}, ${Math.floor(p / grid.nx)}`);
    values[p] = toOurs(v);
  }
  return grid.flipped ? flipRows(values, grid.nx, grid.ny) : values;
}

export function numeric(data: NcData, name: string, fail: (message: string) => Error): ArrayLike<number | bigint> {
  if (Array.isArray(data)) throw fail(`variable '${name}' holds text, not numbers`);
  return data;
}

/** A south-to-north grid point's index in a record as the file stores it. */
export function fileIndex(grid: ForcingGrid, point: number): number {
  if (!grid.flipped) return point;
  const row = Math.floor(point / grid.nx);
  return (grid.ny - 1 - row) * grid.nx + (point % grid.nx);
}
