/**
 * A stand-in worker for the re-attach tests: runs the model-job activity on
 * the run directory given as argument (on this machine, or with a second
 * argument on that SLURM partition) and prints each heartbeat as a JSON
 * line, so that the test can SIGKILL it mid-run.
 */
import { MockActivityEnvironment } from '@temporalio/testing';

import { SlurmLauncher } from '../../activities/jobs/slurm.js';
import { modelJobActivity, runModelJob } from '../../activities/modelJob.js';

const [runDir, partition] = process.argv.slice(2);
const activity = partition === undefined ? runModelJob : modelJobActivity(new SlurmLauncher({ type: 'slurm', partition }));
const env = new MockActivityEnvironment();
env.on('heartbeat', (details: unknown) => process.stdout.write(`${JSON.stringify(details)}\n`));
const result = await env.run(activity, { runDir });
process.stdout.write(`${JSON.stringify({ result })}\n`);
