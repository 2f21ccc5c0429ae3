/**
 * The model program a job runs, whatever the resource: this project's
 * command line, `model run <dir>` for the built-in model or `model schism
 * <dir>` for SCHISM (activities/jobs/schismRun.ts, which starts pschism and
 * speaks the model protocol for it). A resource only wraps these arguments:
 * in a local process with this Node.js, in a container whose image has
 * `coastcast` on its PATH, or in a batch script.
 *
 * The engine comes from the run directory's run.json (the site's
 * `model.engine` when the run was prepared), so every attempt of the job,
 * on any worker, runs the same program on it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { SchismParamSettings } from '../../core/schism/param.js';
import type { ModelEngine } from '../../core/site.js';

/**
 * SCHISM as a resource installs it. pschism is started by `command` with the
 * scribe count appended (SCHISM's scribed I/O: coastcast asks for 2D outputs
 * only, which take one scribe); combine_hotstart7 joins the per-process hot
 * starts into the one the next cycle starts from.
 */
export interface SchismInstallation {
  /** e.g. ["mpirun", "-np", "8", "/opt/schism/bin/pschism_TVD-VL"], or ["srun", "/opt/schism/bin/pschism"] in a batch job. */
  command: string[];
  /** SCHISM's combine_hotstart7 executable. */
  combineHotstart: string;
  /** param.nml settings this build requires beyond coastcast's, by group: recent SCHISM requires { "core": { "nbins_veg_vert": 2 } }, which older builds refuse. */
  param?: SchismParamSettings;
}

export interface ModelProgram {
  engine: ModelEngine;
  threads?: number;
}

export class ModelProgramError extends Error {
  override name = 'ModelProgramError';
}

/** The arguments after the `coastcast` command for `program` on `runDir`; `schism` is the resource's installation, `resource` its name for messages. */
export function modelArguments(runDir: string, program: ModelProgram, schism: SchismInstallation | undefined, resource: string): string[] {
  if (program.engine === 'built-in') return ['model', 'run', runDir, ...(program.threads === undefined ? [] : ['--threads', String(program.threads)])];
  if (schism === undefined) {
    throw new ModelProgramError(`the site runs SCHISM, but ${noSchismInstallation(resource)}`);
  }
  return ['model', 'schism', runDir, '--combine-hotstart', schism.combineHotstart, '--', ...schism.command];
}

/** Says what resource `name` lacks for SCHISM and where it is configured. */
export function noSchismInstallation(name: string): string {
  return `compute resource "${name}" has no SCHISM installation (its "schism": command and combineHotstart in COASTCAST_RESOURCES)`;
}

/** The engine a run directory was prepared for: run.json's site, the built-in model when it names none. */
export async function runEngine(runDir: string): Promise<ModelEngine> {
  const path = join(runDir, 'run.json');
  let record: { inputs?: { site?: { model?: { engine?: unknown } } } };
  try {
    record = JSON.parse(await readFile(path, 'utf8')) as typeof record;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'built-in';
    throw new ModelProgramError(`${path}: ${(error as Error).message}`);
  }
  const engine = record.inputs?.site?.model?.engine ?? 'built-in';
  if (engine !== 'built-in' && engine !== 'schism') throw new ModelProgramError(`${path}: inputs.site.model.engine: ${JSON.stringify(engine)} is not a model engine (built-in, schism)`);
  return engine;
}
