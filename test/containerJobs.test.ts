/**
 * Model jobs on Docker and Podman resources, whose container belongs to the
 * engine's daemon and so outlives a killed client. No engine runs on this
 * machine: test/support/containerEngineStandIn.ts plays the engine's CLI
 * and daemon (the resource's `executable`), and records the calls it gets.
 * The model in the "container" is the real one (dist/server/cli.js) on the
 * tidal-bay run directory; processes are checked in /proc.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ContainerResource } from '../activities/jobs/container.js';
import type { ModelJobLauncher } from '../activities/jobs/launcher.js';
import { MODEL_CLI, procStat, type LocalJobRecord } from '../activities/jobs/localProcess.js';
import { launcherFor } from '../activities/jobs/resources.js';
import { modelJobActivity, type ModelJobInput, type ModelJobProgress, type ModelJobResult } from '../activities/modelJob.js';
import type { ContainerRecord } from './support/containerEngineStandIn.js';
import { writeTidalBay } from './support/tidalBay.js';
import { until } from './support/until.js';

const tsx = import.meta.resolve('tsx');
const standIn = fileURLToPath(new URL('./support/containerEngineStandIn.ts', import.meta.url));
/** Seconds of model per run: LONG outlasts what a test does to the job while it runs (about 11 s), SHORT ends soon. */
const LONG = 1;
const SHORT = 0.25;

let root: string;
let image: string;
const runDirs: string[] = [];
const engines: Engine[] = [];

interface Engine {
  resource: ContainerResource;
  /** The stand-in's state directory. */
  dir: string;
}

beforeAll(async () => {
  if (!existsSync(MODEL_CLI)) throw new Error(`${MODEL_CLI}: missing; build the model program first (npm run build)`);
  root = await mkdtemp(join(tmpdir(), 'coastcast-container-jobs-'));
  // The image: what its PATH holds, `coastcast` being this project's model program.
  image = join(root, 'image');
  await mkdir(image);
  await executable(join(image, 'coastcast'), `exec '${process.execPath}' '${MODEL_CLI}' "$@"`);
});

afterAll(async () => {
  // A failed test must not leave jobs or containers running.
  for (const dir of runDirs) {
    const record = jobRecord(dir);
    if (record !== undefined && liveMembers(record.pgid).length > 0) process.kill(-record.pgid, 'SIGKILL');
  }
  for (const { dir } of engines) {
    const records = existsSync(join(dir, 'containers')) ? readdirSync(join(dir, 'containers')).filter((f) => f.endsWith('.json')) : [];
    for (const file of records) {
      const { pid } = JSON.parse(readFileSync(join(dir, 'containers', file), 'utf8')) as ContainerRecord;
      if (alive(pid)) process.kill(-pid, 'SIGKILL');
    }
  }
  await rm(root, { recursive: true, force: true });
});

async function executable(path: string, body: string): Promise<void> {
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

/** A container resource whose engine's executable is the stand-in playing `engine`, with a state directory of its own. */
async function engine(name: string, kind: 'docker' | 'podman'): Promise<Engine> {
  const dir = join(root, name);
  await mkdir(dir);
  const path = join(dir, kind);
  await executable(path, `COASTCAST_ENGINE_STAND_IN='${dir}' COASTCAST_ENGINE_STAND_IN_ENGINE=${kind} exec '${process.execPath}' --import '${tsx}' '${standIn}' "$@"`);
  const e = { resource: { type: 'container', engine: kind, image, executable: path } as const, dir };
  engines.push(e);
  return e;
}

function calls({ dir }: Engine): string[] {
  const path = join(dir, 'calls');
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : [];
}

/** The container's process, while the stand-in has a record of it. */
function containerPid({ dir }: Engine, name: string): number | undefined {
  const path = join(dir, 'containers', `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ContainerRecord).pid : undefined;
}

async function runDirectory(name: string, rnday: number): Promise<string> {
  const dir = join(root, 'runs', name);
  runDirs.push(dir);
  await writeTidalBay(dir, rnday);
  return dir;
}

function jobRecord(runDir: string): LocalJobRecord | undefined {
  const path = join(runDir, 'job.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as LocalJobRecord) : undefined;
}

/** The container's name, from the command job.json records. */
function containerName(record: LocalJobRecord): string {
  return record.command[record.command.indexOf('--name') + 1];
}

function alive(pid: number): boolean {
  const p = procStat(pid);
  return p !== undefined && p.state !== 'Z';
}

function liveMembers(pgid: number): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => procStat(pid)?.pgrp === pgid && alive(pid));
}


/** Whether the model has reported progress in `log`: it runs, and its output has come through. */
function progressed(log: string): boolean {
  if (!existsSync(log)) return false;
  return readFileSync(log, 'utf8').split('\n').some((line) => line.includes('"progress"') && (JSON.parse(line) as { simulated_s: number }).simulated_s > 0);
}

const events = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { event: string });

/** One activity attempt on `launcher` in its own mock environment, its heartbeats collected. */
function attempt(launcher: ModelJobLauncher, runDir: string): { env: MockActivityEnvironment; beats: ModelJobProgress[]; result: Promise<ModelJobResult> } {
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const beats: ModelJobProgress[] = [];
  env.on('heartbeat', (details: ModelJobProgress) => beats.push(details));
  const result = env.run<[ModelJobInput], ModelJobResult, ReturnType<typeof modelJobActivity>>(modelJobActivity(launcher), { runDir });
  result.catch(() => undefined); // observed by the test
  return { env, beats, result };
}

/** Starts a job on `dir` and waits until its model has progressed; its record and container. */
async function runningJob(e: Engine, dir: string) {
  const launcher = launcherFor('box', e.resource);
  const job = await launcher.start(dir, { engine: 'built-in' });
  await until('the model to progress', () => progressed(join(dir, 'model.log')) || undefined, 60_000);
  const record = jobRecord(dir) as LocalJobRecord;
  const name = containerName(record);
  const container = containerPid(e, name) as number;
  expect(alive(container)).toBe(true);
  // What lets the container outlive its client: it is not in the job's process group.
  expect(procStat(container)?.pgrp).not.toBe(record.pgid);
  return { launcher, job, record, name, container };
}

describe('model jobs in Docker and Podman containers', () => {
  it('client SIGKILLed with its group: the job runs while its container does, and an attempt follows it instead of starting a second container', async () => {
    const docker = await engine('killed-group', 'docker');
    const dir = await runDirectory('killed-group', LONG);
    const { launcher, job, record, name, container } = await runningJob(docker, dir);
    expect(calls(docker)[0]).toMatch(new RegExp(`^run --name ${name} --rm --init `));
    process.kill(-record.pgid, 'SIGKILL');
    await until('the client and its wrapper to die', () => liveMembers(record.pgid).length === 0 || undefined, 60_000);
    expect(alive(container)).toBe(true);
    expect(await job.state()).toEqual({ state: 'running' });
    expect(await (await launcher.find(dir))?.state()).toEqual({ state: 'running' });
    expect(calls(docker)).toContain(`container inspect --format {{.State.Running}} ${name}`);

    // Nothing recorded the container's status once its client was killed: the attempt gives up on it only when the container has ended.
    const { result } = attempt(launcher, dir);
    const failure = await result.then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('ModelJobLost');
    expect(alive(container)).toBe(false);
    expect(calls(docker).filter((call) => call.startsWith('run '))).toHaveLength(1);
    expect((await events(join(dir, 'model.log'))).filter((e) => e.event === 'start')).toHaveLength(1);
    expect(existsSync(join(dir, 'outputs', 'hotstart.nc'))).toBe(true);
  }, 120_000);

  it('client alone SIGKILLed (its wrapper records the kill): still running, and cancelling has the engine stop the container', async () => {
    const podman = await engine('killed-client', 'podman');
    const dir = await runDirectory('killed-client', LONG);
    const { launcher, record, name, container } = await runningJob(podman, dir);
    const client = liveMembers(record.pgid).find((pid) => pid !== record.pid) as number;
    expect(readFileSync(`/proc/${client}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([standIn, 'run', name]));
    process.kill(client, 'SIGKILL');
    await until('the wrapper to record the client\'s end', () => existsSync(join(dir, 'model.exit')) || undefined, 60_000);
    await until('the wrapper to end', () => liveMembers(record.pgid).length === 0 || undefined, 60_000);
    expect(readFileSync(join(dir, 'model.exit'), 'utf8').trim()).toBe('137');
    const found = (await launcher.find(dir))!;
    expect(await found.state()).toEqual({ state: 'running' });

    await found.cancel();
    // Resolved only once the container is gone: no wait here.
    expect(calls(podman)).toContain(`stop -t 5 ${name}`);
    expect(alive(container)).toBe(false);
    expect((await found.state()).state).not.toBe('running');
  }, 120_000);

  it('cancelled: the engine stops the container, the client and its wrapper end, the cancellation is rethrown', async () => {
    const docker = await engine('cancel', 'docker');
    const dir = await runDirectory('cancel', LONG);
    const launcher = launcherFor('box', docker.resource);
    const { env, beats, result } = attempt(launcher, dir);
    await until('progress', () => beats.some((b) => b.simulated_s > 0) || undefined, 60_000);
    const record = jobRecord(dir) as LocalJobRecord;
    const name = containerName(record);
    const container = containerPid(docker, name) as number;
    expect(alive(container)).toBe(true);
    env.cancel();
    await expect(result).rejects.toBeInstanceOf(CancelledFailure);
    expect(calls(docker)).toContain(`stop -t 5 ${name}`);
    expect(alive(container)).toBe(false);
    expect(liveMembers(record.pgid)).toEqual([]);
    expect((await (await launcher.find(dir))?.state())?.state).not.toBe('running');
  }, 120_000);

  it('a container that ran to the end: its status through the client, as before; the engine, asked, has no such container any more', async () => {
    const docker = await engine('finished', 'docker');
    const dir = await runDirectory('finished', SHORT);
    const launcher = launcherFor('box', docker.resource);
    const outcome = await attempt(launcher, dir).result;
    expect(outcome.summary.steps).toBe((SHORT * 86400) / 60);
    expect(readFileSync(join(dir, 'model.exit'), 'utf8').trim()).toBe('0');
    const name = containerName(jobRecord(dir) as LocalJobRecord);
    expect(await (await launcher.find(dir))?.state()).toMatchObject({ state: 'exited', code: 0, signal: null });
    expect(calls(docker)).toContain(`container inspect --format {{.State.Running}} ${name}`);
    expect(calls(docker).filter((call) => !call.startsWith('container inspect '))).toEqual([expect.stringMatching(new RegExp(`^run --name ${name} `))]);
    expect(containerPid(docker, name)).toBeUndefined();

    // A model that fails: its own exit code.
    const bad = await runDirectory('bad-input', SHORT);
    const param = await readFile(join(bad, 'param.nml'), 'utf8');
    await writeFile(join(bad, 'param.nml'), param.replace(/^(\s*ics = .*)$/m, '$1\n  indvel = 0'));
    const job = await launcher.start(bad, { engine: 'built-in' });
    let state = await job.state();
    for (const deadline = Date.now() + 60_000; state.state === 'running' && Date.now() < deadline; state = await job.state()) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state).toMatchObject({ state: 'exited', code: 3, signal: null });
  }, 120_000);

  it('an Apptainer job is its process group, as before: killed with it, it is gone at once and no engine is asked', async () => {
    const dir = await runDirectory('apptainer', LONG);
    const apptainerDir = join(root, 'apptainer');
    await mkdir(apptainerDir);
    // `apptainer exec [--bind B --pwd D] IMAGE CMD…` runs CMD in its own process, as Apptainer does; every call is recorded.
    const apptainer = join(apptainerDir, 'apptainer');
    await executable(apptainer, [
      `echo "$*" >> '${apptainerDir}/calls'`,
      'shift',
      'while [ "$1" = --bind ] || [ "$1" = --pwd ]; do [ "$1" = --pwd ] && cd "$2"; shift 2; done',
      'PATH="$1:$PATH"; shift',
      'exec "$@"',
    ].join('\n'));
    const launcher = launcherFor('box', { type: 'container', engine: 'apptainer', image, executable: apptainer });
    const job = await launcher.start(dir, { engine: 'built-in' });
    await until('the model to progress', () => progressed(join(dir, 'model.log')) || undefined, 60_000);
    const record = jobRecord(dir) as LocalJobRecord;
    expect(record.command).not.toContain('--name');
    process.kill(-record.pgid, 'SIGKILL');
    await until('the job to die', () => liveMembers(record.pgid).length === 0 || undefined, 60_000);
    expect(await job.state()).toEqual({ state: 'gone' });
    expect(readFileSync(join(apptainerDir, 'calls'), 'utf8').trim().split('\n')).toEqual([expect.stringMatching(/^exec --bind /)]);
  }, 120_000);
});
