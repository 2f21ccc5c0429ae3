/**
 * What the model-job activity needs from a compute resource (a local process,
 * possibly in a container, or a SLURM job): start the model
 * program on a run directory, find the job a previous attempt recorded there,
 * tell whether it still runs, and stop it.
 *
 * Whatever the resource, the job leaves the same things in the run directory,
 * because the directory is the one place every attempt of the activity can
 * see: `job.json` names the job (written before the job can do anything), and
 * the model's stdout and stderr are appended to `model.log` and `model.err`.
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';

import type { ModelProgram } from './modelProgram.js';

/** `exit` holds the model's exit status, written (to `.partial`, then renamed) by whatever runs it on the resource once the model has ended. */
export const JOB_FILES = { record: 'job.json', log: 'model.log', err: 'model.err', exit: 'model.exit' } as const;

/** job.json's path and text in a run directory; undefined when no job was recorded there. */
export async function readJobRecord(runDir: string): Promise<{ path: string; text: string } | undefined> {
  const path = join(runDir, JOB_FILES.record);
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes job.json whole or not at all: a crash mid-write must not leave a record that names half a job. */
export async function writeJobRecord(runDir: string, record: object): Promise<void> {
  const path = join(runDir, JOB_FILES.record);
  await writeFile(`${path}.partial`, `${JSON.stringify(record, null, 2)}\n`);
  await rename(`${path}.partial`, path);
}

/**
 * How the model ended, from `model.exit`; undefined while there is none. A
 * status above 128 is the shell's way of saying "killed by signal status − 128"
 * (the model itself exits 0–4).
 */
export async function readExitStatus(runDir: string): Promise<Extract<JobState, { state: 'exited' }> | undefined> {
  const path = join(runDir, JOB_FILES.exit);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const status = Number(text.trim());
  if (!Number.isInteger(status)) throw new Error(`${path}: not an exit status: ${JSON.stringify(text)}`);
  const signal = status > 128 ? signalName(status - 128) : null;
  return { state: 'exited', code: signal === null ? status : null, signal, finishedAt: (await stat(path)).mtime };
}

function signalName(signal: number): string {
  return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
}

export type JobState =
  | { state: 'running' }
  /** The model program ended: its exit code, or the signal that killed it. `finishedAt` is when that was recorded. */
  | { state: 'exited'; code: number | null; signal: string | null; finishedAt: Date }
  /** Ended by the resource before the model could record its status (a batch system's time limit, memory limit, node failure…). */
  | { state: 'ended'; reason: string; retryable: boolean }
  /** No longer running and nothing recorded how it ended (the machine restarted, or its wrapper was killed). */
  | { state: 'gone' };

export interface ModelJob {
  /** The process (local) or the resource's job id, for logs and heartbeats. */
  readonly pid: number;
  readonly startedAt: Date;
  /** Where this job's own lines start in model.log and model.err: both files are appended to by every job on the directory. */
  readonly logOffset: number;
  readonly errOffset: number;
  state(): Promise<JobState>;
  /** Stops the job (all its processes) and resolves once nothing of it runs any more. */
  cancel(): Promise<void>;
}

export interface ModelJobLauncher {
  /** The job recorded in the run directory by an earlier start, in whatever state it is; undefined when none was. */
  find(runDir: string): Promise<ModelJob | undefined>;
  /** Starts the model program on the run directory, replacing the record of any earlier job. */
  start(runDir: string, program: ModelProgram): Promise<ModelJob>;
}
