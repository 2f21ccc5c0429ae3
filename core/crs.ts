/**
 * Mesh coordinates ↔ WGS84 longitude/latitude. A lon/lat mesh (ics = 2)
 * needs no conversion; a projected mesh (ics = 1) names its CRS as
 * 'EPSG:<code>' or a proj string, and proj4 does the work.
 *
 * EPSG codes resolve through the table below, never through proj4's own
 * registry: proj4 knows only a handful of codes, and a site whose mesh is in
 * ETRS89/UTM or PT-TM06 must get the same answer on every machine.
 */
import proj4 from 'proj4';

import type { Ics } from './geodesy.js';

/** How a site places its mesh (the shape of Site['coordinates']). */
export type MeshCoordinates = { ics: 2 } | { ics: 1; crs: string };

export interface MeshCrs {
  readonly ics: Ics;
  /** 'lon/lat (WGS84)' or the CRS as the site gave it. */
  readonly name: string;
  toLonLat(x: number, y: number): [lon: number, lat: number];
  fromLonLat(lon: number, lat: number): [x: number, y: number];
}

const PT_TM06 =
  '+proj=tmerc +lat_0=39.6682583333333 +lon_0=-8.13310833333333 +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs';

/** EPSG codes coastcast resolves itself, for the error message. */
export const KNOWN_EPSG = 'EPSG:4326, EPSG:3857, EPSG:32601–32660 and 32701–32760 (WGS84/UTM), EPSG:25828–25838 (ETRS89/UTM), EPSG:3763 (PT-TM06/ETRS89)';

/** The proj string for an 'EPSG:<code>' we know, or undefined. */
function epsgDefinition(code: number): string | undefined {
  if (code === 4326) return '+proj=longlat +datum=WGS84 +no_defs';
  if (code === 3857) return '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';
  if (code === 3763) return PT_TM06;
  const zone = code % 100;
  if (code >= 32601 && code <= 32660) return `+proj=utm +zone=${zone} +datum=WGS84 +units=m +no_defs`;
  if (code >= 32701 && code <= 32760) return `+proj=utm +zone=${zone} +south +datum=WGS84 +units=m +no_defs`;
  // EPSG defines ETRS89/UTM only for the zones that cross Europe, 28N to 38N.
  if (code >= 25828 && code <= 25838) return `+proj=utm +zone=${zone} +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs`;
  return undefined;
}

/** The proj string for a site's CRS: an 'EPSG:<code>' we know, or a proj string as given. */
export function projDefinition(crs: string): string {
  const epsg = /^EPSG:(\d+)$/i.exec(crs.trim());
  if (!epsg) {
    if (!crs.trim().startsWith('+proj=')) throw new Error(`CRS "${crs}": expected 'EPSG:<code>' or a proj string starting with +proj=`);
    return crs.trim();
  }
  const definition = epsgDefinition(Number(epsg[1]));
  if (!definition) {
    throw new Error(`CRS "${crs}": EPSG:${epsg[1]} is not a code coastcast knows (it knows ${KNOWN_EPSG}); give the CRS as a proj string instead (e.g. '+proj=tmerc +lat_0=… +lon_0=… +k=… +x_0=… +y_0=… +ellps=… +units=m')`);
  }
  return definition;
}

const identity: MeshCrs = {
  ics: 2,
  name: 'lon/lat (WGS84)',
  toLonLat: (x, y) => [x, y],
  fromLonLat: (lon, lat) => [lon, lat],
};

/** The conversion for a site's mesh; throws naming the CRS when it cannot be used. */
export function meshCrs(coordinates: MeshCoordinates): MeshCrs {
  if (coordinates.ics === 2) return identity;
  const { crs } = coordinates;
  const definition = projDefinition(crs);
  let converter: proj4.Converter;
  try {
    // One argument: a converter between WGS84 (forward's input) and the definition.
    converter = proj4(definition);
  } catch (error) {
    // proj4 throws bare values or errors without a message for definitions it cannot parse.
    const reason = error instanceof Error && error.message ? error.message : String(error ?? 'not understood');
    throw new Error(`CRS "${crs}": proj4 cannot use the definition "${definition}" (${reason})`);
  }
  const checked = (what: string, input: [number, number], output: number[]): [number, number] => {
    if (!Number.isFinite(output[0]) || !Number.isFinite(output[1])) {
      throw new Error(`CRS "${crs}": ${what} of (${input[0]}, ${input[1]}) gives no finite result: is the point inside the CRS's area of use?`);
    }
    return [output[0], output[1]];
  };
  return {
    ics: 1,
    name: crs,
    toLonLat: (x, y) => checked('conversion to lon/lat', [x, y], converter.inverse([x, y])),
    fromLonLat: (lon, lat) => checked('conversion from lon/lat', [lon, lat], converter.forward([lon, lat])),
  };
}

/** Every node of a mesh in lon/lat. */
export function meshToLonLat(crs: MeshCrs, x: Float64Array, y: Float64Array): { lon: Float64Array; lat: Float64Array } {
  if (crs.ics === 2) return { lon: x, lat: y };
  const lon = new Float64Array(x.length);
  const lat = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) [lon[n], lat[n]] = crs.toLonLat(x[n], y[n]);
  return { lon, lat };
}
