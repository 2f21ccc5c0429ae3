/**
 * Tidal constants from a FES-style tidal atlas (FES2014, FES2022): a
 * directory with one NetCDF file per constituent, named by the constituent in
 * lower case (`m2.nc`, `k1.nc`, …), each holding
 *
 *   lon(lon), lat(lat)            degrees, 1-D, monotonic
 *   amplitude(lat, lon)           `units` cm (as FES) or m (mm also read)
 *   phase(lat, lon)               Greenwich phase lag, degrees
 *
 * with land masked by _FillValue / missing_value or NaN. Packed values
 * (scale_factor, add_offset) are unpacked; (lon, lat) order is read too.
 *
 * At each point (an open-boundary node) the value is bilinear in the grid
 * cell around it, interpolating the complex value A·e^{iφ}: interpolating the
 * phase itself would average 359° and 1° to 180°. Longitudes are compared
 * modulo 360°, so a 0..360 grid serves −180..180 nodes, and a global grid
 * (its longitudes going round the Earth, with or without the first column
 * repeated) wraps across its seam.
 *
 * Land rule: when any of the cell's four corners is masked, the point takes
 * the value of the nearest valid grid point (great-circle distance) among
 * the grid points within NEAREST_SEARCH_CELLS cells of the cell; when there
 * is none, the point is in the atlas's land and that is an error.
 *
 * Every error names the file and the point.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';

import { haversineDistance } from '../geodesy.js';
import { openNetcdf, type NetcdfFile } from '../netcdf/reader.js';
import type { NcData } from '../netcdf/types.js';
import { normalizeDegrees } from './astronomy.js';

/** How far (in grid cells, each way) a point whose cell touches land looks for the nearest valid value. */
export const NEAREST_SEARCH_CELLS = 10;

const DEG = Math.PI / 180;

/** Amplitude units read, as the factor to metres. */
const AMPLITUDE_UNITS: Readonly<Record<string, number>> = {
  m: 1,
  meter: 1,
  meters: 1,
  metre: 1,
  metres: 1,
  cm: 0.01,
  centimeter: 0.01,
  centimeters: 0.01,
  centimetre: 0.01,
  centimetres: 0.01,
  mm: 0.001,
  millimeter: 0.001,
  millimeters: 0.001,
};
const PHASE_UNITS = new Set(['degree', 'degrees', 'deg', 'degrees_east']);

/** Where the atlas is wanted: degrees east and north, and how messages name the point. */
export interface AtlasPoint {
  lon: number;
  lat: number;
  label: string;
}

/** One constituent at the points. */
export interface AtlasConstants {
  /** The constituent as asked for. */
  name: string;
  file: string;
  /** Metres, one per point. */
  amplitude: Float64Array;
  /** Greenwich phase lag, degrees in [0, 360), one per point. */
  phase: Float64Array;
  /** Indices of the points that took the nearest valid grid value (their cell touches land). */
  nearest: number[];
}

export class AtlasError extends Error {
  override name = 'AtlasError';
}

/** The file of a constituent in an atlas directory: FES names them by the constituent in lower case. */
export function atlasFile(dir: string, constituent: string): string {
  return join(dir, `${constituent.toLowerCase()}.nc`);
}

/** Amplitude and phase of each constituent at the points (see the module comment for the rules). */
export async function readAtlas(dir: string, constituents: readonly string[], points: readonly AtlasPoint[]): Promise<AtlasConstants[]> {
  // Every file is looked for first, so a missing one fails before any grid is read.
  for (const name of constituents) {
    const file = atlasFile(dir, name);
    await access(file).catch(() => {
      throw new AtlasError(`${file}: missing; the tide atlas ${dir} has no file for constituent ${name} (expected ${name.toLowerCase()}.nc)`);
    });
  }
  const out: AtlasConstants[] = [];
  for (const name of constituents) out.push(await readConstituent(atlasFile(dir, name), name, points));
  return out;
}

async function readConstituent(file: string, name: string, points: readonly AtlasPoint[]): Promise<AtlasConstants> {
  let nc: NetcdfFile;
  try {
    nc = await openNetcdf(file);
  } catch (error) {
    throw new AtlasError(prefixed(file, error));
  }
  try {
    const grid = await readGrid(nc);
    const amplitude = await readField(nc, 'amplitude', grid, amplitudeFactor(nc));
    checkPhaseUnits(nc);
    const phase = await readField(nc, 'phase', grid, 1);
    const result: AtlasConstants = { name, file, amplitude: new Float64Array(points.length), phase: new Float64Array(points.length), nearest: [] };
    points.forEach((point, p) => {
      const value = grid.interpolate(point, amplitude, phase, file);
      result.amplitude[p] = value.amplitude;
      result.phase[p] = value.phase;
      if (value.nearest) result.nearest.push(p);
    });
    return result;
  } catch (error) {
    throw error instanceof AtlasError ? error : new AtlasError(prefixed(file, error));
  } finally {
    await nc.close();
  }
}

function amplitudeFactor(nc: NetcdfFile): number {
  const units = textAttribute(nc, 'amplitude', 'units');
  if (units === undefined) throw new AtlasError(`${nc.path}: variable 'amplitude' has no 'units' attribute; it must say cm (as FES) or m`);
  const factor = AMPLITUDE_UNITS[units.trim().toLowerCase()];
  if (factor === undefined) throw new AtlasError(`${nc.path}: amplitude units '${units}' are not read; use cm or m`);
  return factor;
}

/** Phases are degrees; a file that says otherwise is refused rather than misread (no units: degrees, as FES). */
function checkPhaseUnits(nc: NetcdfFile): void {
  const units = textAttribute(nc, 'phase', 'units');
  if (units !== undefined && !PHASE_UNITS.has(units.trim().toLowerCase())) throw new AtlasError(`${nc.path}: phase units '${units}' are not read; phases must be in degrees`);
}

function textAttribute(nc: NetcdfFile, variable: string, name: string): string | undefined {
  const value = nc.attribute(name, variable)?.value;
  return typeof value === 'string' ? value : undefined;
}

/** A field in grid order (row j, column i at j·nx + i), unpacked and scaled, NaN where masked. */
async function readField(nc: NetcdfFile, name: string, grid: Grid, factor: number): Promise<Float64Array> {
  const variable = requireVariable(nc, name);
  const { latDim, lonDim, nx, ny } = grid;
  const dims = variable.dimensions.join();
  const latFirst = dims === [latDim, lonDim].join();
  if (!latFirst && dims !== [lonDim, latDim].join()) {
    throw new AtlasError(`${nc.path}: variable '${name}' has dimensions (${variable.dimensions.join(', ')}); expected (${latDim}, ${lonDim})`);
  }
  const raw = numbers(nc, name, await nc.read(name));
  const markers = ['_FillValue', 'missing_value'].flatMap((a) => {
    const value = nc.attribute(a, name)?.value;
    return Array.isArray(value) ? value.flatMap((m) => [m, Math.fround(m)]) : [];
  });
  const masked = new Set(markers);
  const scale = numberAttribute(nc, name, 'scale_factor') ?? 1;
  const offset = numberAttribute(nc, name, 'add_offset') ?? 0;
  const out = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const value = Number(raw[latFirst ? j * nx + i : i * ny + j]);
      out[j * nx + i] = Number.isNaN(value) || masked.has(value) ? NaN : (value * scale + offset) * factor;
    }
  }
  return out;
}

function numberAttribute(nc: NetcdfFile, variable: string, name: string): number | undefined {
  const value = nc.attribute(name, variable)?.value;
  return Array.isArray(value) && value.length === 1 ? value[0] : undefined;
}

function requireVariable(nc: NetcdfFile, name: string) {
  if (!nc.hasVariable(name)) {
    throw new AtlasError(`${nc.path}: no variable '${name}' (a FES atlas file has lon, lat, amplitude and phase; found ${nc.variables.map((v) => v.name).join(', ') || 'none'})`);
  }
  return nc.variable(name);
}

function numbers(nc: NetcdfFile, name: string, data: NcData): ArrayLike<number | bigint> {
  if (Array.isArray(data)) throw new AtlasError(`${nc.path}: variable '${name}' holds text, not numbers`);
  return data;
}

async function readGrid(nc: NetcdfFile): Promise<Grid> {
  const axis = async (name: string) => {
    const variable = requireVariable(nc, name);
    if (variable.dimensions.length !== 1) throw new AtlasError(`${nc.path}: '${name}' must be 1-D, it has dimensions (${variable.dimensions.join(', ')})`);
    const values = Float64Array.from(numbers(nc, name, await nc.read(name)), Number);
    if (values.length < 2) throw new AtlasError(`${nc.path}: '${name}' has ${values.length} value(s); a grid needs at least 2`);
    return { dim: variable.dimensions[0], values };
  };
  const lon = await axis('lon');
  const lat = await axis('lat');
  if (!lon.values.every((v, i) => i === 0 || v > lon.values[i - 1])) throw new AtlasError(`${nc.path}: 'lon' must increase`);
  const sign = Math.sign(lat.values[1] - lat.values[0]);
  if (sign === 0 || !lat.values.every((v, i) => i === 0 || Math.sign(v - lat.values[i - 1]) === sign)) throw new AtlasError(`${nc.path}: 'lat' must increase or decrease`);
  return new Grid(lon.dim, lat.dim, lon.values, lat.values);
}

interface PointValue {
  amplitude: number;
  phase: number;
  nearest: boolean;
}

class Grid {
  readonly nx: number;
  readonly ny: number;
  /** Longitudes go round the Earth: the cell from the last column to the first closes the circle. */
  private readonly global: boolean;
  /** Latitudes in increasing order, for the search (atlases come both ways). */
  private readonly latAscending: Float64Array;

  constructor(
    readonly lonDim: string,
    readonly latDim: string,
    private readonly lon: Float64Array,
    private readonly lat: Float64Array,
  ) {
    this.nx = lon.length;
    this.ny = lat.length;
    const span = lon[this.nx - 1] - lon[0];
    const step = span / (this.nx - 1);
    this.global = span + 1.5 * step >= 360;
    this.latAscending = lat[1] > lat[0] ? lat : Float64Array.from(lat).reverse();
  }

  interpolate(point: AtlasPoint, amplitude: Float64Array, phase: Float64Array, file: string): PointValue {
    const { lon, lat, nx } = this;
    const x = lon[0] + mod(point.lon - lon[0], 360);
    let i: number;
    let u: number;
    if (x <= lon[nx - 1]) {
      i = search(lon, x);
      u = (x - lon[i]) / (lon[i + 1] - lon[i]);
    } else if (this.global) {
      i = nx - 1;
      u = (x - lon[i]) / (lon[0] + 360 - lon[i]);
    } else {
      throw this.outside(point, file);
    }
    const ascending = this.latAscending;
    if (!(point.lat >= ascending[0] && point.lat <= ascending[this.ny - 1])) throw this.outside(point, file);
    const k = search(ascending, point.lat);
    const j = ascending === lat ? k : this.ny - 2 - k;
    const v = (point.lat - lat[j]) / (lat[j + 1] - lat[j]);
    const i1 = (i + 1) % nx;
    const corners = [
      [j * nx + i, (1 - u) * (1 - v)],
      [j * nx + i1, u * (1 - v)],
      [(j + 1) * nx + i, (1 - u) * v],
      [(j + 1) * nx + i1, u * v],
    ] as const;
    if (corners.every(([c]) => !Number.isNaN(amplitude[c]) && !Number.isNaN(phase[c]))) {
      let re = 0;
      let im = 0;
      for (const [c, w] of corners) {
        re += w * amplitude[c] * Math.cos(phase[c] * DEG);
        im += w * amplitude[c] * Math.sin(phase[c] * DEG);
      }
      return { amplitude: Math.hypot(re, im), phase: normalizeDegrees(Math.atan2(im, re) / DEG), nearest: false };
    }
    const c = this.nearestValid(point, i, j, amplitude, phase);
    if (c < 0) {
      throw new AtlasError(
        `${file}: ${point.label} (lon ${point.lon}, lat ${point.lat}) is on the atlas's land: no valid value within ${NEAREST_SEARCH_CELLS} grid cells of it; move the open boundary offshore or use another atlas`,
      );
    }
    return { amplitude: amplitude[c], phase: normalizeDegrees(phase[c]), nearest: true };
  }

  /** Index of the valid grid point nearest to the point within the search window around cell (i, j), or −1. */
  private nearestValid(point: AtlasPoint, i: number, j: number, amplitude: Float64Array, phase: Float64Array): number {
    const { nx, ny, lon, lat } = this;
    let best = -1;
    let bestDistance = Infinity;
    for (let jj = Math.max(0, j - NEAREST_SEARCH_CELLS); jj <= Math.min(ny - 1, j + 1 + NEAREST_SEARCH_CELLS); jj++) {
      for (let di = -NEAREST_SEARCH_CELLS; di <= 1 + NEAREST_SEARCH_CELLS; di++) {
        let ii = i + di;
        if (this.global) ii = mod(ii, nx);
        else if (ii < 0 || ii >= nx) continue;
        const c = jj * nx + ii;
        if (Number.isNaN(amplitude[c]) || Number.isNaN(phase[c])) continue;
        const distance = haversineDistance(point.lon, point.lat, lon[ii], lat[jj]);
        if (distance < bestDistance) {
          best = c;
          bestDistance = distance;
        }
      }
    }
    return best;
  }

  private outside(point: AtlasPoint, file: string): AtlasError {
    const { lon, lat } = this;
    const lons = this.global ? 'all longitudes' : `lon ${lon[0]}..${lon[this.nx - 1]}`;
    return new AtlasError(`${file}: ${point.label} (lon ${point.lon}, lat ${point.lat}) is outside the atlas grid (${lons}, lat ${Math.min(lat[0], lat[this.ny - 1])}..${Math.max(lat[0], lat[this.ny - 1])})`);
  }
}

/** The last index k with values[k] ≤ x in increasing values (x within their range). */
function search(values: Float64Array, x: number): number {
  let low = 0;
  let high = values.length - 1;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (values[mid] <= x) low = mid;
    else high = mid;
  }
  return low;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function prefixed(file: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.includes(file) ? message : `${file}: ${message}`;
}
