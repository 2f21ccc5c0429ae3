/**
 * Daily schedules on the real Temporal dev server, through the API: a site's
 * schedule is made, paused, resumed and removed with the site; a firing runs
 * its cycle; a 3-day backfill runs its cycles one after the other, each
 * hot-starting from the one before (run.json, and the model's initial state
 * against the previous cycle's output at that time); a cycle already
 * completed is skipped, not run twice.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Catalog, CycleRecord } from '../activities/catalog.js';
import type { RunRecord } from '../activities/prepareRun.js';
import { loadMesh } from '../core/mesh/gr3.js';
import { openOut2d } from '../core/out2d.js';
import { readHotstart } from '../core/schism/hotstart.js';
import { validateSite, type SiteInput } from '../core/site.js';
import { buildApi } from '../server/api/app.js';
import type { Api } from '../server/api/schemas.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { scheduleId, TemporalSchedules } from '../server/schedules.js';
import type { ScheduledCycleResult } from '../workflows/scheduledCycle.js';
import { exampleSite } from './support/sites.js';
import { startCycleStack, type CycleStack } from './support/temporalServer.js';
import { request } from './support/api.js';
import { until } from './support/until.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let stack: CycleStack;
let root: string;
let dataDir: string;
let catalog: Catalog;
let client: Client;
let app: Api;
let base: string;

beforeAll(async () => {
  stack = await startCycleStack('schedules');
  ({ root, dataDir, catalog, client } = stack);
  app = buildApi({ dataDir, catalog, cycles: new TemporalCycles(client), schedules: new TemporalSchedules(client) });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await stack?.stop();
}, 60_000);

/**
 * A site whose cycle takes seconds: 1 h of spin-up and 24 h of forecast on
 * 16 nodes, so that each cycle writes the hot start of the next day's.
 */
function shortSite(id: string, enabled = true): SiteInput {
  const site = exampleSite(id);
  return { ...site, forcings: {}, schedule: { enabled, hourUtc: 4, cycleHourUtc: 0, forecastHours: 24, spinUpHours: 1 } };
}

async function siteForm(config: SiteInput, withMesh: boolean): Promise<FormData> {
  const form = new FormData();
  form.append('config', JSON.stringify(config));
  if (withMesh) form.append('mesh', new Blob([await readFile(join(root, 'small.gr3'))]), 'hgrid.gr3');
  return form;
}

const send = (method: string, path: string, body?: FormData | object) => request(base, method, path, body);

function finished(siteId: string, cycle: Date): CycleRecord | undefined {
  const record = catalog.listCycles(siteId).find((c) => c.cycle === cycle.toISOString());
  return record && !['scheduled', 'running'].includes(record.status) ? record : undefined;
}

async function runRecord(siteId: string, cycle: Date): Promise<RunRecord> {
  const record = catalog.getCycle(siteId, cycle);
  return JSON.parse(await readFile(join(record.runDir!, 'run.json'), 'utf8')) as RunRecord;
}

/** The scheduled workflows of a site's schedule fired for `scheduledAt`, newest last. */
async function firings(siteId: string, scheduledAt: Date): Promise<string[]> {
  const { info } = await client.schedule.getHandle(scheduleId(siteId)).describe();
  return info.recentActions.filter((a) => a.scheduledAt.getTime() === scheduledAt.getTime()).map((a) => a.action.workflow.workflowId);
}

describe('site schedules on a real Temporal dev server', () => {
  it('makes the schedule with the site; a firing runs the latest cycle', async () => {
    const created = await send('POST', '/api/sites', await siteForm(shortSite('daily'), true));
    expect(created.status).toBe(201);
    const schedule = await send('GET', '/api/sites/daily/schedule');
    expect(schedule.status).toBe(200);
    expect(schedule.json).toMatchObject({ siteId: 'daily', paused: false });
    for (const next of schedule.json.nextRuns as string[]) expect(next).toMatch(/T04:00:00\.000Z$/);

    const description = await client.schedule.getHandle(scheduleId('daily')).describe();
    expect(description.policies.overlap).toBe('BUFFER_ALL');
    const firedAt = Date.now();
    await client.schedule.getHandle(scheduleId('daily')).trigger();
    const workflowId = await until('the triggered firing', async () => (await client.schedule.getHandle(scheduleId('daily')).describe()).info.recentActions[0]?.action.workflow.workflowId);
    const result = (await client.workflow.getHandle(workflowId).result()) as ScheduledCycleResult;
    const now = new Date(firedAt);
    let cycle = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    if (cycle > firedAt) cycle -= DAY;
    expect(result).toMatchObject({ outcome: 'completed', cycle: new Date(cycle).toISOString(), workflowId: `forecast:daily:${new Date(cycle).toISOString()}` });
    expect(catalog.getCycle('daily', new Date(cycle)).status).toBe('completed');
  }, 180_000);

  it('backfills three days in order, each cycle hot-starting from the one before', async () => {
    const days = [0, 1, 2].map((d) => new Date(Date.parse('2026-11-01T00:00:00Z') + d * DAY));
    const refused = await send('POST', '/api/sites/daily/backfill', { from: '2026-11-01T03:00:00Z', to: days[2].toISOString() });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toBe('from: 2026-11-01T03:00:00.000Z is not a cycle time of site "daily" (its cycles are at 00:00 UTC)');

    const backfill = await send('POST', '/api/sites/daily/backfill', { from: days[0].toISOString(), to: days[2].toISOString() });
    expect(backfill.status).toBe(202);
    expect(backfill.json.cycles).toEqual(days.map((d) => d.toISOString()));
    const records = [];
    for (const day of days) records.push(await until(`cycle ${day.toISOString()}`, () => finished('daily', day), 240_000));
    expect(records.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    // In order: each cycle began after the one before had finished.
    for (let k = 1; k < 3; k++) expect(Date.parse(records[k].startedAt!)).toBeGreaterThanOrEqual(Date.parse(records[k - 1].finishedAt!));

    const runs = await Promise.all(days.map((d) => runRecord('daily', d)));
    expect(runs[0].run.initialState).toEqual({ kind: 'cold', spinUpHours: 1, reason: 'no previous cycle (2026-10-31T00:00:00.000Z) was prepared' });
    for (const k of [1, 2]) {
      expect(runs[k].run.initialState).toMatchObject({ kind: 'hot', from: days[k - 1].toISOString(), runDir: records[k - 1].runDir });
      expect(runs[k].run.start).toBe(days[k].toISOString());
    }
    // The summary the runs page reads says so too.
    expect(records[1].summary).toMatchObject({ initialState: { kind: 'hot', from: days[0].toISOString() } });

    // Cycle 2's initial state is cycle 1's state at cycle 2's time: the hot start it used, and cycle 1's output at 25 h.
    const mesh = await loadMesh(join(records[0].runDir!, 'hgrid.gr3'), { ics: 2 });
    const used = join(records[1].runDir!, 'hotstart.nc');
    expect(await readFile(used)).toEqual(await readFile(join(records[0].runDir!, runs[0].run.nextHotstart!.file)));
    const initial = await readHotstart(used, mesh);
    expect(initial.time).toBe(25 * 3600);
    const out = await openOut2d(join(records[0].runDir!, 'outputs', 'out2d_25.nc'));
    try {
      const k = out.seconds.indexOf(25 * 3600);
      expect(k).toBeGreaterThanOrEqual(0);
      const elevation = await out.readFrame('elevation', k);
      const wet = Array.from(initial.dry).filter((d) => d === 0).length;
      expect(wet).toBeGreaterThan(0);
      for (let n = 0; n < elevation.length; n++) if (initial.dry[n] === 0) expect(elevation[n]).toBeCloseTo(initial.eta[n], 5);
      expect(Math.max(...Array.from(initial.eta, Math.abs))).toBeGreaterThan(0.01);
    } finally {
      await out.close();
    }
  }, 420_000);

  it('skips a cycle that "run now" already completed instead of running it twice', async () => {
    const day = new Date('2026-11-10T00:00:00Z');
    const cycles = new TemporalCycles(client);
    const { workflowId: cycleWorkflow } = await cycles.start('daily', day);
    await client.workflow.getHandle(cycleWorkflow).result();
    const before = catalog.getCycle('daily', day);
    expect(before.status).toBe('completed');

    expect((await send('POST', '/api/sites/daily/backfill', { from: day.toISOString(), to: day.toISOString() })).status).toBe(202);
    const workflowId = await until('the backfill firing', async () => (await firings('daily', new Date(day.getTime() + 4 * HOUR)))[0]);
    const result = (await client.workflow.getHandle(workflowId).result()) as ScheduledCycleResult;
    expect(result).toMatchObject({ outcome: 'skipped', cycle: day.toISOString(), workflowId: cycleWorkflow });
    expect(catalog.getCycle('daily', day)).toEqual(before);
  }, 120_000);

  it('pauses and resumes with the site, and removes the schedule with it', async () => {
    const paused = await send('PUT', '/api/sites/daily', await siteForm(shortSite('daily', false), false));
    expect(paused.status).toBe(200);
    expect((await send('GET', '/api/sites/daily/schedule')).json.paused).toBe(true);

    const resumed = await send('POST', '/api/sites/daily/schedule/resume');
    expect(resumed.status).toBe(200);
    expect(resumed.json.config.schedule.enabled).toBe(true);
    expect((await send('GET', '/api/sites/daily/schedule')).json.paused).toBe(false);
    expect((await send('POST', '/api/sites/daily/schedule/pause')).json.config.schedule.enabled).toBe(false);
    expect((await client.schedule.getHandle(scheduleId('daily')).describe()).state.paused).toBe(true);

    // The hour moves with the site.
    await send('PUT', '/api/sites/daily', await siteForm({ ...shortSite('daily'), schedule: { ...shortSite('daily').schedule, hourUtc: 7 } }, false));
    for (const next of (await send('GET', '/api/sites/daily/schedule')).json.nextRuns as string[]) expect(next).toMatch(/T07:00:00\.000Z$/);

    expect((await send('DELETE', '/api/sites/daily')).status).toBe(204);
    await expect(client.schedule.getHandle(scheduleId('daily')).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect((await send('GET', '/api/sites/daily/schedule')).status).toBe(404);
  }, 120_000);

  it('gives every stored site its schedule at start, and removes those of sites that are gone', async () => {
    await catalog.createSite(shortSite('stored', false), join(root, 'small.gr3'));
    const schedules = new TemporalSchedules(client);
    await schedules.sync(validateSite(shortSite('vanished')).site!);
    // Listing schedules goes through Temporal's visibility store, which catches up a moment later.
    await until('the schedule listed', async () => {
      for await (const listed of client.schedule.list()) if (listed.scheduleId === scheduleId('vanished')) return true;
      return undefined;
    });
    await schedules.syncAll(catalog);
    expect((await client.schedule.getHandle(scheduleId('stored')).describe()).state.paused).toBe(true);
    await expect(client.schedule.getHandle(scheduleId('vanished')).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  }, 60_000);
});
