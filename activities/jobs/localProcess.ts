/**
 * Model jobs as processes on this machine, independent of the worker that
 * started them, so that a worker crash does not take the model run with it
 * and a retried activity can follow the same run.
 *
 * - The job runs in its own session and process group (setsid), with stdout
 *   and stderr appended straight to `model.log` and `model.err`: no pipe to
 *   the worker, so nothing is lost, and no SIGPIPE, when the worker dies.
 * - A small `/bin/sh` wrapper runs the model and records its exit status in
 *   `model.exit` (launcher.ts), because only a parent can wait for a
 *   process's status and a re-attaching worker is not the parent.
 * - Before the model starts, the wrapper waits for a "go" line on its stdin,
 *   which the worker sends only once `job.json` is on disk. If the worker dies
 *   in between, the wrapper reads end-of-file and exits without running the
 *   model: a job is never running without a record naming it.
 * - `job.json` identifies the process by boot id, pid and the start time from
 *   /proc/<pid>/stat, so that a pid recycled by another process, or a pid from
 *   before a reboot, is not mistaken for our job.
 * - Processes nobody waits for stay zombies (PID 1 in a container often does
 *   not reap them): a zombie counts as gone.
 * - A model that runs outside the group, in a container of an engine's daemon
 *   (Docker, Podman: container.ts), outlives its client; a launcher given a
 *   `DaemonContainer` asks the engine about it too (see there).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { modelArguments, type ModelProgram, type SchismInstallation } from './modelProgram.js';
import { JOB_FILES, readExitStatus, readJobRecord, writeJobRecord, type JobState, type ModelJob, type ModelJobLauncher } from './launcher.js';

/** The model program: `dist/server/cli.js` of this project, from the sources (tsx) or from dist/. */
export const MODEL_CLI = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../dist/server/cli.js' : '../../server/cli.js', import.meta.url));

// $@ is the model command. The status is recorded only when the model ran; killing the wrapper itself records nothing.
const WRAPPER = [
  'IFS= read -r go && [ "$go" = go ] || exit 0',
  'exec </dev/null',
  '"$@"',
  `echo $? > ${JOB_FILES.exit}.partial && mv -f ${JOB_FILES.exit}.partial ${JOB_FILES.exit}`,
].join('\n');

/** The wrapper's argv before the model command. */
const WRAPPER_ARGV = ['/bin/sh', '-c', WRAPPER, 'coastcast-model-job'];

/** How long processes get to end after SIGTERM before SIGKILL. */
const TERMINATION_GRACE_MS = 5_000;

/** `job.json` of a local job. */
export interface LocalJobRecord {
  pid: number;
  pgid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks from boot to the process's start. */
  startTime: number;
  /** /proc/sys/kernel/random/boot_id when the job started. */
  bootId: string;
  /** The wrapper's argv; the model command follows the wrapper's name. */
  command: string[];
  startedAt: string;
  logOffset: number;
  errOffset: number;
}

/** The model program's command line for a run directory. */
export type ModelCommand = (runDir: string, program: ModelProgram) => string[];

/** This project's model program run by this Node.js; `resource` names the resource in messages, `schism` is its SCHISM. */
export function localModelCommand(resource = 'local', schism?: SchismInstallation): ModelCommand {
  return (runDir, program) => [process.execPath, MODEL_CLI, ...modelArguments(runDir, program, schism, resource)];
}

/**
 * The container of a job whose model runs outside the job's process group,
 * held by an engine's daemon (Docker, Podman: container.ts). Its client, the
 * job's process, can be killed while the container goes on writing into the
 * run directory, so the job is running, and is stopped, by the engine's word
 * too. Both take the model command as job.json records it, which names the
 * container, so that a worker that re-attaches knows it.
 */
export interface DaemonContainer {
  /** Whether the container still runs; false once the engine has no such container. Throws when the engine cannot tell. */
  running(model: string[]): Promise<boolean>;
  /** Has the engine stop the container (SIGKILL after `graceMs`); resolves once it has, or when the engine has no such container. */
  stop(model: string[], graceMs: number): Promise<void>;
}

export class LocalProcessLauncher implements ModelJobLauncher {
  /** `model` runs the model some other way, e.g. in a container (container.ts); `container` when that container is a daemon's. */
  constructor(private readonly model: ModelCommand = localModelCommand(), private readonly container?: DaemonContainer) {}

  async find(runDir: string): Promise<ModelJob | undefined> {
    const found = await readJobRecord(runDir);
    return found && new LocalJob(runDir, parseRecord(found.path, found.text), this.container);
  }

  async start(runDir: string, program: ModelProgram): Promise<ModelJob> {
    const model = this.model(runDir, program);
    if (model[1] === MODEL_CLI && !existsSync(MODEL_CLI)) throw new Error(`${MODEL_CLI}: missing; build the model program first (npm run build)`);
    await rm(join(runDir, JOB_FILES.exit), { force: true });
    const command = [...WRAPPER_ARGV, ...model];
    const log = openSync(join(runDir, JOB_FILES.log), 'a');
    const err = openSync(join(runDir, JOB_FILES.err), 'a');
    const offsets = { logOffset: fstatSync(log).size, errOffset: fstatSync(err).size };
    const wrapper = spawn(command[0], command.slice(1), { cwd: runDir, detached: true, stdio: ['pipe', log, err] });
    closeSync(log);
    closeSync(err);
    await new Promise<void>((resolve, reject) => {
      wrapper.once('spawn', resolve);
      wrapper.once('error', reject);
    });
    // A wrapper killed before reading its go would fail the write with EPIPE; state() then reports the job gone.
    wrapper.stdin?.on('error', () => undefined);
    try {
      // The wrapper waits on its stdin, so it is alive here, already in its own session.
      const pid = wrapper.pid as number;
      const launched = procStat(pid);
      if (launched === undefined) throw new Error(`model job wrapper ${pid} vanished before it was recorded`);
      const record: LocalJobRecord = {
        pid, pgid: launched.pgrp, startTime: launched.startTime, bootId: bootId(), command, startedAt: new Date().toISOString(), ...offsets,
      };
      await writeJobRecord(runDir, record);
      wrapper.stdin?.end('go\n');
      return new LocalJob(runDir, record, this.container);
    } catch (error) {
      // End of input without a go: the wrapper exits and the model never starts.
      wrapper.stdin?.end();
      throw error;
    } finally {
      wrapper.unref();
    }
  }
}

class LocalJob implements ModelJob {
  readonly pid: number;
  readonly startedAt: Date;
  readonly logOffset: number;
  readonly errOffset: number;

  constructor(private readonly runDir: string, private readonly record: LocalJobRecord, private readonly container?: DaemonContainer) {
    this.pid = record.pid;
    this.startedAt = new Date(record.startedAt);
    this.logOffset = record.logOffset;
    this.errOffset = record.errOffset;
  }

  async state(): Promise<JobState> {
    // Liveness first: the wrapper renames model.exit before it ends, so a job seen gone has already recorded its status.
    if (this.running()) return { state: 'running' };
    // A killed client leaves the daemon's container running, and its wrapper may even have recorded the client's death in model.exit.
    if (await this.container?.running(this.modelCommand())) return { state: 'running' };
    return (await readExitStatus(this.runDir)) ?? { state: 'gone' };
  }

  async cancel(): Promise<void> {
    // The engine first: once the client is gone, nothing sent to the group reaches a daemon's container.
    const stopFailure = await this.container?.stop(this.modelCommand(), TERMINATION_GRACE_MS).then(() => undefined, (error: Error) => error);
    this.signal('SIGTERM');
    if (!(await ended(TERMINATION_GRACE_MS, () => this.running()))) {
      this.signal('SIGKILL');
      if (!(await ended(TERMINATION_GRACE_MS, () => this.running()))) {
        throw new Error(`model job ${this.pid}: processes of group ${this.record.pgid} still running after SIGKILL`);
      }
    }
    const container = this.container;
    if (container !== undefined && !(await ended(TERMINATION_GRACE_MS, () => container.running(this.modelCommand())))) {
      throw new Error(`model job ${this.pid}: its container still runs after the engine was asked to stop it${stopFailure ? ` (${stopFailure.message})` : ''}`);
    }
  }

  /** The model command job.json records, after the wrapper's own arguments. */
  private modelCommand(): string[] {
    return this.record.command.slice(WRAPPER_ARGV.length);
  }

  /** Whether a live (non-zombie) process of this job's group still exists. */
  private running(): boolean {
    const { pid, pgid, startTime } = this.record;
    if (bootId() !== this.record.bootId) return false;
    const leader = procStat(pid);
    // A pid (and so a group id) is not reused while any process still belongs to that group: a new process under our pid means our group is gone.
    if (leader !== undefined && leader.startTime !== startTime) return false;
    if (leader !== undefined && leader.state !== 'Z') return true;
    // The wrapper is gone but the model may not be (someone killed only the wrapper).
    return processGroupMembers(pgid).length > 0;
  }

  private signal(signal: NodeJS.Signals): void {
    if (!this.running()) return;
    try {
      process.kill(-this.record.pgid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** Whether `running` turned false within `timeoutMs`. */
async function ended(timeoutMs: number, running: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await running()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function parseRecord(path: string, text: string): LocalJobRecord {
  let record: Partial<LocalJobRecord>;
  try {
    record = JSON.parse(text) as Partial<LocalJobRecord>;
  } catch (error) {
    throw new Error(`${path}: not JSON: ${(error as Error).message}`);
  }
  for (const key of ['pid', 'pgid', 'startTime', 'logOffset', 'errOffset'] as const) {
    if (!Number.isInteger(record[key])) throw new Error(`${path}: ${key}: expected an integer, got ${JSON.stringify(record[key])}`);
  }
  for (const key of ['bootId', 'startedAt'] as const) {
    if (typeof record[key] !== 'string') throw new Error(`${path}: ${key}: expected a string, got ${JSON.stringify(record[key])}`);
  }
  return record as LocalJobRecord;
}

export interface ProcStat {
  /** R, S, D, Z, T… */
  state: string;
  pgrp: number;
  startTime: number;
}

/** Fields of /proc/<pid>/stat (proc(5)); undefined when there is no such process. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses; the fields after its closing parenthesis start at field 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => fields[n - 3];
  return { state: field(3), pgrp: Number(field(5)), startTime: Number(field(22)) };
}

/** Pids of the live (non-zombie) processes in a process group. */
function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const member = procStat(Number(entry));
    if (member !== undefined && member.pgrp === pgid && member.state !== 'Z') members.push(Number(entry));
  }
  return members;
}

function bootId(): string {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

