/**
 * `coastcast forecast <siteId> [--cycle <ISO>]`: starts the site's forecast
 * cycle (by default the latest cycle time of its schedule), or joins it when
 * it is already running, shows its progress to the end and prints where the
 * products are. Exit 0 when the cycle completed, 1 when it failed or was
 * cancelled, 2 on a usage mistake.
 */
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';

import { openCatalog } from '../../activities/catalog.js';
import type { CycleSummary } from '../../activities/cycle.js';
import { progressQuery, type ForecastProgress } from '../../workflows/forecastCycle.js';
import { latestCycleTime } from '../api/cycles.js';
import { dataDirectory } from '../dataDir.js';
import { temporalSettings } from '../temporal.js';
import { TemporalCycles } from '../temporalCycles.js';
import { commandArguments } from './args.js';
import { UsageError, type Command, type CommandIO } from './command.js';

const POLL_MS = 500;
const BAR_WIDTH = 30;

export const forecast: Command = async (args, io) => {
  const { positional: siteId, options } = commandArguments(args, 'the site id', ['cycle']);
  const catalog = openCatalog(dataDirectory());
  let cycle: Date;
  try {
    const site = catalog.getSite(siteId).config;
    cycle = options.cycle === undefined ? latestCycleTime(new Date(), site.schedule.cycleHourUtc) : cycleOption(options.cycle);
  } finally {
    catalog.close();
  }

  const temporal = temporalSettings();
  const connection = await Connection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
  try {
    const client = new Client({ connection, namespace: temporal.namespace });
    const { workflowId, started } = await new TemporalCycles(client).start(siteId, cycle);
    io.err(`${started ? 'started' : 'joined the running'} cycle ${cycle.toISOString()} of ${siteId} (workflow ${workflowId})`);
    const handle = client.workflow.getHandle(workflowId);
    const bar = new ProgressBar(io);
    const result = handle.result() as Promise<CycleSummary>;
    let finished = false;
    result.then(() => (finished = true), () => (finished = true));
    while (!finished) {
      const progress = await handle.query(progressQuery).catch(() => undefined);
      if (progress) bar.show(progress);
      await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
    }
    try {
      const summary = await result;
      bar.done();
      io.out(`${summary.runDir}/products`);
      const { flood, alerts } = summary.products;
      io.err(`flooded area at most ${flood.max.areaKm2.toFixed(3)} km², ${alerts.length} alert(s)${summary.degraded.length ? `, degraded: ${summary.degraded.join(', ')}` : ''}`);
      for (const alert of alerts) io.err(`  alert: ${alert.name} (${alert.kind}) ${alert.value.toFixed(2)} ≥ ${alert.threshold} first at ${alert.firstExceededAt}`);
      return 0;
    } catch (error) {
      bar.done();
      io.err(`cycle ${cycle.toISOString()} of ${siteId} ${error instanceof WorkflowFailedError ? `failed: ${innermost(error)}` : `could not be followed: ${(error as Error).message}`}`);
      return 1;
    }
  } finally {
    await connection.close();
  }
};

export function cycleOption(value: string): Date {
  const cycle = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(cycle.getTime())) {
    throw new UsageError(`--cycle takes an ISO 8601 time with its zone, e.g. 2026-11-25T00:00:00Z; got ${value}`);
  }
  return cycle;
}

function innermost(error: Error): string {
  let e: Error = error;
  while (e.cause instanceof Error) e = e.cause;
  return e.message;
}

/** One line redrawn in place on a terminal; on a pipe, a line per stage and per 10 %. */
class ProgressBar {
  private last = '';
  private lastStage = '';
  private lastTenth = -1;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly io: CommandIO) {}

  show({ stage, percent, modelPercent }: ForecastProgress): void {
    const filled = Math.round((BAR_WIDTH * percent) / 100);
    const label = stage === 'model' && modelPercent !== null ? `model ${modelPercent.toFixed(0)} %` : stage;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent.toFixed(0).padStart(3)} % ${label}`;
    if (this.tty) {
      if (line !== this.last) process.stderr.write(`\r${line.padEnd(this.last.length)}`);
    } else if (stage !== this.lastStage || Math.floor(percent / 10) !== this.lastTenth) {
      this.io.err(line);
    }
    this.last = line;
    this.lastStage = stage;
    this.lastTenth = Math.floor(percent / 10);
  }

  done(): void {
    if (this.tty && this.last) process.stderr.write('\n');
  }
}
