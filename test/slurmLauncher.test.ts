/**
 * Model jobs on a SLURM cluster: a real single-node cluster (slurmctld,
 * slurmd, munged from Debian's packages, test/support/slurmCluster.ts), real
 * model runs submitted with sbatch, followed, re-attached by job id after the
 * worker was killed, cancelled with scancel, and the end states SLURM gives
 * a job that could not record its own.
 */
import { ApplicationFailure, CancelledFailure, ActivityCancellationDetails } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SlurmLauncher, type SlurmJobRecord, type SlurmResource } from '../activities/jobs/slurm.js';
import { modelJobActivity, type ModelJobInput, type ModelJobProgress, type ModelJobResult } from '../activities/modelJob.js';
import { modelProcesses, slurmJobState, startSlurmCluster, type SlurmCluster } from './support/slurmCluster.js';
import { TIDAL_BAY_DT, writeTidalBay } from './support/tidalBay.js';
import { killWorkerMidJob } from './support/killedWorker.js';
import { until } from './support/until.js';


let cluster: SlurmCluster;
beforeAll(async () => {
  cluster = await startSlurmCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const dt = TIDAL_BAY_DT;

async function runDirectory(name: string, rnday: number): Promise<string> {
  const dir = join(cluster.dir, 'runs', name);
  await writeTidalBay(dir, rnday);
  return dir;
}

function attempt(runDir: string, resource: Partial<SlurmResource> = {}) {
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const beats: ModelJobProgress[] = [];
  env.on('heartbeat', (details: ModelJobProgress) => beats.push(details));
  const activity = modelJobActivity(new SlurmLauncher({ type: 'slurm', partition: cluster.partition, ...resource }));
  const result = env.run<[ModelJobInput], ModelJobResult, typeof activity>(activity, { runDir });
  result.catch(() => undefined);
  return { env, beats, result };
}

const record = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'job.json'), 'utf8')) as SlurmJobRecord;
const starts = (runDir: string) => readFileSync(join(runDir, 'model.log'), 'utf8').split('\n').filter((line) => line.includes('"event":"start"'));

describe('model jobs through sbatch on a SLURM cluster', () => {
  it('submits the job held, records its id, releases it and follows it to the end', async () => {
    const dir = await runDirectory('slurm-success', 0.25);
    const { beats, result } = attempt(dir, { timeLimit: '00:10:00', setup: ['echo "setup on $(hostname)" >&2'], environment: { COASTCAST_JOB: 'slurm test' } });
    const outcome = await result;
    const job = record(dir);
    expect(job).toMatchObject({ scheduler: 'slurm', script: 'model.sbatch', logOffset: 0, errOffset: 0 });
    expect(outcome.reattached).toBe(false);
    expect(outcome.summary.steps).toBe((0.25 * 86400) / dt);
    expect(slurmJobState(job.jobId)).toBe('COMPLETED');
    const script = readFileSync(join(dir, 'model.sbatch'), 'utf8');
    expect(script).toContain(`#SBATCH --partition=${cluster.partition}`);
    expect(script).toContain('#SBATCH --time=00:10:00');
    expect(script).toContain("export COASTCAST_JOB='slurm test'");
    expect(readFileSync(join(dir, 'model.err'), 'utf8')).toMatch(/^setup on /);
    expect(readFileSync(join(dir, 'model.exit'), 'utf8').trim()).toBe('0');
    expect(beats.every((b) => b.pid === job.jobId)).toBe(true);
    expect(beats.at(-1)).toMatchObject({ percent: 100 });
    expect(await readdir(join(dir, 'outputs'))).toEqual(expect.arrayContaining(['out2d_1.nc', 'hotstart.nc']));
  }, 240_000);

  it('cancelled by the workflow: scancel ends the job and its model process, the cancellation is rethrown', async () => {
    const dir = await runDirectory('slurm-cancel', 1);
    const { env, beats, result } = attempt(dir);
    await until('progress', () => beats.some((b) => b.simulated_s > 0) || undefined);
    expect(modelProcesses(dir)).toHaveLength(1);
    env.cancel();
    await expect(result).rejects.toBeInstanceOf(CancelledFailure);
    expect(slurmJobState(record(dir).jobId)).toBe('CANCELLED');
    await until('the model process to end', () => modelProcesses(dir).length === 0 || undefined, 10_000);
    expect(existsSync(join(dir, 'model.exit'))).toBe(false);
  }, 240_000);

  it('re-attaches by job id after the worker was SIGKILLed: the same job, one start in the log, the full result', async () => {
    const dir = await runDirectory('slurm-reattach', 1);
    expect(await killWorkerMidJob(dir, { partition: cluster.partition, env: cluster.env })).toBe('SIGKILL');
    const job = record(dir);
    expect(slurmJobState(job.jobId)).toBe('RUNNING');
    const { beats, result } = attempt(dir);
    const outcome = await result;
    expect(outcome.reattached).toBe(true);
    expect(outcome.summary.steps).toBe(86400 / dt);
    expect(record(dir).jobId).toBe(job.jobId);
    expect(starts(dir)).toHaveLength(1);
    expect(beats.every((b) => b.pid === job.jobId)).toBe(true);
    expect(slurmJobState(job.jobId)).toBe('COMPLETED');
  }, 240_000);

  it('a job cancelled on the cluster by someone else: a final failure that says so, with its JobState', async () => {
    const dir = await runDirectory('slurm-outside', 1);
    const { beats, result } = attempt(dir);
    await until('progress', () => beats.some((b) => b.simulated_s > 0) || undefined);
    execFileSync('scancel', [String(record(dir).jobId)]);
    const failure = await result.then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ModelJobEnded', nonRetryable: true });
    expect((failure as Error).message).toMatch(/SLURM job \d+ was cancelled on the cluster, not by coastcast .*\(JobState CANCELLED\)/);
  }, 240_000);

  it('a batch script that fails before the model (a setup line): retryable, with its JobState FAILED', async () => {
    const dir = await runDirectory('slurm-setup', 0.25);
    const failure = await attempt(dir, { setup: ['module load no-such-module 2>/dev/null || exit 7'] }).result.then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ModelJobEnded', nonRetryable: false });
    expect((failure as Error).message).toMatch(/failed before the model could record its exit status .*\(JobState FAILED\)/);
    expect(starts(dir)).toHaveLength(0);
  }, 240_000);
});
