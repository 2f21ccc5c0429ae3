/** COASTCAST_RESOURCES: the installation's compute resources, every problem named by its JSON path. */
import { describe, expect, it } from 'vitest';

import { containerCommand, containerName } from '../activities/jobs/container.js';
import { batchScript } from '../activities/jobs/slurm.js';
import { parseResources, siteResourceProblems } from '../activities/jobs/resources.js';

describe('compute resources', () => {
  it('reads local and SLURM resources, with "local" always there', () => {
    const resources = parseResources(JSON.stringify({ hpc: { type: 'slurm', partition: 'normal', timeLimit: '1-02:00:00', setup: ['module load nodejs/20'], environment: { OMP_NUM_THREADS: '2' } } }), 'resources.json');
    expect(Object.keys(resources).sort()).toEqual(['hpc', 'local']);
    expect(resources.local).toEqual({ type: 'local' });
    expect(resources.hpc).toMatchObject({ type: 'slurm', partition: 'normal' });
  });

  it('refuses what is not a resource, naming each problem', () => {
    expect(() => parseResources('{ "hpc": ', 'r.json')).toThrow(/^r\.json: not JSON/);
    expect(() => parseResources(JSON.stringify({ HPC: { type: 'slurm' }, grid: { type: 'pbs' }, hpc: { type: 'slurm', timeLimit: 'two hours', queue: 'x' } }), 'r.json')).toThrow(
      new Error([
        'r.json: 4 problems:',
        '  /HPC: a resource name is lower-case letters, digits and hyphens',
        '  /grid/type: expected "local", "slurm" or "container"',
        '  /hpc/timeLimit: "two hours" is not valid',
        '  /hpc/queue: not a setting of a SLURM resource (type, partition, nodes, tasks, timeLimit, setup, environment, node, schism)',
      ].join('\n')),
    );
  });

  it('reads a SCHISM installation on any resource, naming what is wrong with one', () => {
    const schism = { command: ['mpirun', '-np', '4', '/opt/schism/bin/pschism_TVD-VL'], combineHotstart: '/opt/schism/bin/combine_hotstart7' };
    const param = { core: { nbins_veg_vert: 2, nmarsh_types: 2 } };
    const resources = parseResources(JSON.stringify({ local: { type: 'local', schism }, hpc: { type: 'slurm', tasks: 8, schism: { ...schism, command: ['srun', '/opt/schism/bin/pschism'], param } } }), 'r.json');
    expect(resources.local).toEqual({ type: 'local', schism });
    expect(resources.hpc).toMatchObject({ schism: { command: ['srun', '/opt/schism/bin/pschism'], param } });
    expect(() => parseResources(JSON.stringify({
      local: { type: 'local', schism: { command: [], mpi: true } },
      box: { type: 'container', engine: 'docker', image: 'x', schism: 'pschism' },
      hpc: { type: 'slurm', schism: { ...schism, param: { core: { nbins_veg_vert: 'two' } } } },
    }), 'r.json')).toThrow(
      new Error([
        'r.json: 5 problems:',
        '  /local/schism/combineHotstart: missing',
        '  /local/schism/command: [] is not valid',
        '  /local/schism/mpi: not a SCHISM setting (command, combineHotstart, param)',
        '  /box/schism: expected { "command": [...], "combineHotstart": "..." }',
        '  /hpc/schism/param: {"core":{"nbins_veg_vert":"two"}} is not valid',
      ].join('\n')),
    );
  });

  it("runs SCHISM through coastcast's adapter, with the resource's command after --, and refuses a resource without SCHISM", () => {
    const dir = '/shared/runs/demo/2026-11-25T0000Z';
    const schism = { command: ['srun', '/opt/schism/bin/pschism'], combineHotstart: '/opt/schism/bin/combine_hotstart7' };
    expect(batchScript({ type: 'slurm', tasks: 8, schism }, dir, { engine: 'schism' }, 'hpc')).toMatch(
      /^'.*' '.*cli\.js' 'model' 'schism' '\/shared\/runs\/demo\/2026-11-25T0000Z' '--combine-hotstart' '\/opt\/schism\/bin\/combine_hotstart7' '--' 'srun' '\/opt\/schism\/bin\/pschism' <\/dev\/null$/m,
    );
    expect(containerCommand({ type: 'container', engine: 'apptainer', image: '/shared/schism.sif', schism }, dir, { engine: 'schism' }, 'box', { uid: 0, gid: 0 }).slice(6)).toEqual(
      ['/shared/schism.sif', 'coastcast', 'model', 'schism', dir, '--combine-hotstart', '/opt/schism/bin/combine_hotstart7', '--', 'srun', '/opt/schism/bin/pschism'],
    );
    expect(() => batchScript({ type: 'slurm' }, dir, { engine: 'schism' }, 'hpc')).toThrow(
      'the site runs SCHISM, but compute resource "hpc" has no SCHISM installation (its "schism": command and combineHotstart in COASTCAST_RESOURCES)',
    );
  });

  it('reads container resources, refusing an unknown engine and a missing image', () => {
    const resources = parseResources(JSON.stringify({ box: { type: 'container', engine: 'apptainer', image: '/shared/coastcast.sif' } }), 'r.json');
    expect(resources.box).toEqual({ type: 'container', engine: 'apptainer', image: '/shared/coastcast.sif' });
    expect(() => parseResources(JSON.stringify({ box: { type: 'container', engine: 'lxc' } }), 'r.json')).toThrow(
      new Error(['r.json: 2 problems:', '  /box/image: missing', '  /box/engine: "lxc" is not valid'].join('\n')),
    );
  });

  it('runs the model in a container with the run directory mounted at the same path, per engine', () => {
    const dir = '/data/runs/demo/2026-11-25T0000Z';
    const user = { uid: 1000, gid: 100 };
    const model = ['coastcast', 'model', 'run', dir, '--threads', '2'];
    const start = new Date('2026-11-25T04:00:00Z');
    expect(containerCommand({ type: 'container', engine: 'docker', image: 'ghcr.io/coastcast/model:0.1' }, dir, { engine: 'built-in', threads: 2 }, 'box', user, start)).toEqual(
      ['docker', 'run', '--name', containerName(dir, start), '--rm', '--init', '--user', '1000:100', '--volume', `${dir}:${dir}`, '--workdir', dir, 'ghcr.io/coastcast/model:0.1', ...model],
    );
    expect(containerCommand({ type: 'container', engine: 'podman', image: 'coastcast:0.1', executable: '/usr/local/bin/podman' }, dir, { engine: 'built-in', threads: 2 }, 'box', user)[0]).toBe('/usr/local/bin/podman');
    expect(containerCommand({ type: 'container', engine: 'apptainer', image: '/shared/coastcast.sif' }, dir, { engine: 'built-in', threads: 2 }, 'box', user)).toEqual(
      ['apptainer', 'exec', '--bind', `${dir}:${dir}`, '--pwd', dir, '/shared/coastcast.sif', ...model],
    );
    expect(containerCommand({ type: 'container', engine: 'singularity', image: 'docker://coastcast:0.1' }, dir, { engine: 'built-in' }, 'box', user)).toEqual(
      ['singularity', 'exec', '--bind', `${dir}:${dir}`, '--pwd', dir, 'docker://coastcast:0.1', 'coastcast', 'model', 'run', dir],
    );
    expect(containerCommand({ type: 'container', engine: 'udocker', image: 'coastcast:0.1' }, dir, { engine: 'built-in', threads: 2 }, 'box', user)).toEqual(
      ['udocker', 'run', '--rm', `--volume=${dir}:${dir}`, `--workdir=${dir}`, 'coastcast:0.1', ...model],
    );
  });

  it("names a Docker or Podman job's container, in the engine's name syntax, after its run directory and start, before the image", () => {
    const dir = '/data/runs/demo/2026-11-25T0000Z';
    const start = new Date('2026-11-25T04:00:00.000Z');
    const name = containerName(dir, start);
    expect(name).toMatch(/^coastcast-model-demo-2026-11-25T0000Z-[0-9a-f]{8}-[0-9a-z]+$/);
    expect(containerName(dir, start)).toBe(name);
    expect(containerName(dir, new Date(start.getTime() + 1))).not.toBe(name);
    expect(containerName('/other/data/runs/demo/2026-11-25T0000Z', start)).not.toBe(name);
    for (const odd of ['/', '/runs/a b/ü+x', '/runs/-lead/.dot']) expect(containerName(odd, start)).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
    const podman = containerCommand({ type: 'container', engine: 'podman', image: 'coastcast:0.1' }, dir, { engine: 'built-in' }, 'box', { uid: 0, gid: 0 }, start);
    expect(podman.slice(0, 4)).toEqual(['podman', 'run', '--name', name]);
    expect(podman.indexOf('--name')).toBeLessThan(podman.indexOf('coastcast:0.1'));
  });

  it("writes a batch script with the resource's options, setup and environment, quoting what the shell would split", () => {
    const script = batchScript({ type: 'slurm', partition: 'normal', timeLimit: '02:00:00', setup: ['module load nodejs/20'], environment: { NOTE: "it's" }, node: '/opt/node/bin/node' }, '/shared/runs/a b', { engine: 'built-in', threads: 2 });
    expect(script.split('\n')).toEqual(expect.arrayContaining([
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --partition=normal',
      '#SBATCH --time=02:00:00',
      '#SBATCH --no-requeue',
      'module load nodejs/20',
      `export NOTE='it'\\''s'`,
    ]));
    expect(script).toMatch(/^'\/opt\/node\/bin\/node' '.*cli\.js' 'model' 'run' '\/shared\/runs\/a b' '--threads' '2' <\/dev\/null$/m);
  });

  it("checks a site's model against the resources: a resource they have, SCHISM only where it is installed", () => {
    const schism = { command: ['srun', '/opt/schism/bin/pschism'], combineHotstart: '/opt/schism/bin/combine_hotstart7' };
    const resources = parseResources(JSON.stringify({ hpc: { type: 'slurm', schism }, box: { type: 'container', engine: 'docker', image: 'coastcast:0.1' } }), 'r.json');
    expect(siteResourceProblems({ resource: 'local', engine: 'built-in' }, resources)).toEqual([]);
    expect(siteResourceProblems({ resource: 'hpc', engine: 'schism' }, resources)).toEqual([]);
    expect(siteResourceProblems({ resource: 'gpu', engine: 'built-in' }, resources)).toEqual([
      { path: '/model/resource', message: '"gpu" is not a compute resource of this installation, whose resources (COASTCAST_RESOURCES) are "local", "hpc", "box"' },
    ]);
    // Names of an object's prototype are no resource either.
    expect(siteResourceProblems({ resource: 'constructor', engine: 'built-in' }, resources).map((p) => p.path)).toEqual(['/model/resource']);
    expect(siteResourceProblems({ resource: 'box', engine: 'schism' }, resources)).toEqual([{
      path: '/model/engine',
      message: 'compute resource "box" has no SCHISM installation (its "schism": command and combineHotstart in COASTCAST_RESOURCES): add one to it, choose a resource that has one, or run the site on the built-in model',
    }]);
  });
});
