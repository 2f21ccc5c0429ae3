/**
 * The end states a SLURM cluster gives a model job it ends itself, produced
 * for real on a single-node cluster (test/support/slurmCluster.ts) and
 * checked through what the model-job activity reports: its time limit
 * (TIMEOUT), the loss of its node (NODE_FAIL), its memory (OUT_OF_MEMORY) and
 * a job of a higher-priority partition (PREEMPTED). CANCELLED and FAILED are
 * in test/slurmLauncher.test.ts.
 *
 * The tests run one after the other: the node has 2 CPUs, a node failure
 * ends every job on it, and preemption needs the node full. The whole file
 * takes about 90 s, 80 s of it the time-limit test (SLURM checks time
 * limits every 30 s or so, so a one-minute job ends 60–90 s after it started).
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SlurmLauncher, type SlurmJobRecord, type SlurmResource } from '../activities/jobs/slurm.js';
import { modelJobActivity, type ModelJobInput, type ModelJobProgress, type ModelJobResult } from '../activities/modelJob.js';
import { modelProcesses, slurmJobState, startSlurmCluster, type SlurmCluster } from './support/slurmCluster.js';
import { writeTidalBay } from './support/tidalBay.js';
import { until } from './support/until.js';

/**
 * A partition whose jobs get 10 MB unless they ask for more: far less than
 * the model's Node.js process needs. Even the small tidal bay has 30–35 MB
 * charged to its cgroup, too close to cgroups' usual least (30 MB) to be sure
 * to go over it: with a 30 MB limit it ran to the end.
 */
const SMALL_MEMORY = { name: 'coastcast-small', megabytesPerCpu: 10 };
const URGENT = 'coastcast-urgent';

let cluster: SlurmCluster;
beforeAll(async () => {
  // KillWait 2: a job SLURM ends gets SIGKILL 2 s after SIGTERM instead of 30, so none of these jobs lingers in COMPLETING.
  cluster = await startSlurmCluster({ killWait: 2, memoryPartition: SMALL_MEMORY, preemptingPartition: URGENT });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

async function runDirectory(name: string, rnday: number): Promise<string> {
  const dir = join(cluster.dir, 'runs', name);
  await writeTidalBay(dir, rnday);
  return dir;
}

function attempt(runDir: string, resource: Partial<SlurmResource> = {}, threads?: number) {
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const beats: ModelJobProgress[] = [];
  env.on('heartbeat', (details: ModelJobProgress) => beats.push(details));
  const activity = modelJobActivity(new SlurmLauncher({ type: 'slurm', partition: cluster.partition, ...resource }, 'hpc'));
  const result = env.run<[ModelJobInput], ModelJobResult, typeof activity>(activity, { runDir, threads });
  result.catch(() => undefined);
  const failure = result.then(
    (outcome) => { throw new Error(`expected the job to be ended by SLURM, but it completed: ${JSON.stringify(outcome)}`); },
    (error: unknown) => error,
  );
  return { beats, failure };
}

const record = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'job.json'), 'utf8')) as SlurmJobRecord;
const starts = (runDir: string) => readFileSync(join(runDir, 'model.log'), 'utf8').split('\n').filter((line) => line.includes('"event":"start"'));
const scontrolJob = (jobId: number) => execFileSync('scontrol', ['show', 'job', '-o', String(jobId)], { encoding: 'utf8' });
const nodeStates = () => execFileSync('sinfo', ['-h', '-n', cluster.node, '-o', '%T'], { encoding: 'utf8' }).trim().split('\n');

describe('model jobs SLURM ends itself, and what the activity reports', () => {
  it('NODE_FAIL: the node goes down under the running model; retryable, and the job is not requeued', async () => {
    const dir = await runDirectory('node-fail', 1);
    const { beats, failure } = attempt(dir);
    await until('the model to run', () => beats.some((b) => b.simulated_s > 0) || undefined);
    const { jobId } = record(dir);
    try {
      execFileSync('scontrol', ['update', `nodename=${cluster.node}`, 'state=down', 'reason=test']);
      const error = await failure;
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ type: 'ModelJobEnded', nonRetryable: false });
      expect((error as Error).message).toMatch(new RegExp(`^SLURM job ${jobId} lost its node \\(JobState NODE_FAIL\\)$`));
      // The node's slurmd still kills what ran there; nothing of this job may be left to write into the run directory.
      await until('the model process to end', () => modelProcesses(dir).length === 0 || undefined, 15_000);
      // --no-requeue: the job stays ended rather than coming back to run the model a second time into the same outputs.
      expect(slurmJobState(jobId)).toBe('NODE_FAIL');
      expect(starts(dir)).toHaveLength(1);
    } finally {
      // ReturnToService=2 lets the node's slurmd bring it back on its next registration, which can come before this: resume only a node still down.
      if (nodeStates().some((state) => state.startsWith('down'))) execFileSync('scontrol', ['update', `nodename=${cluster.node}`, 'state=resume']);
      await until('the node idle again', () => nodeStates().every((state) => state === 'idle') || undefined, 30_000);
    }
  }, 120_000);

  it('OUT_OF_MEMORY: a model over its job\'s memory is killed by the kernel; final, with the JobState', async () => {
    const dir = await runDirectory('out-of-memory', 0.25);
    const { failure } = attempt(dir, { partition: SMALL_MEMORY.name });
    const error = await failure;
    const { jobId } = record(dir);
    // The limit the job ran under: the partition's default, not a setting of the resource.
    expect(scontrolJob(jobId)).toMatch(/\bMinMemoryCPU=10M\b/);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'ModelJobEnded', nonRetryable: true });
    expect((error as Error).message).toBe(`SLURM job ${jobId} ran out of memory (JobState OUT_OF_MEMORY)`);
    expect(slurmJobState(jobId)).toBe('OUT_OF_MEMORY');
    // The kernel killed the model alone and the script recorded it: the end state has to win over a plain SIGKILL.
    expect(readFileSync(join(dir, 'model.exit'), 'utf8').trim()).toBe('137');
  }, 120_000);

  it('PREEMPTED: a job of a higher-priority partition takes the node from the running model; retryable', async () => {
    const dir = await runDirectory('preempted', 1);
    // Both CPUs, so the urgent job cannot start beside it.
    const { beats, failure } = attempt(dir, {}, 2);
    await until('the model to run', () => beats.some((b) => b.simulated_s > 0) || undefined);
    const { jobId } = record(dir);
    const urgent = Number(execFileSync('sbatch', ['--parsable', `--partition=${URGENT}`, '--cpus-per-task=1', `--output=${join(cluster.dir, 'urgent.out')}`, '--wrap=true'], { encoding: 'utf8' }).trim().split(';')[0]);
    const error = await failure;
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'ModelJobEnded', nonRetryable: false });
    expect((error as Error).message).toBe(`SLURM job ${jobId} was preempted (JobState PREEMPTED)`);
    await until('the urgent job to run', () => slurmJobState(urgent) === 'COMPLETED' || undefined, 30_000);
    await until('the model process to end', () => modelProcesses(dir).length === 0 || undefined, 15_000);
  }, 120_000);

  // 70–85 s: SLURM ends the job 60–90 s after it started (a one-minute limit, checked every 30 s or so), then KillWait.
  it('TIMEOUT: the job\'s time limit ends a model that runs longer; final, and the message says to raise timeLimit', async () => {
    // 30 simulated days: about 5 minutes of model, far past the limit.
    const dir = await runDirectory('timeout', 30);
    const started = Date.now();
    // "0:01" is SLURM's M:SS: one second, which SLURM rounds up to its least time limit, a minute.
    const { beats, failure } = attempt(dir, { timeLimit: '0:01' });
    const error = await failure;
    const elapsed = (Date.now() - started) / 1000;
    const { jobId } = record(dir);
    expect(scontrolJob(jobId)).toMatch(/\bTimeLimit=00:01:00\b/);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'ModelJobEnded', nonRetryable: true });
    expect((error as Error).message).toBe(`SLURM job ${jobId} reached its time limit; raise the resource's timeLimit (JobState TIMEOUT)`);
    // The model itself was running and was stopped part-way, at the limit and not before.
    expect(beats.some((b) => b.simulated_s > 0)).toBe(true);
    expect(beats.at(-1)?.percent).toBeLessThan(100);
    expect(elapsed).toBeGreaterThanOrEqual(60);
    await until('the model process to end', () => modelProcesses(dir).length === 0 || undefined, 15_000);
  }, 180_000);
});
