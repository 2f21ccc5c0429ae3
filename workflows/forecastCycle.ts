/**
 * One forecast cycle of one site (ARCHITECTURE.md, "The forecast cycle"):
 * snapshot → forcings in parallel → run directory → model job →
 * post-processing (products, flood extents and alerts in one pass over the
 * model output) → publish → alert notifications. The workflow id `forecast:<siteId>:<cycle ISO>`
 * makes a second start of the same cycle join the running one.
 *
 * Deterministic: time comes from the workflow clock, everything with side
 * effects is an activity, and only activity types are imported.
 */
import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';

import type { CycleActivities, CycleSummary, ForcingFetch, StageTiming } from '../activities/cycle.js';

/** Errors that retrying cannot fix: the input is wrong, or the model blew up on it. */
const BAD_INPUT = ['SiteNotFound', 'RunPreparationError', 'ModelBadInput', 'ModelBlowUp', 'ProductsError'];

const quick = proxyActivities<CycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 10, nonRetryableErrorTypes: BAD_INPUT },
});

/** Forcing sources retry their own HTTP requests; these attempts are for what outlives those (a server down for minutes). */
const forcing = proxyActivities<CycleActivities>({
  startToCloseTimeout: '20 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 2, nonRetryableErrorTypes: BAD_INPUT },
});

const preparation = proxyActivities<CycleActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: BAD_INPUT },
});

/**
 * The model job heartbeats every few seconds: a worker that dies is noticed
 * within the heartbeat timeout and the next attempt re-attaches to the job,
 * which runs on as its own process.
 */
const model = proxyActivities<CycleActivities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: BAD_INPUT },
});

const postProcessing = proxyActivities<CycleActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: BAD_INPUT },
});

/**
 * A receiver that is down is tried again for about a minute; each attempt
 * skips the deliveries an earlier one made (activities/notify/delivery.ts).
 */
const notification = proxyActivities<CycleActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
});

export interface ForecastCycleInput {
  siteId: string;
  /** The cycle time, ISO 8601 UTC. */
  cycle: string;
}

export const STAGES = ['snapshot', 'forcings', 'prepare', 'model', 'post-process', 'publish', 'completed'] as const;
export type Stage = (typeof STAGES)[number] | 'failed' | 'cancelled';

export interface ForecastProgress {
  stage: Stage;
  /** Of the whole cycle, 0..100: each stage's share, the model's by its own progress. */
  percent: number;
  /** The model job's own progress, 0..100; null before it starts. */
  modelPercent: number | null;
  /** What happened that a user should know: fallbacks, retries, the failure. */
  messages: string[];
}

export const progressQuery = defineQuery<ForecastProgress>('progress');
/** Sent by the model-job activity as the model advances (percent of the simulated time). */
export const modelProgressSignal = defineSignal<[number]>('modelProgress');

/** Share of the cycle's wall time each stage usually takes, for a percent that moves evenly. */
const STAGE_SPAN: Record<(typeof STAGES)[number], [number, number]> = {
  snapshot: [0, 2],
  forcings: [2, 8],
  prepare: [8, 10],
  model: [10, 90],
  'post-process': [90, 98],
  publish: [98, 100],
  completed: [100, 100],
};

export async function forecastCycle(input: ForecastCycleInput): Promise<CycleSummary> {
  const progress: ForecastProgress = { stage: 'snapshot', percent: 0, modelPercent: null, messages: [] };
  setHandler(progressQuery, () => progress);
  setHandler(modelProgressSignal, (percent) => {
    progress.modelPercent = Math.max(progress.modelPercent ?? 0, Math.min(100, percent));
    if (progress.stage === 'model') progress.percent = at('model', progress.modelPercent);
  });

  const stages: StageTiming[] = [];
  const enter = (stage: (typeof STAGES)[number]) => {
    const now = new Date().toISOString();
    const last = stages.at(-1);
    if (last) last.finishedAt = now;
    if (stage !== 'completed') stages.push({ stage, startedAt: now, finishedAt: null });
    progress.stage = stage;
    progress.percent = at(stage, 0);
  };

  const { siteId, cycle } = input;
  try {
    enter('snapshot');
    const site = await quick.beginCycle({ siteId, cycle });

    enter('forcings');
    const degraded: string[] = [];
    const fetched = await Promise.all(site.forcings.map(async (request: ForcingFetch) => {
      try {
        return await forcing.fetchForcing(request);
      } catch (error) {
        if (isCancellation(error)) throw error;
        degraded.push(request.kind);
        progress.messages.push(`${request.kind} forcing unavailable, the cycle runs without it: ${causeOf(error)}`);
        return undefined;
      }
    }));

    enter('prepare');
    const atmosphere = fetched.find((f) => f?.kind === 'atmosphere');
    const run = await preparation.prepareRun({ site: site.record, cycle, atmosphere });
    for (const { forcing: name, reason } of run.omitted) {
      if (!degraded.includes(name)) degraded.push(name);
      progress.messages.push(`${name} forcing left out of the run: ${reason}`);
    }

    enter('model');
    const job = await model.runModelJob({ runDir: run.runDir });
    if (job.reattached) progress.messages.push('the model job was followed to its end after a worker restart');

    enter('post-process');
    const products = await postProcessing.postProcess({ runDir: run.runDir, site: site.record.config, cycle });

    enter('publish');
    const summary: CycleSummary = { siteId, cycle, runDir: run.runDir, degraded, stages, run, model: job, products, messages: progress.messages };
    await quick.publishCycle(summary);
    // Cycles recorded before notifications existed replay without this step.
    if (patched('notify-alerts') && products.alerts.length > 0 && site.record.config.notifications) {
      try {
        const { config } = site.record;
        await notification.notifyAlerts({ site: { id: siteId, name: config.name }, cycle, alerts: products.alerts, notifications: config.notifications });
      } catch (error) {
        // The forecast is published: notifications that could not be delivered (or were cancelled) are reported, not a failed cycle.
        progress.messages.push(`alert notifications ${isCancellation(error) ? 'cancelled' : 'failed'}: ${causeOf(error)}`);
      }
    }
    enter('completed');
    return summary;
  } catch (error) {
    const cancelled = isCancellation(error);
    progress.messages.push(cancelled ? 'cancelled' : `failed in ${progress.stage}: ${causeOf(error)}`);
    const failedIn = progress.stage;
    progress.stage = cancelled ? 'cancelled' : 'failed';
    // Recorded even when the workflow was cancelled, so the catalog never shows a dead cycle as running.
    await CancellationScope.nonCancellable(() =>
      quick.endCycle({ siteId, cycle, status: cancelled ? 'cancelled' : 'failed', stage: failedIn, error: causeOf(error) }),
    );
    throw error;
  }
}

function at(stage: (typeof STAGES)[number], percentOfStage: number): number {
  const [from, to] = STAGE_SPAN[stage];
  return Math.round(10 * (from + ((to - from) * percentOfStage) / 100)) / 10;
}

/** The innermost message: an activity failure wraps the error the activity threw. */
function causeOf(error: unknown): string {
  let e: unknown = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (e instanceof ApplicationFailure || e instanceof Error) return e.message;
  return String(e);
}
