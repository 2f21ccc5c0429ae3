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
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

import type { CycleActivities, CycleSummary, FetchedForcing, ForcingFetch, StageTiming } from '../activities/cycle.js';

const HOUR_MS = 3_600_000;
/** Waits between attempts at a late forcing (fetchByDeadline). */
const FORCING_WAIT_FIRST_MS = 60_000;
const FORCING_WAIT_MAX_MS = 30 * 60_000;

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

/**
 * One attempt at a forcing before its deadline: fetchByDeadline does the
 * retrying, with waits it reports, and cancels an attempt the deadline
 * overtakes; the heartbeat brings that cancellation (or a worker's death) to
 * the attempt within seconds.
 */
const forcingAttempt = proxyActivities<CycleActivities>({
  startToCloseTimeout: '20 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
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
const MODEL_JOB = {
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: BAD_INPUT },
} as const;
const model = proxyActivities<CycleActivities>(MODEL_JOB);

/** The task queue of a compute resource's model jobs, served by workers that can reach it (activities/jobs/resources.ts). */
export function modelTaskQueue(cycleTaskQueue: string, resource: string): string {
  return `${cycleTaskQueue}-model-${resource}`;
}

function modelOn(resource: string) {
  // Model workers take their tasks at once (they run jobs outside the worker): a task left waiting means no worker serves the resource.
  return proxyActivities<CycleActivities>({ ...MODEL_JOB, taskQueue: modelTaskQueue(workflowInfo().taskQueue, resource), scheduleToStartTimeout: '5 minutes' });
}

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
    const degradedReasons: string[] = [];
    // Cycles recorded before deadlines existed fetched each forcing once and replay that way.
    const byDeadline = patched('forcing-deadline');
    const fetched = await Promise.all(site.forcings.map(async (request: ForcingFetch) => {
      if (byDeadline) {
        const outcome = await fetchByDeadline(request, progress.messages);
        if ('fetched' in outcome) return outcome.fetched;
        const fallback = await quick.fallbackForcing({ request, site: site.record });
        const reason = `${outcome.missed}; ${fallback.forcing ? `using the forcing of cycle ${stamp(fallback.fromCycle!)}` : `none covers the period ${stamp(fallback.start)} to ${stamp(fallback.end)}, running without it`}`;
        degraded.push(request.kind);
        degradedReasons.push(reason);
        progress.messages.push(reason);
        return fallback.forcing;
      }
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
    const waves = fetched.find((f) => f?.kind === 'waves');
    const run = await preparation.prepareRun({ site: site.record, cycle, atmosphere, waves });
    for (const { forcing: name, reason } of run.omitted) {
      if (!degraded.includes(name)) degraded.push(name);
      progress.messages.push(`${name} forcing left out of the run: ${reason}`);
      if (byDeadline) degradedReasons.push(`${name}: left out of the run: ${reason}`);
    }

    enter('model');
    // Cycles recorded before compute resources existed ran the model on the workflow's own queue.
    const modelJob = patched('model-task-queue') ? modelOn(site.record.config.model.resource) : model;
    const job = await modelJob.runModelJob({ runDir: run.runDir });
    if (job.reattached) progress.messages.push('the model job was followed to its end after a worker restart');

    enter('post-process');
    const products = await postProcessing.postProcess({ runDir: run.runDir, site: site.record.config, cycle });

    enter('publish');
    const summary: CycleSummary = {
      siteId, cycle, runDir: run.runDir, degraded, ...(byDeadline && { degradedReasons }), stages, run, model: job, products, messages: progress.messages,
    };
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

/**
 * Fetches a forcing until it arrives or its deadline (cycle time +
 * deadlineHours, on the workflow clock) passes. Between attempts the
 * workflow sleeps on a durable timer, so a worker restart does not lose the
 * wait: a minute at first (or a tenth of the time left, when the deadline is
 * close, so that a short window still sees several attempts), doubling up
 * to FORCING_WAIT_MAX_MS; when the next attempt would come after the
 * deadline, the wait is for the deadline. An attempt still running at the
 * deadline is cancelled: the cycle does not wait beyond it. A cycle
 * started after its deadline (a backfill) gets a single fetch.
 */
async function fetchByDeadline(request: ForcingFetch, messages: string[]): Promise<{ fetched: FetchedForcing } | { missed: string }> {
  const deadline = Date.parse(request.cycle) + request.source.deadlineHours * HOUR_MS;
  let wait: number | undefined;
  for (;;) {
    let failure: string;
    try {
      // A cycle started after its deadline (a backfill) still gets one fetch, with the activity's own retries.
      const left = deadline - Date.now();
      return { fetched: left > 0 ? await CancellationScope.withTimeout(left, () => forcingAttempt.fetchForcing(request)) : await forcing.fetchForcing(request) };
    } catch (error) {
      // The workflow's own cancellation ends the cycle; the deadline's ends only the attempt.
      if (isCancellation(error) && CancellationScope.current().consideredCancelled) throw error;
      failure = isCancellation(error) ? 'still no answer' : causeOf(error);
    }
    const missed = { missed: `${request.kind}: deadline ${stamp(deadline)} passed (${failure})` };
    const now = Date.now();
    if (now >= deadline) return missed;
    wait = wait === undefined ? Math.min(FORCING_WAIT_FIRST_MS, (deadline - now) / 10) : Math.min(2 * wait, FORCING_WAIT_MAX_MS);
    if (now + wait >= deadline) {
      // The cycle keeps to its deadline: it falls back then, not earlier.
      messages.push(`${request.kind}: ${failure}; no time for another attempt before the deadline ${stamp(deadline)}, falling back then`);
      await sleep(deadline - now);
      return missed;
    }
    messages.push(`${request.kind}: ${failure}; trying again at ${stamp(now + wait)}, deadline ${stamp(deadline)}`);
    await sleep(wait);
  }
}

/** Minutes precision is what a reader needs of a cycle or deadline; seconds when there are any. */
function stamp(time: string | number): string {
  const iso = new Date(time).toISOString();
  return iso.endsWith(':00.000Z') ? `${iso.slice(0, 16)}Z` : `${iso.slice(0, 19)}Z`;
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
