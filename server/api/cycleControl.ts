/**
 * What the API needs from whatever runs forecast cycles: start one (or join
 * the run already under way), ask how far it got, stop it. The Temporal
 * implementation maps each cycle to one workflow; the API never sees Temporal.
 */

/** Live progress of a running cycle, as its workflow reports it. */
export interface CycleProgress {
  stage: string;
  /** 0..100 */
  percent: number;
  /** 0..100, null before the model job starts. */
  modelPercent: number | null;
  messages: string[];
}

export interface CycleStart {
  workflowId: string;
  /** False when the cycle was already running: the caller joined that run instead of starting a second one. */
  started: boolean;
}

export interface CycleControl {
  start(siteId: string, cycle: Date): Promise<CycleStart>;
  /** Undefined when the cycle is not running. */
  progress(siteId: string, cycle: Date): Promise<CycleProgress | undefined>;
  /** Asks a running cycle to stop; false when it was not running. */
  cancel(siteId: string, cycle: Date): Promise<boolean>;
}

/** One workflow per site and cycle: the id is what makes a second start join the first. */
export function cycleWorkflowId(siteId: string, cycle: Date): string {
  return `forecast:${siteId}:${cycle.toISOString()}`;
}
