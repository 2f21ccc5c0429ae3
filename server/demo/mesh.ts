/**
 * The demo site's mesh: an idealised estuary on the coast of the demo tide
 * gauge (site.ts), in longitude/latitude (ics 2), depth below mean sea level.
 *
 * Seen in local metres about the mouth (x east, y north): the sea to the west
 * with one open boundary along x = −5 km, a shelf deepening to 20 m there
 * (10 m at its side walls), a beach at x = 0, and inland a channel 7 m deep
 * at the mouth shoaling to 2.5 m at the head (x = 7 km), fringed by
 * intertidal flats, with a marsh on the north bank whose ground (0.55–0.9 m
 * above mean sea level) only a spring high water reaches; the banks rise to
 * 7 m, 11 m behind the head, and stay dry.
 *
 * The mesh is the rectangle grid of core/mesh/generate.ts with its node rows
 * and columns moved: columns 480 m apart at the open boundary closing to
 * 220 m from 500 m offshore inland; rows graded from the channel's axis to
 * the edges, 212 to 287 m apart offshore, 150 to 350 m inland. About 3 300
 * triangles. The explicit model's step is set by its fastest cell, the
 * deep ones: the offshore cells are kept large and the open boundary's half
 * cells wider still, so a step of ~3 s holds (measured: README.md).
 */
import { EARTH_RADIUS_M } from '../../core/geodesy.js';
import { generateRectangleMesh } from '../../core/mesh/generate.js';
import type { Mesh } from '../../core/mesh/mesh.js';

/** Where the mouth of the estuary is: at the demo tide gauge (site.ts), to about a hundred metres. */
export const DEMO_ORIGIN = { lon: -122.4822, lat: 37.5025 } as const;

const SEA_X = -5000;
const LAND_X = 8000;
const HALF_HEIGHT = 4000;
/** Node rows; an odd count puts a row on the channel's axis. */
const ROWS = 33;
const HEAD_X = 7000;
const SHELF_DEPTH = 20;

/** Longitude and latitude of a point given in metres east and north of the mouth. */
export function demoLonLat(x: number, y: number): { lon: number; lat: number } {
  const degrees = 180 / Math.PI;
  return {
    lon: DEMO_ORIGIN.lon + (x / (EARTH_RADIUS_M * Math.cos(DEMO_ORIGIN.lat / degrees))) * degrees,
    lat: DEMO_ORIGIN.lat + (y / EARTH_RADIUS_M) * degrees,
  };
}

/** Places in the estuary, in metres from the mouth, where site.ts puts its stations. */
export const DEMO_PLACES = {
  /** On the shelf 3 km off the mouth, 12 m deep: the swell as it arrives, before the beach and the bar break it. */
  shelf: { x: -3000, y: channelAxis(0) },
  mouth: { x: 0, y: channelAxis(0) },
  midEstuary: { x: 3500, y: channelAxis(3500) },
  head: { x: 6800, y: channelAxis(6800) },
  marsh: { x: 3500, y: channelAxis(3500) + channelHalfWidth(3500) + 1100 },
} as const;

export function generateDemoMesh(): Mesh {
  const columns = columnPositions();
  const grid = generateRectangleMesh({ nx: columns.length, ny: ROWS, dx: 1, openSides: ['west'], diagonals: 'alternating' });
  const n = grid.x.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const depth = new Float64Array(n);
  for (let node = 0; node < n; node++) {
    // The grid's nodes sit at their column and row numbers (dx = 1, origin 0).
    const mx = columns[grid.x[node]];
    const my = rowPosition(grid.y[node], mx);
    const { lon, lat } = demoLonLat(mx, my);
    x[node] = lon;
    y[node] = lat;
    depth[node] = -groundLevel(mx, my);
  }
  return { ...grid, title: 'coastcast demo estuary (idealised bathymetry, depth below mean sea level)', x, y, depth };
}

/** Column positions (m): 480 m apart at the open boundary, 220 m from 500 m offshore inland, stretched to end at LAND_X. */
function columnPositions(): number[] {
  const spacing = (x: number) => (x < -500 ? 220 + (260 * (-500 - x)) / (-500 - SEA_X) : 220);
  const xs = [SEA_X];
  while (xs[xs.length - 1] + spacing(xs[xs.length - 1]) / 2 < LAND_X) xs.push(xs[xs.length - 1] + spacing(xs[xs.length - 1]));
  const stretch = (LAND_X - SEA_X) / (xs[xs.length - 1] - SEA_X);
  return xs.map((x) => SEA_X + (x - SEA_X) * stretch);
}

/**
 * Northing (m) of a row in the column at x: with η from −1 to 1 across the
 * rows, y = H·η·(a + (1 − a)|η|), spacing in the ratio a : 2 − a from the
 * axis to the edges; a = 0.85 offshore, 0.6 inland.
 */
function rowPosition(row: number, x: number): number {
  const eta = (2 * row) / (ROWS - 1) - 1;
  const a = 0.85 - 0.25 * smoothstep(-2500, -500, x);
  return HALF_HEIGHT * eta * (a + (1 - a) * Math.abs(eta));
}

/** The channel meanders gently about the axis. */
function channelAxis(x: number): number {
  return 150 * Math.sin((Math.PI * Math.max(x, 0)) / 4000);
}

function channelHalfWidth(x: number): number {
  return 350 - 200 * clamp(x / HEAD_X, 0, 1);
}

/** Ground or sea-bed level (m above mean sea level) at a point in metres from the mouth. */
function groundLevel(x: number, y: number): number {
  const r = Math.abs(y - channelAxis(x));
  const along = clamp(x / HEAD_X, 0, 1);
  const halfWidth = channelHalfWidth(x);
  // The channel: 7 m deep at the mouth, 2.5 m at the head, shoaling out over 500 m past it; its ebb delta reaches 1.5 km offshore.
  const channelDepth = (7 - 4.5 * along) * (1 - smoothstep(HEAD_X, HEAD_X + 500, x)) * smoothstep(-1500, 0, x);
  const channel = r < halfWidth ? -0.8 - channelDepth * (1 - (r / halfWidth) ** 2) : Infinity;
  // The shelf shoals to half its depth along the side walls, whose half cells would otherwise set the time step.
  const sea = ((SHELF_DEPTH * Math.min(x, 0)) / -SEA_X) * (1 - 0.5 * smoothstep(HALF_HEIGHT - 1000, HALF_HEIGHT, Math.abs(y)));
  return Math.min(channel, x <= 0 ? sea : land(x, y, r - halfWidth));
}

/** Land level (m) at distance s beyond the channel's edge: flats, the marsh on the north bank, banks rising to 7.3 m. */
function land(x: number, y: number, s: number): number {
  const flats = -0.8 + (1.1 * clamp(s, 0, 500)) / 500;
  const bank = flats + 7 * smoothstep(500, 2000, s);
  const north = y > channelAxis(x);
  const marshWeight = north ? bump(2000, 5000, 300, x) * bump(500, 1700, 200, s) : 0;
  const marsh = 0.55 + (0.35 * clamp(s - 500, 0, 1200)) / 1200;
  const ground = bank + marshWeight * (marsh - bank) + 4 * smoothstep(HEAD_X, HEAD_X + 1000, x);
  // The beach: ground rises from mean sea level at the shore over 400 m.
  return ground * smoothstep(0, 400, x);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function smoothstep(from: number, to: number, v: number): number {
  const t = clamp((v - from) / (to - from), 0, 1);
  return t * t * (3 - 2 * t);
}

/** 1 between lo and hi, 0 outside them, with smooth shoulders `taper` wide. */
function bump(lo: number, hi: number, taper: number, v: number): number {
  return smoothstep(lo - taper, lo, v) * (1 - smoothstep(hi, hi + taper, v));
}
