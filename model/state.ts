/**
 * The prognostic state: depth h and discharges hu, hv per node, in
 * SharedArrayBuffers so worker threads can later share them without copies.
 */
export interface FlowState {
  readonly h: Float64Array;
  readonly hu: Float64Array;
  readonly hv: Float64Array;
}

export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * length));
}

export function allocateState(nodeCount: number): FlowState {
  return { h: sharedFloat64(nodeCount), hu: sharedFloat64(nodeCount), hv: sharedFloat64(nodeCount) };
}

/** Water at rest at elevation η (one value or one per node); nodes whose bed is above η are dry. */
export function setStillWater(state: FlowState, bed: Float64Array, eta: number | Float64Array): void {
  for (let i = 0; i < bed.length; i++) {
    const level = typeof eta === 'number' ? eta : eta[i];
    state.h[i] = Math.max(0, level - bed[i]);
  }
  state.hu.fill(0);
  state.hv.fill(0);
}

/** Σ h·area: the water volume, which walls-only runs conserve to round-off. */
export function totalVolume(state: FlowState, area: Float64Array): number {
  let v = 0;
  for (let i = 0; i < area.length; i++) v += state.h[i] * area[i];
  return v;
}
