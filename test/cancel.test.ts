/**
 * Cancelling a cycle during its model step, on the real Temporal dev server
 * with a real worker and model process: POST …/cancel, the model's process
 * group is gone within 5 s, the catalog says cancelled, and the next cycle of
 * the same site runs to its end. Then `coastcast cancel` on a cycle that is
 * not running says so (exit 1), and on a bad --cycle is a usage error (exit 2).
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Catalog, CycleRecord } from '../activities/catalog.js';
import { procStat, type LocalJobRecord } from '../activities/jobs/localProcess.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import type { SiteInput } from '../core/site.js';
import { buildApi } from '../server/api/app.js';
import type { Api } from '../server/api/schemas.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { request } from './support/api.js';
import { runCli } from './support/cli.js';
import { exampleSite } from './support/sites.js';
import { startCycleStack, type CycleStack } from './support/temporalServer.js';
import { until } from './support/until.js';

const SITE = 'cancel-me';
const FIRST = '2026-11-20T00:00:00.000Z';
const NEXT = '2026-11-21T00:00:00.000Z';

let stack: CycleStack;
let root: string;
let dataDir: string;
let catalog: Catalog;
let cycles: TemporalCycles;
let app: Api;
let base: string;

beforeAll(async () => {
  stack = await startCycleStack('cancel');
  ({ root, dataDir, catalog } = stack);
  cycles = new TemporalCycles(stack.client);
  app = buildApi({ dataDir, catalog, cycles });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await stack?.stop();
}, 60_000);

/** A model step of several seconds: 3 days on a 30 × 30 mesh with a short time step. */
function slowSite(): SiteInput {
  const site = exampleSite(SITE);
  return { ...site, forcings: {}, model: { dt: 20, nspool: 45 }, schedule: { enabled: false, hourUtc: 4, cycleHourUtc: 0, forecastHours: 72, spinUpHours: 1 } };
}

/** Live (non-zombie) processes of a process group. */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      const stat = procStat(Number(entry));
      return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z';
    })
    .map(Number);
}

/** The catalog's record of a cycle, once its first activity has recorded it. */
const recorded = (cycle: string): CycleRecord | undefined => catalog.listCycles(SITE).find((c) => c.cycle === cycle);

const ended = (cycle: string) => (): CycleRecord | undefined => {
  const record = recorded(cycle);
  return record === undefined || ['scheduled', 'running'].includes(record.status) ? undefined : record;
};

describe('cancelling a cycle during its model step', () => {
  it('stops the model process group within 5 s, records the cycle cancelled, and the next cycle runs normally', async () => {
    const form = new FormData();
    form.append('config', JSON.stringify(slowSite()));
    const meshPath = join(root, 'hgrid.gr3');
    await writeMesh(meshPath, generateRectangleMesh({ nx: 30, ny: 30, dx: 0.008, origin: { x: -8.8, y: 40.55 }, openSides: ['west'] }));
    form.append('mesh', new Blob([await readFile(meshPath)]), 'hgrid.gr3');
    expect((await request(base, 'POST', '/api/sites', form)).status).toBe(201);

    expect((await request(base, 'POST', `/api/sites/${SITE}/cycles`, { cycle: FIRST })).status).toBe(202);
    const runDir = await until('the run directory', () => recorded(FIRST)?.runDir ?? undefined, 60_000);
    const job = await until('the model job', async () =>
      readFile(join(runDir, 'job.json'), 'utf8').then((text) => JSON.parse(text) as LocalJobRecord, () => undefined),
      60_000,
    );
    // The model has started once it has written its first progress line.
    await until('the model to run', async () => ((await readFile(join(runDir, 'model.log'), 'utf8').catch(() => '')).includes('"progress"') ? true : undefined), 30_000);
    expect(groupMembers(job.pgid).length).toBeGreaterThan(0);
    expect((await cycles.progress(SITE, new Date(FIRST)))?.stage).toBe('model');

    const requestedAt = Date.now();
    const cancelled = await request(base, 'POST', `/api/sites/${SITE}/cycles/${FIRST}/cancel`);
    expect(cancelled.status).toBe(202);
    await until('the model process group to end', () => (groupMembers(job.pgid).length === 0 ? true : undefined), 5_000);
    const stoppedMs = Date.now() - requestedAt;
    console.log(`model process group ${job.pgid} gone ${stoppedMs} ms after the cancel request`);
    expect(stoppedMs).toBeLessThan(5_000);

    const record = await until('the catalog to record the end', ended(FIRST), 30_000);
    expect(record.status).toBe('cancelled');
    expect((await request(base, 'POST', `/api/sites/${SITE}/cycles/${FIRST}/cancel`)).status).toBe(409);

    expect((await request(base, 'POST', `/api/sites/${SITE}/cycles`, { cycle: NEXT })).status).toBe(202);
    const next = await until('the next cycle to end', ended(NEXT), 240_000);
    expect(next.status).toBe('completed');
    expect(next.error).toBeNull();
  }, 360_000);
});

describe('coastcast cancel', () => {
  const THIRD = '2026-11-22T00:00:00.000Z';

  beforeAll(() => {
    // The command runs as its own process, which inherits this environment.
    process.env.COASTCAST_DATA = dataDir;
    process.env.TEMPORAL_ADDRESS = stack.server.env.address;
  });

  it('cancels a running cycle and waits for its end (exit 0), then says it is not running (exit 1)', async () => {
    expect((await request(base, 'POST', `/api/sites/${SITE}/cycles`, { cycle: THIRD })).status).toBe(202);
    await until('the model step', async () => ((await cycles.progress(SITE, new Date(THIRD)))?.stage === 'model' ? true : undefined), 60_000);
    const run = await runCli('cancel', SITE, '--cycle', THIRD);
    expect(run.stdout).toContain(`cycle ${THIRD} of ${SITE} cancelled`);
    expect(run.code).toBe(0);
    expect(catalog.getCycle(SITE, THIRD).status).toBe('cancelled');

    const again = await runCli('cancel', SITE, '--cycle', THIRD);
    expect(again.stderr).toContain('is not running: nothing to cancel');
    expect(again.code).toBe(1);
  }, 120_000);

  it('rejects a missing or malformed --cycle (exit 2)', async () => {
    const missing = await runCli('cancel', SITE);
    expect(missing.stderr).toContain('--cycle is required');
    expect(missing.code).toBe(2);
    const malformed = await runCli('cancel', SITE, '--cycle', 'yesterday');
    expect(malformed.stderr).toContain('--cycle takes an ISO 8601 time');
    expect(malformed.code).toBe(2);
  }, 60_000);
});
