/**
 * The API's CycleControl on Temporal: a cycle is the workflow
 * `forecast:<siteId>:<cycle ISO>`. Starting a cycle that is running joins it
 * (the server refuses a second run with the same id); a finished cycle can be
 * run again.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';

import { forecastCycle, progressQuery } from '../workflows/forecastCycle.js';
import { cycleWorkflowId, type CycleControl, type CycleProgress, type CycleStart } from './api/cycleControl.js';
import { TASK_QUEUE } from './temporal.js';

export class TemporalCycles implements CycleControl {
  constructor(
    private readonly client: Client,
    private readonly taskQueue = TASK_QUEUE,
  ) {}

  async start(siteId: string, cycle: Date): Promise<CycleStart> {
    const workflowId = cycleWorkflowId(siteId, cycle);
    try {
      await this.client.workflow.start(forecastCycle, { taskQueue: this.taskQueue, workflowId, args: [{ siteId, cycle: cycle.toISOString() }] });
      return { workflowId, started: true };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
      throw error;
    }
  }

  async progress(siteId: string, cycle: Date): Promise<CycleProgress | undefined> {
    const handle = this.client.workflow.getHandle(cycleWorkflowId(siteId, cycle));
    try {
      if ((await handle.describe()).status.name !== 'RUNNING') return undefined;
      const { stage, percent, modelPercent, messages } = await handle.query(progressQuery);
      return { stage, percent, modelPercent, messages };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  async cancel(siteId: string, cycle: Date): Promise<boolean> {
    const handle = this.client.workflow.getHandle(cycleWorkflowId(siteId, cycle));
    try {
      if ((await handle.describe()).status.name !== 'RUNNING') return false;
      await handle.cancel();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }
}
