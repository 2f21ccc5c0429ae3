/**
 * The run's sea state at the open-boundary nodes, for waves.th.nc
 * (core/schism/wavesTh.ts). A wave forcing file (hs, tp, dir on a regular
 * lon/lat grid, time first) is interpolated at every open-boundary node, for
 * its own records that bracket the run: bilinear in lon/lat, Hs and Tp as
 * scalars, the direction as a unit vector (so 350° and 10° give 0°, not
 * 180°). Grid points that are land (NaN or fill at any of those records) are
 * left out of a node's cell and the others weighted up; with no sea point in
 * the cell, the nearest sea point of the cells around it stands in. A
 * constant sea state (the site config's) holds at every node for the whole
 * run. On a projected mesh the direction is turned from true north to grid
 * north, which the model measures from.
 */
import type { WaveBoundarySeries } from '../../core/schism/wavesTh.js';
import { WAVE_FORCING_FIELDS, type Site } from '../../core/site.js';
import type { RunForcing } from '../prepareRun.js';
import { fileIndex, numeric, openForcingFields } from './runFields.js';
import { missingTest, VALUE_RULES } from './validate.js';

type WaveField = (typeof WAVE_FORCING_FIELDS)[number];

const RAD = Math.PI / 180;

export interface BoundaryWaves {
  series: WaveBoundarySeries;
  /** For run.json: the forcing's origin, or the constant sea state. */
  source: string;
}

/**
 * The run's sea state at the open-boundary nodes (`boundary`, at `nodes` in
 * lon/lat), its directions from the mesh's y axis: `gridNorth` is the true
 * bearing of grid north at each node on a projected mesh. Undefined when
 * the run has no waves.
 */
export async function boundaryWaves(
  site: Site,
  forcing: RunForcing | null,
  nodes: { lon: Float64Array; lat: Float64Array },
  boundary: Int32Array,
  gridNorth: Float64Array | undefined,
  start: Date,
  end: Date,
  fail: (message: string) => Error,
): Promise<BoundaryWaves | undefined> {
  const toGrid = (direction: number, j: number) => (gridNorth ? (((direction - gridNorth[j]) % 360) + 360) % 360 : direction);
  if (forcing) return { series: await forcingWaves(forcing, nodes, boundary, toGrid, start, end, fail), source: forcing.origin ?? forcing.path };
  const constant = site.forcings.waves;
  if (constant?.type !== 'constant') return undefined;
  const { sigWaveHeight, peakPeriod, meanWaveDirection } = constant;
  const hs = new Float64Array(boundary.length).fill(sigWaveHeight);
  const tp = new Float64Array(boundary.length).fill(peakPeriod);
  const dir = Float64Array.from(boundary, (_, j) => toGrid(meanWaveDirection, j));
  return {
    series: { times: [0, (end.getTime() - start.getTime()) / 1000], sigWaveHeight: [hs, hs], peakPeriod: [tp, tp], meanWaveDirection: [dir, dir] },
    source: `constant sea state: Hs ${sigWaveHeight} m, Tp ${peakPeriod} s, from ${meanWaveDirection}°`,
  };
}

/** A grid point's weight in a boundary node's value; `point` indexes the grid south to north (row × nx + column). */
interface GridWeight {
  point: number;
  weight: number;
}

/** Where a node sits on a regular grid: its cell's corners with bilinear weights, and the cells around for a node whose corners are all land. */
interface Stencil {
  corners: GridWeight[];
  around: number[];
}

async function forcingWaves(
  forcing: RunForcing,
  nodes: { lon: Float64Array; lat: Float64Array },
  boundary: Int32Array,
  toGrid: (direction: number, node: number) => number,
  start: Date,
  end: Date,
  fail: (message: string) => Error,
): Promise<WaveBoundarySeries> {
  const { nc, names, label, grid, times, first, last, shift, toOurs } = await openForcingFields(forcing, WAVE_FORCING_FIELDS, nodes, start, end, fail);
  try {
    const { axes } = grid;
    if (!axes) throw fail('its longitude and latitude are 2-D; waves are interpolated on a regular grid (1-D lon and lat)');
    if (!increasing(axes.lon) || !increasing(axes.lat)) throw fail('its longitudes and latitudes must each run one way, without repeats');
    const directionKind = nc.attribute('standard_name', names.dir)?.value;
    if (typeof directionKind === 'string' && directionKind.includes('to_direction')) {
      throw fail(`variable ${label('dir')} is the direction the waves go to (standard_name ${directionKind}); the forcing must give the direction they come from`);
    }

    const stencils = Array.from(boundary, (_, j) => stencil(axes, nodes.lon[j] - shift, nodes.lat[j]));
    const points = [...new Set(stencils.flatMap((s) => s.around))];
    const slot = new Map(points.map((p, i) => [p, i]));
    const records = last - first + 1;
    // A point that is land at any record the run uses is land for the whole run: the boundary must not flicker.
    const sea = new Uint8Array(points.length).fill(1);
    const samples = {} as Record<WaveField, Float64Array>;
    for (const field of WAVE_FORCING_FIELDS) {
      const name = names[field];
      const isMissing = missingTest(nc, nc.variable(name));
      const values = new Float64Array(points.length * records);
      for (let r = 0; r < records; r++) {
        const raw = numeric(await nc.readRecord(name, first + r), name, fail);
        points.forEach((point, i) => {
          const v = Number(raw[fileIndex(grid, point)]);
          if (Number.isNaN(v) || isMissing(v)) {
            sea[i] = 0;
            return;
          }
          const value = toOurs[field](v);
          if (!VALUE_RULES[field].valid(value)) {
            throw fail(`variable ${label(field)} is ${value} at ${times[first + r].toISOString()}, grid point lon ${axes.lon[point % grid.nx]}, lat ${axes.lat[Math.floor(point / grid.nx)]}: ${VALUE_RULES[field].rule}`);
          }
          values[i * records + r] = value;
        });
      }
      samples[field] = values;
    }

    const weights = stencils.map((s, j) => {
      const wet = s.corners.filter((c) => sea[slot.get(c.point)!] === 1 && c.weight > 0);
      const total = wet.reduce((sum, c) => sum + c.weight, 0);
      if (total > 0) return wet.map((c) => ({ slot: slot.get(c.point)!, weight: c.weight / total }));
      const nearest = nearestSeaPoint(s.around.filter((p) => sea[slot.get(p)!] === 1), axes, grid.nx, nodes.lon[j] - shift, nodes.lat[j]);
      if (nearest === undefined) {
        throw fail(
          `no sea point of its grid near open-boundary node ${j + 1} (mesh node ${boundary[j] + 1}) at lon ${nodes.lon[j]}, lat ${nodes.lat[j]}: ` +
            `the grid points around it are land (NaN or fill in ${WAVE_FORCING_FIELDS.map(label).join(', ')})`,
        );
      }
      return [{ slot: slot.get(nearest)!, weight: 1 }];
    });

    const series = { times: new Float64Array(records), sigWaveHeight: [] as Float64Array[], peakPeriod: [] as Float64Array[], meanWaveDirection: [] as Float64Array[] };
    for (let r = 0; r < records; r++) {
      series.times[r] = (times[first + r].getTime() - start.getTime()) / 1000;
      const hs = new Float64Array(boundary.length);
      const tp = new Float64Array(boundary.length);
      const dir = new Float64Array(boundary.length);
      weights.forEach((node, j) => {
        let east = 0;
        let north = 0;
        for (const { slot: i, weight } of node) {
          const at = i * records + r;
          hs[j] += weight * samples.hs[at];
          tp[j] += weight * samples.tp[at];
          east += weight * Math.sin(samples.dir[at] * RAD);
          north += weight * Math.cos(samples.dir[at] * RAD);
        }
        dir[j] = toGrid(((Math.atan2(east, north) / RAD) + 360) % 360, j);
      });
      series.sigWaveHeight.push(hs);
      series.peakPeriod.push(tp);
      series.meanWaveDirection.push(dir);
    }
    return series;
  } finally {
    await nc.close();
  }
}

function increasing(axis: Float64Array): boolean {
  return axis.every((v, i) => i === 0 || v > axis[i - 1]);
}

/** The cell of an increasing axis holding `v` (its lower index) and how far across it `v` lies. */
function cellOf(axis: Float64Array, v: number): { index: number; fraction: number } {
  let index = 0;
  while (index < axis.length - 2 && axis[index + 1] <= v) index++;
  const fraction = (v - axis[index]) / (axis[index + 1] - axis[index]);
  return { index, fraction: Math.min(1, Math.max(0, fraction)) };
}

function stencil(axes: { lon: Float64Array; lat: Float64Array }, lon: number, lat: number): Stencil {
  const nx = axes.lon.length;
  const ny = axes.lat.length;
  const x = cellOf(axes.lon, lon);
  const y = cellOf(axes.lat, lat);
  const at = (column: number, row: number) => row * nx + column;
  const corners = [
    { point: at(x.index, y.index), weight: (1 - x.fraction) * (1 - y.fraction) },
    { point: at(x.index + 1, y.index), weight: x.fraction * (1 - y.fraction) },
    { point: at(x.index, y.index + 1), weight: (1 - x.fraction) * y.fraction },
    { point: at(x.index + 1, y.index + 1), weight: x.fraction * y.fraction },
  ];
  const around: number[] = [];
  for (let row = Math.max(0, y.index - 1); row <= Math.min(ny - 1, y.index + 2); row++) {
    for (let column = Math.max(0, x.index - 1); column <= Math.min(nx - 1, x.index + 2); column++) around.push(at(column, row));
  }
  return { corners, around };
}

/** The closest of `points` to (lon, lat), distances in local east-north degrees. */
function nearestSeaPoint(points: number[], axes: { lon: Float64Array; lat: Float64Array }, nx: number, lon: number, lat: number): number | undefined {
  const cosLat = Math.cos(lat * RAD);
  let best: number | undefined;
  let bestDistance = Infinity;
  for (const point of points) {
    const distance = Math.hypot((axes.lon[point % nx] - lon) * cosLat, axes.lat[Math.floor(point / nx)] - lat);
    if (distance < bestDistance) [best, bestDistance] = [point, distance];
  }
  return best;
}
