/**
 * Per-node fields for the map, one file per output time and variable, and
 * their maximum envelopes over the forecast.
 *
 * products/frames/<variable>/<index>.bin and products/max/<variable>.bin:
 * N float32 values, little-endian, one per mesh node in mesh.bin's order,
 * no header (N is mesh.bin's nodeCount and index.json's nodeCount); NaN
 * where the variable has no value (a dry node, land that is not flooded).
 * A browser reads one with `new Float32Array(await response.arrayBuffer())`.
 *
 * products/frames/index.json (paths in it are relative to products/):
 *   {
 *     "nodeCount": N,
 *     "times": ["2026-11-25T00:00:00.000Z", …],        <index> of a frame = position here
 *     "variables": [{ "name", "units", "description",
 *                     "min", "max",                      over every frame, NaN left out (null if all NaN)
 *                     "frames": "frames/<name>/{index}.bin" }],
 *     "max": [{ "variable", "units", "description", "min", "max", "file": "max/<name>.bin" }]
 *   }
 */
import type { NodeFields } from './modelOutput.js';

export const FRAME_VARIABLES = {
  elevation: { units: 'm', description: 'water surface elevation above the model datum; NaN where dry' },
  speed: { units: 'm s-1', description: 'depth-averaged current speed; NaN where dry' },
  inundationDepth: { units: 'm', description: 'water depth over flooded land (see flood/ for the rule); NaN elsewhere' },
} as const;

export type FrameVariable = keyof typeof FRAME_VARIABLES;
export const FRAME_VARIABLE_NAMES = Object.keys(FRAME_VARIABLES) as FrameVariable[];

const MAX_DESCRIPTIONS: Record<FrameVariable, string> = {
  elevation: 'highest elevation over the times the node is wet; NaN if never wet',
  speed: 'highest speed over the times the node is wet; NaN if never wet',
  inundationDepth: 'deepest water over the times the node is flooded land; NaN if never flooded',
};

export type Frame = Record<FrameVariable, Float32Array>;

export const framePath = (variable: FrameVariable, index: number) => `frames/${variable}/${index}.bin`;
export const maxPath = (variable: FrameVariable) => `max/${variable}.bin`;
export const FRAME_INDEX_PATH = 'frames/index.json';

/** The map's variables at one output time; `waterDepth` is the flood detector's (NaN off flooded land). */
export function frameOf(fields: NodeFields, waterDepth: Float32Array): Frame {
  const n = fields.elevation.length;
  const elevation = new Float32Array(n);
  const speed = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const wet = fields.dry[i] === 0;
    elevation[i] = wet ? fields.elevation[i] : NaN;
    speed[i] = wet ? Math.hypot(fields.velocityX[i], fields.velocityY[i]) : NaN;
  }
  return { elevation, speed, inundationDepth: waterDepth };
}

type Range = { min: number; max: number } | null;

function rangeOf(values: Float32Array, into: Range = null): Range {
  let range = into;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (!range) range = { min: v, max: v };
    else if (v < range.min) range.min = v;
    else if (v > range.max) range.max = v;
  }
  return range;
}

/** Colour-scale ranges and maximum envelopes, accumulated frame by frame. */
export class FrameStatistics {
  readonly ranges = {} as Record<FrameVariable, Range>;
  readonly envelopes = {} as Record<FrameVariable, Float32Array>;

  constructor(nodeCount: number) {
    for (const v of FRAME_VARIABLE_NAMES) {
      this.ranges[v] = null;
      this.envelopes[v] = new Float32Array(nodeCount).fill(NaN);
    }
  }

  add(frame: Frame): void {
    for (const v of FRAME_VARIABLE_NAMES) {
      this.ranges[v] = rangeOf(frame[v], this.ranges[v]);
      const envelope = this.envelopes[v];
      const values = frame[v];
      for (let i = 0; i < values.length; i++) {
        // `!(e >= x)` also takes x when the envelope is still NaN.
        if (!(envelope[i] >= values[i]) && !Number.isNaN(values[i])) envelope[i] = values[i];
      }
    }
  }

  index(times: readonly string[]): unknown {
    return {
      nodeCount: this.envelopes.elevation.length,
      times,
      variables: FRAME_VARIABLE_NAMES.map((name) => ({ name, ...FRAME_VARIABLES[name], ...(this.ranges[name] ?? { min: null, max: null }), frames: `frames/${name}/{index}.bin` })),
      max: FRAME_VARIABLE_NAMES.map((variable) => ({
        variable,
        units: FRAME_VARIABLES[variable].units,
        description: MAX_DESCRIPTIONS[variable],
        ...(rangeOf(this.envelopes[variable]) ?? { min: null, max: null }),
        file: maxPath(variable),
      })),
    };
  }
}
