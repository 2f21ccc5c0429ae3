import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

import { openCatalog, type Catalog } from '../../activities/catalog.js';
import { createCycleWorker, workflowsPath, type CycleWorker, type CycleWorkerOptions } from '../../server/worker.js';
import { resolveTemporalCli } from '../../server/temporalCli.js';
import { writeSiteMeshes } from './sites.js';

export interface DevServer {
  env: TestWorkflowEnvironment;
  stop: () => Promise<void>;
}

/** Starts the real Temporal dev server (the CLI set-up installed) on 127.0.0.1, with its SQLite file in a temp dir. */
export async function startDevServer(): Promise<DevServer> {
  const cli = resolveTemporalCli();
  const dir = mkdtempSync(join(tmpdir(), 'coastcast-temporal-'));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      ip: '127.0.0.1',
      dbFilename: join(dir, 'temporal.db'),
      extraArgs: ['--log-level', 'error'],
    },
  });
  return {
    env,
    stop: async () => {
      await env.teardown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The worker's workflows bundled once, for a suite's workers and replays; webpack's report is left out, its errors kept. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  const quiet = () => {};
  return bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error } });
}

export interface RunningWorker {
  worker: CycleWorker;
  /** Shuts the worker down and waits until it has stopped. */
  stop(): Promise<void>;
}

/** The cycle worker of a data directory, polling the dev server's task queue until stopped. */
export async function startCycleWorker(server: DevServer, options: Omit<CycleWorkerOptions, 'temporal'>): Promise<RunningWorker> {
  const worker = await createCycleWorker({ ...options, temporal: { address: server.env.address, namespace: server.env.namespace ?? 'default', tls: undefined, apiKey: undefined } });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      worker.shutdown();
      await running;
    },
  };
}

export interface CycleStack {
  server: DevServer;
  /** A temp folder holding the data directory and test/support/sites.ts's meshes. */
  root: string;
  dataDir: string;
  catalog: Catalog;
  worker: RunningWorker;
  client: Client;
  /** Stops the worker and the dev server, closes the catalog and removes `root`. */
  stop(): Promise<void>;
}

/** What the suites that run cycles share: the dev server, a data directory with its catalog, and its cycle worker on one model thread. */
export async function startCycleStack(name: string): Promise<CycleStack> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer();
  const root = await mkdtemp(join(tmpdir(), `coastcast-${name}-`));
  await writeSiteMeshes(root);
  const dataDir = join(root, 'data');
  const catalog = openCatalog(dataDir);
  const worker = await startCycleWorker(server, { dataDir, catalog, workflowBundle: await bundleWorkflows(), modelThreads: 1 });
  return {
    server,
    root,
    dataDir,
    catalog,
    worker,
    client: server.env.client,
    stop: async () => {
      await worker.stop();
      catalog.close();
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
