/**
 * The WebGL2 field renderer, built on a visibility buffer: only when the view
 * changes is the mesh rasterised, into an offscreen buffer holding per pixel
 * the triangle under it and the pixel's barycentric weights in it. A frame
 * uploads the node values into a texture, gathers each triangle's three
 * values into another (one texel per triangle), then draws one full-screen
 * triangle that looks up, per pixel, its triangle's values and the colour:
 * a frame costs a few lookups per pixel and per triangle, not a rasterisation.
 */
import type { FieldRenderer, FieldView } from './fieldRenderer';
import { createLookupTexture, inverseSpan, linkProgram, NO_WEBGL } from './webgl';

/** Per-node and per-triangle tables are textures ROW texels wide, entry i at (i mod ROW, i div ROW); 2048 is the least MAX_TEXTURE_SIZE WebGL2 allows. */
const ROW_BITS = 11;
const ROW = 1 << ROW_BITS;

/** GLSL: where entry `index` of such a table is. */
const ENTRY = `ivec2 entry(uint index) {
  return ivec2(index & ${ROW - 1}u, index >> ${ROW_BITS}u);
}`;

/** Texture units, each texture bound to its own for good. */
const UNIT = { visibility: 0, triangleNodes: 1, nodeValues: 2, triangleValues: 3, colormap: 4 } as const;

// Drawn without indices, so gl_VertexID numbers the corners of each triangle in turn.
const VISIBILITY_VERTEX_SHADER = `#version 300 es
in vec2 position;
uniform vec2 scale;
uniform vec2 offset;
flat out highp uint triangle;
out vec2 weights;
void main() {
  gl_Position = vec4(position * scale + offset, 0.0, 1.0);
  triangle = uint(gl_VertexID / 3) + 1u;
  weights = vec2(equal(ivec2(gl_VertexID % 3), ivec2(0, 1)));
}`;

/** Per pixel: (triangle index + 1, 0 where no triangle; the weights of its first two corners as 16-bit fixed point). */
const VISIBILITY_FRAGMENT_SHADER = `#version 300 es
precision highp float;
precision highp int;
flat in uint triangle;
in vec2 weights;
out uvec2 visible;
void main() {
  visible = uvec2(triangle, packUnorm2x16(weights));
}`;

/** One triangle over the whole viewport: (-1, -1), (3, -1), (-1, 3). */
const FULL_VIEWPORT_VERTEX_SHADER = `#version 300 es
void main() {
  gl_Position = vec4(float((gl_VertexID & 1) << 2) - 1.0, float((gl_VertexID & 2) << 1) - 1.0, 0.0, 1.0);
}`;

/**
 * Per triangle, at its entry: its three node values (as float32 bits), and 1 where any is NaN, else 0.
 * Node values arrive as their bits: telling NaN apart on the bits is exact, where GLSL float NaN tests are not.
 */
const TRIANGLE_VALUES_FRAGMENT_SHADER = `#version 300 es
precision highp float;
precision highp int;
uniform highp usampler2D triangleNodes;
uniform highp usampler2D nodeValues;
out uvec4 values;
${ENTRY}
void main() {
  uvec3 nodes = texelFetch(triangleNodes, ivec2(gl_FragCoord.xy), 0).rgb;
  uvec3 bits = uvec3(texelFetch(nodeValues, entry(nodes.x), 0).r, texelFetch(nodeValues, entry(nodes.y), 0).r, texelFetch(nodeValues, entry(nodes.z), 0).r);
  values = uvec4(bits, any(greaterThan(bits & 0x7fffffffu, uvec3(0x7f800000u))) ? 1u : 0u);
}`;

const RESOLVE_FRAGMENT_SHADER = `#version 300 es
precision highp float;
precision highp int;
uniform highp usampler2D visibility;
uniform highp usampler2D triangleValues;
uniform lowp sampler2D colormap;
uniform float rangeMin;
uniform float rangeInverseSpan;
out vec4 colour;
${ENTRY}
void main() {
  colour = vec4(0.0);
  uvec2 visible = texelFetch(visibility, ivec2(gl_FragCoord.xy), 0).rg;
  if (visible.x == 0u) return;
  uvec4 values = texelFetch(triangleValues, entry(visible.x - 1u), 0);
  // A triangle touching a node without a value is masked whole.
  if (values.w != 0u) return;
  vec2 weights = unpackUnorm2x16(visible.y);
  float value = dot(vec3(weights, 1.0 - weights.x - weights.y), uintBitsToFloat(values.xyz));
  float level = clamp((value - rangeMin) * rangeInverseSpan, 0.0, 1.0);
  colour = texelFetch(colormap, ivec2(int(level * 255.0 + 0.5), 0), 0);
}`;

interface ViewState {
  width: number;
  height: number;
  view: FieldView;
}

/** A texture to draw into, through its framebuffer. */
interface Target {
  texture: WebGLTexture;
  framebuffer: WebGLFramebuffer;
}

export class VisibilityRenderer implements FieldRenderer {
  private readonly fullViewport: WebGLVertexArrayObject;
  private readonly visibilityProgram: WebGLProgram;
  private readonly corners: WebGLVertexArrayObject;
  private readonly cornerCount: number;
  private readonly visibilityUniforms: { scale: WebGLUniformLocation; offset: WebGLUniformLocation };
  private readonly visibility: Target;
  private readonly nodeValues: WebGLTexture;
  private readonly nodeCount: number;
  private readonly triangleValuesProgram: WebGLProgram;
  private readonly triangleValues: Target;
  private readonly triangleRows: number;
  private readonly resolveProgram: WebGLProgram;
  private readonly resolveUniforms: { rangeMin: WebGLUniformLocation; rangeInverseSpan: WebGLUniformLocation };
  private readonly colormap: WebGLTexture;
  /** What the visibility buffer holds, null until first drawn. */
  private drawn: ViewState | null = null;
  private hasValues = false;
  /** Values set since the triangle values were last gathered. */
  private valuesChanged = false;

  constructor(
    private readonly gl: WebGL2RenderingContext,
    positions: Float32Array,
    triangles: Uint32Array,
  ) {
    this.nodeCount = positions.length / 2;
    const triangleCount = triangles.length / 3;
    const rowsFor = (count: number): number => Math.max(1, Math.ceil(count / ROW));
    this.triangleRows = rowsFor(triangleCount);
    if (rowsFor(Math.max(this.nodeCount, triangleCount)) > (gl.getParameter(gl.MAX_TEXTURE_SIZE) as number)) {
      throw new Error(`${NO_WEBGL} (a mesh of ${this.nodeCount} nodes and ${triangleCount} triangles exceeds its textures)`);
    }
    const uniform = (program: WebGLProgram, name: string): WebGLUniformLocation => gl.getUniformLocation(program, name)!;
    const bindUnits = (program: WebGLProgram, names: (keyof typeof UNIT)[]): void => {
      gl.useProgram(program);
      for (const name of names) gl.uniform1i(uniform(program, name), UNIT[name]);
    };

    this.visibilityProgram = linkProgram(gl, VISIBILITY_VERTEX_SHADER, VISIBILITY_FRAGMENT_SHADER);
    this.visibilityUniforms = { scale: uniform(this.visibilityProgram, 'scale'), offset: uniform(this.visibilityProgram, 'offset') };
    // Each triangle its own three corners, so the corner's number says which triangle and which corner it is.
    const corners = new Float32Array(2 * triangles.length);
    for (let k = 0; k < triangles.length; k++) {
      corners[2 * k] = positions[2 * triangles[k]];
      corners[2 * k + 1] = positions[2 * triangles[k] + 1];
    }
    this.cornerCount = triangles.length;
    this.corners = gl.createVertexArray()!;
    gl.bindVertexArray(this.corners);
    gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
    gl.bufferData(gl.ARRAY_BUFFER, corners, gl.STATIC_DRAW);
    const position = gl.getAttribLocation(this.visibilityProgram, 'position');
    gl.enableVertexAttribArray(position);
    gl.vertexAttribPointer(position, 2, gl.FLOAT, false, 0, 0);
    this.fullViewport = gl.createVertexArray()!;
    gl.bindVertexArray(null);

    this.triangleValuesProgram = linkProgram(gl, FULL_VIEWPORT_VERTEX_SHADER, TRIANGLE_VALUES_FRAGMENT_SHADER);
    bindUnits(this.triangleValuesProgram, ['triangleNodes', 'nodeValues']);
    this.resolveProgram = linkProgram(gl, FULL_VIEWPORT_VERTEX_SHADER, RESOLVE_FRAGMENT_SHADER);
    bindUnits(this.resolveProgram, ['visibility', 'triangleValues', 'colormap']);
    this.resolveUniforms = { rangeMin: uniform(this.resolveProgram, 'rangeMin'), rangeInverseSpan: uniform(this.resolveProgram, 'rangeInverseSpan') };

    const texture = (unit: number): WebGLTexture => {
      gl.activeTexture(gl.TEXTURE0 + unit);
      return createLookupTexture(gl);
    };
    texture(UNIT.triangleNodes);
    const nodesOfTriangles = new Uint32Array(3 * ROW * this.triangleRows);
    nodesOfTriangles.set(triangles);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB32UI, ROW, this.triangleRows, 0, gl.RGB_INTEGER, gl.UNSIGNED_INT, nodesOfTriangles);
    this.nodeValues = texture(UNIT.nodeValues);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32UI, ROW, rowsFor(this.nodeCount), 0, gl.RED_INTEGER, gl.UNSIGNED_INT, null);
    this.colormap = texture(UNIT.colormap);
    this.triangleValues = this.target(texture(UNIT.triangleValues));
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32UI, ROW, this.triangleRows, 0, gl.RGBA_INTEGER, gl.UNSIGNED_INT, null);
    this.visibility = this.target(texture(UNIT.visibility));
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RG32UI, 1, 1, 0, gl.RG_INTEGER, gl.UNSIGNED_INT, null);
    for (const target of [this.triangleValues, this.visibility]) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, target.framebuffer);
      const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER);
      if (status !== gl.FRAMEBUFFER_COMPLETE) throw new Error(`${NO_WEBGL} (it cannot draw into integer textures: status 0x${status.toString(16)})`);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  setValues(values: Float32Array): void {
    const gl = this.gl;
    // The float32 bits as they are: no copy, NaN kept.
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
    const fullRows = Math.floor(this.nodeCount / ROW);
    const rest = this.nodeCount % ROW;
    gl.activeTexture(gl.TEXTURE0 + UNIT.nodeValues);
    gl.bindTexture(gl.TEXTURE_2D, this.nodeValues);
    if (fullRows > 0) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, ROW, fullRows, gl.RED_INTEGER, gl.UNSIGNED_INT, bits, 0);
    if (rest > 0) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, fullRows, rest, 1, gl.RED_INTEGER, gl.UNSIGNED_INT, bits, fullRows * ROW);
    this.hasValues = true;
    this.valuesChanged = true;
  }

  setColormap(lut: Uint8Array): void {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE0 + UNIT.colormap);
    gl.bindTexture(gl.TEXTURE_2D, this.colormap);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, 256, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, lut);
  }

  draw(view: FieldView, range: { min: number; max: number }): void {
    const gl = this.gl;
    const width = gl.drawingBufferWidth;
    const height = gl.drawingBufferHeight;
    if (!this.hasValues) {
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      return;
    }
    if (!this.holds(width, height, view)) this.drawVisibility(width, height, view);
    if (this.valuesChanged) this.gatherTriangleValues();
    // Every pixel is written (transparent off the mesh), so the canvas needs no clearing.
    gl.viewport(0, 0, width, height);
    gl.useProgram(this.resolveProgram);
    gl.bindVertexArray(this.fullViewport);
    gl.uniform1f(this.resolveUniforms.rangeMin, range.min);
    gl.uniform1f(this.resolveUniforms.rangeInverseSpan, inverseSpan(range));
    gl.drawArrays(gl.TRIANGLES, 0, 3);
  }

  private target(texture: WebGLTexture): Target {
    const gl = this.gl;
    const framebuffer = gl.createFramebuffer()!;
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return { texture, framebuffer };
  }

  private holds(width: number, height: number, view: FieldView): boolean {
    const drawn = this.drawn;
    return (
      drawn !== null &&
      drawn.width === width &&
      drawn.height === height &&
      drawn.view.scale[0] === view.scale[0] &&
      drawn.view.scale[1] === view.scale[1] &&
      drawn.view.offset[0] === view.offset[0] &&
      drawn.view.offset[1] === view.offset[1]
    );
  }

  private drawVisibility(width: number, height: number, view: FieldView): void {
    const gl = this.gl;
    if (this.drawn?.width !== width || this.drawn.height !== height) {
      gl.activeTexture(gl.TEXTURE0 + UNIT.visibility);
      gl.bindTexture(gl.TEXTURE_2D, this.visibility.texture);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RG32UI, width, height, 0, gl.RG_INTEGER, gl.UNSIGNED_INT, null);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.visibility.framebuffer);
    gl.viewport(0, 0, width, height);
    gl.clearBufferuiv(gl.COLOR, 0, [0, 0, 0, 0]);
    gl.useProgram(this.visibilityProgram);
    gl.bindVertexArray(this.corners);
    gl.uniform2f(this.visibilityUniforms.scale, ...view.scale);
    gl.uniform2f(this.visibilityUniforms.offset, ...view.offset);
    gl.drawArrays(gl.TRIANGLES, 0, this.cornerCount);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.drawn = { width, height, view };
  }

  private gatherTriangleValues(): void {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.triangleValues.framebuffer);
    gl.viewport(0, 0, ROW, this.triangleRows);
    gl.useProgram(this.triangleValuesProgram);
    gl.bindVertexArray(this.fullViewport);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.valuesChanged = false;
  }
}
