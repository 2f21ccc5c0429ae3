/**
 * Which triangle of the mesh holds a point, and its barycentric weights, in
 * lon/lat: the value under the cursor and station look-ups. Triangles are
 * binned once into a uniform grid of buckets (about one triangle per cell),
 * so a look-up tests only the few triangles of one cell.
 */

export interface MeshLocation {
  triangle: number;
  nodes: [number, number, number];
  weights: [number, number, number];
}

/** Points on a shared edge count as inside (weights down to −EDGE_TOLERANCE), so no seam falls between triangles. */
const EDGE_TOLERANCE = 1e-12;

export class MeshLocator {
  private readonly west: number;
  private readonly south: number;
  private readonly columns: number;
  private readonly rows: number;
  private readonly cellWidth: number;
  private readonly cellHeight: number;
  /** Bucket c holds the triangles cellTriangles[cellStart[c] .. cellStart[c + 1]), in increasing order. */
  private readonly cellStart: Uint32Array;
  private readonly cellTriangles: Uint32Array;

  constructor(
    private readonly lon: ArrayLike<number>,
    private readonly lat: ArrayLike<number>,
    private readonly triangles: ArrayLike<number>,
  ) {
    let west = Infinity;
    let east = -Infinity;
    let south = Infinity;
    let north = -Infinity;
    for (let i = 0; i < triangles.length; i++) {
      const node = triangles[i];
      west = Math.min(west, lon[node]);
      east = Math.max(east, lon[node]);
      south = Math.min(south, lat[node]);
      north = Math.max(north, lat[node]);
    }
    const triangleCount = Math.floor(triangles.length / 3);
    const width = east - west || 1;
    const height = north - south || 1;
    // Cells about as square as the mesh's extent allows, one per triangle on average.
    this.columns = triangleCount === 0 ? 1 : Math.max(1, Math.min(4096, Math.round(Math.sqrt((triangleCount * width) / height))));
    this.rows = triangleCount === 0 ? 1 : Math.max(1, Math.min(4096, Math.round(triangleCount / this.columns)));
    this.west = west;
    this.south = south;
    this.cellWidth = width / this.columns;
    this.cellHeight = height / this.rows;

    const counts = new Uint32Array(this.columns * this.rows + 1);
    this.forEachCell(triangleCount, (cell) => counts[cell + 1]++);
    for (let c = 1; c < counts.length; c++) counts[c] += counts[c - 1];
    this.cellStart = counts;
    this.cellTriangles = new Uint32Array(counts[counts.length - 1]);
    const fill = counts.slice(0, -1);
    this.forEachCell(triangleCount, (cell, triangle) => (this.cellTriangles[fill[cell]++] = triangle));
  }

  /** The triangle holding (lon, lat) — the lowest-numbered one on a shared edge — or null outside the mesh. */
  locate(lon: number, lat: number): MeshLocation | null {
    const column = Math.floor((lon - this.west) / this.cellWidth);
    const row = Math.floor((lat - this.south) / this.cellHeight);
    if (!(column >= 0 && row >= 0 && column <= this.columns && row <= this.rows)) return null;
    // A point on the east or north edge of the mesh belongs to the last cell.
    const c = Math.min(column, this.columns - 1) + Math.min(row, this.rows - 1) * this.columns;
    for (let k = this.cellStart[c]; k < this.cellStart[c + 1]; k++) {
      const location = this.barycentric(this.cellTriangles[k], lon, lat);
      if (location) return location;
    }
    return null;
  }

  /** The value at (lon, lat) interpolated linearly in its triangle; null outside the mesh or where a node of the triangle has no value (NaN). */
  interpolate(values: ArrayLike<number>, lon: number, lat: number): number | null {
    const location = this.locate(lon, lat);
    if (!location) return null;
    const [a, b, c] = location.nodes;
    const [wa, wb, wc] = location.weights;
    const value = wa * values[a] + wb * values[b] + wc * values[c];
    return Number.isNaN(value) ? null : value;
  }

  private barycentric(triangle: number, x: number, y: number): MeshLocation | null {
    const a = this.triangles[3 * triangle];
    const b = this.triangles[3 * triangle + 1];
    const c = this.triangles[3 * triangle + 2];
    const xa = this.lon[a], ya = this.lat[a];
    const xb = this.lon[b], yb = this.lat[b];
    const xc = this.lon[c], yc = this.lat[c];
    const determinant = (yb - yc) * (xa - xc) + (xc - xb) * (ya - yc);
    if (determinant === 0) return null;
    const wa = ((yb - yc) * (x - xc) + (xc - xb) * (y - yc)) / determinant;
    const wb = ((yc - ya) * (x - xc) + (xa - xc) * (y - yc)) / determinant;
    const wc = 1 - wa - wb;
    if (wa < -EDGE_TOLERANCE || wb < -EDGE_TOLERANCE || wc < -EDGE_TOLERANCE) return null;
    return { triangle, nodes: [a, b, c], weights: [wa, wb, wc] };
  }

  /** Calls `visit` for every cell that each triangle's bounding box overlaps, triangles in increasing order. */
  private forEachCell(triangleCount: number, visit: (cell: number, triangle: number) => void): void {
    const { lon, lat, triangles } = this;
    for (let t = 0; t < triangleCount; t++) {
      const a = triangles[3 * t], b = triangles[3 * t + 1], c = triangles[3 * t + 2];
      const c0 = this.column(Math.min(lon[a], lon[b], lon[c]));
      const c1 = this.column(Math.max(lon[a], lon[b], lon[c]));
      const r0 = this.row(Math.min(lat[a], lat[b], lat[c]));
      const r1 = this.row(Math.max(lat[a], lat[b], lat[c]));
      for (let row = r0; row <= r1; row++) for (let column = c0; column <= c1; column++) visit(column + row * this.columns, t);
    }
  }

  private column(lon: number): number {
    return Math.min(this.columns - 1, Math.max(0, Math.floor((lon - this.west) / this.cellWidth)));
  }

  private row(lat: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((lat - this.south) / this.cellHeight)));
  }
}
