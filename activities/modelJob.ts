/**
 * The forecast cycle's "run model job" step (ARCHITECTURE.md): launch the
 * model program on a prepared run directory and follow it to the end,
 * heartbeating its progress.
 *
 * The job outlives the attempt that started it, so an attempt first looks for
 * the job an earlier one recorded in the run directory:
 *
 * - still running → follow it instead of starting a second one;
 * - finished while no worker watched → its result (or its input/blow-up
 *   failure) at once;
 * - gone without an exit status (the machine restarted), or ended in a failure
 *   worth retrying → clear `outputs/` and start afresh, saying so in model.log.
 *
 * Cancellation stops the job when the workflow no longer wants it; when the
 * worker is only shutting down, or the attempt timed out, the job keeps
 * running for the next attempt to pick up.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { ActivityCancellationDetails } from '@temporalio/common';
import { appendFile, open, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

import type { ModelRunSummary, RunEvent } from '../core/modelProtocol.js';
import { JOB_FILES, type JobState, type ModelJob, type ModelJobLauncher } from './jobs/launcher.js';
import { LocalProcessLauncher } from './jobs/localProcess.js';
import { ModelProgramError, runEngine } from './jobs/modelProgram.js';

export interface ModelJobInput {
  runDir: string;
  threads?: number;
}

export interface ModelJobResult {
  /** The job: its process id, or its id on the resource's batch system. */
  jobId: number;
  /** The model's `done` line. */
  summary: ModelRunSummary;
  /** From the job's start to its recorded end. */
  wall_s: number;
  /** Whether this attempt followed (or collected) a job an earlier attempt started. */
  reattached: boolean;
}

/** Heartbeat details: the latest progress line of model.log. total_s and percent are null until the model has started. */
export interface ModelJobProgress {
  simulated_s: number;
  total_s: number | null;
  percent: number | null;
  pid: number;
}

/** The model program's exit codes that retrying cannot change (server/commands/modelRun.ts). */
const FINAL_FAILURES: Record<number, string> = { 3: 'ModelBadInput', 4: 'ModelBlowUp' };

/** How often the job's state and log are looked at, and the longest gap between heartbeats when the log says nothing new. */
const POLL_MS = 250;
const HEARTBEAT_MAX_GAP_MS = 2_000;
const STDERR_LINES_IN_FAILURE = 5;

export interface ModelJobOptions {
  /** Called with every heartbeat's details, e.g. to show the progress to the workflow. */
  onProgress?: (progress: ModelJobProgress) => void;
  /** Called once an attempt has its job, started or re-attached to, e.g. to record its id in the catalog. */
  onJob?: (runDir: string, job: { id: number; startedAt: Date; reattached: boolean }) => Promise<void>;
}

/** The activity on a given compute resource. */
export function modelJobActivity(launcher: ModelJobLauncher, options: ModelJobOptions = {}): (input: ModelJobInput) => Promise<ModelJobResult> {
  return async function runModelJob(input: ModelJobInput): Promise<ModelJobResult> {
    const runDir = resolve(input.runDir);
    if (!(await stat(runDir).catch(() => undefined))?.isDirectory()) {
      throw ApplicationFailure.nonRetryable(`${runDir}: no such run directory`, 'ModelBadInput');
    }
    const previous = await launcher.find(runDir);
    if (previous !== undefined) {
      const state = await previous.state();
      if (state.state === 'running') return follow(runDir, previous, true, options);
      const ended = state.state === 'exited' ? await outcome(runDir, previous, state, true) : state.state === 'ended' ? endedByResource(state) : undefined;
      if (ended !== undefined && !(ended instanceof ApplicationFailure)) return ended;
      if (ended?.nonRetryable) throw ended;
      await prepareRelaunch(runDir, previous, ended?.message ?? `job ${previous.pid} is gone without an exit status (the machine restarted?)`);
    }
    const job = await launcher.start(runDir, { engine: await runEngine(runDir), threads: input.threads }).catch((error: unknown) => {
      // No attempt can run a program the resource does not have.
      throw error instanceof ModelProgramError ? ApplicationFailure.nonRetryable(error.message, 'ModelProgramUnavailable') : error;
    });
    return follow(runDir, job, false, options);
  };
}

/** The activity on this machine's processes. */
export const runModelJob = modelJobActivity(new LocalProcessLauncher());

async function follow(runDir: string, job: ModelJob, reattached: boolean, { onProgress, onJob }: ModelJobOptions): Promise<ModelJobResult> {
  const context = Context.current();
  await onJob?.(runDir, { id: job.pid, startedAt: job.startedAt, reattached });
  const log = new LogTail(join(runDir, JOB_FILES.log), job.logOffset);
  const progress: ModelJobProgress = { simulated_s: 0, total_s: null, percent: null, pid: job.pid };
  let lastBeat = -Infinity;
  try {
    for (;;) {
      // State before log: the lines of a job seen ended are all on disk by then.
      const state = await job.state();
      let changed = false;
      for (const event of await log.events()) {
        if (event.event === 'start' || event.event === 'progress') {
          progress.simulated_s = event.simulated_s;
          progress.total_s = event.total_s;
          progress.percent = event.total_s > 0 ? Math.round((1000 * event.simulated_s) / event.total_s) / 10 : 100;
          changed = true;
        }
      }
      if (changed || Date.now() - lastBeat >= HEARTBEAT_MAX_GAP_MS) {
        context.heartbeat({ ...progress });
        onProgress?.({ ...progress });
        lastBeat = Date.now();
      }
      if (state.state !== 'running') {
        const ended = state.state === 'exited'
          ? await outcome(runDir, job, state, reattached)
          : state.state === 'ended'
            ? endedByResource(state)
            : ApplicationFailure.retryable(`model job ${job.pid} ended without recording an exit status (killed together with its wrapper?)`, 'ModelJobLost');
        if (ended instanceof ApplicationFailure) throw ended;
        return ended;
      }
      await context.sleep(POLL_MS);
    }
  } catch (error) {
    if (error instanceof CancelledFailure && stopsTheJob(context.cancellationDetails)) {
      context.log.info('model job cancelled: stopping it', { pid: job.pid });
      await job.cancel();
    }
    throw error;
  }
}

/** The result of an ended job, or the failure to report: final for bad input and blow-up, worth a retry otherwise. */
async function outcome(runDir: string, job: ModelJob, state: Extract<JobState, { state: 'exited' }>, reattached: boolean): Promise<ModelJobResult | ApplicationFailure> {
  if (state.code === 0) {
    const done = (await new LogTail(join(runDir, JOB_FILES.log), job.logOffset).events()).findLast((e) => e.event === 'done');
    if (done === undefined) return ApplicationFailure.retryable(`model job ${job.pid} exited 0 without a done line in ${JOB_FILES.log}`, 'ModelJobFailed');
    const { event: _, ...summary } = done;
    return { jobId: job.pid, summary, wall_s: (state.finishedAt.getTime() - job.startedAt.getTime()) / 1000, reattached };
  }
  const stderr = await stderrLines(join(runDir, JOB_FILES.err), job.errOffset);
  const type = state.code === null ? undefined : FINAL_FAILURES[state.code];
  if (type !== undefined) return ApplicationFailure.nonRetryable(stderr.at(-1) ?? `the model exited ${state.code} without a reason on stderr`, type);
  const how = state.signal === null ? `exited with code ${state.code}` : `was killed by ${state.signal}`;
  const reason = stderr.length > 0 ? `; stderr: ${stderr.slice(-STDERR_LINES_IN_FAILURE).join(' | ')}` : '; nothing on stderr';
  return ApplicationFailure.retryable(`model job ${job.pid} ${how}${reason}`, 'ModelJobFailed');
}

/** A job the resource ended (time limit, memory, node failure…): retried where another attempt can succeed. */
function endedByResource(state: Extract<JobState, { state: 'ended' }>): ApplicationFailure {
  return state.retryable ? ApplicationFailure.retryable(state.reason, 'ModelJobEnded') : ApplicationFailure.nonRetryable(state.reason, 'ModelJobEnded');
}

/** Workflow cancellation (or a reset) stops the job; a worker shutting down or a timed-out attempt leaves it to the next attempt. */
function stopsTheJob(details: ActivityCancellationDetails | undefined): boolean {
  return !(details?.workerShutdown || details?.timedOut);
}

/** A fresh job replaces one that cannot be followed: its partial outputs go, and model.log says why a second start follows. */
async function prepareRelaunch(runDir: string, previous: ModelJob, reason: string): Promise<void> {
  Context.current().log.warn('model job: starting afresh', { runDir, previousPid: previous.pid, reason });
  await appendFile(join(runDir, JOB_FILES.log), `${JSON.stringify({ event: 'relaunch', previous_pid: previous.pid, reason, outputs_cleared: true })}\n`);
  await rm(join(runDir, 'outputs'), { recursive: true, force: true });
}

async function stderrLines(path: string, offset: number): Promise<string[]> {
  const text = await readFile(path).then((bytes) => bytes.subarray(offset).toString('utf8'), () => '');
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

/** The model's JSON lines appended to a log since an offset, read incrementally: each call returns only the complete lines that arrived since the last. */
class LogTail {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly path: string, private offset: number) {}

  async events(): Promise<RunEvent[]> {
    const file = await open(this.path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (file === undefined) return [];
    try {
      const { size } = await file.stat();
      if (size <= this.offset) return [];
      const bytes = Buffer.alloc(size - this.offset);
      const { bytesRead } = await file.read(bytes, 0, bytes.length, this.offset);
      this.offset += bytesRead;
      const lines = (this.partial + this.decoder.write(bytes.subarray(0, bytesRead))).split('\n');
      this.partial = lines.pop() as string;
      return lines.flatMap((line) => parseEvent(line));
    } finally {
      await file.close();
    }
  }
}

/** A line of the model's stdout protocol; anything else on stdout (nothing, normally) is not an event. */
function parseEvent(line: string): RunEvent[] {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as { event?: unknown }).event === 'string' ? [value as RunEvent] : [];
  } catch {
    return [];
  }
}
