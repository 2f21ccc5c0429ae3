/**
 * The Temporal worker of forecast cycles: the forecastCycle workflow and its
 * activities on one data directory. Model jobs run as processes of their own,
 * so a worker can stop (or crash) while a job runs and the next one picks the
 * job up.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

import { createCycleActivities } from '../activities/cycle.js';
import type { Catalog } from '../activities/catalog.js';
import type { SmtpSettings } from '../activities/notify/email.js';
import { createRetentionActivities, DEFAULT_RETENTION_DAYS } from '../activities/retention.js';
import { modelProgressSignal } from '../workflows/forecastCycle.js';
import { TASK_QUEUE, type TemporalSettings } from './temporal.js';

export interface CycleWorkerOptions {
  temporal: TemporalSettings;
  dataDir: string;
  catalog: Catalog;
  /** Threads per model job (default: the model's own default). */
  modelThreads?: number;
  /** The SMTP server for alert e-mail (activities/notify/email.ts). */
  smtp?: SmtpSettings;
  /** Days a run directory is kept whole (activities/retention.ts); 0 keeps every run. */
  retentionDays?: number;
  /** A pre-built workflow bundle (tests build one per suite); by default the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
}

export interface CycleWorker {
  worker: Worker;
  /** Runs until shutdown() (or a fatal error), then closes the connections. */
  run(): Promise<void>;
  shutdown(): void;
}

/** The workflows' entry, next to this file once compiled (dist/) or as TypeScript source under tsx. */
export function workflowsPath(): string {
  const ext = extname(fileURLToPath(import.meta.url));
  return fileURLToPath(new URL(`../workflows/index${ext}`, import.meta.url));
}

export async function createCycleWorker(options: CycleWorkerOptions): Promise<CycleWorker> {
  const { temporal } = options;
  const connection = await NativeConnection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
  // The activities' own client: model progress goes to the workflow as signals.
  const clientConnection = await Connection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
  const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
  try {
    const worker = await Worker.create({
      connection,
      namespace: temporal.namespace,
      taskQueue: options.taskQueue ?? TASK_QUEUE,
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
      activities: {
        ...createCycleActivities({
          dataDir: options.dataDir,
          catalog: options.catalog,
          modelThreads: options.modelThreads,
          smtp: options.smtp,
          reportModelProgress: (workflowId, percent) => client.workflow.getHandle(workflowId).signal(modelProgressSignal, percent),
        }),
        ...createRetentionActivities({ dataDir: options.dataDir, catalog: options.catalog, retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS }),
      },
      // A cancellation reaches an activity only in the answer to one of its heartbeats, and the SDK
      // otherwise holds heartbeats back for 80 % of the heartbeat timeout (24 s for the model job):
      // sent at least every second, a cancelled model job stops within seconds.
      maxHeartbeatThrottleInterval: '1 second',
      // Model jobs and post-processing are long: a worker shutting down lets them be picked up by the next attempt rather than waiting.
      shutdownGraceTime: '5 seconds',
    });
    return {
      worker,
      run: async () => {
        try {
          await worker.run();
        } finally {
          await clientConnection.close();
          await connection.close();
        }
      },
      shutdown: () => worker.shutdown(),
    };
  } catch (error) {
    await clientConnection.close();
    await connection.close();
    throw error;
  }
}
