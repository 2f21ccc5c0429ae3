/**
 * Wave directions relative to true north. The model gives meanWaveDirection
 * clockwise from the mesh's y axis: true north on a lon/lat mesh (ics 2),
 * grid north on a projected one (ics 1), where the two differ by the
 * meridian convergence — up to a few degrees at the edge of a UTM zone,
 * enough to aim a swell at the wrong stretch of coast. Products, whose map
 * is in lon/lat, always speak true north.
 *
 * The convergence is taken as the one rotation between grid and true
 * directions at a node, which holds for conformal projections (UTM,
 * transverse Mercator, Mercator: every CRS coastcast resolves by EPSG code).
 */
import type { MeshCrs } from '../../core/crs.js';
import type { NodeFields } from './modelOutput.js';

/** A step north small against any mesh element, large against proj4's rounding. */
const NORTH_STEP_DEG = 1e-5;

/**
 * The true bearing of grid north (degrees clockwise from true north) at each
 * node of a projected mesh; undefined for a lon/lat mesh, whose y axis is
 * true north. Positive east of a transverse Mercator's central meridian in
 * the northern hemisphere.
 */
export function gridNorthBearings(crs: MeshCrs, lon: Float64Array, lat: Float64Array): Float64Array | undefined {
  if (crs.ics === 2) return undefined;
  const bearings = new Float64Array(lon.length);
  for (let n = 0; n < lon.length; n++) {
    // Near a pole step south instead, so the point stays on the globe.
    const step = lat[n] + NORTH_STEP_DEG > 90 ? -NORTH_STEP_DEG : NORTH_STEP_DEG;
    const [x0, y0] = crs.fromLonLat(lon[n], lat[n]);
    const [x1, y1] = crs.fromLonLat(lon[n], lat[n] + step);
    // The grid bearing of true north; in a conformal projection grid north's true bearing is its opposite.
    const trueNorthOnGrid = Math.atan2(Math.sign(step) * (x1 - x0), Math.sign(step) * (y1 - y0));
    bearings[n] = (-trueNorthOnGrid * 180) / Math.PI;
  }
  return bearings;
}

/** Node fields with meanWaveDirection turned from grid north to true north, in [0, 360); as given without a grid to turn from. */
export function wavesToTrueNorth(fields: NodeFields, gridNorth: Float64Array | undefined): NodeFields {
  if (!fields.waves || !gridNorth) return fields;
  const grid = fields.waves.meanWaveDirection;
  const meanWaveDirection = new Float32Array(grid.length);
  for (let n = 0; n < grid.length; n++) {
    const bearing = Math.fround((((grid[n] + gridNorth[n]) % 360) + 360) % 360);
    // A bearing a hair under 360 rounds up to it in float32.
    meanWaveDirection[n] = bearing === 360 ? 0 : bearing;
  }
  return { ...fields, waves: { ...fields.waves, meanWaveDirection } };
}
