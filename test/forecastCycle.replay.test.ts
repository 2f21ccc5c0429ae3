/**
 * Replays recorded forecastCycle histories (test/fixtures/histories/, JSON as
 * `temporal workflow show --output json` exports it) against today's workflow
 * code: a change that would make running cycles non-deterministic fails here.
 * Recorded: a completed cycle, one degraded by a failing forcing and one
 * failed on bad input, from before the `notify-alerts` and `forcing-deadline`
 * patches (they must keep replaying while such cycles may still be running),
 * a completed and a degraded cycle recorded with both patches (the latter
 * falling back after its forcing deadline), and the demo cycle with its
 * waves and the `model-task-queue` patch (the model job on its compute
 * resource's task queue). Record with
 * `COASTCAST_RECORD_HISTORY=<folder> npx vitest run test/forecastCycle.test.ts`
 * and copy the files here under a name saying what they cover.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

import { bundleWorkflows } from './support/temporalServer.js';

const HISTORIES = fileURLToPath(new URL('./fixtures/histories/', import.meta.url));

describe('forecastCycle replay', () => {
  it('replays every recorded history without a determinism error', async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const files = (await readdir(HISTORIES)).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const histories = await Promise.all(files.map(async (name) => ({ workflowId: name, history: JSON.parse(await readFile(join(HISTORIES, name), 'utf8')) })));
    const workflowBundle = await bundleWorkflows();
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) results.push(result);
    expect(results.map((r) => r.workflowId).sort()).toEqual(files.sort());
    for (const result of results) expect(result.error, `${result.workflowId}: ${result.error?.message}`).toBeUndefined();
  }, 120_000);
});
