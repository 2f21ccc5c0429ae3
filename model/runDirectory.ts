/**
 * A SCHISM run directory (ARCHITECTURE.md, "Contract: the run directory") as
 * the built-in model reads it: every input the param.nml asks for, loaded and
 * checked before the run starts, so bad input fails fast and nothing is
 * written. Problems are RunInputErrors of one line that name the file (and the
 * line, where the format reader gives one); a missing file says which
 * param.nml key asks for it.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';

import { loadGr3Property, loadMesh } from '../core/mesh/gr3.js';
import { InputFileError } from '../core/inputProblems.js';
import type { Mesh } from '../core/mesh/mesh.js';
import { checkBuiltInSupport, readBctides, type Bctides } from '../core/schism/bctides.js';
import { ELEV2D_TH, readElev2dTh, type Elev2dTh } from '../core/schism/elev2dTh.js';
import { meshSides, readHotstart, type Hotstart, type MeshSides } from '../core/schism/hotstart.js';
import { readParam, type ModelParameters } from '../core/schism/param.js';
import { openSfluxAir, type SfluxAir } from '../core/schism/sflux.js';
import { readWavesTh, WAVES_TH, type WavesTh } from '../core/schism/wavesTh.js';

export const RUN_FILES = {
  mesh: 'hgrid.gr3',
  param: 'param.nml',
  bctides: 'bctides.in',
  elev2d: ELEV2D_TH,
  elevIc: 'elev.ic',
  manning: 'manning.gr3',
  sflux: 'sflux',
  hotstart: 'hotstart.nc',
  waves: WAVES_TH,
  outputs: 'outputs',
} as const;

/** Bad input in a run directory, in one line: `<file>[:<line>]: <problem>`. */
export class RunInputError extends Error {
  override name = 'RunInputError';
}

export interface RunDirectory {
  readonly dir: string;
  readonly params: ModelParameters;
  readonly mesh: Mesh;
  readonly sides: MeshSides;
  readonly bctides: Bctides;
  /** Present when a boundary has iettype 4 or 5. */
  readonly elev2d: Elev2dTh | undefined;
  /** Cold start elevation per node (ic_elev = 1); undefined means zero. */
  readonly initialElevation: Float64Array | undefined;
  /** Manning n per node (nchi = −1). */
  readonly manning: Float64Array;
  /** Present when nws = 2; the caller closes it. */
  readonly sflux: SfluxAir | undefined;
  /** Present when ihot > 0. */
  readonly hotstart: Hotstart | undefined;
  /** The offshore sea state, present when icou_elfe_wwm = 1. */
  readonly waves: WavesTh | undefined;
  /**
   * The step the run starts from: 0, or the hotstart's step with ihot = 2,
   * where time goes on from the hot start (SCHISM's iths) and rnday still
   * counts from the cold start.
   */
  readonly firstStep: number;
}

export async function loadRunDirectory(dir: string): Promise<RunDirectory> {
  const path = (name: string) => join(dir, name);
  const params = await input(path(RUN_FILES.param), 'every run needs it', () => readParam(path(RUN_FILES.param)));
  const because = (key: string, value: number | string) => `${key} = ${value} (${params.file}${lineOf(params, key)}) requires it`;
  const mesh = await input(path(RUN_FILES.mesh), 'every run needs it', () => loadMesh(path(RUN_FILES.mesh), { ics: params.ics }));
  const bctidesFile = path(RUN_FILES.bctides);
  const bctides = await input(bctidesFile, 'every run needs it', async () => {
    const b = await readBctides(bctidesFile, mesh);
    checkBuiltInSupport(b, bctidesFile);
    return b;
  });
  for (const [k, boundary] of bctides.boundaries.entries()) {
    if (boundary.iettype === 0) {
      throw new RunInputError(`${bctidesFile}:${boundary.line ?? 1}: open boundary ${k + 1}: iettype 0 leaves the elevation free, which needs a flow condition the built-in model does not have; use 2, 3, 4 or 5`);
    }
  }
  const timeSeriesBoundary = bctides.boundaries.find((b) => b.iettype === 4 || b.iettype === 5);
  const elev2d = timeSeriesBoundary
    ? await input(path(RUN_FILES.elev2d), `iettype ${timeSeriesBoundary.iettype} (${bctidesFile}:${timeSeriesBoundary.line ?? 1}) requires it`, () => readElev2dTh(path(RUN_FILES.elev2d), mesh))
    : undefined;
  if (elev2d && elev2d.end < params.runSeconds) {
    throw new RunInputError(`${elev2d.path}: covers model time 0 s to ${elev2d.end} s, the run goes to ${params.runSeconds} s (rnday = ${params.rnday})`);
  }
  const initialElevation = params.icElev === 1
    ? await input(path(RUN_FILES.elevIc), because('ic_elev', 1), () => loadGr3Property(path(RUN_FILES.elevIc), { mesh }))
    : undefined;
  const manning = await input(path(RUN_FILES.manning), because('nchi', -1), () => loadGr3Property(path(RUN_FILES.manning), { mesh }));
  const badManning = manning.findIndex((n) => !(n >= 0));
  if (badManning >= 0) throw new RunInputError(`${path(RUN_FILES.manning)}: node ${badManning + 1}: Manning n ${manning[badManning]} must be ≥ 0`);
  const sides = meshSides(mesh);
  const hotstart = params.ihot > 0
    ? await input(path(RUN_FILES.hotstart), because('ihot', params.ihot), () => readHotstart(path(RUN_FILES.hotstart), mesh, sides))
    : undefined;
  const firstStep = hotstart && params.ihot === 2 ? hotstartStep(hotstart, params, path(RUN_FILES.hotstart)) : 0;
  const waves = params.waves ? await input(path(RUN_FILES.waves), because('icou_elfe_wwm', 1), () => readWavesTh(path(RUN_FILES.waves), mesh)) : undefined;
  if (waves) {
    // The wave step runs at output times: the first is one output interval after the start (or the hot start).
    const from = (firstStep + params.nspool) * params.dt;
    if (waves.start > from || waves.end < params.runSeconds) {
      throw new RunInputError(`${waves.path}: covers model time ${waves.start} s to ${waves.end} s, the wave step needs ${from} s to ${params.runSeconds} s (rnday = ${params.rnday})`);
    }
    if (waves.settings.windSea && params.nws !== 2) {
      throw new RunInputError(`${waves.path}: wind_sea = 1 grows wind sea from the wind, but nws = ${params.nws} (${params.file}${lineOf(params, 'nws')}) gives none; set nws = 2 or wind_sea = 0`);
    }
  }
  const sflux = params.nws === 2 ? await openAtmosphere(path(RUN_FILES.sflux), params, mesh, firstStep, because('nws', 2)) : undefined;
  return { dir, params, mesh, sides, bctides, elev2d, initialElevation, manning, sflux, hotstart, waves, firstStep };
}

/** With ihot = 2 SCHISM goes on at the hotstart's step iths, whose time must be iths·dt, up to the rnday of the whole run. */
function hotstartStep(hotstart: Hotstart, params: ModelParameters, file: string): number {
  const { step, time } = hotstart;
  if (Math.abs(time - step * params.dt) > 1e-6 * params.dt) {
    throw new RunInputError(`${file}: time ${time} s is not step ${step} × dt ${params.dt} s (${params.file}${lineOf(params, 'dt')}); with ihot = 2 the time step must stay the same`);
  }
  if (step >= params.steps) {
    throw new RunInputError(`${file}: the hot start is at step ${step} (${time} s), but rnday = ${params.rnday} (${params.file}${lineOf(params, 'rnday')}) ends the run at step ${params.steps}; with ihot = 2 rnday counts from the cold start`);
  }
  return step;
}

async function openAtmosphere(dir: string, params: ModelParameters, mesh: Mesh, firstStep: number, why: string): Promise<SfluxAir> {
  if (params.ics !== 2) {
    throw new RunInputError(`${params.file}${lineOf(params, 'nws')}: nws = 2 needs ics = 2 (a lon/lat mesh): placing the sflux grid on a projected (ics = 1) mesh needs the site's map projection, which the built-in model does not have yet`);
  }
  const sflux = await input(dir, why, () => openSfluxAir(dir, { start: params.start }));
  try {
    // The forcing is sampled at multiples of wtiminc (see atmosphereForcing.ts): those around the run must exist.
    const w = params.wtiminc;
    const first = params.start.getTime() + Math.floor((firstStep * params.dt) / w) * w * 1000;
    const last = params.start.getTime() + Math.ceil(params.runSeconds / w) * w * 1000;
    if (sflux.times[0].getTime() > first || sflux.times[sflux.times.length - 1].getTime() < last) {
      throw new RunInputError(
        `${dir}: the sflux records cover ${sflux.times[0].toISOString()} to ${sflux.times[sflux.times.length - 1].toISOString()}, the run needs ${new Date(first).toISOString()} to ${new Date(last).toISOString()}`,
      );
    }
    // Sampling once places every node in the grid, so a node outside it fails here and not mid-run.
    await input(dir, why, () => sflux.atNodes(firstStep * params.dt, mesh.x, mesh.y));
    return sflux;
  } catch (error) {
    await sflux.close();
    throw error;
  }
}

function lineOf(params: ModelParameters, key: string): string {
  const line = params.lines.get(key);
  return line === undefined ? '' : `:${line}`;
}

/** Runs a reader and turns whatever it throws about the file into one RunInputError line. */
async function input<T>(file: string, why: string, read: () => Promise<T>): Promise<T> {
  try {
    await access(file);
  } catch {
    throw new RunInputError(`${file}: missing; ${why}`);
  }
  try {
    return await read();
  } catch (error) {
    throw new RunInputError(oneLine(error, file));
  }
}

function oneLine(error: unknown, file: string): string {
  if (error instanceof RunInputError) return error.message;
  if (error instanceof InputFileError) return error.firstError();
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return message.includes(file) ? message : `${file}: ${message}`;
}
