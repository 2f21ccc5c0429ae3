/**
 * A mesh's boundaries as hgrid.gr3 lists them — open boundaries, land
 * boundaries and islands — as GeoJSON LineStrings in WGS84 (RFC 7946), for
 * maps: the sites overview draws them, and offline they are the coastline.
 */
import type { MeshCrs } from '../crs.js';
import type { Mesh } from './mesh.js';

export type BoundaryKind = 'open' | 'land' | 'island';

export interface MeshBoundary {
  kind: BoundaryKind;
  /** 0-based node indices in the file's order; an island's chain is closed (first node repeated). */
  nodes: number[];
}

export interface OutlineFeatureCollection {
  type: 'FeatureCollection';
  features: { type: 'Feature'; properties: { kind: BoundaryKind }; geometry: { type: 'LineString'; coordinates: [number, number][] } }[];
}

/** The boundaries in hgrid.gr3's order: open ones first, then land (ibtype 0) and islands (ibtype 1). */
export function meshBoundaries(mesh: Pick<Mesh, 'openBoundaries' | 'landBoundaries'>): MeshBoundary[] {
  const open = mesh.openBoundaries.map((b): MeshBoundary => ({ kind: 'open', nodes: Array.from(b.nodes) }));
  const land = mesh.landBoundaries.map((b): MeshBoundary => {
    const nodes = Array.from(b.nodes);
    // An island is a closed loop; files list its nodes once around.
    if (b.kind === 1 && nodes.length > 1 && nodes[0] !== nodes[nodes.length - 1]) nodes.push(nodes[0]);
    return { kind: b.kind === 1 ? 'island' : 'land', nodes };
  });
  return [...open, ...land];
}

const round = (degrees: number) => Math.round(degrees * 1e7) / 1e7;

export function meshOutline(mesh: Pick<Mesh, 'x' | 'y' | 'openBoundaries' | 'landBoundaries'>, crs: MeshCrs): OutlineFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: meshBoundaries(mesh).map(({ kind, nodes }) => ({
      type: 'Feature',
      properties: { kind },
      geometry: {
        type: 'LineString',
        coordinates: nodes.map((n): [number, number] => {
          const [lon, lat] = crs.toLonLat(mesh.x[n], mesh.y[n]);
          return [round(lon), round(lat)];
        }),
      },
    })),
  };
}
