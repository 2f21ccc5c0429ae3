/**
 * Geodesy helpers for mesh statistics. The Earth is a sphere of radius
 * 6371000 m (the IUGG mean radius): at mesh scales the ellipsoid changes edge
 * lengths by at most ~0.5 %, well inside what a mesh check needs, and a sphere
 * keeps distances symmetric and cheap.
 */

export const EARTH_RADIUS_M = 6371000;

/** SCHISM's coordinate switch: 1 = projected metres, 2 = longitude/latitude in degrees. */
export type Ics = 1 | 2;

const DEG = Math.PI / 180;

/**
 * The haversine term hav(d/R) = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2), in radians
 * input. It grows monotonically with distance, so callers that only need the
 * shortest and longest of many edges compare this and convert two values.
 */
export function haversineTerm(lonRad1: number, latRad1: number, cosLat1: number, lonRad2: number, latRad2: number, cosLat2: number): number {
  const sinDLat = Math.sin((latRad2 - latRad1) / 2);
  const sinDLon = Math.sin((lonRad2 - lonRad1) / 2);
  return sinDLat * sinDLat + cosLat1 * cosLat2 * sinDLon * sinDLon;
}

/** Metres on the sphere for a haversine term (clamped: rounding can push it past 1 for antipodes). */
export function haversineTermToMetres(term: number): number {
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(Math.min(1, Math.max(0, term))));
}

/** Great-circle distance in metres between two lon/lat points in degrees (haversine). */
export function haversineDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const latRad1 = lat1 * DEG;
  const latRad2 = lat2 * DEG;
  return haversineTermToMetres(haversineTerm(lon1 * DEG, latRad1, Math.cos(latRad1), lon2 * DEG, latRad2, Math.cos(latRad2)));
}

/** Distance in metres between two mesh points: Euclidean for ics 1, great-circle for ics 2. */
export function meshDistance(ics: Ics, x1: number, y1: number, x2: number, y2: number): number {
  return ics === 2 ? haversineDistance(x1, y1, x2, y2) : Math.hypot(x2 - x1, y2 - y1);
}

/**
 * Area in m² of a lon/lat triangle, projected onto the plane tangent at its
 * mean latitude (equirectangular). The relative error is of order
 * (size / R)², about 2e-6 for a 10 km triangle, and unlike the
 * spherical-excess formula it does not lose digits to cancellation on
 * metre-sized triangles.
 */
export function lonLatTriangleArea(lon0: number, lat0: number, lon1: number, lat1: number, lon2: number, lat2: number): number {
  const cosLat = Math.cos(((lat0 + lat1 + lat2) / 3) * DEG);
  const cross = (lon1 - lon0) * (lat2 - lat0) - (lon2 - lon0) * (lat1 - lat0);
  return 0.5 * Math.abs(cross) * cosLat * (DEG * EARTH_RADIUS_M) ** 2;
}

/**
 * Guesses the coordinate kind: lon/lat (2) when every x lies in [-180, 360]
 * and every y in [-90, 90], metres (1) otherwise. Projected coordinates of a
 * coastal domain are almost never that small, but a lab-scale metre mesh
 * (under ~500 m wide near its CRS origin) would be taken for lon/lat: callers
 * let the user override with ics.
 */
export function detectIcs(x: Float64Array, y: Float64Array): Ics {
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] >= -180 && x[i] <= 360 && y[i] >= -90 && y[i] <= 90)) return 1;
  }
  return 2;
}

export const ICS_RULE = 'lon/lat when every x is in [-180, 360] and every y in [-90, 90], metres otherwise';
