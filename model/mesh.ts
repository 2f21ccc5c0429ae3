/**
 * The part of a mesh the solver needs. `core/mesh` owns the full hgrid.gr3
 * type; it fits this shape structurally, so the model does not depend on how
 * meshes are read or generated.
 */
export interface ModelMesh {
  /** Node coordinates: metres (ics 1) or longitude/latitude degrees (ics 2). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Depth below the datum, positive down; land above the datum is negative. */
  readonly depth: Float64Array;
  /** Three 0-based node indices per triangle, counter-clockwise. */
  readonly triangles: Int32Array;
  /** Open-boundary node lists, in hgrid.gr3 order. Every other boundary edge is land. */
  readonly openBoundaries: readonly { readonly nodes: Int32Array }[];
}
