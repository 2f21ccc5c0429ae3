/**
 * products/mesh.bin — the mesh for the map, little-endian:
 *
 *   offset          type                 content
 *   0               4 bytes ASCII        "CCM1" (format and version)
 *   4               uint32               nodeCount N
 *   8               uint32               triangleCount T
 *   12              uint32               0 (padding, so the Float64 arrays are 8-byte aligned)
 *   16              float64[N]           node longitude, degrees east (WGS84)
 *   16 + 8N         float64[N]           node latitude, degrees north (WGS84)
 *   16 + 16N        float32[N]           depth below the model datum, m, positive down (land < 0)
 *   16 + 20N        uint32[3T]           triangles: three 0-based node indices each, counter-clockwise
 *
 * Coordinates stay Float64: a Float32 longitude near ±180° only resolves
 * ~1.5 m, coarser than the finest coastal meshes. Every array starts on a
 * multiple of its element size, so a browser can view them in place with
 * `new Float64Array(buffer, 16, N)` and so on.
 */
import type { OutputMesh } from '../../core/out2d.js';

export const MESH_MAGIC = 'CCM1';
export const MESH_HEADER_BYTES = 16;

export function encodeMesh(lon: Float64Array, lat: Float64Array, mesh: OutputMesh): Uint8Array {
  const n = lon.length;
  const t = mesh.triangles.length / 3;
  const bytes = new Uint8Array(MESH_HEADER_BYTES + 20 * n + 12 * t);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < 4; k++) bytes[k] = MESH_MAGIC.charCodeAt(k);
  view.setUint32(4, n, true);
  view.setUint32(8, t, true);
  let offset = MESH_HEADER_BYTES;
  for (let i = 0; i < n; i++, offset += 8) view.setFloat64(offset, lon[i], true);
  for (let i = 0; i < n; i++, offset += 8) view.setFloat64(offset, lat[i], true);
  for (let i = 0; i < n; i++, offset += 4) view.setFloat32(offset, mesh.depth[i], true);
  for (let i = 0; i < 3 * t; i++, offset += 4) view.setUint32(offset, mesh.triangles[i], true);
  return bytes;
}
