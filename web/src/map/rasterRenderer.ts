/**
 * The WebGL1 field renderer: the mesh goes to the GPU once and is rasterised
 * again for every frame, each node carrying its value; colours come from the
 * colormap as a texture looked up per pixel.
 */
import type { FieldRenderer, FieldView } from './fieldRenderer';
import { createLookupTexture, inverseSpan, linkProgram, NO_WEBGL } from './webgl';

// GLSL ES 1.00, WebGL1's.
const VERTEX_SHADER = `
attribute vec2 position;
attribute vec2 sample; // (value, 1 where the node has a value else 0)
uniform vec2 scale;
uniform vec2 offset;
uniform float rangeMin;
uniform float rangeInverseSpan;
varying float level;
varying float valid;
void main() {
  gl_Position = vec4(position * scale + offset, 0.0, 1.0);
  level = (sample.x - rangeMin) * rangeInverseSpan;
  valid = sample.y;
}`;

// A triangle with any invalid node interpolates valid below 1 everywhere inside it (GLSL NaN tests are unreliable, hence the flag).
const FRAGMENT_SHADER = `
precision mediump float;
uniform sampler2D colormap;
varying float level;
varying float valid;
void main() {
  if (valid < 0.999) discard;
  gl_FragColor = texture2D(colormap, vec2(clamp(level, 0.0, 1.0) * (255.0 / 256.0) + 0.5 / 256.0, 0.5));
}`;

export class RasterRenderer implements FieldRenderer {
  private readonly samples: Float32Array;
  private readonly sampleBuffer: WebGLBuffer;
  private readonly colormap: WebGLTexture;
  private readonly indexCount: number;
  private readonly uniforms: { scale: WebGLUniformLocation; offset: WebGLUniformLocation; rangeMin: WebGLUniformLocation; rangeInverseSpan: WebGLUniformLocation };
  private hasValues = false;

  constructor(
    private readonly gl: WebGLRenderingContext,
    positions: Float32Array,
    triangles: Uint32Array,
  ) {
    // Meshes over 65 536 nodes need 32-bit indices, an extension in WebGL1 that nearly every browser has.
    if (!gl.getExtension('OES_element_index_uint')) throw new Error(`${NO_WEBGL} (it lacks 32-bit element indices)`);
    const program = linkProgram(gl, VERTEX_SHADER, FRAGMENT_SHADER);
    gl.useProgram(program);

    gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
    gl.bufferData(gl.ARRAY_BUFFER, positions, gl.STATIC_DRAW);
    const position = gl.getAttribLocation(program, 'position');
    gl.enableVertexAttribArray(position);
    gl.vertexAttribPointer(position, 2, gl.FLOAT, false, 0, 0);

    this.samples = new Float32Array(positions.length);
    this.sampleBuffer = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.sampleBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, this.samples, gl.DYNAMIC_DRAW);
    const sample = gl.getAttribLocation(program, 'sample');
    gl.enableVertexAttribArray(sample);
    gl.vertexAttribPointer(sample, 2, gl.FLOAT, false, 0, 0);

    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, gl.createBuffer());
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, triangles, gl.STATIC_DRAW);
    this.indexCount = triangles.length;

    gl.activeTexture(gl.TEXTURE0);
    this.colormap = createLookupTexture(gl);
    gl.uniform1i(gl.getUniformLocation(program, 'colormap'), 0);

    const uniform = (name: string): WebGLUniformLocation => gl.getUniformLocation(program, name)!;
    this.uniforms = { scale: uniform('scale'), offset: uniform('offset'), rangeMin: uniform('rangeMin'), rangeInverseSpan: uniform('rangeInverseSpan') };
  }

  setValues(values: Float32Array): void {
    const samples = this.samples;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      const valid = value === value; // not NaN
      samples[2 * i] = valid ? value : 0;
      samples[2 * i + 1] = valid ? 1 : 0;
    }
    this.gl.bindBuffer(this.gl.ARRAY_BUFFER, this.sampleBuffer);
    this.gl.bufferSubData(this.gl.ARRAY_BUFFER, 0, samples);
    this.hasValues = true;
  }

  setColormap(lut: Uint8Array): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.colormap);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, 256, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, lut);
  }

  draw(view: FieldView, range: { min: number; max: number }): void {
    const gl = this.gl;
    gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    if (!this.hasValues) return;
    gl.uniform2f(this.uniforms.scale, ...view.scale);
    gl.uniform2f(this.uniforms.offset, ...view.offset);
    gl.uniform1f(this.uniforms.rangeMin, range.min);
    gl.uniform1f(this.uniforms.rangeInverseSpan, inverseSpan(range));
    gl.drawElements(gl.TRIANGLES, this.indexCount, gl.UNSIGNED_INT, 0);
  }
}
