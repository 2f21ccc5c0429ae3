/** WebGL plumbing shared by the field renderers. */

export const NO_WEBGL = 'WebGL is not available in this browser, so the forecast field cannot be drawn on the map.';

/** Compiles and links a program from its two shaders; throws naming the failing part. */
export function linkProgram(gl: WebGLRenderingContext | WebGL2RenderingContext, vertexSource: string, fragmentSource: string): WebGLProgram {
  const program = gl.createProgram()!;
  for (const [type, source] of [[gl.VERTEX_SHADER, vertexSource], [gl.FRAGMENT_SHADER, fragmentSource]] as const) {
    const shader = gl.createShader(type)!;
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`${NO_WEBGL} (shader: ${gl.getShaderInfoLog(shader) ?? 'context lost'})`);
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`${NO_WEBGL} (program: ${gl.getProgramInfoLog(program) ?? 'context lost'})`);
  return program;
}

/** A texture for nearest-neighbour lookups (integer textures must not be filtered), no wrapping; bound to the active unit. */
export function createLookupTexture(gl: WebGLRenderingContext | WebGL2RenderingContext): WebGLTexture {
  const texture = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  return texture;
}

export function inverseSpan(range: { min: number; max: number }): number {
  return range.max > range.min ? 1 / (range.max - range.min) : 0;
}
