/**
 * The forecast viewer with waves, in headless Chromium, on made-up products
 * (support/waveProducts.ts) served with the few API answers the viewer asks
 * for: no model, no Temporal, so the wave view is tested (and its
 * screenshots made, in test/out/screenshots/) apart from the cycle that
 * makes real wave products. The app is built from web/ into a temporary
 * folder, so it is the current source that runs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { projectRoot } from '../core/project.js';
import type { CycleView, SiteConfig, SiteView } from '../web/src/api/types.js';
import { launchChromium, openPage } from './support/browser.js';
import { WAVE_CYCLE, WAVE_OUTPUTS, writeWaveProducts } from './support/waveProducts.js';

const SCREENSHOTS = join(projectRoot(), 'test', 'out', 'screenshots');

const SITE: SiteConfig = {
  id: 'demo',
  name: 'Pillar Point demo estuary',
  coordinates: { ics: 2 },
  tide: { type: 'harmonic', boundaries: [{ type: 'uniform', constituents: [{ name: 'M2', amplitude: 0.54, phase: 184.1 }] }] },
  forcings: { waves: { type: 'constant', sigWaveHeight: 2.5, peakPeriod: 14, meanWaveDirection: 285 } },
  stations: [],
  thresholds: { stationLevel: [{ stationId: 'mouth', level: 1, name: 'high water' }], waveHeight: [{ stationId: 'offshore', height: 2.5, name: 'heavy swell' }] },
  model: { dt: 30, nspool: 120 },
  schedule: { enabled: false, hourUtc: 4 },
};

const CYCLE: CycleView = {
  siteId: 'demo',
  cycle: WAVE_CYCLE,
  status: 'completed',
  degraded: [],
  stage: null,
  progress: null,
  startedAt: WAVE_CYCLE,
  finishedAt: WAVE_CYCLE,
  summary: null,
  error: null,
  createdAt: WAVE_CYCLE,
  updatedAt: WAVE_CYCLE,
  live: null,
};

let dir: string;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-waves-viewer-'));
  const app = join(dir, 'app');
  const products = join(dir, 'products');
  const web = join(projectRoot(), 'web');
  const [stations] = await Promise.all([
    writeWaveProducts(products),
    build({ configFile: join(web, 'vite.config.ts'), logLevel: 'silent', build: { outDir: app, emptyOutDir: true, sourcemap: false } }),
  ]);
  const site: SiteView = {
    config: { ...SITE, stations: stations.stations.map(({ id, name, lon, lat }) => ({ id, name, lon, lat })) },
    mesh: { stats: null as unknown as SiteView['mesh']['stats'], openBoundaryNodes: [], warnings: [] },
    createdAt: WAVE_CYCLE,
    updatedAt: WAVE_CYCLE,
  };
  const cyclePath = `/api/sites/demo/cycles/${encodeURIComponent(WAVE_CYCLE)}`;
  const answers: Record<string, unknown> = {
    '/api/config': { version: 'test', basemap: null },
    '/api/sites/demo': site,
    [cyclePath]: CYCLE,
    [`${cyclePath}/downloads`]: [],
    [`${cyclePath}/skill`]: { siteId: 'demo', cycle: WAVE_CYCLE, stations: [] },
  };
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://viewer');
    const path = url.pathname;
    if (path in answers) return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers[path]));
    if (/^\/api\/sites\/demo\/stations\/[^/]+\/observations$/.test(path)) {
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ stationId: path.split('/')[5], times: [], water_level_m: [] }));
    }
    const file = path.startsWith(`${cyclePath}/products/`) ? join(products, path.slice(cyclePath.length + '/products/'.length)) : join(app, path === '/' ? 'index.html' : path);
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not-found', message: `${path}: not found` })),
    );
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the viewer with waves', () => {
  it('draws wave height with arrows where the waves go, over time and zoom, and Hs in the station chart', async () => {
    const watched = await openPage(browser, SCREENSHOTS);
    const { page } = watched;
    await page.goto(`${base}/#/sites/demo/cycles/${encodeURIComponent(WAVE_CYCLE)}`);
    const viewer = page.locator('[data-testid="forecast-viewer"]');
    await page.locator('[data-testid="forecast-viewer"][data-frame="0"]').waitFor({ state: 'attached' });
    const arrows = page.locator('[data-testid="forecast-map"] canvas.direction-arrows');
    const arrowState = async () => ({ count: Number(await arrows.getAttribute('data-arrows')), heading: Number(await arrows.getAttribute('data-heading')) });

    // The select offers both wave fields, not the direction; water level shows first, without arrows.
    const options = await page.locator('[data-testid="variable-select"] option').allTextContents();
    expect(options).toEqual(['Water level', 'Current speed', 'Flood depth', 'Wave height', 'Wave peak period']);
    expect(await arrows.getAttribute('data-arrows')).toBeNull();

    await page.locator('[data-testid="variable-select"]').selectOption('sigWaveHeight');
    await page.locator('[data-testid="forecast-viewer"][data-variable="sigWaveHeight"]').waitFor({ state: 'attached' });
    await arrows.and(page.locator('[data-arrows]')).waitFor({ state: 'attached' });
    const first = await arrowState();
    expect(first.count).toBeGreaterThan(30);
    // From 270° to 285° at the first output: towards the east, a little south of it.
    expect(first.heading).toBeGreaterThanOrEqual(90);
    expect(first.heading).toBeLessThanOrEqual(105);
    const legend = await page.locator('.map-legend').textContent();
    expect(legend).toContain('Wave height (m)');
    expect(legend).toContain('Arrows: where the waves go');
    await watched.screenshot('waves-1-viewer');

    // Under the cursor, offshore: the height and where the waves come from.
    const mapArea = (await page.locator('[data-testid="forecast-map"]').boundingBox())!;
    await page.mouse.move(mapArea.x + mapArea.width * 0.12, mapArea.y + mapArea.height * 0.3);
    await page.locator('[data-testid="cursor-value"]').filter({ hasText: /^2\.\d+ m from 28\d° \((W|WNW)\) at / }).waitFor();

    // The slider moves the arrows with it: the swell veers 6° further north by the last output (the tide moves the wet edge a little).
    await page.locator('[data-testid="time-slider"]').focus();
    await page.keyboard.press('End');
    await page.locator(`[data-testid="forecast-viewer"][data-frame="${WAVE_OUTPUTS - 1}"]`).waitFor({ state: 'attached' });
    const last = await arrowState();
    expect(Math.abs(last.count - first.count)).toBeLessThanOrEqual(3);
    expect(first.heading - last.heading).toBeGreaterThanOrEqual(4);
    expect(first.heading - last.heading).toBeLessThanOrEqual(7);

    // Zooming in redraws them on the new view, as densely on screen.
    await page.mouse.move(mapArea.x + mapArea.width * 0.3, mapArea.y + mapArea.height * 0.5);
    await page.locator('.leaflet-control-zoom-in').click();
    await page.waitForFunction(`document.querySelector('canvas.direction-arrows')?.getAttribute('data-arrows') !== '${last.count}'`);
    expect((await arrowState()).count).toBeGreaterThan(10);
    await page.locator('.leaflet-control-zoom-out').click();

    // A maximum has no direction, and other fields have no arrows.
    await page.locator('[data-testid="max-toggle"]').check();
    await page.locator('[data-testid="forecast-viewer"][data-max="true"]').waitFor({ state: 'attached' });
    expect(await arrows.getAttribute('data-arrows')).toBeNull();
    expect(await page.locator('.map-legend').textContent()).not.toContain('Arrows');
    await page.locator('[data-testid="max-toggle"]').uncheck();
    await page.locator('[data-testid="forecast-viewer"][data-max="false"]').waitFor({ state: 'attached' });
    await arrows.and(page.locator('[data-arrows]')).waitFor({ state: 'attached' });
    await page.locator('[data-testid="variable-select"]').selectOption('elevation');
    await page.locator('[data-testid="forecast-viewer"][data-variable="elevation"]').waitFor({ state: 'attached' });
    expect(await arrows.getAttribute('data-arrows')).toBeNull();
    await page.locator('[data-testid="variable-select"]').selectOption('sigWaveHeight');
    await page.locator('[data-testid="forecast-viewer"][data-variable="sigWaveHeight"]').waitFor({ state: 'attached' });

    // The offshore station's chart: Hs on its own axis, with the station's wave-height threshold.
    await page.locator('[data-testid="station-list"] button[data-station="offshore"]').click();
    const chart = page.locator('[data-testid="station-chart"]');
    await chart.locator('canvas').first().waitFor();
    expect(await chart.locator('.u-legend').textContent()).toContain('Wave height Hs');
    // Time, water level and, on the right, wave height.
    expect(await chart.locator('.u-axis').count()).toBe(3);
    expect(await chart.locator('.station-facts').textContent()).toMatch(/Highest wave height 2\.\d+ m at/);
    await watched.screenshot('waves-2-station-chart');
    expect(await viewer.getAttribute('data-variable')).toBe('sigWaveHeight');

    // Tablet width: the arrows are drawn again for the smaller map, and nothing needs sideways scrolling.
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.waitForFunction(`document.querySelector('canvas.direction-arrows')?.width === document.querySelector('[data-testid="forecast-map"]').clientWidth * devicePixelRatio`);
    expect((await arrowState()).count).toBeGreaterThan(10);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(768);
    await watched.screenshot('waves-3-tablet');
    expect(watched.problems).toEqual([]);
    await page.close();
  }, 120_000);
});
