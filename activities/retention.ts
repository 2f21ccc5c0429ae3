/**
 * Retention: a run directory whose cycle is older than the retention period
 * loses everything but its `products/` (what the API and web app serve) and
 * `run.json` (its provenance); the catalog row and its summary stay, so an old
 * cycle is still listed and viewed. Model inputs, outputs and logs, the bulk
 * of a run, go.
 *
 * Never touched: cycles still scheduled or running, and each site's latest
 * completed cycle (the one the app shows first and the next cycle hot-starts
 * from), however old.
 */
import { log } from '@temporalio/activity';
import { readdir, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { isInside, type Catalog, type CycleStatus } from './catalog.js';

/** What a swept run directory keeps. */
export const KEPT_IN_OLD_RUNS = ['products', 'run.json'];

export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
/** Statuses of cycles that have ended, the only ones whose run directory may be swept. */
const ENDED: CycleStatus[] = ['completed', 'failed', 'cancelled'];

export interface RetentionOptions {
  dataDir: string;
  catalog: Catalog;
  /** Days a run directory is kept whole; 0 keeps every run whole. */
  retentionDays: number;
}

export interface PrunedRun {
  siteId: string;
  cycle: string;
  runDir: string;
  /** Names of the entries removed from the run directory. */
  removed: string[];
}

export interface RetentionReport {
  retentionDays: number;
  /** Cycles before this time were swept; null when retention is off. */
  cutoff: string | null;
  pruned: PrunedRun[];
}

/** `COASTCAST_RETENTION_DAYS`: a whole number of days, 0 to keep everything. */
export function retentionDaysSetting(env: NodeJS.ProcessEnv): number {
  const value = env.COASTCAST_RETENTION_DAYS;
  if (value === undefined || value === '') return DEFAULT_RETENTION_DAYS;
  if (!/^\d+$/.test(value)) throw new Error(`COASTCAST_RETENTION_DAYS=${value}: not a whole number of days (0 keeps every run)`);
  return Number(value);
}

export function createRetentionActivities({ dataDir, catalog, retentionDays }: RetentionOptions) {
  return {
    async sweepRunDirectories(): Promise<RetentionReport> {
      if (retentionDays === 0) return { retentionDays, cutoff: null, pruned: [] };
      const cutoff = new Date(Date.now() - retentionDays * DAY_MS).toISOString();
      const pruned: PrunedRun[] = [];
      for (const { id: siteId } of catalog.listSites()) {
        const latestCompleted = catalog.latestCycle(siteId, { status: 'completed' })?.cycle;
        for (const cycle of catalog.listCycles(siteId, { limit: Number.MAX_SAFE_INTEGER })) {
          // Cycle times are ISO UTC with milliseconds: they compare as strings.
          if (cycle.cycle >= cutoff || cycle.cycle === latestCompleted || !ENDED.includes(cycle.status) || cycle.runDir === null) continue;
          const runDir = resolve(dataDir, cycle.runDir);
          // A run directory outside the data directory was not made by coastcast.
          if (!isInside(dataDir, runDir) || !(await stat(runDir).catch(() => undefined))?.isDirectory()) continue;
          const removed = (await readdir(runDir)).filter((name) => !KEPT_IN_OLD_RUNS.includes(name)).sort();
          if (removed.length === 0) continue;
          for (const name of removed) await rm(resolve(runDir, name), { recursive: true, force: true });
          log.info('retention: removed the model files of an old run', { siteId, cycle: cycle.cycle, runDir, removed });
          pruned.push({ siteId, cycle: cycle.cycle, runDir, removed });
        }
      }
      log.info('retention: sweep done', { retentionDays, cutoff, runs: pruned.length });
      return { retentionDays, cutoff, pruned };
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
