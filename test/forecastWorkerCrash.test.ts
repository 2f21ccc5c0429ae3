/**
 * A worker killed (SIGKILL) while the model job runs, and another worker
 * started: the cycle completes with exactly one model job, which the second
 * worker's attempt re-attached to. The workers are real `coastcast worker`
 * processes on a real Temporal dev server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import type { CycleSummary } from '../activities/cycle.js';
import { installDemoSite } from '../server/demo/install.js';
import { projectRoot } from '../core/project.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { progressQuery } from '../workflows/forecastCycle.js';
import { startDevServer, type DevServer } from './support/temporalServer.js';

let server: DevServer;
let dataDir: string;
let catalog: Catalog;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  server = await startDevServer();
  dataDir = await mkdtemp(join(tmpdir(), 'coastcast-crash-'));
  catalog = openCatalog(dataDir);
  // The demo's full cycle (96 simulated hours): long enough to kill a worker in the middle of the model job.
  await installDemoSite(catalog, join(dataDir, 'uploads'));
}, 120_000);

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  catalog?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

/** `coastcast worker` as its own process (the compiled CLI, as operators run it). */
function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'server', 'cli.js'), 'worker', '--model-threads', '1'], {
    env: { ...process.env, COASTCAST_DATA: dataDir, TEMPORAL_ADDRESS: server.env.address, TEMPORAL_NAMESPACE: 'default' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  return child;
}

describe('a worker killed during the model step', () => {
  it('completes the cycle with exactly one model job, re-attached by the next worker', async () => {
    const client = server.env.client;
    const cycle = new Date('2026-11-25T00:00:00Z');
    const first = startWorker();
    const { workflowId } = await new TemporalCycles(client).start('demo', cycle);
    const handle = client.workflow.getHandle(workflowId);

    // Wait for the model to be well under way, then kill the worker without warning.
    const deadline = Date.now() + 180_000;
    for (;;) {
      const progress = await handle.query(progressQuery).catch(() => undefined);
      if (progress?.stage === 'model' && (progress.modelPercent ?? 0) >= 15) break;
      if (Date.now() > deadline) throw new Error(`the model did not get under way: ${JSON.stringify(progress)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const runDir = catalog.getCycle('demo', cycle).runDir!;
    const job = JSON.parse(await readFile(join(runDir, 'job.json'), 'utf8')) as { pid: number };
    first.kill('SIGKILL');
    await once(first, 'exit');
    // The model job is a process of its own: it runs on without the worker.
    expect(() => process.kill(job.pid, 0)).not.toThrow();

    startWorker();
    const summary = (await handle.result()) as CycleSummary;

    expect(summary.model.reattached).toBe(true);
    expect(JSON.parse(await readFile(join(runDir, 'job.json'), 'utf8')).pid).toBe(job.pid);
    const log = await readFile(join(runDir, 'model.log'), 'utf8');
    expect(log.split('\n').filter((line) => line.includes('"event":"start"'))).toHaveLength(1);
    expect(log).not.toContain('"event":"relaunch"');
    expect(summary.products.times).toHaveLength(72 * 6 + 1);
    expect(catalog.getCycle('demo', cycle).status).toBe('completed');
  }, 420_000);
});
