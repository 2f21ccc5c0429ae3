/**
 * `coastcast cancel <siteId> --cycle <ISO>`: asks the running cycle to stop
 * (the same CycleControl.cancel as POST …/cancel), waits until its workflow
 * has ended and says how it ended. Exit 0 when it was cancelled, 1 when it
 * was not running (or ended otherwise before the request took effect), 2 on
 * a usage mistake.
 */
import { Client, Connection } from '@temporalio/client';

import { openCatalog } from '../../activities/catalog.js';
import { cycleWorkflowId } from '../api/cycleControl.js';
import { dataDirectory } from '../dataDir.js';
import { temporalSettings } from '../temporal.js';
import { TemporalCycles } from '../temporalCycles.js';
import { commandArguments } from './args.js';
import { UsageError, type Command } from './command.js';
import { cycleOption } from './forecast.js';

export const cancel: Command = async (args, io) => {
  const { positional: siteId, options } = commandArguments(args, 'the site id', ['cycle']);
  if (options.cycle === undefined) throw new UsageError('--cycle is required: the cycle time to cancel, e.g. 2026-11-25T00:00:00Z');
  const cycle = cycleOption(options.cycle);
  const catalog = openCatalog(dataDirectory());
  try {
    // An unknown site is a clear error before Temporal is asked anything.
    catalog.getSite(siteId);
    const temporal = temporalSettings();
    const connection = await Connection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
    try {
      const client = new Client({ connection, namespace: temporal.namespace });
      const label = `cycle ${cycle.toISOString()} of ${siteId}`;
      if (!(await new TemporalCycles(client).cancel(siteId, cycle))) {
        io.err(`${label} is not running: nothing to cancel`);
        return 1;
      }
      io.err(`${label}: cancellation requested, waiting for it to stop`);
      const requestedAt = Date.now();
      await client.workflow.getHandle(cycleWorkflowId(siteId, cycle)).result().catch(() => undefined);
      const status = catalog.getCycle(siteId, cycle).status;
      const seconds = ((Date.now() - requestedAt) / 1000).toFixed(1);
      if (status !== 'cancelled') {
        io.err(`${label} ended ${status} before the cancellation took effect (${seconds} s)`);
        return 1;
      }
      io.out(`${label} cancelled (stopped ${seconds} s after the request)`);
      return 0;
    } finally {
      await connection.close();
    }
  } finally {
    catalog.close();
  }
};
