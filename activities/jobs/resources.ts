/**
 * Compute resources: where model jobs run. An installation names them in a
 * JSON file (COASTCAST_RESOURCES), a site picks one by name
 * (`model.resource`, default "local"), and each gets its own Temporal task
 * queue (workflows/forecastCycle.ts modelTaskQueue) served by workers that
 * can reach it: on the cluster's login node for a SLURM resource.
 *
 *   { "local": { "type": "local" },
 *     "hpc":   { "type": "slurm", "partition": "normal", "timeLimit": "02:00:00",
 *                "setup": ["module load nodejs/20"], "environment": { "OMP_NUM_THREADS": "2" } },
 *     "box":   { "type": "container", "engine": "apptainer", "image": "/shared/images/coastcast.sif" } }
 *
 * "local" (this machine's processes) is always there unless the file
 * defines it otherwise. Any resource may also install SCHISM, for sites
 * whose `model.engine` is "schism" (modelProgram.ts):
 *
 *   "schism": { "command": ["mpirun", "-np", "4", "/opt/schism/bin/pschism_TVD-VL"],
 *               "combineHotstart": "/opt/schism/bin/combine_hotstart7" }
 */
import { readFile } from 'node:fs/promises';

import type { FieldProblem, Site } from '../../core/site.js';
import { CONTAINER_ENGINES, containerCommand, daemonContainer, type ContainerResource } from './container.js';
import type { ModelJobLauncher } from './launcher.js';
import { LocalProcessLauncher, localModelCommand } from './localProcess.js';
import { noSchismInstallation, type SchismInstallation } from './modelProgram.js';
import { SlurmLauncher, type SlurmResource } from './slurm.js';

export type ComputeResource = { type: 'local'; schism?: SchismInstallation } | SlurmResource | ContainerResource;

export const LOCAL_RESOURCE = 'local';

/** The resources of an installation without COASTCAST_RESOURCES: this machine's processes. */
export function localOnly(): Record<string, ComputeResource> {
  return { [LOCAL_RESOURCE]: { type: 'local' } };
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const nonEmptyString = (v: unknown) => typeof v === 'string' && v !== '';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SCHISM_KEYS: Record<string, (value: unknown) => boolean> = {
  command: (v) => Array.isArray(v) && v.length > 0 && v.every(nonEmptyString),
  combineHotstart: nonEmptyString,
  // { "core": { "nbins_veg_vert": 2 } }: namelist groups of param.nml, each of names to numbers.
  param: (v) => isObject(v) && Object.entries(v).every(([group, settings]) =>
    ['core', 'opt', 'schout'].includes(group) && isObject(settings) && Object.entries(settings).every(([key, x]) => /^[a-z_][a-z0-9_]*(\(\d+\))?$/i.test(key) && typeof x === 'number' && Number.isFinite(x))),
};
const SCHISM_REQUIRED = ['command', 'combineHotstart'];
const LOCAL_KEYS: Record<string, (value: unknown) => boolean> = {
  type: (v) => v === 'local',
};
const SLURM_KEYS: Record<string, (value: unknown) => boolean> = {
  type: (v) => v === 'slurm',
  partition: (v) => typeof v === 'string' && v !== '',
  nodes: (v) => Number.isInteger(v) && (v as number) >= 1,
  tasks: (v) => Number.isInteger(v) && (v as number) >= 1,
  timeLimit: (v) => typeof v === 'string' && /^(\d+-)?\d+(:\d{2}){0,2}$/.test(v),
  setup: (v) => Array.isArray(v) && v.every((line) => typeof line === 'string'),
  environment: (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(v).every(([k, x]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && typeof x === 'string'),
  node: (v) => typeof v === 'string' && v !== '',
};
const CONTAINER_KEYS: Record<string, (value: unknown) => boolean> = {
  type: (v) => v === 'container',
  engine: (v) => (CONTAINER_ENGINES as readonly unknown[]).includes(v),
  image: (v) => typeof v === 'string' && v !== '',
  executable: (v) => typeof v === 'string' && v !== '',
};

/** The resources in `json` (the file's text), every problem named by its path; `file` names it in messages. */
export function parseResources(json: string, file: string): Record<string, ComputeResource> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${file}: not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}: expected an object of named resources`);
  const problems: string[] = [];
  const resources = localOnly();
  for (const [name, resource] of Object.entries(value)) {
    if (!NAME.test(name)) problems.push(`/${name}: a resource name is lower-case letters, digits and hyphens`);
    const r = resource as Record<string, unknown>;
    const kinds = { local: ['a local', LOCAL_KEYS, []], slurm: ['a SLURM', SLURM_KEYS, []], container: ['a container', CONTAINER_KEYS, ['engine', 'image']] } as const;
    const kind = typeof r?.type === 'string' ? kinds[r.type as keyof typeof kinds] : undefined;
    if (kind === undefined) {
      problems.push(`/${name}/type: expected "local", "slurm" or "container"`);
      continue;
    }
    const [what, keys, required] = kind;
    for (const key of required) if (!(key in r)) problems.push(`/${name}/${key}: missing`);
    for (const [key, v] of Object.entries(r)) {
      if (key === 'schism') problems.push(...schismProblems(`/${name}/schism`, v));
      else if (!(key in keys)) problems.push(`/${name}/${key}: not a setting of ${what} resource (${[...Object.keys(keys), 'schism'].join(', ')})`);
      else if (!keys[key](v)) problems.push(`/${name}/${key}: ${JSON.stringify(v)} is not valid`);
    }
    resources[name] = r as unknown as ComputeResource;
  }
  if (problems.length > 0) throw new Error(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
  return resources;
}

function schismProblems(path: string, value: unknown): string[] {
  if (!isObject(value)) return [`${path}: expected { "command": [...], "combineHotstart": "..." }`];
  const problems: string[] = [];
  for (const key of SCHISM_REQUIRED) if (!(key in value)) problems.push(`${path}/${key}: missing`);
  for (const [key, v] of Object.entries(value)) {
    if (!(key in SCHISM_KEYS)) problems.push(`${path}/${key}: not a SCHISM setting (${Object.keys(SCHISM_KEYS).join(', ')})`);
    else if (!SCHISM_KEYS[key](v)) problems.push(`${path}/${key}: ${JSON.stringify(v)} is not valid`);
  }
  return problems;
}

/** The installation's resources: COASTCAST_RESOURCES's file, or only "local". */
export async function readResources(path: string | undefined): Promise<Record<string, ComputeResource>> {
  if (path === undefined || path === '') return localOnly();
  return parseResources(await readFile(path, 'utf8'), path);
}

/** Says that `name` is none of `resources`, listing them, for whoever named it (a site, a worker's --resource). */
export function unknownResource(name: string, resources: Record<string, ComputeResource>): string {
  const known = Object.keys(resources).map((n) => JSON.stringify(n)).join(', ');
  return `${JSON.stringify(name)} is not a compute resource of this installation, whose resources (COASTCAST_RESOURCES) are ${known}`;
}

/**
 * What a site's model asks of the installation's resources that they do not
 * have. A site is checked when it is saved, because a cycle would otherwise
 * find out only when no worker takes its model job, or when the job fails.
 */
export function siteResourceProblems(model: Pick<Site['model'], 'resource' | 'engine'>, resources: Record<string, ComputeResource>): FieldProblem[] {
  if (!Object.hasOwn(resources, model.resource)) return [{ path: '/model/resource', message: unknownResource(model.resource, resources) }];
  if (model.engine === 'schism' && resources[model.resource].schism === undefined) {
    return [{ path: '/model/engine', message: `${noSchismInstallation(model.resource)}: add one to it, choose a resource that has one, or run the site on the built-in model` }];
  }
  return [];
}

/** The launcher of resource `name`. */
export function launcherFor(name: string, resource: ComputeResource): ModelJobLauncher {
  switch (resource.type) {
    case 'slurm':
      return new SlurmLauncher(resource, name);
    case 'container':
      return new LocalProcessLauncher((runDir, program) => containerCommand(resource, runDir, program, name), daemonContainer(resource));
    case 'local':
      return new LocalProcessLauncher(localModelCommand(name, resource.schism));
  }
}
