/**
 * A forecast cycle whose model job runs on a SLURM compute resource: the real
 * Temporal dev server, a worker serving the "hpc" resource's model task
 * queue, a real single-node SLURM cluster (test/support/slurmCluster.ts).
 * The site picks the resource by name; the job goes through sbatch and is
 * followed to the end, and a cycle cancelled during its model step is
 * cancelled on the cluster (scancel) with its model process gone.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import type { CycleSummary } from '../activities/cycle.js';
import type { SlurmJobRecord } from '../activities/jobs/slurm.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import type { SiteInput } from '../core/site.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { modelProcesses, slurmJobState, startSlurmCluster, type SlurmCluster } from './support/slurmCluster.js';
import { exampleSite } from './support/sites.js';
import { bundleWorkflows, startCycleWorker, startDevServer, type DevServer, type RunningWorker } from './support/temporalServer.js';
import { until } from './support/until.js';

let cluster: SlurmCluster;
let server: DevServer;
let dataDir: string;
let catalog: Catalog;
let worker: RunningWorker;
let cycles: TemporalCycles;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  cluster = await startSlurmCluster();
  server = await startDevServer();
  // Inside the cluster's folder: the run directories are where the compute node finds them (one machine here; a shared file system on a real cluster).
  dataDir = await mkdtemp(join(cluster.dir, 'data-'));
  catalog = openCatalog(dataDir);
  worker = await startCycleWorker(server, {
    dataDir, catalog, workflowBundle: await bundleWorkflows(), modelThreads: 1,
    resources: { local: { type: 'local' }, hpc: { type: 'slurm', partition: cluster.partition, timeLimit: '00:30:00' } },
  });
  cycles = new TemporalCycles(server.env.client);
  const meshFile = join(dataDir, 'hpc.gr3');
  await writeMesh(meshFile, generateRectangleMesh({ nx: 30, ny: 30, dx: 0.008, origin: { x: -8.8, y: 40.55 }, openSides: ['west'] }));
  const site: SiteInput = {
    ...exampleSite('on-the-cluster'),
    forcings: {},
    model: { dt: 20, nspool: 45, resource: 'hpc' },
    schedule: { enabled: false, hourUtc: 4, cycleHourUtc: 0, forecastHours: 24, spinUpHours: 1 },
  };
  await catalog.createSite(site, meshFile);
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  catalog?.close();
  await server?.stop();
  await cluster?.stop();
}, 60_000);

const jobRecord = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'job.json'), 'utf8')) as SlurmJobRecord;

describe('a site whose model runs on a SLURM resource', () => {
  it('runs its cycle with the model job submitted through sbatch and followed to completion', async () => {
    const cycle = new Date('2026-11-25T00:00:00Z');
    const { workflowId } = await cycles.start('on-the-cluster', cycle);
    const summary = (await server.env.client.workflow.getHandle(workflowId).result()) as CycleSummary;
    const job = jobRecord(summary.runDir);
    expect(job.scheduler).toBe('slurm');
    expect(summary.model.summary.steps).toBe((25 * 3600) / 20);
    expect(slurmJobState(job.jobId)).toBe('COMPLETED');
    expect(readFileSync(join(summary.runDir, 'model.sbatch'), 'utf8')).toContain(`#SBATCH --partition=${cluster.partition}`);
    // The job id stays where operators look, in the catalog, beside the heartbeats' (their pid field).
    expect(catalog.getCycle('on-the-cluster', cycle)).toMatchObject({ status: 'completed', summary: { modelJob: { resource: 'hpc', id: job.jobId } } });
    expect(summary.model.jobId).toBe(job.jobId);
    expect(summary.products.times.length).toBeGreaterThan(0);
  }, 300_000);

  it('cancels a cycle during its model step on the cluster: scancel, the model process gone, the cycle recorded cancelled', async () => {
    const cycle = new Date('2026-11-26T00:00:00Z');
    const { workflowId } = await cycles.start('on-the-cluster', cycle);
    const runDir = await until('the run directory', () => catalog.listCycles('on-the-cluster').find((c) => c.cycle === cycle.toISOString())?.runDir ?? undefined, 60_000);
    await until('the model to run', async () => ((await readFile(join(runDir, 'model.log'), 'utf8').catch(() => '')).includes('"progress"') ? true : undefined), 60_000);
    const job = jobRecord(runDir);
    expect(slurmJobState(job.jobId)).toBe('RUNNING');
    expect(catalog.getCycle('on-the-cluster', cycle).summary).toMatchObject({ modelJob: { resource: 'hpc', id: job.jobId } });
    await server.env.client.workflow.getHandle(workflowId).cancel();
    await expect(server.env.client.workflow.getHandle(workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);
    await until('the job to be cancelled on the cluster', () => (slurmJobState(job.jobId) === 'CANCELLED' ? true : undefined), 10_000);
    await until('the model process to end', () => (modelProcesses(runDir).length === 0 ? true : undefined), 10_000);
    await until('the catalog to record it', () => (catalog.getCycle('on-the-cluster', cycle).status === 'cancelled' ? true : undefined), 10_000);
  }, 300_000);
});
