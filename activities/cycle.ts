/**
 * The activities of workflows/forecastCycle.ts, bound to one data directory
 * and catalog. Each is one step of the cycle and safe to retry: the catalog
 * records are upserts, the run directory and products are built aside and
 * renamed, and the model job re-attaches to a job still running.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { meshCrs } from '../core/crs.js';
import { WAVE_FORCING_FIELDS, type Site, type SiteForcing } from '../core/site.js';
import { SiteNotFoundError, type Catalog, type SiteRecord } from './catalog.js';
import { newestEarlierForcing } from './forcing/fallback.js';
import { createForcingSource, type BoundingBox, type ForcingKind } from './forcing/source.js';
import { modelJobActivity, type ModelJobInput, type ModelJobOptions, type ModelJobProgress, type ModelJobResult } from './modelJob.js';
import type { ModelJobLauncher } from './jobs/launcher.js';
import { LocalProcessLauncher } from './jobs/localProcess.js';
import { localOnly, type ComputeResource } from './jobs/resources.js';
import { noSchismInstallation } from './jobs/modelProgram.js';
import { deliverAlerts, type NotifyReport, type NotifyRequest } from './notify/delivery.js';
import type { SmtpSettings } from './notify/email.js';
import { postProcess, type ProductsSummary } from './postProcess.js';
import { chooseRunStart, forcingCacheDirFor, prepareRun, runDirFor, type PreparedRun, type RunForcing, type RunRecord } from './prepareRun.js';

const HOUR_MS = 3_600_000;

/** The fields each kind of forcing must deliver, by our names. */
const FORCING_VARIABLES: Partial<Record<ForcingKind, string[]>> = { atmosphere: ['uwind', 'vwind', 'prmsl'], waves: [...WAVE_FORCING_FIELDS] };

/** Degrees added around the mesh so that interpolation at its edge has grid points on both sides. */
const FORCING_MARGIN_DEG = 0.25;

export interface ForcingFetch {
  siteId: string;
  cycle: string;
  kind: ForcingKind;
  source: SiteForcing;
  bbox: BoundingBox;
  start: string;
  end: string;
}

export interface FetchedForcing extends RunForcing {
  kind: ForcingKind;
}

/** What a cycle uses in place of a forcing that missed its deadline: an earlier cycle's, or nothing. */
export interface ForcingFallback {
  /** The earlier cycle's forcing, when one covers this cycle's run. */
  forcing?: FetchedForcing;
  /** The cycle it was fetched for, ISO 8601. */
  fromCycle?: string;
  /** The period the run needs it for, ISO 8601. */
  start: string;
  end: string;
}

export interface CycleSnapshot {
  /** The site as it was when the cycle began: later edits do not change a running cycle. */
  record: SiteRecord;
  /** The forcings the run can use, to fetch. */
  forcings: ForcingFetch[];
}

export interface StageTiming {
  stage: string;
  startedAt: string;
  finishedAt: string | null;
}

/** summary.json: what the cycle did, for the web app, the API and the record. */
export interface CycleSummary {
  siteId: string;
  cycle: string;
  runDir: string;
  /** Forcings that fell back or were left out. */
  degraded: string[];
  /** Why, one line per forcing in `degraded` (e.g. "atmosphere: deadline … passed (…); using the forcing of cycle …"). */
  degradedReasons?: string[];
  stages: StageTiming[];
  run: PreparedRun;
  model: ModelJobResult;
  products: ProductsSummary;
  messages: string[];
}

export interface CycleActivityOptions {
  dataDir: string;
  catalog: Catalog;
  /** Where model jobs run; this machine's processes by default. */
  launcher?: ModelJobLauncher;
  /** Threads of each model job. */
  modelThreads?: number;
  /** Tells the cycle's workflow how far the model got (percent); the worker sends it as a signal. */
  reportModelProgress?: (workflowId: string, percent: number) => Promise<void>;
  /** The installation's SMTP server for alert e-mail; without it, sites that ask for e-mail get a failed delivery. */
  smtp?: SmtpSettings;
  /** The installation's compute resources (COASTCAST_RESOURCES): a SCHISM site's run is prepared for its resource's SCHISM build. */
  resources?: Record<string, ComputeResource>;
}

/** Between heartbeats of a forcing fetch: well inside the workflow's heartbeat timeout for it. */
const FORCING_HEARTBEAT_MS = 2_000;

/** Wall seconds between model progress reports to the workflow: each is an event in its history. */
const MODEL_REPORT_INTERVAL_MS = 5_000;

export function createCycleActivities(options: CycleActivityOptions) {
  const { dataDir, catalog } = options;
  const resources = options.resources ?? localOnly();
  const schismInstallation = ({ config }: SiteRecord) => {
    const installation = resources[config.model.resource]?.schism;
    if (installation === undefined) throw new Error(`site ${config.id} runs SCHISM, but ${noSchismInstallation(config.model.resource)}`);
    return installation;
  };
  const runModel = modelJobActivity(options.launcher ?? new LocalProcessLauncher(), { onProgress: modelProgressReporter(options), onJob: modelJobRecorder(catalog) });

  return {
    /** Snapshots the site and marks the cycle running. */
    async beginCycle({ siteId, cycle }: { siteId: string; cycle: string }): Promise<CycleSnapshot> {
      const when = cycleTime(cycle);
      let record: SiteRecord;
      try {
        record = catalog.getSite(siteId);
      } catch (error) {
        if (error instanceof SiteNotFoundError) throw ApplicationFailure.nonRetryable(error.message, 'SiteNotFound');
        throw error;
      }
      catalog.recordCycle(siteId, when, { status: 'running', stage: 'forcings', progress: 0, startedAt: new Date(), finishedAt: null, error: null, runDir: runDirFor(dataDir, siteId, when) });
      return { record, forcings: forcingFetches(record, when) };
    },

    /**
     * One forcing into the cycle's cache, validated. It heartbeats so that a
     * cancellation (the cycle's, or its forcing deadline's) reaches the
     * request under way and stops it.
     */
    async fetchForcing(request: ForcingFetch): Promise<FetchedForcing> {
      const context = Context.current();
      const source = createForcingSource(request.source);
      const cacheDir = forcingCacheDirFor(dataDir, request.siteId, cycleTime(request.cycle));
      const heartbeat = setInterval(() => context.heartbeat(), FORCING_HEARTBEAT_MS);
      try {
        const file = await source.fetch(
          { kind: request.kind, variables: FORCING_VARIABLES[request.kind] ?? [], bbox: request.bbox, start: new Date(request.start), end: new Date(request.end) },
          cacheDir,
          context.cancellationSignal,
        );
        return { kind: request.kind, path: file.path, variables: file.variables, origin: source.description };
      } finally {
        clearInterval(heartbeat);
      }
    },

    /**
     * The newest earlier cycle's forcing of the request's kind that covers
     * the period this cycle's run will need: from the cycle time on a hot
     * start, from the spin-up on a cold one (the same choice prepareRun makes).
     */
    async fallbackForcing({ request, site }: { request: ForcingFetch; site: SiteRecord }): Promise<ForcingFallback> {
      const cycle = cycleTime(request.cycle);
      const start = (await chooseRunStart(dataDir, site, cycle)).kind === 'hot' ? cycle : new Date(request.start);
      const period = { start: start.toISOString(), end: request.end };
      const siteRunsDir = dirname(runDirFor(dataDir, request.siteId, cycle));
      const earlier = await newestEarlierForcing(siteRunsDir, cycle, {
        kind: request.kind, variables: FORCING_VARIABLES[request.kind] ?? [], bbox: request.bbox, start, end: new Date(request.end),
      });
      if (!earlier) return period;
      return { ...period, fromCycle: earlier.cycle, forcing: { kind: request.kind, path: earlier.file.path, variables: earlier.file.variables, origin: `${earlier.source} (the forcing of cycle ${earlier.cycle})` } };
    },

    /** Hot-starts from the previous cycle when it can (prepareRun.ts chooseRunStart); the catalog shows how the run started from here on. */
    async prepareRun({ site, cycle, atmosphere, waves }: { site: SiteRecord; cycle: string; atmosphere?: FetchedForcing; waves?: FetchedForcing }): Promise<PreparedRun> {
      try {
        const start = await chooseRunStart(dataDir, site, cycle);
        const forcings = { ...(atmosphere && { atmosphere }), ...(waves && { waves }) };
        const run = await prepareRun({ dataDir, site, cycle, forcings, start, ...(site.config.model.engine === 'schism' && { schismParam: schismInstallation(site).param }) });
        catalog.updateCycle(site.config.id, cycle, { summary: { initialState: run.initialState } });
        return run;
      } catch (error) {
        // A system error (disk full, a permission) may pass; anything else is the site's inputs, which a retry cannot change.
        if (error instanceof Error && !('code' in error)) throw ApplicationFailure.nonRetryable(error.message, 'RunPreparationError');
        throw error;
      }
    },

    async runModelJob(input: ModelJobInput): Promise<ModelJobResult> {
      return runModel({ threads: options.modelThreads, ...input });
    },

    async postProcess({ runDir, site, cycle }: { runDir: string; site: Site; cycle: string }): Promise<ProductsSummary> {
      const context = Context.current();
      return postProcess({ runDir, site, cycle, onProgress: (done, total) => context.heartbeat({ done, total }) });
    },

    /** Writes products/summary.json and marks the cycle completed: the site's latest forecast moves to it. */
    async publishCycle(summary: CycleSummary): Promise<void> {
      const target = join(summary.runDir, 'products', 'summary.json');
      await writeFile(`${target}.partial`, `${JSON.stringify(summary, null, 2)}\n`);
      await rename(`${target}.partial`, target);
      catalog.updateCycle(summary.siteId, summary.cycle, {
        status: 'completed',
        stage: 'completed',
        progress: 1,
        finishedAt: new Date(),
        degraded: summary.degraded,
        summary: {
          alerts: summary.products.alerts,
          stations: summary.products.stations,
          flood: summary.products.flood.max,
          degraded: summary.degraded,
          ...(summary.degradedReasons && { degradedReasons: summary.degradedReasons }),
          initialState: summary.run.initialState,
          modelJob: (catalog.getCycle(summary.siteId, summary.cycle).summary as { modelJob?: unknown } | null)?.modelJob,
        },
      });
    },

    /**
     * Sends the cycle's alerts to the site's webhooks and e-mail, skipping
     * what an earlier attempt delivered; fails (to be retried) while any
     * delivery fails.
     */
    async notifyAlerts(request: NotifyRequest): Promise<NotifyReport> {
      const report = await deliverAlerts(request, { catalog, smtp: options.smtp });
      if (report.failures.length > 0) throw new Error(`${report.failures.length} alert deliveries failed (${report.sent} sent now, ${report.alreadySent} before): ${report.failures.join('; ')}`);
      return report;
    },

    async endCycle({ siteId, cycle, status, stage, error }: { siteId: string; cycle: string; status: 'failed' | 'cancelled'; stage: string; error: string }): Promise<void> {
      try {
        catalog.recordCycle(siteId, cycleTime(cycle), { status, stage, error, finishedAt: new Date() });
      } catch (failure) {
        // A cycle of a site that does not exist (any more) has nothing to record.
        if (!(failure instanceof SiteNotFoundError)) throw failure;
      }
    },
  };
}

export type CycleActivities = ReturnType<typeof createCycleActivities>;

function cycleTime(cycle: string): Date {
  const when = new Date(cycle);
  if (Number.isNaN(when.getTime())) throw ApplicationFailure.nonRetryable(`cycle "${cycle}" is not a time (ISO 8601 expected)`, 'RunPreparationError');
  return when;
}

/**
 * The forcings the built-in model can take today; the ocean residual is left
 * to a later issue. A constant sea state is in the site config itself, so
 * there is nothing to fetch for it.
 */
function forcingFetches(record: SiteRecord, cycle: Date): ForcingFetch[] {
  const site = record.config;
  const { spinUpHours, forecastHours } = site.schedule;
  const fetches: ForcingFetch[] = [];
  for (const kind of Object.keys(FORCING_VARIABLES) as ForcingKind[]) {
    const source = site.forcings[kind];
    if (!source || source.type === 'constant') continue;
    fetches.push({
      siteId: site.id,
      cycle: cycle.toISOString(),
      kind,
      source,
      bbox: meshBox(record),
      start: new Date(cycle.getTime() - spinUpHours * HOUR_MS).toISOString(),
      end: new Date(cycle.getTime() + forecastHours * HOUR_MS).toISOString(),
    });
  }
  return fetches;
}

function meshBox(record: SiteRecord): BoundingBox {
  const crs = meshCrs(record.config.coordinates);
  const { x, y } = record.mesh.stats.bounds;
  const corners = [[x.min, y.min], [x.min, y.max], [x.max, y.min], [x.max, y.max]].map(([cx, cy]) => crs.toLonLat(cx, cy));
  return {
    west: Math.max(-180, Math.min(...corners.map(([lon]) => lon)) - FORCING_MARGIN_DEG),
    east: Math.min(360, Math.max(...corners.map(([lon]) => lon)) + FORCING_MARGIN_DEG),
    south: Math.max(-90, Math.min(...corners.map(([, lat]) => lat)) - FORCING_MARGIN_DEG),
    north: Math.min(90, Math.max(...corners.map(([, lat]) => lat)) + FORCING_MARGIN_DEG),
  };
}

/** The model job's id (a process, or a batch system's job) in the cycle's catalog summary, beside how the run started, so that operators find it on the resource. */
function modelJobRecorder(catalog: Catalog): NonNullable<ModelJobOptions['onJob']> {
  return async (runDir, job) => {
    try {
      const run = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as RunRecord;
      const { id: siteId, model } = run.inputs.site;
      const summary = catalog.getCycle(siteId, run.inputs.cycle).summary as Record<string, unknown> | null;
      catalog.updateCycle(siteId, run.inputs.cycle, { summary: { ...summary, modelJob: { resource: model.resource, id: job.id, startedAt: job.startedAt.toISOString() } } });
    } catch (error) {
      // A run prepared outside a cycle has no catalog entry; the record is for people, and must never fail the job.
      Context.current().log.warn('model job not recorded in the catalog', { runDir, error: (error as Error).message });
    }
  };
}

function modelProgressReporter(options: CycleActivityOptions): ((progress: ModelJobProgress) => void) | undefined {
  const report = options.reportModelProgress;
  if (!report) return undefined;
  let last = -Infinity;
  return (progress) => {
    const percent = progress.percent;
    if (percent === null || (Date.now() - last < MODEL_REPORT_INTERVAL_MS && percent < 100)) return;
    last = Date.now();
    const workflowId = Context.current().info.workflowExecution?.workflowId;
    // A lost report only delays the progress bar; it must never fail the model step.
    if (workflowId !== undefined) report(workflowId, percent).catch(() => {});
  };
}
