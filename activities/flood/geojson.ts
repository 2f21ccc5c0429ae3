/**
 * Flood extents as GeoJSON (RFC 7946): a FeatureCollection holding one
 * Feature whose geometry is a MultiPolygon in WGS84 longitude/latitude, rings
 * closed, exteriors counter-clockwise and holes clockwise. Nothing flooded is
 * a MultiPolygon with no polygons.
 *
 * Properties:
 *   time             ISO 8601 UTC output time; for the maximum extent the
 *                    forecast period as an ISO 8601 interval "<first>/<last>"
 *   floodedAreaKm2   area of the flooded triangles on the mesh, km²
 *   maxDepthM        deepest water over the flooded triangles, m (null when none)
 *   minDepthM        the water depth a land node needs to count as flooded, m
 *
 * Coordinates are rounded to 1e-7 degree (about 1 cm), far below mesh
 * resolution, which keeps the files about half the size of full doubles.
 */
import type { NodePolygon } from './rings.js';

export interface FloodProperties {
  time: string;
  floodedAreaKm2: number;
  maxDepthM: number | null;
  minDepthM: number;
}

export type Position = [number, number];

export interface FloodFeatureCollection {
  type: 'FeatureCollection';
  features: [{ type: 'Feature'; properties: FloodProperties; geometry: { type: 'MultiPolygon'; coordinates: Position[][][] } }];
}

const round = (degrees: number) => Math.round(degrees * 1e7) / 1e7;

export function floodGeoJson(polygons: readonly NodePolygon[], lon: ArrayLike<number>, lat: ArrayLike<number>, properties: FloodProperties): FloodFeatureCollection {
  const coordinates = polygons.map((polygon) =>
    polygon.map((ring) => {
      const positions = ring.map((n): Position => [round(lon[n]), round(lat[n])]);
      positions.push([...positions[0]]);
      return positions;
    }),
  );
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties, geometry: { type: 'MultiPolygon', coordinates } }] };
}
