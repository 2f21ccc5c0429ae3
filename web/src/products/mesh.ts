/**
 * products/mesh.bin (contract in activities/products/mesh.ts): "CCM1", node
 * and triangle counts, then lon, lat (float64), depth (float32) and triangles
 * (uint32), little-endian, each array aligned so it is viewed in place.
 */
export interface ProductMesh {
  nodeCount: number;
  triangleCount: number;
  lon: Float64Array;
  lat: Float64Array;
  /** Below the model datum, m, positive down (land < 0). */
  depth: Float32Array;
  /** Three 0-based node indices per triangle, counter-clockwise. */
  triangles: Uint32Array;
}

const MAGIC = 'CCM1';
const HEADER_BYTES = 16;

export function parseMesh(buffer: ArrayBuffer): ProductMesh {
  if (buffer.byteLength < HEADER_BYTES) throw new Error(`mesh.bin: ${buffer.byteLength} bytes, shorter than its header`);
  const view = new DataView(buffer);
  const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  if (magic !== MAGIC) throw new Error(`mesh.bin: starts with "${magic}", not "${MAGIC}"`);
  const nodeCount = view.getUint32(4, true);
  const triangleCount = view.getUint32(8, true);
  const expected = HEADER_BYTES + 20 * nodeCount + 12 * triangleCount;
  if (buffer.byteLength !== expected) throw new Error(`mesh.bin: ${buffer.byteLength} bytes, expected ${expected} for ${nodeCount} nodes and ${triangleCount} triangles`);
  let offset = HEADER_BYTES;
  const lon = new Float64Array(buffer, offset, nodeCount);
  offset += 8 * nodeCount;
  const lat = new Float64Array(buffer, offset, nodeCount);
  offset += 8 * nodeCount;
  const depth = new Float32Array(buffer, offset, nodeCount);
  offset += 4 * nodeCount;
  const triangles = new Uint32Array(buffer, offset, 3 * triangleCount);
  return { nodeCount, triangleCount, lon, lat, depth, triangles };
}
