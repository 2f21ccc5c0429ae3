/**
 * Model jobs in a container on this machine: the job is a local process
 * (localProcess.ts: its own process group, job.json, model.exit, re-attach
 * by pid), whose command is the container engine's, with the run directory
 * mounted at the same path inside so that the model reads and writes it
 * where the worker follows it. The image must provide `coastcast` on its
 * PATH (the model program of this project); the engines:
 *
 *   docker, podman          run --rm --init, the directory bind-mounted, as the worker's user and group
 *   apptainer, singularity  exec with --bind and --pwd (the image a SIF file or a docker:// URI)
 *   udocker                 run --rm with --volume and --workdir
 *
 * Stopping the job signals its process group. Apptainer, Singularity and
 * udocker run the model inside that group. Docker and Podman forward the
 * SIGTERM of their client to the container (`--init` makes the model receive
 * it), which is also why a container must not outlive its client: `--rm`
 * and the engine's own cleanup remove it when the model ends.
 */
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

/** The command line of the model job in the container. */
export function containerCommand(
  resource: ContainerResource,
  runDir: string,
  program: ModelProgram,
  name = 'container',
  user = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
): string[] {
  const engine = resource.executable ?? resource.engine;
  const model = ['coastcast', ...modelArguments(runDir, program, resource.schism, name)];
  switch (resource.engine) {
    case 'docker':
    case 'podman':
      return [engine, 'run', '--rm', '--init', '--user', `${user.uid}:${user.gid}`, '--volume', `${runDir}:${runDir}`, '--workdir', runDir, resource.image, ...model];
    case 'apptainer':
    case 'singularity':
      return [engine, 'exec', '--bind', `${runDir}:${runDir}`, '--pwd', runDir, resource.image, ...model];
    case 'udocker':
      return [engine, 'run', '--rm', `--volume=${runDir}:${runDir}`, `--workdir=${runDir}`, resource.image, ...model];
  }
}
