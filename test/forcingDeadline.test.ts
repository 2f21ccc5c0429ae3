/**
 * Late and missing forcing on the real Temporal dev server, against an NCSS
 * server on 127.0.0.1: until the source's deadline a failing forcing is
 * tried again (durable workflow timers); after it the cycle falls back to the
 * newest earlier cycle's forcing that covers its run, or runs without one,
 * and is degraded with the reason, in the summary and the catalog (the API's
 * cycle summary). Deadlines are real and short (fractional deadlineHours):
 * time skipping does not work with the dev server.
 */
import { createServer, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Catalog } from '../activities/catalog.js';
import type { CycleSummary } from '../activities/cycle.js';
import { createForcingSource } from '../activities/forcing/source.js';
import { forcingCacheDirFor, type RunRecord } from '../activities/prepareRun.js';
import { NetcdfWriter } from '../core/netcdf/writer.js';
import { readParam } from '../core/schism/param.js';
import type { SiteInput } from '../core/site.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { exampleSite } from './support/sites.js';
import { startCycleStack, type CycleStack } from './support/temporalServer.js';

const HOUR = 3_600_000;

let stack: CycleStack;
let root: string;
let dataDir: string;
let catalog: Catalog;
let client: Client;
let cycles: TemporalCycles;
let served = 0;

beforeAll(async () => {
  stack = await startCycleStack('deadline');
  ({ root, dataDir, catalog, client } = stack);
  cycles = new TemporalCycles(client);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** What a THREDDS server answers to a grid query: a half-degree grid over the box, hourly over the times asked for. */
async function answerGrid(query: URLSearchParams, res: ServerResponse): Promise<void> {
  const step = 0.5;
  const axis = (from: number, to: number): number[] => {
    const values: number[] = [];
    for (let v = Math.floor(from / step) * step; v <= Math.ceil(to / step) * step + 1e-9; v += step) values.push(v);
    return values;
  };
  const lons = axis(Number(query.get('west')), Number(query.get('east')));
  const lats = axis(Number(query.get('south')), Number(query.get('north')));
  const variables = query.getAll('var');
  const path = join(root, `served${served++}.nc`);
  const writer = await NetcdfWriter.create(path, {
    format: 'classic',
    dimensions: [{ name: 'time', size: 'unlimited' }, { name: 'lat', size: lats.length }, { name: 'lon', size: lons.length }],
    variables: [
      { name: 'time', type: 'double', dimensions: ['time'], attributes: [{ name: 'units', type: 'char', value: 'hours since 1970-01-01 00:00:00' }] },
      { name: 'lon', type: 'float', dimensions: ['lon'], attributes: [{ name: 'units', type: 'char', value: 'degrees_east' }] },
      { name: 'lat', type: 'float', dimensions: ['lat'], attributes: [{ name: 'units', type: 'char', value: 'degrees_north' }] },
      ...variables.map((name) => ({ name, type: 'float' as const, dimensions: ['time', 'lat', 'lon'] })),
    ],
  });
  await writer.write('lon', lons);
  await writer.write('lat', lats);
  const first = Math.floor(Date.parse(query.get('time_start')!) / HOUR);
  const last = Math.ceil(Date.parse(query.get('time_end')!) / HOUR);
  for (let hour = first; hour <= last; hour++) {
    const record: Record<string, number[]> = { time: [hour] };
    for (const name of variables) record[name] = Array.from({ length: lons.length * lats.length }, () => (name === 'prmsl' ? 101_325 : 3));
    await writer.appendRecord(record);
  }
  await writer.close();
  res.writeHead(200, { 'content-type': 'application/x-netcdf' }).end(await readFile(path));
}

interface NcssServer {
  url: string;
  /** Wall time of each request, ms. */
  requests: number[];
  close(): Promise<void>;
}

/** An NCSS server that answers HTTP 500 to the first `failures` requests, then the grid. */
async function ncssServer(failures: number): Promise<NcssServer> {
  const requests: number[] = [];
  const http = createServer((req, res) => {
    requests.push(Date.now());
    if (requests.length <= failures) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('model run not yet available');
      return;
    }
    answerGrid(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams, res).catch((error: Error) => res.writeHead(500).end(error.message));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/thredds/ncss/grid/gfs/best`,
    requests,
    close: () => new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    }),
  };
}

/** The current hour: a cycle whose deadline, `secondsAhead` from now, is a fraction of an hour after it. */
function cycleWithDeadline(secondsAhead: number): { cycle: Date; deadline: Date; deadlineHours: number } {
  const cycle = new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const deadline = new Date(Date.now() + secondsAhead * 1000);
  return { cycle, deadline, deadlineHours: (deadline.getTime() - cycle.getTime()) / HOUR };
}

/** A site whose cycle takes seconds (1 h spin-up, 6 h forecast), its atmosphere from `url` with no retries of its own. */
async function shortSite(id: string, url: string, deadlineHours: number): Promise<void> {
  const site: SiteInput = {
    ...exampleSite(id),
    forcings: { atmosphere: { type: 'ncss', url, retries: 0, retryDelayMs: 0, timeoutMs: 2000, deadlineHours } },
    schedule: { enabled: false, hourUtc: 4, forecastHours: 6, spinUpHours: 1 },
  };
  await catalog.createSite(site, join(root, 'small.gr3'));
}

async function runCycle(siteId: string, cycle: Date): Promise<CycleSummary> {
  const { workflowId } = await cycles.start(siteId, cycle);
  return (await client.workflow.getHandle(workflowId).result()) as CycleSummary;
}

async function runRecord(summary: CycleSummary): Promise<RunRecord> {
  return JSON.parse(await readFile(join(summary.runDir, 'run.json'), 'utf8')) as RunRecord;
}

const stageStart = (summary: CycleSummary, stage: string): number => Date.parse(summary.stages.find((s) => s.stage === stage)!.startedAt);

describe('forcing deadlines', () => {
  it('tries a failing forcing again before its deadline and completes without degrading', async () => {
    const ncss = await ncssServer(2);
    try {
      const { cycle, deadlineHours } = cycleWithDeadline(90);
      await shortSite('retried', ncss.url, deadlineHours);
      const summary = await runCycle('retried', cycle);

      expect(summary.degraded).toEqual([]);
      expect(summary.degradedReasons).toEqual([]);
      // Each failure is followed by a wait the workflow reports, the second twice as long as the first.
      expect(ncss.requests).toHaveLength(3);
      const waits = summary.messages.filter((m) => m.startsWith('atmosphere: '));
      expect(waits).toHaveLength(2);
      for (const wait of waits) expect(wait).toMatch(/^atmosphere: HTTP 500 Internal Server Error: model run not yet available; trying again at \S+Z, deadline \S+Z$/);
      const [first, second] = [ncss.requests[1] - ncss.requests[0], ncss.requests[2] - ncss.requests[1]];
      expect(second).toBeGreaterThan(1.5 * first);
      expect((await runRecord(summary)).inputs.forcings.atmosphere?.origin).toBe(`ncss ${ncss.url}`);
      expect(existsSync(join(summary.runDir, 'sflux'))).toBe(true);
      expect(catalog.getCycle('retried', cycle)).toMatchObject({ status: 'completed', degraded: [] });
    } finally {
      await ncss.close();
    }
  }, 180_000);

  it('after the deadline falls back to the newest earlier forcing that covers the run, or runs without one', async () => {
    const failingWithEarlier = await ncssServer(Infinity);
    const failingAlone = await ncssServer(Infinity);
    const healthy = await ncssServer(0);
    try {
      const { cycle, deadline, deadlineHours } = cycleWithDeadline(25);
      await shortSite('fallback', failingWithEarlier.url, deadlineHours);
      await shortSite('tide-only', failingAlone.url, deadlineHours);

      // Two earlier cycles fetched their forcing: the newer (6 h before) covers this run, an older one too; the newer is used.
      const bbox = { west: -10, south: 39, east: -7, north: 42 };
      for (const hoursBefore of [6, 12]) {
        const earlier = new Date(cycle.getTime() - hoursBefore * HOUR);
        await createForcingSource({ type: 'ncss', url: healthy.url }).fetch(
          { kind: 'atmosphere', variables: ['uwind', 'vwind', 'prmsl'], bbox, start: new Date(earlier.getTime() - HOUR), end: new Date(cycle.getTime() + 12 * HOUR) },
          forcingCacheDirFor(dataDir, 'fallback', earlier),
        );
      }
      // A newer one that ends too early does not cover the run.
      const short = new Date(cycle.getTime() - 3 * HOUR);
      await createForcingSource({ type: 'ncss', url: healthy.url }).fetch(
        { kind: 'atmosphere', variables: ['uwind', 'vwind', 'prmsl'], bbox, start: new Date(short.getTime() - HOUR), end: new Date(cycle.getTime() + 2 * HOUR) },
        forcingCacheDirFor(dataDir, 'fallback', short),
      );

      const [withEarlier, alone] = await Promise.all([runCycle('fallback', cycle), runCycle('tide-only', cycle)]);
      const deadlineText = deadline.toISOString().slice(0, 19);
      const sixHoursBefore = new Date(cycle.getTime() - 6 * HOUR).toISOString().slice(0, 16);

      expect(withEarlier.degraded).toEqual(['atmosphere']);
      expect(withEarlier.degradedReasons).toEqual([expect.stringMatching(new RegExp(`^atmosphere: deadline ${deadlineText}Z passed \\(.*HTTP 500.*\\); using the forcing of cycle ${sixHoursBefore}Z$`))]);
      expect(withEarlier.messages.some((m) => /^atmosphere: HTTP 500.*; trying again at .*, deadline /.test(m))).toBe(true);
      const record = await runRecord(withEarlier);
      expect(record.inputs.forcings.atmosphere?.path).toBe(join(forcingCacheDirFor(dataDir, 'fallback', new Date(cycle.getTime() - 6 * HOUR)), 'atmosphere.nc'));
      expect(record.inputs.forcings.atmosphere?.origin).toContain(`the forcing of cycle ${new Date(cycle.getTime() - 6 * HOUR).toISOString()}`);
      expect(existsSync(join(withEarlier.runDir, 'sflux'))).toBe(true);
      expect(catalog.getCycle('fallback', cycle)).toMatchObject({ status: 'completed', degraded: ['atmosphere'], summary: { degradedReasons: withEarlier.degradedReasons } });

      expect(alone.degraded).toEqual(['atmosphere']);
      expect(alone.degradedReasons).toEqual([expect.stringMatching(new RegExp(`^atmosphere: deadline ${deadlineText}Z passed \\(.*HTTP 500.*\\); none covers the period .* to .*, running without it$`))]);
      expect((await runRecord(alone)).inputs.forcings.atmosphere).toBeNull();
      expect(existsSync(join(alone.runDir, 'sflux'))).toBe(false);
      expect(catalog.getCycle('tide-only', cycle)).toMatchObject({ status: 'completed', degraded: ['atmosphere'], summary: { degradedReasons: alone.degradedReasons } });

      // The deadline is honoured: attempts until it, none after, and the run prepared right after it.
      for (const [summary, ncss] of [[withEarlier, failingWithEarlier], [alone, failingAlone]] as const) {
        expect(ncss.requests.length).toBeGreaterThanOrEqual(3);
        expect(Math.max(...ncss.requests)).toBeLessThan(deadline.getTime());
        const prepared = stageStart(summary, 'prepare');
        expect(prepared).toBeGreaterThanOrEqual(deadline.getTime() - 1000);
        expect(prepared).toBeLessThan(deadline.getTime() + 5000);
      }
    } finally {
      await Promise.all([failingWithEarlier.close(), failingAlone.close(), healthy.close()]);
    }
  }, 180_000);

  it('runs without waves, degraded, when the wave forcing misses its deadline and no earlier one covers the run', async () => {
    const failing = await ncssServer(Infinity);
    try {
      const { cycle, deadline, deadlineHours } = cycleWithDeadline(20);
      await catalog.createSite(
        { ...exampleSite('calm-sea'), forcings: { waves: { type: 'ncss', url: failing.url, retries: 0, retryDelayMs: 0, timeoutMs: 2000, deadlineHours } }, schedule: { enabled: false, hourUtc: 4, forecastHours: 6, spinUpHours: 1 } },
        join(root, 'small.gr3'),
      );
      const summary = await runCycle('calm-sea', cycle);

      expect(summary.degraded).toEqual(['waves']);
      expect(summary.degradedReasons).toEqual([expect.stringMatching(new RegExp(`^waves: deadline ${deadline.toISOString().slice(0, 19)}Z passed \\(.*HTTP 500.*\\); none covers the period .* to .*, running without it$`))]);
      expect(summary.run.waves).toBeNull();
      expect((await runRecord(summary)).inputs.forcings.waves).toBeNull();
      expect(existsSync(join(summary.runDir, 'waves.th.nc'))).toBe(false);
      expect(await readParam(join(summary.runDir, 'param.nml'))).toMatchObject({ waves: false });
      expect(catalog.getCycle('calm-sea', cycle)).toMatchObject({ status: 'completed', degraded: ['waves'], summary: { degradedReasons: summary.degradedReasons } });
    } finally {
      await failing.close();
    }
  }, 180_000);
});
