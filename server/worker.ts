/**
 * The Temporal worker of forecast cycles: the forecastCycle workflow and its
 * activities on one data directory. Model jobs run as processes of their own,
 * so a worker can stop (or crash) while a job runs and the next one picks the
 * job up.
 *
 * A worker next to a compute resource (a cluster's login node) serves only
 * that resource's model queue (`modelQueuesOnly`): the workflows and the
 * light activities stay with the workers that serve the cycle task queue.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

import { createCycleActivities, type CycleActivityOptions } from '../activities/cycle.js';
import { launcherFor, localOnly, type ComputeResource } from '../activities/jobs/resources.js';
import type { Catalog } from '../activities/catalog.js';
import type { SmtpSettings } from '../activities/notify/email.js';
import { createRetentionActivities, DEFAULT_RETENTION_DAYS } from '../activities/retention.js';
import { modelProgressSignal, modelTaskQueue } from '../workflows/forecastCycle.js';
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
  /** The compute resources whose model jobs this worker runs, each on its own task queue (default: this machine's processes). */
  resources?: Record<string, ComputeResource>;
  /** Serve the model queues of `resources` and not the cycle task queue (default false). */
  modelQueuesOnly?: boolean;
}

export interface CycleWorker {
  /** The worker of the cycles' own task queue; none with `modelQueuesOnly`. */
  worker?: Worker;
  /** One per compute resource, on its model task queue. */
  modelWorkers: Worker[];
  /** Runs until shutdown() (or a fatal error), then closes the connections. */
  run(): Promise<void>;
  shutdown(): void;
}

/** The workflows' entry, next to this file once compiled (dist/) or as TypeScript source under tsx. */
export function workflowsPath(): string {
  const ext = extname(fileURLToPath(import.meta.url));
  return fileURLToPath(new URL(`../workflows/index${ext}`, import.meta.url));
}

const HEARTBEATS_AND_SHUTDOWN = {
  // A cancellation reaches an activity only in the answer to one of its heartbeats, and the SDK
  // otherwise holds heartbeats back for 80 % of the heartbeat timeout (24 s for the model job):
  // sent at least every second, a cancelled model job stops within seconds.
  maxHeartbeatThrottleInterval: '1 second',
  // Model jobs and post-processing are long: a worker shutting down lets them be picked up by the next attempt rather than waiting.
  shutdownGraceTime: '5 seconds',
} as const;

export async function createCycleWorker(options: CycleWorkerOptions): Promise<CycleWorker> {
  const { temporal } = options;
  const resources = options.resources ?? localOnly();
  if (options.modelQueuesOnly && Object.keys(resources).length === 0) throw new Error('modelQueuesOnly with no resources: the worker would serve no task queue');
  const connection = await NativeConnection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
  // The activities' own client: model progress goes to the workflow as signals.
  const clientConnection = await Connection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
  const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  const activityOptions: CycleActivityOptions = {
    dataDir: options.dataDir,
    catalog: options.catalog,
    modelThreads: options.modelThreads,
    smtp: options.smtp,
    resources,
    reportModelProgress: (workflowId, percent) => client.workflow.getHandle(workflowId).signal(modelProgressSignal, percent),
  };
  try {
    const worker = options.modelQueuesOnly
      ? undefined
      : await Worker.create({
          connection,
          namespace: temporal.namespace,
          taskQueue,
          ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
          activities: {
            ...createCycleActivities(activityOptions),
            ...createRetentionActivities({ dataDir: options.dataDir, catalog: options.catalog, retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS }),
          },
          ...HEARTBEATS_AND_SHUTDOWN,
        });
    const modelWorkers: Worker[] = [];
    for (const [name, resource] of Object.entries(resources)) {
      const { runModelJob } = createCycleActivities({ ...activityOptions, launcher: launcherFor(name, resource) });
      modelWorkers.push(await Worker.create({ connection, namespace: temporal.namespace, taskQueue: modelTaskQueue(taskQueue, name), activities: { runModelJob }, ...HEARTBEATS_AND_SHUTDOWN }));
    }
    const workers = worker ? [worker, ...modelWorkers] : modelWorkers;
    return {
      worker,
      modelWorkers,
      run: async () => {
        try {
          // One worker failing stops the others: a process that no longer serves every queue it claims should end.
          await Promise.all(workers.map((w) => w.run().catch((error: unknown) => {
            for (const other of workers) if (other.getState() === 'RUNNING') other.shutdown();
            throw error;
          })));
        } finally {
          await clientConnection.close();
          await connection.close();
        }
      },
      shutdown: () => workers.forEach((w) => w.shutdown()),
    };
  } catch (error) {
    await clientConnection.close();
    await connection.close();
    throw error;
  }
}
