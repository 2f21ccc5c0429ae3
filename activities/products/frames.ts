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
 * Variables: elevation, speed and inundationDepth always; sigWaveHeight,
 * peakPeriod and meanWaveDirection (degrees clockwise from TRUE north, where
 * the waves come from) when the run has a wave step. Every variable has an
 * envelope but meanWaveDirection: the maximum of an angle means nothing.
 *
 * products/frames/index.json (paths in it are relative to products/):
 *   {
 *     "nodeCount": N,
 *     "times": ["2026-11-25T00:00:00.000Z", …],        <index> of a frame = position here
 *     "variables": [{ "name", "units", "description",
 *                     "kind": "direction",               only on meanWaveDirection: draw arrows, not colours
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
  sigWaveHeight: { units: 'm', description: 'significant wave height; NaN where dry' },
  peakPeriod: { units: 's', description: 'peak wave period; NaN where dry' },
  meanWaveDirection: { units: 'degree', kind: 'direction', description: 'mean wave direction, where the waves come from, clockwise from true north; NaN where dry' },
} as const;

export type FrameVariable = keyof typeof FRAME_VARIABLES;

const HYDRODYNAMIC_VARIABLES: readonly FrameVariable[] = ['elevation', 'speed', 'inundationDepth'];
const WAVE_VARIABLES: readonly FrameVariable[] = ['sigWaveHeight', 'peakPeriod', 'meanWaveDirection'];

/** The map's variables of a run, with or without a wave step. */
export const frameVariables = (waves: boolean): FrameVariable[] => (waves ? [...HYDRODYNAMIC_VARIABLES, ...WAVE_VARIABLES] : [...HYDRODYNAMIC_VARIABLES]);

const MAX_DESCRIPTIONS: Partial<Record<FrameVariable, string>> = {
  elevation: 'highest elevation over the times the node is wet; NaN if never wet',
  speed: 'highest speed over the times the node is wet; NaN if never wet',
  inundationDepth: 'deepest water over the times the node is flooded land; NaN if never flooded',
  sigWaveHeight: 'highest significant wave height over the times the node is wet; NaN if never wet',
  peakPeriod: 'longest peak period over the times the node is wet; NaN if never wet',
};

export type Frame = Partial<Record<FrameVariable, Float32Array>>;

export const framePath = (variable: FrameVariable, index: number) => `frames/${variable}/${index}.bin`;
export const maxPath = (variable: FrameVariable) => `max/${variable}.bin`;
export const FRAME_INDEX_PATH = 'frames/index.json';

/** `values` where the node is wet, NaN where dry. */
function wetOnly(values: Float32Array, dry: Uint8Array): Float32Array {
  const wet = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) wet[i] = dry[i] === 0 ? values[i] : NaN;
  return wet;
}

/**
 * The map's variables at one output time; `waterDepth` is the flood
 * detector's (NaN off flooded land). Wave directions must already be
 * relative to true north (waves.ts).
 */
export function frameOf(fields: NodeFields, waterDepth: Float32Array): Frame {
  const n = fields.elevation.length;
  const elevation = new Float32Array(n);
  const speed = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const wet = fields.dry[i] === 0;
    elevation[i] = wet ? fields.elevation[i] : NaN;
    speed[i] = wet ? Math.hypot(fields.velocityX[i], fields.velocityY[i]) : NaN;
  }
  const frame: Frame = { elevation, speed, inundationDepth: waterDepth };
  if (fields.waves) {
    for (const v of ['sigWaveHeight', 'peakPeriod', 'meanWaveDirection'] as const) frame[v] = wetOnly(fields.waves[v], fields.dry);
  }
  return frame;
}

/** The frame's array for `variable`; a frame lacking a variable of its run is a bug, not a value. */
export function frameValues(frame: Frame, variable: FrameVariable): Float32Array {
  const values = frame[variable];
  if (!values) throw new Error(`frame has no ${variable} (it has ${Object.keys(frame).join(', ')})`);
  return values;
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
  readonly ranges = new Map<FrameVariable, Range>();
  /** One per variable that has an envelope, in `variables`' order. */
  readonly envelopes = new Map<FrameVariable, Float32Array>();

  constructor(
    private readonly nodeCount: number,
    readonly variables: readonly FrameVariable[],
  ) {
    for (const v of variables) {
      this.ranges.set(v, null);
      if (MAX_DESCRIPTIONS[v] !== undefined) this.envelopes.set(v, new Float32Array(nodeCount).fill(NaN));
    }
  }

  add(frame: Frame): void {
    for (const v of this.variables) this.ranges.set(v, rangeOf(frameValues(frame, v), this.ranges.get(v)));
    for (const [v, envelope] of this.envelopes) {
      const values = frameValues(frame, v);
      for (let i = 0; i < values.length; i++) {
        // `!(e >= x)` also takes x when the envelope is still NaN.
        if (!(envelope[i] >= values[i]) && !Number.isNaN(values[i])) envelope[i] = values[i];
      }
    }
  }

  index(times: readonly string[]): unknown {
    return {
      nodeCount: this.nodeCount,
      times,
      variables: this.variables.map((name) => ({ name, ...FRAME_VARIABLES[name], ...(this.ranges.get(name) ?? { min: null, max: null }), frames: `frames/${name}/{index}.bin` })),
      max: [...this.envelopes].map(([variable, envelope]) => ({
        variable,
        units: FRAME_VARIABLES[variable].units,
        description: MAX_DESCRIPTIONS[variable],
        ...(rangeOf(envelope) ?? { min: null, max: null }),
        file: maxPath(variable),
      })),
    };
  }
}
