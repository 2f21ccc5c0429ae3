/**
 * Retention (activities/retention.ts): on a data directory with cycles of
 * various ages and statuses, old ended runs lose all but products/ and
 * run.json, while recent runs, running cycles, each site's latest completed
 * cycle and directories outside the data directory are left whole. Then, on
 * the real Temporal dev server: the installation's `retention` Schedule exists
 * after the start-up sync, and triggering it runs the sweep.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog, type CycleStatus } from '../activities/catalog.js';
import { createRetentionActivities, retentionDaysSetting, type RetentionReport } from '../activities/retention.js';
import { RETENTION_SCHEDULE_ID, TemporalSchedules } from '../server/schedules.js';
import { exampleSite, writeSiteMeshes } from './support/sites.js';
import { bundleWorkflows, startCycleWorker, startDevServer } from './support/temporalServer.js';

const DAY = 86_400_000;
/** What a finished run directory holds. */
const RUN_ENTRIES = ['hgrid.gr3', 'job.json', 'model.log', 'outputs', 'param.nml', 'products', 'run.json'];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-retention-'));
  await writeSiteMeshes(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A cycle `daysAgo` days before now (at 00 UTC) with its run directory filled as a real run's. */
async function cycleWithRun(catalog: Catalog, runsRoot: string, siteId: string, daysAgo: number, status: CycleStatus): Promise<{ cycle: string; runDir: string }> {
  const time = new Date(Math.floor((Date.now() - daysAgo * DAY) / DAY) * DAY);
  const runDir = join(runsRoot, siteId, time.toISOString().slice(0, 10));
  await mkdir(join(runDir, 'outputs'), { recursive: true });
  await mkdir(join(runDir, 'products'));
  await writeFile(join(runDir, 'outputs', 'out2d_1.nc'), 'model output');
  await writeFile(join(runDir, 'products', 'summary.json'), '{}');
  for (const file of ['hgrid.gr3', 'job.json', 'model.log', 'param.nml', 'run.json']) await writeFile(join(runDir, file), file);
  const record = catalog.recordCycle(siteId, time, { status, runDir });
  return { cycle: record.cycle, runDir };
}

const entries = async (dir: string) => (await readdir(dir)).sort();

async function sweep(catalog: Catalog, dataDir: string, retentionDays: number): Promise<RetentionReport> {
  return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(createRetentionActivities({ dataDir, catalog, retentionDays }).sweepRunDirectories);
}

describe('the retention sweep', () => {
  it('empties old ended runs but for products/ and run.json, and leaves the rest whole', async () => {
    const dataDir = join(root, 'sweep');
    const catalog = openCatalog(dataDir);
    try {
      await catalog.createSite(exampleSite('estuary'), join(root, 'small.gr3'));
      await catalog.createSite(exampleSite('lagoon'), join(root, 'small.gr3'));
      const runs = join(dataDir, 'runs');
      const oldCompleted = await cycleWithRun(catalog, runs, 'estuary', 40, 'completed');
      const oldFailed = await cycleWithRun(catalog, runs, 'estuary', 39, 'failed');
      const oldCancelled = await cycleWithRun(catalog, runs, 'estuary', 38, 'cancelled');
      const stillRunning = await cycleWithRun(catalog, runs, 'estuary', 37, 'running');
      const recent = await cycleWithRun(catalog, runs, 'estuary', 3, 'completed');
      // The lagoon's cycles are all old; its latest completed one stays whole, the failed one after it does not.
      const lagoonOlder = await cycleWithRun(catalog, runs, 'lagoon', 50, 'completed');
      const lagoonLatestGood = await cycleWithRun(catalog, runs, 'lagoon', 45, 'completed');
      const lagoonFailedAfter = await cycleWithRun(catalog, runs, 'lagoon', 44, 'failed');
      // Not made by coastcast: outside the data directory.
      const outside = await cycleWithRun(catalog, join(root, 'elsewhere'), 'lagoon', 60, 'failed');

      const report = await sweep(catalog, dataDir, 30);

      const pruned = [oldCompleted, oldFailed, oldCancelled, lagoonOlder, lagoonFailedAfter];
      expect(report.retentionDays).toBe(30);
      expect(new Date(report.cutoff!).getTime()).toBeCloseTo(Date.now() - 30 * DAY, -4);
      expect(report.pruned.map((p) => p.runDir).sort()).toEqual(pruned.map((p) => p.runDir).sort());
      for (const run of report.pruned) expect(run.removed).toEqual(['hgrid.gr3', 'job.json', 'model.log', 'outputs', 'param.nml']);
      for (const { runDir } of pruned) {
        expect(await entries(runDir)).toEqual(['products', 'run.json']);
        expect(existsSync(join(runDir, 'products', 'summary.json'))).toBe(true);
      }
      for (const { runDir } of [stillRunning, recent, lagoonLatestGood, outside]) expect(await entries(runDir)).toEqual(RUN_ENTRIES);
      // The catalog keeps every cycle and its summary.
      expect(catalog.listCycles('estuary')).toHaveLength(5);
      expect(catalog.getCycle('estuary', oldCompleted.cycle).status).toBe('completed');

      // A second sweep finds nothing left to remove.
      expect((await sweep(catalog, dataDir, 30)).pruned).toEqual([]);
    } finally {
      catalog.close();
    }
  });

  it('keeps every run whole when the retention is 0 days', async () => {
    const dataDir = join(root, 'keep-all');
    const catalog = openCatalog(dataDir);
    try {
      await catalog.createSite(exampleSite('estuary'), join(root, 'small.gr3'));
      await cycleWithRun(catalog, join(dataDir, 'runs'), 'estuary', 400, 'completed');
      const old = await cycleWithRun(catalog, join(dataDir, 'runs'), 'estuary', 300, 'failed');
      expect(await sweep(catalog, dataDir, 0)).toEqual({ retentionDays: 0, cutoff: null, pruned: [] });
      expect(await entries(old.runDir)).toEqual(RUN_ENTRIES);
    } finally {
      catalog.close();
    }
  });

  it('reads COASTCAST_RETENTION_DAYS: default 30, a whole number, else an error naming it', () => {
    expect(retentionDaysSetting({})).toBe(30);
    expect(retentionDaysSetting({ COASTCAST_RETENTION_DAYS: '0' })).toBe(0);
    expect(retentionDaysSetting({ COASTCAST_RETENTION_DAYS: '7' })).toBe(7);
    expect(() => retentionDaysSetting({ COASTCAST_RETENTION_DAYS: '1.5' })).toThrow('COASTCAST_RETENTION_DAYS=1.5: not a whole number of days');
    expect(() => retentionDaysSetting({ COASTCAST_RETENTION_DAYS: '-3' })).toThrow('COASTCAST_RETENTION_DAYS=-3');
  });
});

describe('the retention schedule', () => {
  it('exists after the start-up sync, and triggering it runs the sweep', async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const server = await startDevServer();
    const dataDir = join(root, 'scheduled');
    const catalog = openCatalog(dataDir);
    const worker = await startCycleWorker(server, { dataDir, catalog, workflowBundle: await bundleWorkflows(), retentionDays: 30 });
    try {
      await catalog.createSite(exampleSite('estuary'), join(root, 'small.gr3'));
      const old = await cycleWithRun(catalog, join(dataDir, 'runs'), 'estuary', 40, 'failed');
      await cycleWithRun(catalog, join(dataDir, 'runs'), 'estuary', 35, 'completed');

      const client = server.env.client;
      await new TemporalSchedules(client).syncAll(catalog);
      // A second sync (the next start) updates the schedule rather than failing.
      await new TemporalSchedules(client).syncAll(catalog);
      const schedule = client.schedule.getHandle(RETENTION_SCHEDULE_ID);
      const described = await schedule.describe();
      expect(described.action.type).toBe('startWorkflow');
      expect(described.action.type === 'startWorkflow' && described.action.workflowType).toBe('retention');
      expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }] });

      await schedule.trigger();
      const workflowId = await waitFor(async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId);
      const report = (await client.workflow.getHandle(workflowId).result()) as RetentionReport;
      expect(report.pruned.map((p) => p.runDir)).toEqual([old.runDir]);
      expect(await entries(old.runDir)).toEqual(['products', 'run.json']);
    } finally {
      await worker.stop();
      catalog.close();
      await server.stop();
    }
  }, 180_000);
});

async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
