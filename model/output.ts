import type { ShallowWaterModel } from './stepper.js';

/** The per-node fields of SCHISM's out2d files, as the output writer will need them. */
export interface NodalFields {
  /** η = h − depth, m; at dry nodes this is the bed level. */
  readonly elevation: Float64Array;
  readonly velocityX: Float64Array;
  readonly velocityY: Float64Array;
  /** 1 dry (h < h0), 0 wet: SCHISM's dryFlagNode. */
  readonly dry: Uint8Array;
}

export function allocateNodalFields(nodeCount: number): NodalFields {
  return {
    elevation: new Float64Array(nodeCount),
    velocityX: new Float64Array(nodeCount),
    velocityY: new Float64Array(nodeCount),
    dry: new Uint8Array(nodeCount),
  };
}

export function sampleNodalFields(model: ShallowWaterModel, out: NodalFields): void {
  const { h, hu, hv } = model.state;
  const h0 = model.dryThreshold;
  for (let i = 0; i < h.length; i++) {
    const hi = h[i];
    const wet = hi >= h0;
    out.elevation[i] = hi + model.bed[i];
    out.velocityX[i] = wet ? hu[i] / hi : 0;
    out.velocityY[i] = wet ? hv[i] / hi : 0;
    out.dry[i] = wet ? 0 : 1;
  }
}
