/**
 * Model jobs in a container on this machine: the job is a local process
 * (localProcess.ts: its own process group, job.json, model.exit, re-attach
 * by pid), whose command is the container engine's, with the run directory
 * mounted at the same path inside so that the model reads and writes it
 * where the worker follows it. The image must provide `coastcast` on its
 * PATH (the model program of this project); the engines:
 *
 *   docker, podman          run --name <job's container> --rm --init, the directory bind-mounted, as the worker's user and group
 *   apptainer, singularity  exec with --bind and --pwd (the image a SIF file or a docker:// URI)
 *   udocker                 run --rm with --volume and --workdir
 *
 * Stopping the job signals its process group. Apptainer, Singularity and
 * udocker run the model inside that group, so the group is the whole job.
 * Docker and Podman run it in a container of their daemon, outside the
 * group: their client (the job's process) forwards signals while it runs
 * (`--init` makes the model receive them), but a client killed with SIGKILL
 * leaves the container running, writing into the run directory. So each
 * such job's container gets a name of its own, recorded with the command in
 * job.json, and the engine is asked about it (`daemonContainer`): the job
 * runs while the client or the container does, and cancelling it has the
 * engine stop the container before the group is signalled. `--rm` makes the
 * engine remove the container when the model ends, client or not. What a
 * killed client no longer gets, no one records: the model's output after
 * that goes to the container's log, not model.log, and its exit status is
 * lost, so such a job ends "gone" and its run starts afresh.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

import type { DaemonContainer } from './localProcess.js';
import { modelArguments, type ModelProgram, type SchismInstallation } from './modelProgram.js';

export const CONTAINER_ENGINES = ['docker', 'podman', 'apptainer', 'singularity', 'udocker'] as const;
export type ContainerEngine = (typeof CONTAINER_ENGINES)[number];

export interface ContainerResource {
  type: 'container';
  engine: ContainerEngine;
  /** An image with coastcast on its PATH: a registry reference (docker, podman, udocker), a SIF file or docker:// URI (apptainer, singularity). */
  image: string;
  /** The engine's executable, when it is not `engine` on the PATH. */
  executable?: string;
  /** SCHISM in the image, for sites that run it. */
  schism?: SchismInstallation;
}

/** The command line of the model job in the container; `startedAt` makes the name of a Docker or Podman container the job's own. */
export function containerCommand(
  resource: ContainerResource,
  runDir: string,
  program: ModelProgram,
  name = 'container',
  user = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
  startedAt = new Date(),
): string[] {
  const engine = resource.executable ?? resource.engine;
  const model = ['coastcast', ...modelArguments(runDir, program, resource.schism, name)];
  switch (resource.engine) {
    case 'docker':
    case 'podman':
      return [engine, 'run', '--name', containerName(runDir, startedAt), '--rm', '--init', '--user', `${user.uid}:${user.gid}`, '--volume', `${runDir}:${runDir}`, '--workdir', runDir, resource.image, ...model];
    case 'apptainer':
    case 'singularity':
      return [engine, 'exec', '--bind', `${runDir}:${runDir}`, '--pwd', runDir, resource.image, ...model];
    case 'udocker':
      return [engine, 'run', '--rm', `--volume=${runDir}:${runDir}`, `--workdir=${runDir}`, resource.image, ...model];
  }
}

/**
 * The name of the container of a job started at `startedAt` on `runDir`:
 * its site and cycle (the directory's last two parts) for whoever reads
 * `docker ps`, a hash of the whole path for installations that share an
 * engine, and the start, so that no two jobs share one. Engines accept
 * [a-zA-Z0-9][a-zA-Z0-9_.-]*.
 */
export function containerName(runDir: string, startedAt: Date): string {
  const where = runDir.split('/').filter((part) => part !== '').slice(-2).join('-').replace(/[^a-zA-Z0-9_.-]+/g, '_').slice(-60);
  const path = createHash('sha256').update(runDir).digest('hex').slice(0, 8);
  return `coastcast-model-${where}-${path}-${startedAt.getTime().toString(36)}`;
}

/** How long the engine may take to answer about a container (a busy daemon is slow, a wedged one must not hang the job forever). */
const ENGINE_ANSWER_MS = 30_000;
const execEngine = promisify(execFile);

/**
 * Docker's and Podman's containers, through the engine's CLI, in commands
 * both accept: `container inspect --format {{.State.Running}}` (containers
 * only, not an image of the same name) and `stop -t` (docker 28 deprecates
 * `--time` for `--timeout`, which Podman lacks). "No such container" in
 * either engine's wording means gone: `--rm` removes an ended container.
 * The engine and the name come from the recorded command, so a worker
 * asks the engine that started the job, whatever the resource says now;
 * a record without a name (from before names) has nothing to ask about.
 * Undefined for the engines whose model runs in the job's process group.
 */
export function daemonContainer(resource: ContainerResource): DaemonContainer | undefined {
  return resource.engine === 'docker' || resource.engine === 'podman' ? DAEMON_CONTAINER : undefined;
}

const DAEMON_CONTAINER: DaemonContainer = {
  async running(model) {
    const container = recordedContainer(model);
    if (container === undefined) return false;
    const answer = await askEngine(container, ['container', 'inspect', '--format', '{{.State.Running}}', container.name], ENGINE_ANSWER_MS);
    if (answer === undefined) return false;
    if (answer.trim() === 'true' || answer.trim() === 'false') return answer.trim() === 'true';
    throw new Error(`${container.engine} container inspect ${container.name}: expected true or false, got ${JSON.stringify(answer)}`);
  },
  async stop(model, graceMs) {
    const container = recordedContainer(model);
    if (container === undefined) return;
    await askEngine(container, ['stop', '-t', String(Math.ceil(graceMs / 1000)), container.name], graceMs + ENGINE_ANSWER_MS);
  },
};

/** The engine's executable and the container's name in a model command containerCommand made. */
function recordedContainer(model: string[]): { engine: string; name: string } | undefined {
  // --name comes right after `run`, before the image: the model's own arguments cannot be mistaken for it.
  return model[1] === 'run' && model[2] === '--name' && model[3] !== undefined ? { engine: model[0], name: model[3] } : undefined;
}

/** The engine's stdout for `args`; undefined when it has no such container. */
async function askEngine({ engine }: { engine: string }, args: string[], timeoutMs: number): Promise<string | undefined> {
  try {
    return (await execEngine(engine, args, { encoding: 'utf8', timeout: timeoutMs })).stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    if (/no such container/i.test(stderr)) return undefined;
    throw new Error(`${engine} ${args.join(' ')}: ${stderr || (error as Error).message}`);
  }
}
