/**
 * `coastcast worker [--model-threads N]`: a Temporal worker for forecast
 * cycles on the data directory (COASTCAST_DATA), connected to the Temporal
 * named by TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (server/temporal.ts), sending
 * alert e-mail through COASTCAST_SMTP_URL / COASTCAST_SMTP_FROM, keeping run
 * directories whole for COASTCAST_RETENTION_DAYS (default 30). Runs
 * until SIGINT or SIGTERM; a model job running then carries on and the next
 * worker re-attaches to it.
 */
import { openCatalog } from '../../activities/catalog.js';
import { smtpSettings } from '../../activities/notify/email.js';
import { retentionDaysSetting } from '../../activities/retention.js';
import { dataDirectory } from '../dataDir.js';
import { temporalSettings } from '../temporal.js';
import { readResources } from '../../activities/jobs/resources.js';
import { createCycleWorker } from '../worker.js';
import { commandOptions } from './args.js';
import { UsageError, type Command } from './command.js';

export const worker: Command = async (args, io) => {
  const modelThreads = threadsOption(commandOptions(args, ['model-threads'])['model-threads']);
  const dataDir = dataDirectory();
  const catalog = openCatalog(dataDir);
  try {
    const temporal = temporalSettings();
    const resources = await readResources(process.env.COASTCAST_RESOURCES);
    const cycleWorker = await createCycleWorker({ temporal, dataDir, catalog, modelThreads, smtp: smtpSettings(process.env), retentionDays: retentionDaysSetting(process.env), resources });
    const stop = () => cycleWorker.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    io.err(`coastcast worker: ${temporal.address} namespace ${temporal.namespace}, data ${dataDir}, model threads ${modelThreads ?? 'by mesh size'}, compute resources ${Object.keys(resources).join(', ')}`);
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
