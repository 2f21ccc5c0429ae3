/**
 * A worker killed (SIGKILL) while its cycle's model job runs on a SLURM
 * cluster, and another worker started: the cycle completes with the same
 * SLURM job, which the second worker re-attached to by the id in job.json.
 * The workers are real `coastcast worker` processes with the resource in
 * COASTCAST_RESOURCES, on a real Temporal dev server and a real single-node
 * cluster (test/support/slurmCluster.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import type { CycleSummary } from '../activities/cycle.js';
import type { SlurmJobRecord } from '../activities/jobs/slurm.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import { projectRoot } from '../core/project.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { progressQuery } from '../workflows/forecastCycle.js';
import { slurmJobState, startSlurmCluster, type SlurmCluster } from './support/slurmCluster.js';
import { exampleSite } from './support/sites.js';
import { startDevServer, type DevServer } from './support/temporalServer.js';

let cluster: SlurmCluster;
let server: DevServer;
let dataDir: string;
let resourcesFile: string;
let catalog: Catalog;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  cluster = await startSlurmCluster();
  server = await startDevServer();
  dataDir = await mkdtemp(join(cluster.dir, 'data-'));
  catalog = openCatalog(dataDir);
  resourcesFile = join(cluster.dir, 'resources.json');
  await writeFile(resourcesFile, JSON.stringify({ hpc: { type: 'slurm', partition: cluster.partition } }));
  const meshFile = join(dataDir, 'hpc.gr3');
  await writeMesh(meshFile, generateRectangleMesh({ nx: 30, ny: 30, dx: 0.008, origin: { x: -8.8, y: 40.55 }, openSides: ['west'] }));
  // 73 simulated hours at a short step: a model job of several seconds, long enough to kill a worker in its middle.
  await catalog.createSite({ ...exampleSite('crash-on-cluster'), forcings: {}, model: { dt: 20, nspool: 45, resource: 'hpc' }, schedule: { enabled: false, hourUtc: 4, cycleHourUtc: 0, forecastHours: 72, spinUpHours: 1 } }, meshFile);
}, 180_000);

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  catalog?.close();
  await server?.stop();
  await cluster?.stop();
}, 60_000);

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'server', 'cli.js'), 'worker', '--model-threads', '1'], {
    env: { ...cluster.env, COASTCAST_DATA: dataDir, COASTCAST_RESOURCES: resourcesFile, TEMPORAL_ADDRESS: server.env.address, TEMPORAL_NAMESPACE: 'default' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  return child;
}


describe('a worker killed while its SLURM job runs', () => {
  it('completes the cycle with the same SLURM job, re-attached by job id by the next worker', async () => {
    const client = server.env.client;
    const cycle = new Date('2026-11-25T00:00:00Z');
    const first = startWorker();
    const { workflowId } = await new TemporalCycles(client).start('crash-on-cluster', cycle);
    const handle = client.workflow.getHandle(workflowId);
    const deadline = Date.now() + 180_000;
    for (;;) {
      const progress = await handle.query(progressQuery).catch(() => undefined);
      if (progress?.stage === 'model' && (progress.modelPercent ?? 0) >= 10) break;
      if (Date.now() > deadline) throw new Error(`the model did not get under way: ${JSON.stringify(progress)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runDir = catalog.getCycle('crash-on-cluster', cycle).runDir!;
    const job = JSON.parse(await readFile(join(runDir, 'job.json'), 'utf8')) as SlurmJobRecord;
    first.kill('SIGKILL');
    await once(first, 'exit');
    // The job belongs to the cluster, not to the worker.
    expect(slurmJobState(job.jobId)).toBe('RUNNING');

    startWorker();
    const summary = (await handle.result()) as CycleSummary;
    expect(summary.model.reattached).toBe(true);
    expect((JSON.parse(await readFile(join(runDir, 'job.json'), 'utf8')) as SlurmJobRecord).jobId).toBe(job.jobId);
    expect(slurmJobState(job.jobId)).toBe('COMPLETED');
    const log = await readFile(join(runDir, 'model.log'), 'utf8');
    expect(log.split('\n').filter((line) => line.includes('"event":"start"'))).toHaveLength(1);
    expect(catalog.getCycle('crash-on-cluster', cycle).status).toBe('completed');
  }, 420_000);
});
