/**
 * `coastcast worker --resource <name>`: a worker next to a compute resource
 * that serves only that resource's model queue. A real `coastcast worker
 * --resource near` process and an in-test worker of the cycle queue alone
 * (no resources) on a real Temporal dev server: the cycle's model job runs
 * as a child of the --resource process, and the cycle completes. A name the
 * installation does not have is refused before anything starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import type { CycleSummary } from '../activities/cycle.js';
import { readResources } from '../activities/jobs/resources.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import { projectRoot } from '../core/project.js';
import { TASK_QUEUE } from '../server/temporal.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { modelTaskQueue, progressQuery } from '../workflows/forecastCycle.js';
import { exampleSite } from './support/sites.js';
import { bundleWorkflows, startCycleWorker, startDevServer, type DevServer, type RunningWorker } from './support/temporalServer.js';
import { until } from './support/until.js';

const { TaskQueueType } = temporal.api.enums.v1;

let server: DevServer;
let root: string;
let dataDir: string;
let resourcesFile: string;
let catalog: Catalog;
let cycleWorker: RunningWorker | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  server = await startDevServer();
  root = await mkdtemp(join(tmpdir(), 'coastcast-worker-resource-'));
  dataDir = join(root, 'data');
  catalog = openCatalog(dataDir);
  resourcesFile = join(root, 'resources.json');
  await writeFile(resourcesFile, JSON.stringify({ near: { type: 'local' } }));
  const meshFile = join(root, 'near.gr3');
  await writeMesh(meshFile, generateRectangleMesh({ nx: 30, ny: 30, dx: 0.008, origin: { x: -8.8, y: 40.55 }, openSides: ['west'] }));
  // 73 simulated hours at a short step: a model job of several seconds, long enough to see whose child it is.
  const site = { ...exampleSite('near-site'), forcings: {}, model: { dt: 20, nspool: 45, resource: 'near' }, schedule: { enabled: false, hourUtc: 4, cycleHourUtc: 0, forecastHours: 72, spinUpHours: 1 } };
  await catalog.createSite(site, meshFile, await readResources(resourcesFile));
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await cycleWorker?.stop();
  catalog?.close();
  await server?.stop();
  await rm(root, { recursive: true, force: true });
}, 60_000);

/** `coastcast worker <args>` as its own process (the compiled CLI, as operators run it), its stderr collected. */
function coastcastWorker(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'server', 'cli.js'), 'worker', ...args], {
    env: { ...process.env, COASTCAST_RESOURCES: resourcesFile, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return { child, stderr: () => stderr };
}

/** The pids of the workers polling `taskQueue` for tasks of `type` (a worker's identity is `<pid>@<host>`). */
async function pollerPids(taskQueue: string, type: temporal.api.enums.v1.TaskQueueType): Promise<number[]> {
  const { pollers } = await server.env.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: type });
  return (pollers ?? []).map((p) => Number(p.identity?.split('@')[0]));
}

/** Field 4 of /proc/<pid>/stat (proc(5)); undefined once the process is gone. */
function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

describe('coastcast worker --resource', () => {
  it("serves only the resource's model queue: the cycle's model job runs under it while another worker runs the cycle", async () => {
    const near = coastcastWorker(['--resource', 'near', '--model-threads', '1'], { COASTCAST_DATA: dataDir, TEMPORAL_ADDRESS: server.env.address, TEMPORAL_NAMESPACE: 'default' });
    const nearPid = near.child.pid!;
    await until('the --resource worker to poll its model queue', async () => ((await pollerPids(modelTaskQueue(TASK_QUEUE, 'near'), TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)).includes(nearPid) ? true : undefined), 60_000);
    expect(near.stderr()).toContain('model jobs only of compute resources near');

    cycleWorker = await startCycleWorker(server, { dataDir, catalog, workflowBundle: await bundleWorkflows(), modelThreads: 1, resources: {} });
    await until('the cycle worker to poll the cycle queue', async () => ((await pollerPids(TASK_QUEUE, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)).includes(process.pid) ? true : undefined), 60_000);
    for (const type of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
      expect(await pollerPids(TASK_QUEUE, type)).not.toContain(nearPid);
    }

    const client = server.env.client;
    const cycle = new Date('2026-11-25T00:00:00Z');
    const { workflowId } = await new TemporalCycles(client).start('near-site', cycle);
    const handle = client.workflow.getHandle(workflowId);
    const jobPid = await until('the model job to start', async () => {
      const progress = await handle.query(progressQuery).catch(() => undefined);
      const runDir = progress?.stage === 'model' ? catalog.getCycle('near-site', cycle).runDir : null;
      if (!runDir || !existsSync(join(runDir, 'job.json'))) return undefined;
      return (JSON.parse(await readFile(join(runDir, 'job.json'), 'utf8')) as { pid: number }).pid;
    }, 180_000);
    expect(parentPid(jobPid)).toBe(nearPid);

    const summary = (await handle.result()) as CycleSummary;
    expect(summary.model.reattached).toBe(false);
    expect(catalog.getCycle('near-site', cycle).status).toBe('completed');

    near.child.kill('SIGTERM');
    const [code] = await once(near.child, 'exit');
    expect(code, near.stderr()).toBe(0);
  }, 420_000);

  it('refuses a resource the installation does not have, naming it and the known ones, before it starts anything', async () => {
    const data = join(root, 'never');
    // Nothing listens on port 1: a worker that tried to connect would fail otherwise.
    const unknown = coastcastWorker(['--resource', 'near', '--resource', 'gpu'], { COASTCAST_DATA: data, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const [code] = await once(unknown.child, 'exit');
    expect(code).toBe(2);
    expect(unknown.stderr()).toContain('--resource: "gpu" is not a compute resource of this installation, whose resources (COASTCAST_RESOURCES) are "local", "near"');
    expect(unknown.stderr()).toContain('usage: coastcast worker');
    expect(existsSync(data)).toBe(false);
  }, 60_000);
});
