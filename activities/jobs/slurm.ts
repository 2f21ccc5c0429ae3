/**
 * Model jobs on a SLURM cluster: the batch script is written into the run
 * directory and submitted with sbatch, followed with `scontrol show job`
 * (whether it is active, and how it ended), stopped with scancel.
 *
 * - The run directory must be on a file system the compute nodes mount at
 *   the same path (COASTCAST_DATA on the cluster's shared file system): the
 *   job reads its inputs and writes outputs, `model.log`, `model.err` and
 *   `model.exit` there, and the worker follows them there.
 * - The job is submitted held (`sbatch --hold`), recorded in `job.json`,
 *   then released (`scontrol release`): a job never runs without a record
 *   naming it, so a worker restarted at any point re-attaches by its job id.
 * - The script records the model's exit status in `model.exit`, as the local
 *   launcher's wrapper does; a job that ended without one was ended by SLURM,
 *   and its JobState says how (time limit, memory, node failure, preemption,
 *   cancellation from outside, failure of the script itself). So does a job
 *   whose model was killed by a signal, when its JobState is one of those
 *   but FAILED: the model may be killed alone, and the script left to record
 *   the signal (the kernel's OOM killer in a job over its memory does that).
 */
import { execFile } from 'node:child_process';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { JOB_FILES, readExitStatus, readJobRecord, writeJobRecord, type JobState, type ModelJob, type ModelJobLauncher } from './launcher.js';
import { MODEL_CLI } from './localProcess.js';
import { modelArguments, type ModelProgram, type SchismInstallation } from './modelProgram.js';

const run = promisify(execFile);

const SCRIPT_FILE = 'model.sbatch';

/** A SLURM compute resource, as an installation configures it. */
export interface SlurmResource {
  type: 'slurm';
  partition?: string;
  /** Whole nodes and tasks of the job (the model is one process with threads: 1 and 1 unless SLURM site rules say otherwise). */
  nodes?: number;
  tasks?: number;
  /** sbatch --time, e.g. "02:00:00". */
  timeLimit?: string;
  /** Shell lines run before the model on the compute node, e.g. "module load nodejs/20". */
  setup?: string[];
  /** Variables exported to the model. */
  environment?: Record<string, string>;
  /** The Node.js executable on the compute nodes; default: this worker's. */
  node?: string;
  /** SCHISM on the cluster, for sites that run it (its command typically srun or mpirun inside the allocation). */
  schism?: SchismInstallation;
}

/** `job.json` of a SLURM job. */
export interface SlurmJobRecord {
  scheduler: 'slurm';
  jobId: number;
  script: string;
  startedAt: string;
  logOffset: number;
  errOffset: number;
}

/** SLURM job states in which the job may still run. */
const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'RESIZING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD']);

/** How a job ended by SLURM (no exit status, or a model killed by a signal) ended, by its end state: what to tell the user, and whether another attempt can help. */
const END_STATES: Record<string, { reason: string; retryable: boolean }> = {
  TIMEOUT: { reason: 'reached its time limit; raise the resource\'s timeLimit', retryable: false },
  OUT_OF_MEMORY: { reason: 'ran out of memory', retryable: false },
  NODE_FAIL: { reason: 'lost its node', retryable: true },
  BOOT_FAIL: { reason: 'could not boot its node', retryable: true },
  PREEMPTED: { reason: 'was preempted', retryable: true },
  CANCELLED: { reason: 'was cancelled on the cluster, not by coastcast (scancel by someone else, or an administrator)', retryable: false },
  DEADLINE: { reason: 'missed its deadline', retryable: false },
  FAILED: { reason: 'failed before the model could record its exit status (the batch script, its setup lines or the node)', retryable: true },
};

const POLL_MS = 200;
const CANCEL_TIMEOUT_MS = 30_000;

export class SlurmLauncher implements ModelJobLauncher {
  constructor(private readonly resource: SlurmResource, private readonly name = 'slurm') {}

  async find(runDir: string): Promise<ModelJob | undefined> {
    const found = await readJobRecord(runDir);
    return found && new SlurmJob(runDir, parseRecord(found.path, found.text));
  }

  async start(runDir: string, program: ModelProgram): Promise<ModelJob> {
    const script = batchScript(this.resource, runDir, program, this.name);
    await rm(join(runDir, JOB_FILES.exit), { force: true });
    const scriptPath = join(runDir, SCRIPT_FILE);
    await writeFile(scriptPath, script, { mode: 0o755 });
    const size = (name: string) => stat(join(runDir, name)).then((s) => s.size, () => 0);
    const offsets = { logOffset: await size(JOB_FILES.log), errOffset: await size(JOB_FILES.err) };
    // Paths go on the command line, where no #SBATCH parsing can split them at a space.
    const { stdout } = await slurm('sbatch', [
      '--parsable', '--hold', `--chdir=${runDir}`, `--output=${join(runDir, JOB_FILES.log)}`, `--error=${join(runDir, JOB_FILES.err)}`, '--open-mode=append', scriptPath,
    ]);
    const jobId = Number(stdout.trim().split(';')[0]);
    if (!Number.isInteger(jobId)) throw new Error(`sbatch ${scriptPath}: expected a job id, got ${JSON.stringify(stdout.trim())}`);
    try {
      const record: SlurmJobRecord = { scheduler: 'slurm', jobId, script: SCRIPT_FILE, startedAt: new Date().toISOString(), ...offsets };
      await writeJobRecord(runDir, record);
      await slurm('scontrol', ['release', String(jobId)]);
      return new SlurmJob(runDir, record);
    } catch (error) {
      // Unrecorded, it must not run: nobody could follow or stop it.
      await slurm('scancel', [String(jobId)]).catch(() => undefined);
      throw error;
    }
  }
}

/** The batch script: SLURM options, the resource's setup, the model, and its exit status into model.exit. */
export function batchScript(resource: SlurmResource, runDir: string, program: ModelProgram, name = 'slurm'): string {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const model = [resource.node ?? process.execPath, MODEL_CLI, ...modelArguments(runDir, program, resource.schism, name)];
  const threads = program.threads;
  return [
    '#!/bin/sh',
    '#SBATCH --job-name=coastcast-model',
    `#SBATCH --nodes=${resource.nodes ?? 1}`,
    `#SBATCH --ntasks=${resource.tasks ?? 1}`,
    `#SBATCH --cpus-per-task=${threads ?? 1}`,
    ...(resource.partition ? [`#SBATCH --partition=${resource.partition}`] : []),
    ...(resource.timeLimit ? [`#SBATCH --time=${resource.timeLimit}`] : []),
    // Requeued jobs would run the model twice into the same outputs: a failed job is retried by the activity instead.
    '#SBATCH --no-requeue',
    ...(resource.setup ?? []),
    ...Object.entries(resource.environment ?? {}).map(([name, value]) => `export ${name}=${quote(value)}`),
    model.map(quote).join(' ') + ' </dev/null',
    'status=$?',
    `echo $status > ${JOB_FILES.exit}.partial && mv -f ${JOB_FILES.exit}.partial ${JOB_FILES.exit}`,
    'exit $status',
    '',
  ].join('\n');
}

class SlurmJob implements ModelJob {
  readonly pid: number;
  readonly startedAt: Date;
  readonly logOffset: number;
  readonly errOffset: number;

  constructor(private readonly runDir: string, private readonly record: SlurmJobRecord) {
    this.pid = record.jobId;
    this.startedAt = new Date(record.startedAt);
    this.logOffset = record.logOffset;
    this.errOffset = record.errOffset;
  }

  async state(): Promise<JobState> {
    // Activity first: the script renames model.exit before the job ends, so a job seen inactive has already recorded its status.
    if (await this.active()) return { state: 'running' };
    const exited = await readExitStatus(this.runDir);
    // A model that exited by itself says how it ended, whatever SLURM made of the script's status.
    if (exited && exited.signal === null) return exited;
    const end = await this.scontrolState();
    const known = end === null ? undefined : END_STATES[end];
    // A model killed by a signal in a job SLURM ended was killed for the job: the kernel's OOM killer takes the
    // model, the largest process, and spares the script, which records SIGKILL. The end state says why, and whether
    // retrying can help; FAILED is only the script passing the signal on as its own exit status.
    if (exited && (known === undefined || end === 'FAILED')) return exited;
    if (end === null || known === undefined) return { state: 'gone' };
    return { state: 'ended', reason: `SLURM job ${this.record.jobId} ${known.reason} (JobState ${end})`, retryable: known.retryable };
  }

  async cancel(): Promise<void> {
    await slurm('scancel', [String(this.record.jobId)]);
    const deadline = Date.now() + CANCEL_TIMEOUT_MS;
    while (await this.active()) {
      if (Date.now() > deadline) throw new Error(`SLURM job ${this.record.jobId} still active ${CANCEL_TIMEOUT_MS / 1000} s after scancel`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private async active(): Promise<boolean> {
    const state = await this.scontrolState();
    return state !== null && ACTIVE.has(state);
  }

  /** JobState from `scontrol show job`; null when SLURM no longer knows the job (past MinJobAge, or another cluster). */
  private async scontrolState(): Promise<string | null> {
    try {
      const { stdout } = await slurm('scontrol', ['show', 'job', '-o', String(this.record.jobId)]);
      return /\bJobState=(\S+)/.exec(stdout)?.[1] ?? null;
    } catch (error) {
      if (/Invalid job id/i.test((error as Error).message)) return null;
      throw error;
    }
  }
}

async function slurm(command: string, args: string[]): Promise<{ stdout: string }> {
  try {
    const { stdout } = await run(command, args, { encoding: 'utf8' });
    return { stdout };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error(`${command}: not found; the SLURM resource needs SLURM's client commands on the worker's PATH`);
    throw new Error(`${command} ${args.join(' ')}: ${(failure.stderr ?? failure.message).trim()}`);
  }
}

function parseRecord(path: string, text: string): SlurmJobRecord {
  let record: Partial<SlurmJobRecord>;
  try {
    record = JSON.parse(text) as Partial<SlurmJobRecord>;
  } catch (error) {
    throw new Error(`${path}: not JSON: ${(error as Error).message}`);
  }
  if (record.scheduler !== 'slurm') throw new Error(`${path}: not a SLURM job record (scheduler ${JSON.stringify(record.scheduler)})`);
  for (const key of ['jobId', 'logOffset', 'errOffset'] as const) {
    if (!Number.isInteger(record[key])) throw new Error(`${path}: ${key}: expected an integer, got ${JSON.stringify(record[key])}`);
  }
  if (typeof record.startedAt !== 'string') throw new Error(`${path}: startedAt: expected a string`);
  return record as SlurmJobRecord;
}

