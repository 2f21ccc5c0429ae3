/**
 * Draws a per-node field on the mesh into the field layer's canvas with
 * WebGL. WebGL2 gets the visibility-buffer renderer (a frame costs one
 * full-screen pass, whatever the triangle count); WebGL1 rasterises the mesh
 * for every frame.
 */
import { RasterRenderer } from './rasterRenderer';
import { VisibilityRenderer } from './visibilityRenderer';
import { NO_WEBGL } from './webgl';

/** Where the mesh lands on the canvas: clip coordinates = position · scale + offset, positions as given to the renderer. */
export interface FieldView {
  scale: [number, number];
  offset: [number, number];
}

export interface FieldRenderer {
  /** One value per node, NaN where the node has none; uploads them, draws nothing. */
  setValues(values: Float32Array): void;
  /** 256 RGBA entries. */
  setColormap(lut: Uint8Array): void;
  /** Clears the canvas and, once values were set, draws them for `view`, coloured over `range`. */
  draw(view: FieldView, range: { min: number; max: number }): void;
}

/**
 * A renderer on `canvas` for the mesh: `positions` two per node (x, y), `triangles` three node indices each.
 * Throws with a reader's message when WebGL cannot do it.
 */
export function createFieldRenderer(canvas: HTMLCanvasElement, positions: Float32Array, triangles: Uint32Array): FieldRenderer {
  // preserveDrawingBuffer keeps the pixels readable (screenshots, tests); no antialiasing: its cost on software renderers buys little on a smooth field.
  const attributes: WebGLContextAttributes = { alpha: true, premultipliedAlpha: true, antialias: false, depth: false, stencil: false, preserveDrawingBuffer: true };
  const gl2 = canvas.getContext('webgl2', attributes);
  if (gl2) return new VisibilityRenderer(gl2, positions, triangles);
  const gl = canvas.getContext('webgl', attributes);
  if (!gl) throw new Error(NO_WEBGL);
  return new RasterRenderer(gl, positions, triangles);
}
