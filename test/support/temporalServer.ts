import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createCycleWorker, workflowsPath, type CycleWorker, type CycleWorkerOptions } from '../../server/worker.js';
import { resolveTemporalCli } from '../../server/temporalCli.js';

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
