/**
 * A worker killed mid-job, for the re-attach tests: modelJobChild.ts runs
 * the model-job activity on a run directory in a process of its own, which
 * is SIGKILLed once its heartbeats show the model has progressed, leaving
 * the job for the next attempt to find.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { ModelJobProgress } from '../../activities/modelJob.js';
import { until } from './until.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The signal that ended the worker (SIGKILL, unless it died first); `partition` runs the job on that SLURM partition, with `env` (the cluster's). */
export async function killWorkerMidJob(runDir: string, slurm?: { partition: string; env: NodeJS.ProcessEnv }): Promise<NodeJS.Signals | null> {
  const args = ['--import', 'tsx', 'test/support/modelJobChild.ts', runDir, ...(slurm ? [slurm.partition] : [])];
  const worker = spawn(process.execPath, args, { cwd: repo, env: slurm?.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  worker.stdout.on('data', (chunk) => (stdout += chunk));
  worker.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => worker.on('exit', (_code, signal) => resolve(signal)));
  try {
    await until(() => `the child's progress (stderr: ${stderr})`, () => stdout.split('\n').some((line) => line !== '' && (JSON.parse(line) as ModelJobProgress).simulated_s > 0) || undefined);
  } finally {
    worker.kill('SIGKILL');
  }
  return exited;
}
