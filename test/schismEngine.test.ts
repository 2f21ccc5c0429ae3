/**
 * SCHISM as a site's model. SCHISM itself cannot be installed on this
 * machine, so pschism and combine_hotstart7 are played by stand-ins that
 * keep to SCHISM's file interface (test/support/schismStandIn.ts,
 * combineHotstartStandIn.ts); everything else is real: Open MPI's mpirun
 * starting two processes, `coastcast model schism` as a process, NetCDF-4
 * outputs made by ncgen, the Temporal dev server running forecast cycles
 * whose model job is SCHISM on the "local" resource.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog, type SiteRecord } from '../activities/catalog.js';
import type { CycleSummary } from '../activities/cycle.js';
import type { SchismInstallation } from '../activities/jobs/modelProgram.js';
import { openModelOutput } from '../activities/products/modelOutput.js';
import { prepareRun, type RunRecord } from '../activities/prepareRun.js';
import type { RunEvent } from '../core/modelProtocol.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import { readHotstart } from '../core/schism/hotstart.js';
import type { SiteInput } from '../core/site.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { exampleSite } from './support/sites.js';
import { modelProcesses } from './support/slurmCluster.js';
import { bundleWorkflows, startCycleWorker, startDevServer, type DevServer, type RunningWorker } from './support/temporalServer.js';
import { until } from './support/until.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tsx = import.meta.resolve('tsx');
const standIn = (name: string) => fileURLToPath(new URL(`./support/${name}`, import.meta.url));

/** pschism's command as a resource configures it: two MPI processes; root only where Open MPI insists on being told. */
function mpirun(...extra: string[]): string[] {
  return ['mpirun', ...(process.getuid?.() === 0 ? ['--allow-run-as-root'] : []), '--oversubscribe', '-np', '2', ...extra, process.execPath, '--import', tsx, standIn('schismStandIn.ts')];
}

let root: string;
let dataDir: string;
let catalog: Catalog;
let schism: SchismInstallation;
let site: SiteRecord;

const mesh = generateRectangleMesh({ nx: 10, ny: 8, dx: 0.004, origin: { x: -8.9, y: 40.6 }, openSides: ['west'], depth: (x) => 12 - 800 * (x + 8.9) });

function siteConfig(id: string): SiteInput {
  return {
    ...exampleSite(id),
    forcings: {},
    stations: [],
    thresholds: {},
    model: { dt: 120, nspool: 15, engine: 'schism' },
    schedule: { enabled: false, hourUtc: 4, cycleHourUtc: 0, forecastHours: 24, spinUpHours: 2 },
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-schism-'));
  dataDir = join(root, 'data');
  catalog = openCatalog(dataDir);
  await writeMesh(join(root, 'coast.gr3'), mesh);
  site = await catalog.createSite(siteConfig('schism-coast'), join(root, 'coast.gr3'));
  // A resource names one executable for combine_hotstart7: a script starts the stand-in.
  const combine = join(root, 'combine_hotstart7');
  await writeFile(combine, `#!/bin/sh\nexec '${process.execPath}' --import '${tsx}' '${standIn('combineHotstartStandIn.ts')}' "$@"\n`);
  await chmod(combine, 0o755);
  // A recent build, which requires &CORE sizes that older builds refuse.
  schism = { command: mpirun(), combineHotstart: combine, param: { core: { nbins_veg_vert: 2, nmarsh_types: 2 } } };
});

afterAll(async () => {
  catalog?.close();
  await rm(root, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  events: RunEvent[];
  stderr: string;
}

/** `coastcast model schism` as a real process, the way a job runs it. */
function modelSchism(runDir: string, command: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'model', 'schism', runDir, '--combine-hotstart', schism.combineHotstart, '--', ...command], {
      cwd: repo,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, events: stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as RunEvent) }));
  });
}

describe('coastcast model schism', () => {
  it('runs pschism under mpirun on a prepared run directory: protocol lines, out2d read back, one hot start joined from both processes', async () => {
    const cycle = new Date('2026-11-20T00:00:00Z');
    const prepared = await prepareRun({ dataDir, site, cycle });
    const run = await modelSchism(prepared.runDir, schism.command);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // 26 h of 120 s steps.
    const steps = (26 * 3600) / 120;
    expect(run.events[0]).toMatchObject({ event: 'start', engine: 'schism', nodes: mesh.x.length, triangles: mesh.triangles.length / 3, steps, total_s: 26 * 3600, command: [...schism.command, '1'] });
    const progress = run.events.filter((e) => e.event === 'progress').map((e) => (e as { simulated_s: number }).simulated_s);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(26 * 3600);
    // The hot start at cycle + 24 h: step (2 + 24) h / 120 s = 780, the run's last step here.
    expect(run.events.at(-1)).toMatchObject({ event: 'done', engine: 'schism', steps, simulated_s: 26 * 3600, hotstart: join('outputs', 'hotstart_it=780.nc') });
    expect(prepared.nextHotstart).toEqual({ time: '2026-11-21T00:00:00.000Z', file: join('outputs', 'hotstart_it=780.nc') });

    const outputs = await readdir(join(prepared.runDir, 'outputs'));
    expect(outputs).toEqual(expect.arrayContaining(['mirror.out', 'out2d_1.nc', 'out2d_2.nc', 'hotstart_000000_780.nc', 'hotstart_000001_780.nc', 'hotstart_it=780.nc']));
    // Post-processing reads SCHISM's NetCDF-4 stacks as one forecast (2 h of spin-up in the first, 24 h in the second): from the cycle, every 30 min.
    const output = await openModelOutput(prepared.runDir, cycle);
    try {
      expect(output.times.length).toBe(49);
      expect(output.times[0].toISOString()).toBe('2026-11-20T00:00:00.000Z');
      expect(output.times.at(-1)?.toISOString()).toBe('2026-11-21T00:00:00.000Z');
    } finally {
      await output.close();
    }
    // combine_hotstart7's layout: its scalars on a dimension of their own, no node velocities of ours.
    const joined = join(prepared.runDir, 'outputs', 'hotstart_it=780.nc');
    expect(execFileSync('ncdump', ['-h', joined], { encoding: 'utf8' })).toContain('double time(one_new) ;');
    const hotstart = await readHotstart(joined, mesh);
    expect(hotstart).toMatchObject({ time: 26 * 3600, step: 780, velocityFrom: 'sides' });
    expect(hotstart.eta.every((e) => e === hotstart.eta[0])).toBe(true);
  }, 120_000);

  it("ends with a final failure carrying SCHISM's own message when SCHISM aborts, exit 3 when it names an input", async () => {
    const blowUp = await prepareRun({ dataDir, site, cycle: new Date('2026-11-10T00:00:00Z') });
    const stopped = await modelSchism(blowUp.runDir, mpirun('-x', 'SCHISM_STAND_IN_ABORT_AT'), { SCHISM_STAND_IN_ABORT_AT: '5' });
    expect(stopped.code).toBe(4);
    expect(stopped.stderr).toContain('SCHISM stopped (outputs/fatal.error): 0: ABORT: QUICKSEARCH: dry element at step 5, time 600');

    const missing = await prepareRun({ dataDir, site, cycle: new Date('2026-11-11T00:00:00Z') });
    await rm(join(missing.runDir, 'vgrid.in'));
    const badInput = await modelSchism(missing.runDir, schism.command);
    expect(badInput.code).toBe(3);
    expect(badInput.stderr).toContain('SCHISM stopped (outputs/fatal.error): 0: ABORT: failed to open vgrid.in');
    expect(badInput.events.some((e) => e.event === 'done')).toBe(false);
  }, 120_000);

  it('is retried, not failed for good, when pschism ends without a word in fatal.error', async () => {
    const prepared = await prepareRun({ dataDir, site, cycle: new Date('2026-11-12T00:00:00Z') });
    const run = await modelSchism(prepared.runDir, ['/bin/sh', '-c', 'exit 7', 'pschism']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('/bin/sh exited with code 7, with nothing in outputs/fatal.error');
  }, 60_000);

  it('fails for good, naming param.nml, when the build stops at a namelist member it does not know', async () => {
    const prepared = await prepareRun({ dataDir, site, cycle: new Date('2026-11-13T00:00:00Z') });
    // What gfortran's runtime prints for an unknown member, before SCHISM could write fatal.error.
    const fortran = 'echo "At line 517 of file schism_init.F90 (unit = 15, file = \'param.nml\')" >&2; echo "Fortran runtime error: Cannot match namelist object name nbins_veg_vert" >&2; exit 2';
    const run = await modelSchism(prepared.runDir, ['/bin/sh', '-c', fortran, 'pschism']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("/bin/sh could not read param.nml (is the resource's schism.param right for its SCHISM build?): Fortran runtime error: Cannot match namelist object name nbins_veg_vert");
  }, 60_000);
});

describe('forecast cycles of a site whose model is SCHISM', () => {
  let server: DevServer;
  let worker: RunningWorker;
  let cycles: TemporalCycles;

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    server = await startDevServer();
    worker = await startCycleWorker(server, { dataDir, catalog, workflowBundle: await bundleWorkflows(), resources: { local: { type: 'local', schism } } });
    cycles = new TemporalCycles(server.env.client);
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
  }, 60_000);

  it('runs a cycle on SCHISM to published products, and the next day hot-starts from the hot start SCHISM left', async () => {
    const first = new Date('2026-11-25T00:00:00Z');
    const summary = (await (await server.env.client.workflow.getHandle((await cycles.start('schism-coast', first)).workflowId)).result()) as CycleSummary;
    expect(summary.model.summary).toMatchObject({ engine: 'schism', steps: (26 * 3600) / 120, hotstart: join('outputs', 'hotstart_it=780.nc') });
    expect(catalog.getCycle('schism-coast', first)).toMatchObject({ status: 'completed' });
    // The forecast's frames: from the cycle to 24 h later, every 30 min.
    expect(summary.products.times.length).toBe(49);
    expect(JSON.parse(await readFile(join(summary.runDir, 'job.json'), 'utf8')).command).toEqual(expect.arrayContaining(['model', 'schism', ...schism.command]));
    const core = (await readFile(join(summary.runDir, 'param.nml'), 'utf8')).split('&OPT')[0];
    expect(core).toMatch(/^ {2}nbins_veg_vert = 2 /m);
    expect(core).toMatch(/^ {2}nmarsh_types = 2 /m);

    const second = new Date('2026-11-26T00:00:00Z');
    const next = (await server.env.client.workflow.getHandle((await cycles.start('schism-coast', second)).workflowId).result()) as CycleSummary;
    const record = JSON.parse(await readFile(join(next.runDir, 'run.json'), 'utf8')) as RunRecord;
    expect(record.run.initialState).toEqual({ kind: 'hot', from: first.toISOString(), runDir: summary.runDir, hotstart: join(summary.runDir, 'outputs', 'hotstart_it=780.nc') });
    expect(next.model.summary).toMatchObject({ engine: 'schism', steps: (24 * 3600) / 120 });
  }, 300_000);

  it('stops every MPI process of the job when the cycle is cancelled during its model step', async () => {
    const cycle = new Date('2026-11-27T00:00:00Z');
    process.env.SCHISM_STAND_IN_SECONDS = '120';
    try {
      const { workflowId } = await cycles.start('schism-coast', cycle);
      const runDir = await until('the run directory', () => catalog.listCycles('schism-coast').find((c) => c.cycle === cycle.toISOString())?.runDir ?? undefined, 60_000);
      await until('SCHISM to run', async () => ((await readFile(join(runDir, 'model.log'), 'utf8').catch(() => '')).includes('"progress"') ? true : undefined), 60_000);
      expect(standInProcesses(runDir).length).toBe(2);
      await server.env.client.workflow.getHandle(workflowId).cancel();
      await expect(server.env.client.workflow.getHandle(workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);
      await until('the MPI processes to end', () => (standInProcesses(runDir).length === 0 && modelProcesses(runDir).length === 0 ? true : undefined), 15_000);
      await until('the catalog to record it', () => (catalog.getCycle('schism-coast', cycle).status === 'cancelled' ? true : undefined), 10_000);
    } finally {
      delete process.env.SCHISM_STAND_IN_SECONDS;
    }
  }, 300_000);
});

/** The MPI processes of the stand-in (not mpirun, nor the commands that name it) working in `runDir`. */
function standInProcesses(runDir: string): string[] {
  return readdirSync('/proc').filter((pid) => {
    try {
      const alive = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return alive && argv[0] === process.execPath && argv[3] === standIn('schismStandIn.ts') && readlinkSync(`/proc/${pid}/cwd`) === runDir;
    } catch {
      return false;
    }
  });
}
