/**
 * `coastcast worker [--model-threads N] [--resource <name>]...`: a Temporal
 * worker for forecast cycles on the data directory (COASTCAST_DATA),
 * connected to the Temporal named by TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE
 * (server/temporal.ts), sending alert e-mail through COASTCAST_SMTP_URL /
 * COASTCAST_SMTP_FROM, keeping run directories whole for
 * COASTCAST_RETENTION_DAYS (default 30). Runs until SIGINT or SIGTERM; a
 * model job running then carries on and the next worker re-attaches to it.
 *
 * It serves the cycle task queue and the model queue of every resource in
 * COASTCAST_RESOURCES. With --resource it serves only the model queues of
 * the resources named: a worker started next to them (a cluster's login
 * node), while the cycles run on other workers.
 */
import { openCatalog } from '../../activities/catalog.js';
import { smtpSettings } from '../../activities/notify/email.js';
import { retentionDaysSetting } from '../../activities/retention.js';
import { dataDirectory } from '../dataDir.js';
import { temporalSettings } from '../temporal.js';
import { readResources, unknownResource, type ComputeResource } from '../../activities/jobs/resources.js';
import { createCycleWorker } from '../worker.js';
import { commandOptions } from './args.js';
import { UsageError, type Command } from './command.js';

export const worker: Command = async (args, io) => {
  const options = commandOptions(args, ['model-threads'], ['resource']);
  const modelThreads = threadsOption(options['model-threads']);
  const resources = await readResources(process.env.COASTCAST_RESOURCES);
  const served = options.resource === undefined ? resources : namedResources(options.resource, resources);
  const modelQueuesOnly = options.resource !== undefined;
  const dataDir = dataDirectory();
  const catalog = openCatalog(dataDir);
  try {
    const temporal = temporalSettings();
    const cycleWorker = await createCycleWorker({
      temporal, dataDir, catalog, modelThreads, smtp: smtpSettings(process.env), retentionDays: retentionDaysSetting(process.env), resources: served, modelQueuesOnly,
    });
    const stop = () => cycleWorker.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const queues = modelQueuesOnly ? 'model jobs only' : 'cycles and model jobs';
    io.err(`coastcast worker: ${temporal.address} namespace ${temporal.namespace}, data ${dataDir}, model threads ${modelThreads ?? 'by mesh size'}, ${queues} of compute resources ${Object.keys(served).join(', ')}`);
    await cycleWorker.run();
    return 0;
  } finally {
    catalog.close();
  }
};

/** Model threads per job; undefined lets the model choose from the mesh size (its results do not depend on the count). */
export function threadsOption(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--model-threads takes a positive integer, got ${value}`);
  return Number(value);
}

/** The resources --resource names, each checked before anything starts: a worker for a misspelt resource would wait for jobs that never come. */
function namedResources(names: string[], resources: Record<string, ComputeResource>): Record<string, ComputeResource> {
  const unknown = names.find((name) => !Object.hasOwn(resources, name));
  if (unknown !== undefined) throw new UsageError(`--resource: ${unknownResource(unknown, resources)}`);
  return Object.fromEntries(names.map((name) => [name, resources[name]]));
}
