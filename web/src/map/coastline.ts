/**
 * The mesh's boundary drawn as the coastline, so the map reads without any
 * basemap tiles: the edges that belong to one triangle only, walked into
 * closed chains (the outer boundary and one per island or hole).
 */
import L from 'leaflet';

/**
 * Boundary chains of node indices, each closed (its first node repeated at
 * the end). Triangles are counter-clockwise, so every boundary edge keeps
 * the direction it has in its triangle and each chain is a directed loop
 * (one chain may pass twice through a node where two loops touch).
 */
export function boundaryChains(triangles: ArrayLike<number>, nodeCount: number): number[][] {
  // Key an edge by its two nodes in either order; an edge seen twice is inside the mesh.
  const edges = new Map<number, [number, number] | null>();
  for (let t = 0; t + 2 < triangles.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const from = triangles[t + k];
      const to = triangles[t + ((k + 1) % 3)];
      const key = Math.min(from, to) * nodeCount + Math.max(from, to);
      edges.set(key, edges.has(key) ? null : [from, to]);
    }
  }
  const outgoing = new Map<number, number[]>();
  for (const edge of edges.values()) {
    if (!edge) continue;
    const targets = outgoing.get(edge[0]);
    if (targets) targets.push(edge[1]);
    else outgoing.set(edge[0], [edge[1]]);
  }
  const chains: number[][] = [];
  for (const [start, targets] of outgoing) {
    while (targets.length > 0) {
      const chain = [start];
      let node = start;
      // Each step uses up the edge it walks, so the walk comes back to start (on a malformed mesh it may run out of edges first).
      do {
        const next = outgoing.get(node)?.pop();
        if (next === undefined) break;
        chain.push(next);
        node = next;
      } while (node !== start);
      chains.push(chain);
    }
  }
  return chains;
}

/** What the coastline needs of a ProductMesh (typed here so that this module stays free of other web modules: the node tests load it). */
export interface MeshGeometry {
  nodeCount: number;
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
  triangles: ArrayLike<number>;
}

/** The boundary as one non-interactive multi-polyline in dark ink. */
export function coastlineLayer(mesh: MeshGeometry, style: L.PolylineOptions = {}): L.Polyline {
  const lines = boundaryChains(mesh.triangles, mesh.nodeCount).map((chain) => chain.map((node) => L.latLng(mesh.lat[node], mesh.lon[node])));
  return L.polyline(lines, { color: '#14212b', weight: 1.5, opacity: 0.9, interactive: false, ...style });
}
