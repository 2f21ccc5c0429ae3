/**
 * The built-in 2D coastal model's numerical core. Pieces, each in its own module:
 * mesh.ts (the mesh shape it needs), projection.ts (ics 1/2 to metres, Coriolis),
 * dual.ts (median-dual geometry), state.ts (h, hu, hv), reconstruction.ts (MUSCL
 * inputs), flux.ts (Riemann fluxes), edgeFluxes.ts and boundaries.ts (face fluxes),
 * sources.ts (friction, Coriolis, wind, pressure), kernels.ts (the phases of a step
 * over node/edge ranges), parallel.ts (serial or worker-thread execution),
 * levels.ts, multirate.ts and multirateKernels.ts (local time stepping: levels,
 * the cycle, its phases), stepper.ts (the model: sub-stepping, SSP-RK2, blow-up
 * checks), output.ts (out2d fields).
 */
export type { ModelMesh } from './mesh.js';
export { buildDual, type DualMesh } from './dual.js';
export { projectNodes, coriolisFromLatitude, EARTH_ROTATION } from './projection.js';
export { allocateState, setStillWater, totalVolume, type FlowState } from './state.js';
export { largePondDrag, WATER_DENSITY, AIR_DENSITY } from './sources.js';
export {
  ShallowWaterModel, BlowUpError,
  type ModelOptions, type BoundaryElevation, type BoundaryVelocity, type AtmosphericForcing, type AtmosphereFields,
} from './stepper.js';
export { allocateNodalFields, sampleNodalFields, type NodalFields } from './output.js';
