/**
 * The model-job activity on a local process: real model runs (dist/server/cli.js)
 * on small run directories in a temp dir, driven through Temporal's
 * MockActivityEnvironment; processes are checked in /proc.
 */
import { ApplicationFailure, CancelledFailure, ActivityCancellationDetails } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runModelJob, type ModelJobInput, type ModelJobProgress, type ModelJobResult } from '../activities/modelJob.js';
import { procStat, type LocalJobRecord } from '../activities/jobs/localProcess.js';
import { TIDAL_BAY_DT, writeTidalBay } from './support/tidalBay.js';
import { killWorkerMidJob } from './support/killedWorker.js';
import { until } from './support/until.js';

const repo = fileURLToPath(new URL('..', import.meta.url));

let root: string;
const runDirs: string[] = [];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-model-job-'));
});
afterAll(async () => {
  // A failed test must not leave model jobs running.
  for (const dir of runDirs) {
    const record = jobRecord(dir);
    if (record !== undefined && record.pid !== process.pid && liveMembers(record.pgid).length > 0) process.kill(-record.pgid, 'SIGKILL');
  }
  await rm(root, { recursive: true, force: true });
});

const dt = TIDAL_BAY_DT;
const SHORT = 0.25;
const LONG = 1;

async function runDirectory(name: string, rnday: number): Promise<string> {
  const dir = join(root, name);
  runDirs.push(dir);
  await writeTidalBay(dir, rnday);
  return dir;
}

/** One activity attempt in its own mock environment, its heartbeats collected. */
function attempt(runDir: string, threads?: number): { env: MockActivityEnvironment; beats: ModelJobProgress[]; result: Promise<ModelJobResult> } {
  // Failures are what several tests expect; the SDK's warning for each would only clutter the output.
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const beats: ModelJobProgress[] = [];
  env.on('heartbeat', (details: ModelJobProgress) => beats.push(details));
  const result = env.run<[ModelJobInput], ModelJobResult, typeof runModelJob>(runModelJob, { runDir, threads });
  result.catch(() => undefined); // observed by the test; avoids an unhandled rejection while it waits
  return { env, beats, result };
}

function jobRecord(runDir: string): LocalJobRecord | undefined {
  const path = join(runDir, 'job.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as LocalJobRecord) : undefined;
}


/** A process that runs: exists and is not a zombie (nothing reaps orphans in some containers). */
function alive(pid: number): boolean {
  const p = procStat(pid);
  return p !== undefined && p.state !== 'Z';
}

function liveMembers(pgid: number): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => procStat(pid)?.pgrp === pgid && alive(pid));
}

function logEvents(runDir: string): Record<string, unknown>[] {
  return readFileSync(join(runDir, 'model.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

const startEvents = (runDir: string) => logEvents(runDir).filter((e) => e.event === 'start');

function expectIncreasingProgress(beats: ModelJobProgress[], pid: number, total: number): void {
  expect(beats.every((b) => b.pid === pid)).toBe(true);
  const simulated = beats.map((b) => b.simulated_s);
  for (let k = 1; k < simulated.length; k++) expect(simulated[k]).toBeGreaterThanOrEqual(simulated[k - 1]);
  expect(new Set(simulated.filter((s) => s > 0)).size).toBeGreaterThanOrEqual(3);
  const last = beats.at(-1) as ModelJobProgress;
  expect(last).toMatchObject({ simulated_s: total, total_s: total, percent: 100 });
  for (const b of beats.filter((b) => b.total_s !== null)) expect(b.percent).toBeCloseTo((100 * b.simulated_s) / total, 1);
}

describe('runModelJob on a local process', () => {
  it('runs the model to the end: the done line as summary, outputs on disk, progress heartbeats, job.json naming the process', async () => {
    const dir = await runDirectory('success', SHORT);
    const { beats, result } = attempt(dir, 1);
    const outcome = await result;
    const record = jobRecord(dir) as LocalJobRecord;
    expect(outcome.reattached).toBe(false);
    if (outcome.summary.engine !== undefined) throw new Error('expected the built-in model to have run');
    expect(outcome.summary.steps).toBe((SHORT * 86400) / dt);
    expect(outcome.summary.substeps).toBeGreaterThanOrEqual(outcome.summary.steps);
    expect(Number.isFinite(outcome.summary.max_elevation_m)).toBe(true);
    expect(outcome.wall_s).toBeGreaterThanOrEqual(outcome.summary.wall_s);
    expect(await readdir(join(dir, 'outputs'))).toEqual(expect.arrayContaining(['out2d_1.nc', 'out2d_2.nc', 'hotstart.nc']));
    expect(readFileSync(join(dir, 'model.exit'), 'utf8').trim()).toBe('0');
    expect(readFileSync(join(dir, 'model.err'), 'utf8')).toBe('');
    expect(record).toMatchObject({ pgid: record.pid, logOffset: 0, errOffset: 0 });
    expect(record.command.slice(-6)).toEqual([join(repo, 'dist', 'server', 'cli.js'), 'model', 'run', dir, '--threads', '1']);
    expect(beats[0]).toMatchObject({ pid: record.pid });
    expectIncreasingProgress(beats, record.pid, SHORT * 86400);
    expect(startEvents(dir)).toEqual([expect.objectContaining({ threads: 1 })]);
    expect(alive(record.pid)).toBe(false);
  }, 240_000);

  it('cancelled: kills the sh wrapper and the node model (SIGTERM to the group), waits until none is left, rethrows the cancellation', async () => {
    const dir = await runDirectory('cancel', LONG);
    const { env, beats, result } = attempt(dir);
    await until('progress', () => beats.some((b) => b.simulated_s > 0) || undefined);
    const record = jobRecord(dir) as LocalJobRecord;
    const members = liveMembers(record.pgid);
    const model = members.find((pid) => pid !== record.pid) as number;
    expect(members.sort()).toEqual([record.pid, model].sort());
    expect(readFileSync(`/proc/${model}/cmdline`, 'utf8').split('\0')).toContain('run');
    env.cancel();
    await expect(result).rejects.toBeInstanceOf(CancelledFailure);
    // Resolved only once the group is gone: no wait here.
    expect(alive(record.pid)).toBe(false);
    expect(alive(model)).toBe(false);
    expect(liveMembers(record.pgid)).toEqual([]);
    expect(existsSync(join(dir, 'model.exit'))).toBe(false);
  }, 240_000);

  it('a worker shutting down leaves the job running; the next attempt collects the result of a job that finished while no worker watched', async () => {
    const dir = await runDirectory('away', SHORT);
    const first = attempt(dir);
    await until('progress', () => first.beats.some((b) => b.simulated_s > 0) || undefined);
    first.env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
    await expect(first.result).rejects.toBeInstanceOf(CancelledFailure);
    const record = jobRecord(dir) as LocalJobRecord;
    expect(alive(record.pid)).toBe(true);
    await until('the job to finish', () => existsSync(join(dir, 'model.exit')) || undefined);
    const second = attempt(dir);
    const outcome = await second.result;
    expect(outcome.reattached).toBe(true);
    expect(outcome.summary.steps).toBe((SHORT * 86400) / dt);
    expect(second.beats).toEqual([]);
    expect(jobRecord(dir)?.pid).toBe(record.pid);
    expect(startEvents(dir)).toHaveLength(1);
  }, 240_000);

  it('re-attaches to the running job after the worker was SIGKILLed: same process, one start in the log, the full result', async () => {
    const dir = await runDirectory('reattach', LONG);
    expect(await killWorkerMidJob(dir)).toBe('SIGKILL');
    const record = jobRecord(dir) as LocalJobRecord;
    expect(alive(record.pid)).toBe(true);
    const { beats, result } = attempt(dir);
    const outcome = await result;
    expect(outcome.reattached).toBe(true);
    expect(outcome.summary.steps).toBe((LONG * 86400) / dt);
    expect(jobRecord(dir)?.pid).toBe(record.pid);
    expect(startEvents(dir)).toHaveLength(1);
    expect(beats.every((b) => b.pid === record.pid)).toBe(true);
    expect(beats.at(-1)).toMatchObject({ simulated_s: LONG * 86400, percent: 100 });
    expect(await readdir(join(dir, 'outputs'))).toEqual(expect.arrayContaining(['out2d_1.nc', 'out2d_6.nc', 'hotstart.nc']));
  }, 240_000);

  it('bad input (exit 3): a non-retryable ModelBadInput with the model\'s file:line message; a second attempt gives it again without a second job', async () => {
    const dir = await runDirectory('bad-input', SHORT);
    const param = await readFile(join(dir, 'param.nml'), 'utf8');
    await writeFile(join(dir, 'param.nml'), param.replace(/^(\s*ics = .*)$/m, '$1\n  indvel = 0'));
    const line = (await readFile(join(dir, 'param.nml'), 'utf8')).split('\n').findIndex((l) => l.includes('indvel')) + 1;
    const first = await attempt(dir).result.then(() => undefined, (error: unknown) => error);
    expect(first).toBeInstanceOf(ApplicationFailure);
    const failure = first as ApplicationFailure;
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('ModelBadInput');
    expect(failure.message).toMatch(new RegExp(`param\\.nml:${line}: indvel: not supported by the built-in model$`));
    const pid = jobRecord(dir)?.pid;
    await expect(attempt(dir).result).rejects.toMatchObject({ nonRetryable: true, type: 'ModelBadInput', message: failure.message });
    expect(jobRecord(dir)?.pid).toBe(pid);
  }, 240_000);

  it('a model killed by a signal: a retryable failure naming it; the retry starts afresh, clearing outputs/ and saying so in model.log', async () => {
    const dir = await runDirectory('killed', SHORT);
    const { beats, result } = attempt(dir);
    await until('progress', () => beats.some((b) => b.simulated_s > 0) || undefined);
    const record = jobRecord(dir) as LocalJobRecord;
    const model = liveMembers(record.pgid).find((pid) => pid !== record.pid) as number;
    process.kill(model, 'SIGKILL');
    const failure = await result.then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: false, type: 'ModelJobFailed', message: expect.stringMatching(new RegExp(`^model job ${record.pid} was killed by SIGKILL; `)) });
    const retry = await attempt(dir).result;
    expect(retry.reattached).toBe(false);
    expect(retry.summary.steps).toBe((SHORT * 86400) / dt);
    expect(jobRecord(dir)?.pid).not.toBe(record.pid);
    const events = logEvents(dir).map((e) => e.event);
    const relaunch = events.indexOf('relaunch');
    expect(relaunch).toBeGreaterThan(0);
    expect(events.slice(relaunch + 1).filter((e) => e === 'start')).toHaveLength(1);
    expect(logEvents(dir)[relaunch]).toMatchObject({ previous_pid: record.pid, reason: expect.stringContaining('SIGKILL') });
  }, 240_000);

  describe('a job.json naming a live process that is not our job starts a fresh job (outputs/ cleared, model.log saying why)', () => {
    const self = () => procStat(process.pid) as { startTime: number };
    const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    it.each([
      ['a recycled pid (same boot, other start time)', () => ({ startTime: self().startTime + 1, bootId: bootId() })],
      ['a pid from before a reboot (other boot id)', () => ({ startTime: self().startTime, bootId: '00000000-0000-0000-0000-000000000000' })],
    ])('%s', async (name, identity) => {
      const dir = await runDirectory(`stale-${name.split(' ')[1]}`, SHORT);
      const stale: LocalJobRecord = {
        pid: process.pid, pgid: process.pid, ...identity(), command: ['stale'], startedAt: new Date(0).toISOString(), logOffset: 0, errOffset: 0,
      };
      await writeFile(join(dir, 'job.json'), JSON.stringify(stale));
      await mkdir(join(dir, 'outputs'));
      await writeFile(join(dir, 'outputs', 'out2d_9.nc'), 'stale');
      const outcome = await attempt(dir).result;
      expect(outcome.reattached).toBe(false);
      expect(outcome.summary.steps).toBe((SHORT * 86400) / dt);
      expect(jobRecord(dir)?.pid).not.toBe(process.pid);
      expect(existsSync(join(dir, 'outputs', 'out2d_9.nc'))).toBe(false);
      expect(logEvents(dir)[0]).toMatchObject({ event: 'relaunch', previous_pid: process.pid, outputs_cleared: true });
      expect(startEvents(dir)).toHaveLength(1);
    }, 240_000);
  });
});
