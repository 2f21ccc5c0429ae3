/**
 * A stand-in worker for the re-attach test: runs the model-job activity on
 * the run directory given as argument and prints each heartbeat as a JSON
 * line, so that the test can SIGKILL it mid-run.
 */
import { MockActivityEnvironment } from '@temporalio/testing';

import { runModelJob } from '../../activities/modelJob.js';

const env = new MockActivityEnvironment();
env.on('heartbeat', (details: unknown) => process.stdout.write(`${JSON.stringify(details)}\n`));
const result = await env.run(runModelJob, { runDir: process.argv[2] });
process.stdout.write(`${JSON.stringify({ result })}\n`);
