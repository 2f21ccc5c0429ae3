/**
 * One model run on a run directory, with SCHISM's cycle of outputs
 * (ARCHITECTURE.md, "Contract: model output"):
 *
 * - base steps of dt from the start (cold start: elev.ic or zero elevation at
 *   rest; hot start: hotstart.nc, time going on from it with ihot = 2);
 * - a frame every nspool steps, the first at nspool·dt (SCHISM writes none
 *   at the start), into `outputs/out2d_<n>.nc`, n = (step − 1) div ihfskip + 1
 *   counted from the cold start, so a hot-started run goes on numbering its
 *   stacks; `time` counts seconds from param.nml's start;
 * - with nhot = 1 a hot start every nhot_write steps,
 *   `outputs/hotstart_000000_<step>.nc` (SCHISM's name for rank 0's file),
 *   and always `outputs/hotstart.nc` with the end state for the next cycle.
 *
 * Files appear complete or not at all (the NetCDF writer renames a finished
 * `.partial`); a run that fails leaves the files completed before it failed.
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import type { RunEvent, RunSummary, TimeStepping } from '../core/modelProtocol.js';
import { Out2dWriter, type Field } from '../core/out2d.js';
import { SCHISM_OMEGA } from '../core/schism/param.js';
import { writeHotstart } from '../core/schism/hotstart.js';
import { AtmosphereForcing } from './atmosphereForcing.js';
import { boundaryElevation } from './boundaryForcing.js';
import { allocateNodalFields, sampleNodalFields, type NodalFields } from './output.js';
import { loadRunDirectory, RUN_FILES, type RunDirectory } from './runDirectory.js';
import { setStillWater, totalVolume } from './state.js';
import { ShallowWaterModel, type AtmosphereFields, type BoundaryElevation } from './stepper.js';
import { WaveModel, type SeaState } from './waves/waveModel.js';

export interface RunOptions {
  /** Worker threads; by default one per TRIANGLES_PER_THREAD triangles, up to the core count. */
  threads?: number;
  /** 'local' (default): each node at its own CFL step (model/multirate.ts); 'global': every node at the finest. */
  timeStepping?: TimeStepping;
  onEvent?: (event: RunEvent) => void;
}

/**
 * Below this many triangles per thread, synchronising the threads at every
 * phase costs more than the work they share (bench: 2 threads 0.97× one on
 * 5 000 triangles, 1.32× on 10 000, 1.74× on 20 000).
 */
export const TRIANGLES_PER_THREAD = 5000;

export function defaultThreads(triangles: number): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(triangles / TRIANGLES_PER_THREAD)));
}

/** Wall seconds between progress events: at most this often at output frames, and at least every second between them. */
const PROGRESS_INTERVAL = { frame: 0.2, between: 1 };

export async function runModel(runDir: string, options: RunOptions = {}): Promise<RunSummary> {
  const run = await loadRunDirectory(runDir);
  try {
    return await cycle(run, options);
  } finally {
    await run.sflux?.close();
  }
}

async function cycle(run: RunDirectory, options: RunOptions): Promise<RunSummary> {
  const { params, mesh } = run;
  const { dt, steps, nspool, ihfskip } = params;
  const emit = options.onEvent ?? (() => undefined);
  const threads = options.threads ?? defaultThreads(mesh.triangles.length / 3);
  const wallStart = performance.now();
  const timing = { solver: 0, boundary: 0, atmosphere: 0, waves: 0, output: 0 };

  const boundary = boundaryElevation(run);
  const timedBoundary: BoundaryElevation = (time, eta) => {
    const t0 = performance.now();
    boundary(time, eta);
    timing.boundary += (performance.now() - t0) / 1000;
  };
  const atmosphere = run.sflux ? new AtmosphereForcing(run.sflux, mesh.x, mesh.y, params.wtiminc, params.windRampSeconds) : undefined;
  const model = new ShallowWaterModel(mesh, {
    ics: params.ics,
    dryThreshold: params.h0,
    manning: run.manning,
    coriolis: params.coriolis ?? Float64Array.from(mesh.y, (lat) => 2 * SCHISM_OMEGA * Math.sin((lat * Math.PI) / 180)),
    boundaryElevation: timedBoundary,
    atmosphere: atmosphere?.fill,
    threads,
    localTimeStepping: (options.timeStepping ?? 'local') === 'local',
  });
  const outputs = join(run.dir, RUN_FILES.outputs);
  const fields: Field[] = [
    ...(params.output.elevation ? (['elevation'] as const) : []),
    ...(params.output.depthAverageVel ? (['depthAverageVelX', 'depthAverageVelY'] as const) : []),
    'dryFlagNode',
    ...(run.waves ? (['sigWaveHeight', 'peakPeriod', 'meanWaveDirection'] as const) : []),
  ];
  const waves = run.waves && new WaveModel(mesh, { ics: params.ics, breakerIndex: run.waves.settings.breakerIndex, windSea: run.waves.settings.windSea, minDepth: params.h0, dual: model.dual });
  const sea: SeaState = { sigWaveHeight: new Float64Array(mesh.x.length), peakPeriod: new Float64Array(mesh.x.length), meanWaveDirection: new Float64Array(mesh.x.length) };
  const wind = atmosphere && waves && run.waves?.settings.windSea ? atmosphereFields(mesh.x.length) : undefined;
  /** The sea state for the flow of the moment: the wave step sees the total depth, tide and surge included. */
  const solveWaves = (time: number) => {
    if (!waves || !run.waves) return;
    const t0 = performance.now();
    if (wind) atmosphere?.fill(time, wind);
    waves.solve(model.state.h, run.waves.at(time), wind && { x: wind.windX, y: wind.windY }, sea);
    timing.waves += (performance.now() - t0) / 1000;
  };
  let writer: { file: number; out2d: Out2dWriter } | undefined;
  try {
    await model.ready();
    startState(run, model);
    const triangles = mesh.triangles.length / 3;
    const volumeStart = totalVolume(model.state, model.dual.area);
    const nodal = allocateNodalFields(mesh.x.length);
    let maxElevation = -Infinity;
    emit({
      event: 'start', run: run.dir, start: params.start.toISOString(), nodes: mesh.x.length, triangles, threads, time_stepping: options.timeStepping ?? 'local', dt,
      first_step: run.firstStep, steps, simulated_s: run.firstStep * dt, total_s: params.runSeconds,
    });
    await mkdir(outputs, { recursive: true });
    let lastProgress = { wall: -Infinity, step: run.firstStep };
    const progress = (step: number, interval: number) => {
      const wall = (performance.now() - wallStart) / 1000;
      if (step === lastProgress.step || wall - lastProgress.wall < interval) return;
      lastProgress = { wall, step };
      emit({ event: 'progress', simulated_s: step * dt, total_s: params.runSeconds, wall_s: round(wall) });
    };
    const frame = async (step: number) => {
      sampleNodalFields(model, nodal);
      solveWaves(step * dt);
      maxElevation = Math.max(maxElevation, wetMaximum(nodal));
      const file = Math.floor((step - 1) / ihfskip) + 1;
      if (writer === undefined) {
        const path = join(outputs, `out2d_${file}.nc`);
        writer = { file, out2d: await Out2dWriter.create(path, mesh, { start: params.start, coordinates: params.ics === 2 ? 'lonlat' : 'metres', fields }) };
      }
      await writer.out2d.appendFrame(step * dt, frameValues(nodal, sea, fields));
    };
    const closeStack = async () => {
      if (writer === undefined) return;
      const done = writer;
      writer = undefined;
      await done.out2d.close();
      emit({ event: 'output', file: join(outputs, `out2d_${done.file}.nc`) });
    };
    const hotstart = async (step: number, name: string) => {
      sampleNodalFields(model, nodal);
      const path = join(outputs, name);
      await writeHotstart(path, mesh, {
        time: step * dt,
        step,
        eta: nodal.elevation,
        u: nodal.velocityX,
        v: nodal.velocityY,
        dry: nodal.dry,
        ifile: Math.floor(Math.max(0, step - 1) / ihfskip) + 1,
        stepsFromCold: (run.hotstart ? run.hotstart.stepsFromCold - run.firstStep : 0) + step,
      }, run.sides);
      emit({ event: 'output', file: path });
    };

    for (let step = run.firstStep + 1; step <= steps; step++) {
      if (atmosphere) {
        await atmosphere.prepare((step - 1) * dt, step * dt);
      }
      // Time is step·dt, as in SCHISM, rather than a running sum of dt that drifts with rounding.
      model.time = (step - 1) * dt;
      const t0 = performance.now();
      model.step(dt);
      const t1 = performance.now();
      timing.solver += (t1 - t0) / 1000;
      const isFrame = step % nspool === 0;
      if (isFrame) await frame(step);
      if (step % ihfskip === 0) await closeStack();
      if (params.nhot === 1 && step % params.nhotWrite === 0) await hotstart(step, `hotstart_000000_${step}.nc`);
      timing.output += (performance.now() - t1) / 1000;
      progress(step, isFrame ? PROGRESS_INTERVAL.frame : PROGRESS_INTERVAL.between);
    }
    const t1 = performance.now();
    await closeStack();
    await hotstart(steps, RUN_FILES.hotstart);
    timing.output += (performance.now() - t1) / 1000;
    progress(steps, 0);

    sampleNodalFields(model, nodal);
    maxElevation = Math.max(maxElevation, wetMaximum(nodal));
    const volumeEnd = totalVolume(model.state, model.dual.area);
    timing.atmosphere = atmosphere?.wallSeconds ?? 0;
    const summary: RunSummary = {
      steps: steps - run.firstStep,
      substeps: model.stats.substeps,
      rejected: model.stats.rejected,
      wall_s: round((performance.now() - wallStart) / 1000),
      triangle_steps_per_s: Math.round((triangles * model.stats.substeps) / Math.max(timing.solver, 1e-9)),
      volume_change_m3: volumeEnd - volumeStart,
      volume_change_relative: volumeStart > 0 ? (volumeEnd - volumeStart) / volumeStart : 0,
      max_elevation_m: maxElevation,
      timing_s: { solver: round(timing.solver), boundary: round(timing.boundary), atmosphere: round(timing.atmosphere), waves: round(timing.waves), output: round(timing.output - timing.waves) },
    };
    emit({ event: 'done', ...summary });
    return summary;
  } finally {
    await writer?.out2d.abort();
    await model.close();
  }
}

/** Cold start at rest (elev.ic or zero elevation) or the hotstart's elevation and velocity. */
function startState(run: RunDirectory, model: ShallowWaterModel): void {
  const { state, bed } = model;
  if (run.hotstart === undefined) {
    setStillWater(state, bed, run.initialElevation ?? 0);
  } else {
    const { eta, u, v } = run.hotstart;
    for (let i = 0; i < bed.length; i++) {
      const h = Math.max(0, eta[i] - bed[i]);
      state.h[i] = h;
      state.hu[i] = h * u[i];
      state.hv[i] = h * v[i];
    }
  }
  model.time = run.firstStep * run.params.dt;
}

function frameValues(nodal: NodalFields, sea: SeaState, fields: readonly Field[]): Partial<Record<Field, ArrayLike<number>>> {
  const all: Record<Field, ArrayLike<number>> = {
    elevation: nodal.elevation,
    depthAverageVelX: nodal.velocityX,
    depthAverageVelY: nodal.velocityY,
    dryFlagNode: nodal.dry,
    ...sea,
  };
  return Object.fromEntries(fields.map((f) => [f, all[f]]));
}

function atmosphereFields(nodes: number): AtmosphereFields {
  return { windX: new Float64Array(nodes), windY: new Float64Array(nodes), pressure: new Float64Array(nodes) };
}

function wetMaximum(nodal: NodalFields): number {
  let max = -Infinity;
  for (let i = 0; i < nodal.dry.length; i++) if (nodal.dry[i] === 0 && nodal.elevation[i] > max) max = nodal.elevation[i];
  return max;
}

function round(seconds: number): number {
  return Number(seconds.toFixed(3));
}
