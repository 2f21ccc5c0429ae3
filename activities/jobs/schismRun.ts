/**
 * SCHISM as a model job: `coastcast model schism <runDir> --combine-hotstart
 * <exe> -- <command…>` starts pschism on a prepared run directory and speaks
 * the model protocol (ARCHITECTURE.md, "Contract: model output") for it, so
 * that every launcher and the model-job activity follow SCHISM exactly as
 * they follow the built-in model.
 *
 * - pschism runs as `<command…> 1` in the run directory: the trailing
 *   argument is the scribe count of SCHISM's scribed I/O, one because the
 *   run asks for 2D outputs only (out2d_<n>.nc). Its stdout goes to
 *   `schism.out` in the run directory, its stderr to ours (model.err).
 * - Progress comes from `outputs/mirror.out`, where SCHISM's rank 0 writes
 *   `TIME STEP= <n>;  TIME= <seconds>` at every step.
 * - SCHISM reports its own aborts (bad input, a dry or unstable run…) in
 *   `outputs/fatal.error`. They are deterministic, so they end the job with
 *   a final failure: exit 3 when the message names an input file, 4
 *   otherwise. Any other non-zero exit (MPI, the machine) is 1, which the
 *   activity retries.
 * - SCHISM writes its hot start per MPI process; after a successful run,
 *   combine_hotstart7 joins the one at the step param.nml's nhot_write names
 *   into `outputs/hotstart_it=<step>.nc`, which the next cycle starts from.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { RunEvent } from '../../core/modelProtocol.js';
import { readParam, type ModelParameters } from '../../core/schism/param.js';

export const SCHISM_OUTPUTS = {
  mirror: join('outputs', 'mirror.out'),
  fatal: join('outputs', 'fatal.error'),
  stdout: 'schism.out',
} as const;

/** The scribe count coastcast's SCHISM runs need: one, for out2d (param.ts writes no 3D outputs). */
const SCRIBES = 1;
const POLL_MS = 500;

export interface SchismRunOptions {
  /** The command that starts pschism, without the scribe count. */
  command: string[];
  /** combine_hotstart7. */
  combineHotstart: string;
  onEvent: (event: RunEvent) => void;
  /** One line on stderr. */
  onError: (line: string) => void;
}

/** The exit codes of the model protocol (server/commands/modelRun.ts). */
export const SCHISM_EXIT = { ok: 0, failure: 1, badInput: 3, modelStopped: 4 } as const;

/** combine_hotstart7's file for the hot start at `step`, relative to the run directory. */
export function schismHotstartName(step: number): string {
  return join('outputs', `hotstart_it=${step}.nc`);
}

/** The hot start a run leaves for the next cycle; null when param.nml asks for none within the run. */
function schismHotstartFile(param: Pick<ModelParameters, 'nhot' | 'nhotWrite' | 'steps'>): string | null {
  return param.nhot === 1 && param.nhotWrite <= param.steps ? schismHotstartName(param.nhotWrite) : null;
}

export async function runSchism(runDir: string, options: SchismRunOptions): Promise<number> {
  const began = Date.now();
  const param = await readParam(join(runDir, 'param.nml'), { engine: 'schism' });
  const { nodes, triangles } = await meshSize(join(runDir, 'hgrid.gr3'));
  await mkdir(join(runDir, 'outputs'), { recursive: true });
  const command = [...options.command, String(SCRIBES)];
  options.onEvent({ event: 'start', engine: 'schism', run: runDir, start: param.start.toISOString(), nodes, triangles, dt: param.dt, steps: param.steps, simulated_s: 0, total_s: param.runSeconds, command });

  const mirror = new MirrorTail(join(runDir, SCHISM_OUTPUTS.mirror));
  let reported: number | undefined;
  // A line only when SCHISM got further: model.log grows with the run, not with the wall time.
  const report = async () => {
    const simulated = await mirror.latestTime();
    if (simulated === undefined || simulated === reported) return;
    reported = simulated;
    options.onEvent({ event: 'progress', simulated_s: simulated, total_s: param.runSeconds, wall_s: (Date.now() - began) / 1000 });
  };
  const exit = await runToEnd(command, runDir, report);
  await report();

  const fatal = (await readFile(join(runDir, SCHISM_OUTPUTS.fatal), 'utf8').catch(() => '')).trim();
  if (fatal !== '') {
    const message = fatal.split('\n').map((line) => line.trim()).filter(Boolean).join(' | ');
    options.onError(`SCHISM stopped (${SCHISM_OUTPUTS.fatal}): ${message}`);
    return NAMES_AN_INPUT.test(message) ? SCHISM_EXIT.badInput : SCHISM_EXIT.modelStopped;
  }
  if (exit.code !== 0) {
    // A param.nml member this build does not know stops Fortran's namelist read before SCHISM can write fatal.error.
    const namelist = exit.stderr.findLast((line) => /namelist/i.test(line));
    if (namelist !== undefined) {
      options.onError(`${command[0]} could not read param.nml (is the resource's schism.param right for its SCHISM build?): ${namelist.trim()}`);
      return SCHISM_EXIT.badInput;
    }
    options.onError(`${command[0]} ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`}, with nothing in ${SCHISM_OUTPUTS.fatal}`);
    return SCHISM_EXIT.failure;
  }
  const simulated = (await mirror.latestTime()) ?? 0;
  if (Math.abs(simulated - param.runSeconds) > param.dt / 2) {
    options.onError(`${command[0]} exited 0 at model time ${simulated} s of ${param.runSeconds} s (${SCHISM_OUTPUTS.mirror})`);
    return SCHISM_EXIT.failure;
  }
  const hotstart = schismHotstartFile(param);
  if (hotstart !== null) {
    const combined = await combineHotstart(options.combineHotstart, runDir, param.nhotWrite, hotstart);
    if (combined !== undefined) {
      options.onError(combined);
      return SCHISM_EXIT.failure;
    }
  }
  options.onEvent({ event: 'done', engine: 'schism', steps: param.steps, simulated_s: simulated, wall_s: (Date.now() - began) / 1000, hotstart });
  return SCHISM_EXIT.ok;
}

/** SCHISM's messages about its inputs name the file (hgrid.gr3, param.nml, bctides.in, sflux/…, hotstart.nc). */
const NAMES_AN_INPUT = /\b[\w./-]+\.(gr3|ll|in|nml|nc|th|prop|ic|txt)\b/;

/** The last lines of pschism's stderr kept to explain its end. */
const STDERR_LINES = 20;

/**
 * Runs pschism until it ends, calling `report` while it runs; a SIGTERM to us
 * is passed on once, so a cancelled job stops SCHISM's processes too. Its
 * stderr goes on to ours, the last lines kept.
 */
async function runToEnd(command: string[], runDir: string, report: () => Promise<void>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string[] }> {
  const stdout = createWriteStream(join(runDir, SCHISM_OUTPUTS.stdout), { flags: 'a' });
  await once(stdout, 'open');
  // Its own process group: a job's SIGTERM reaches the whole group of this process, and mpirun, signalled twice
  // (by the group and by us), exits at the second without stopping its ranks, which Open MPI keeps in groups of their own.
  const child = spawn(command[0], command.slice(1), { cwd: runDir, stdio: ['ignore', stdout, 'pipe'], detached: true });
  const stderr: string[] = [];
  let partial = '';
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() as string;
    stderr.push(...lines);
    stderr.splice(0, Math.max(0, stderr.length - STDERR_LINES));
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGTERM', forward).on('SIGINT', forward);
  try {
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string[] }>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(`${command[0]}: not found (the resource's schism.command)`) : error));
      // 'close', not 'exit': stderr is read to its end.
      child.once('close', (code, signal) => resolve({ code, signal, stderr: partial === '' ? stderr : [...stderr, partial] }));
    });
    for (;;) {
      const result = await Promise.race([ended, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), POLL_MS))]);
      if (result !== undefined) return result;
      await report();
    }
  } finally {
    process.off('SIGTERM', forward).off('SIGINT', forward);
    stdout.end();
  }
}

/** Runs combine_hotstart7 for `step` in outputs/; the reason it failed, or undefined once `file` is there. */
async function combineHotstart(executable: string, runDir: string, step: number, file: string): Promise<string | undefined> {
  const outputs = join(runDir, 'outputs');
  const output: string[] = [];
  const result = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    const child = spawn(executable, ['-i', String(step)], { cwd: outputs, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('exit', (code) => resolve({ code }));
  });
  const said = output.join('').trim().split('\n').slice(-3).join(' | ');
  if (result.error) return `${executable} -i ${step}: ${(result.error as NodeJS.ErrnoException).code === 'ENOENT' ? "not found (the resource's schism.combineHotstart)" : result.error.message}`;
  if (result.code !== 0) return `${executable} -i ${step} exited with code ${result.code}${said ? `: ${said}` : ''}`;
  if (!(await stat(join(runDir, file)).catch(() => undefined))) return `${executable} -i ${step} left no ${file}${said ? `: ${said}` : ''}`;
  return undefined;
}

/** Element and node counts from hgrid.gr3's second line. */
async function meshSize(path: string): Promise<{ nodes: number; triangles: number }> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const [ne, np] = (head.subarray(0, bytesRead).toString('latin1').split('\n')[1] ?? '').trim().split(/\s+/).map(Number);
    if (!Number.isInteger(ne) || !Number.isInteger(np)) throw new Error(`${path}:2: expected the element and node counts`);
    return { nodes: np, triangles: ne };
  } finally {
    await file.close();
  }
}

/** The model time of the last `TIME STEP= n;  TIME= t` line of mirror.out, read as the file grows. */
class MirrorTail {
  private offset = 0;
  private partial = '';
  private latest: number | undefined;

  constructor(private readonly path: string) {}

  async latestTime(): Promise<number | undefined> {
    const file = await open(this.path, 'r').catch(() => undefined);
    if (file === undefined) return this.latest;
    try {
      const { size } = await file.stat();
      if (size > this.offset) {
        const bytes = Buffer.alloc(size - this.offset);
        const { bytesRead } = await file.read(bytes, 0, bytes.length, this.offset);
        this.offset += bytesRead;
        const lines = (this.partial + bytes.subarray(0, bytesRead).toString('latin1')).split('\n');
        this.partial = lines.pop() as string;
        for (const line of lines) {
          const match = /TIME STEP=\s*\d+;\s*TIME=\s*([-+0-9.eEdD]+)/.exec(line);
          if (match) this.latest = Number(match[1].replace(/[dD]/, 'e'));
        }
      }
      return this.latest;
    } finally {
      await file.close();
    }
  }
}
