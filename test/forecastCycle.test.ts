/**
 * The forecast cycle end to end: the real Temporal dev server, the worker
 * with the forecastCycle workflow, the real model as a process, the demo
 * site's full 72-hour cycle (after 24 h of spin-up), then the products
 * checked against the tide the site's constants predict.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import type { CycleSummary } from '../activities/cycle.js';
import { loadMesh } from '../core/mesh/gr3.js';
import { predictTide } from '../core/tide/predict.js';
import { installDemoSite } from '../server/demo/install.js';
import { DEMO_TIDE } from '../server/demo/site.js';
import { resolveTemporalCli } from '../server/temporalCli.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { progressQuery, type ForecastProgress } from '../workflows/forecastCycle.js';
import { bundleWorkflows, startCycleWorker, startDevServer, type DevServer, type RunningWorker } from './support/temporalServer.js';

let server: DevServer;
let bundle: WorkflowBundleWithSourceMap;
let dataDir: string;
let catalog: Catalog;
let worker: RunningWorker;
let client: Client;
let cycles: TemporalCycles;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  server = await startDevServer();
  bundle = await bundleWorkflows();
  dataDir = await mkdtemp(join(tmpdir(), 'coastcast-cycle-'));
  catalog = openCatalog(dataDir);
  await installDemoSite(catalog, join(dataDir, 'uploads'));
  worker = await startCycleWorker(server, { dataDir, catalog, workflowBundle: bundle });
  client = server.env.client;
  cycles = new TemporalCycles(client);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  catalog?.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('forecastCycle on a real Temporal dev server', () => {
  it('runs the demo site’s cycle: tide at the stations as predicted, low land flooded at high water only', async () => {
    const cycle = new Date('2026-11-25T00:00:00Z');
    const first = await cycles.start('demo', cycle);
    const second = await cycles.start('demo', cycle);
    expect(first).toEqual({ workflowId: 'forecast:demo:2026-11-25T00:00:00.000Z', started: true });
    expect(second).toEqual({ workflowId: first.workflowId, started: false });

    const handle = client.workflow.getHandle(first.workflowId);
    const seen: ForecastProgress[] = [];
    const result = handle.result() as Promise<CycleSummary>;
    let finished = false;
    void result.finally(() => (finished = true)).catch(() => {});
    while (!finished) {
      const progress = await handle.query(progressQuery).catch(() => undefined);
      if (progress) seen.push(progress);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const summary = await result;

    // The query followed the stages, and the model's own progress through the signals.
    const stages = [...new Set(seen.map((p) => p.stage))];
    expect(stages).toContain('model');
    const modelPercents = seen.filter((p) => p.stage === 'model' && p.modelPercent !== null).map((p) => p.modelPercent!);
    expect(new Set(modelPercents).size).toBeGreaterThan(2);
    expect(modelPercents).toEqual([...modelPercents].sort((a, b) => a - b));

    // The catalog and summary.json say the same: completed, nothing degraded, one model job.
    const record = catalog.getCycle('demo', cycle);
    expect(record).toMatchObject({ status: 'completed', stage: 'completed', progress: 1, degraded: [] });
    const products = join(summary.runDir, 'products');
    const published = JSON.parse(await readFile(join(products, 'summary.json'), 'utf8')) as CycleSummary;
    expect(published.products.times).toEqual(summary.products.times);
    expect(summary.model.reattached).toBe(false);
    const log = await readFile(join(summary.runDir, 'model.log'), 'utf8');
    expect(log.split('\n').filter((line) => line.includes('"event":"start"'))).toHaveLength(1);

    // 72 hours of outputs every 10 minutes, starting at the cycle time.
    const stations = JSON.parse(await readFile(join(products, 'stations.json'), 'utf8'));
    const times = (stations.times as string[]).map((t) => new Date(t));
    expect(times[0].getTime()).toBeGreaterThanOrEqual(cycle.getTime());
    expect(times.at(-1)!.getTime() - cycle.getTime()).toBe(72 * 3600_000);

    // At the mouth the model's tide is the gauge's predicted tide: range within 10 cm, RMS below 10 cm.
    const predicted = predictTide(DEMO_TIDE, times);
    const mouth = stations.stations.find((s: { id: string }) => s.id === 'mouth').elevation as number[];
    expect(Math.abs(Math.max(...mouth) - Math.max(...predicted))).toBeLessThan(0.1);
    expect(Math.abs(Math.min(...mouth) - Math.min(...predicted))).toBeLessThan(0.1);
    const rms = Math.sqrt(mouth.reduce((sum, level, i) => sum + (level - predicted[i]) ** 2, 0) / mouth.length);
    expect(rms).toBeLessThan(0.1);

    // Flooding: some at high water, none at low water, and only on low-lying land.
    const perTime = summary.products.flood.perTime;
    const highest = predicted.indexOf(Math.max(...predicted));
    const lowest = predicted.indexOf(Math.min(...predicted));
    expect(perTime[highest].areaKm2).toBeGreaterThan(0.1);
    expect(perTime[lowest].areaKm2).toBe(0);
    const mesh = await loadMesh(join(summary.runDir, 'hgrid.gr3'));
    const maxDepth = new Float32Array((await readFile(join(products, 'max', 'inundationDepth.bin'))).buffer.slice(0));
    let floodedNodes = 0;
    for (let node = 0; node < maxDepth.length; node++) {
      if (!Number.isFinite(maxDepth[node]) || maxDepth[node] <= 0) continue;
      floodedNodes++;
      expect(mesh.depth[node]).toBeLessThan(0);
      expect(mesh.depth[node]).toBeGreaterThan(-2);
    }
    expect(floodedNodes).toBeGreaterThan(10);
    const extent = JSON.parse(await readFile(join(products, 'flood', 'max.geojson'), 'utf8'));
    expect(extent.features[0].geometry.type).toBe('MultiPolygon');
    expect(extent.features[0].geometry.coordinates.length).toBeGreaterThan(0);

    // The demo's swell reaches the shelf above its threshold, from the west-north-west, and enters the estuary lower.
    const shelf = stations.stations.find((s: { id: string }) => s.id === 'shelf');
    const shelfHeights = (shelf.sigWaveHeight as (number | null)[]).filter((h): h is number => h !== null);
    expect(shelfHeights).toHaveLength(times.length);
    expect(Math.min(...shelfHeights)).toBeGreaterThan(2);
    for (const from of shelf.meanWaveDirection as number[]) expect(Math.abs(from - 285)).toBeLessThan(15);
    const mouthHeights = (stations.stations.find((s: { id: string }) => s.id === 'mouth').sigWaveHeight as (number | null)[]).filter((h): h is number => h !== null);
    expect(Math.max(...mouthHeights)).toBeLessThan(Math.min(...shelfHeights));
    const index = JSON.parse(await readFile(join(products, 'frames', 'index.json'), 'utf8')) as { variables: { name: string }[] };
    expect(index.variables.map((v) => v.name)).toEqual(expect.arrayContaining(['sigWaveHeight', 'peakPeriod', 'meanWaveDirection']));

    // Springs raise the site's alerts, the swell its own.
    expect(summary.products.alerts.map((a) => a.name).sort()).toEqual(['flooded area', 'marsh flooded', 'spring high water', 'swell over 2 m']);

    await recordHistory('demo', first.workflowId);
  }, 600_000);

  it('runs without a forcing whose server answers 500, and says so', async () => {
    const failing = await answering(500);
    try {
      const demo = catalog.getSite('demo');
      await catalog.createSite({
        ...demo.config,
        id: 'demo-wind',
        forcings: { atmosphere: { type: 'ncss', url: `${failing.url}/thredds/ncss/grid/gfs`, retries: 0, retryDelayMs: 0, timeoutMs: 2000, deadlineHours: 6 } },
        schedule: { ...demo.config.schedule, spinUpHours: 1, forecastHours: 2 },
      }, join(demo.dir, 'hgrid.gr3'));
      const cycle = new Date('2026-11-25T00:00:00Z');
      const { workflowId } = await cycles.start('demo-wind', cycle);
      const summary = (await client.workflow.getHandle(workflowId).result()) as CycleSummary;
      expect(summary.degraded).toEqual(['atmosphere']);
      expect(summary.messages.join('\n')).toMatch(/atmosphere: deadline .* passed \(.*500.*\); none covers the period .*, running without it/);
      expect(failing.requests()).toBeGreaterThanOrEqual(2);
      expect(catalog.getCycle('demo-wind', cycle)).toMatchObject({ status: 'completed', degraded: ['atmosphere'] });
      await recordHistory('degraded', workflowId);
    } finally {
      await failing.close();
    }
  }, 300_000);

  it('fails the cycle at the step that cannot work, naming the problem, without retrying bad input', async () => {
    const demo = catalog.getSite('demo');
    await catalog.createSite({
      ...demo.config,
      id: 'demo-atlas',
      tide: { type: 'atlas', path: join(dataDir, 'no-such-atlas'), constituents: ['M2'] },
    }, join(demo.dir, 'hgrid.gr3'));
    const cycle = new Date('2026-11-25T00:00:00Z');
    const { workflowId } = await cycles.start('demo-atlas', cycle);
    const error = await client.workflow.getHandle(workflowId).result().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(innermost(error as Error)).toMatch(/no-such-atlas.*m2\.nc/);
    const record = catalog.getCycle('demo-atlas', cycle);
    expect(record).toMatchObject({ status: 'failed', stage: 'prepare' });
    expect(record.error).toMatch(/m2\.nc/);
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const attempts = history.events!.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
    expect(Math.max(...attempts)).toBe(1);
    await recordHistory('failed', workflowId);
  }, 120_000);

  it('tells an unknown site from a failure of the service', async () => {
    const { workflowId } = await cycles.start('nowhere', new Date('2026-11-25T00:00:00Z'));
    const error = await client.workflow.getHandle(workflowId).result().then(() => undefined, (e: unknown) => e);
    expect(innermost(error as Error)).toBe('no site "nowhere"');
  }, 60_000);
});

/**
 * With COASTCAST_RECORD_HISTORY=<folder>, saves the workflow's history as
 * `<folder>/forecastCycle-<name>.json` for test/forecastCycle.replay.test.ts,
 * in the Temporal CLI's JSON export (what the web UI downloads too).
 */
async function recordHistory(name: string, workflowId: string): Promise<void> {
  const folder = process.env.COASTCAST_RECORD_HISTORY;
  if (!folder) return;
  const { stdout } = await promisify(execFile)(resolveTemporalCli().path, ['workflow', 'show', '--workflow-id', workflowId, '--address', server.env.address, '--output', 'json'], { maxBuffer: 64 << 20 });
  await writeFile(join(folder, `forecastCycle-${name}.json`), stdout);
}

function innermost(error: Error): string {
  let e: Error = error;
  while (e.cause instanceof Error) e = e.cause;
  return e.message;
}

/** An HTTP server on 127.0.0.1 that answers every request with `status`. */
async function answering(status: number): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const http: Server = createServer((_request, response) => {
    count++;
    response.writeHead(status, { 'content-type': 'text/plain' }).end('upstream broken');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, requests: () => count, close: () => new Promise((resolve) => http.close(() => resolve())) };
}

