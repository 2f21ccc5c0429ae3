/**
 * The web app end to end, in real headless Chromium against the real stack:
 * the Temporal dev server, the cycle worker running the model as a process,
 * and the API serving the built app (web/dist, made by `npm run build`).
 * A user creates a site with the wizard from the demo mesh (and the demo's
 * constant west-north-westerly swell), starts a run, watches it complete,
 * explores the forecast, its waves included, and opens a station chart.
 * Screenshots land in test/out/screenshots/.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import { writeMesh } from '../core/mesh/gr3.js';
import { projectRoot } from '../core/project.js';
import { buildApi } from '../server/api/app.js';
import type { Api } from '../server/api/schemas.js';
import { installDemoSite } from '../server/demo/install.js';
import { DEMO_PLACES, demoLonLat, generateDemoMesh } from '../server/demo/mesh.js';
import { DEMO_TIDE } from '../server/demo/site.js';
import { TemporalCycles } from '../server/temporalCycles.js';
import { launchChromium, openPage, type WatchedPage } from './support/browser.js';
import { bundleWorkflows, startCycleWorker, startDevServer, type DevServer, type RunningWorker } from './support/temporalServer.js';

const WEB_ROOT = join(projectRoot(), 'web', 'dist');
const SCREENSHOTS = join(projectRoot(), 'test', 'out', 'screenshots');

let server: DevServer;
let dataDir: string;
let catalog: Catalog;
let worker: RunningWorker;
let api: Api;
let base: string;
let browser: Browser;
let meshFile: string;
let brokenMeshFile: string;
/** The demo mesh's first element (after the title, the counts and 1 749 nodes), made to name a node that does not exist. */
const BROKEN_LINE = 2 + 1749 + 1;

beforeAll(async () => {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new Error(`${WEB_ROOT}: no built web app; run \`npm run build\` first (npm test does)`);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  [server, browser] = await Promise.all([startDevServer(), launchChromium()]);
  dataDir = await mkdtemp(join(tmpdir(), 'coastcast-web-'));
  meshFile = join(dataDir, 'demo-hgrid.gr3');
  await writeMesh(meshFile, generateDemoMesh());
  brokenMeshFile = join(dataDir, 'broken-hgrid.gr3');
  const lines = (await readFile(meshFile, 'utf8')).split('\n');
  lines[BROKEN_LINE - 1] = '1 3 1 2 999999';
  await writeFile(brokenMeshFile, lines.join('\n'));
  catalog = openCatalog(dataDir);
  await installDemoSite(catalog, join(dataDir, 'uploads'));
  worker = await startCycleWorker(server, { dataDir, catalog, workflowBundle: await bundleWorkflows() });
  api = buildApi({ dataDir, catalog, cycles: new TemporalCycles(server.env.client), webRoot: WEB_ROOT });
  base = await api.listen({ host: '127.0.0.1', port: 0 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await worker?.stop();
  catalog?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

/** The mesh canvas's pixels, to tell whether the drawn field changed. */
async function fieldPixels(watched: WatchedPage): Promise<string> {
  // Runs in the page; the suite compiles without the DOM library, hence the structural type.
  return watched.page.locator('[data-testid="forecast-map"] canvas.field-layer').evaluate((canvas) => (canvas as unknown as { toDataURL(type: string): string }).toDataURL('image/png'));
}

describe('the web app in Chromium', () => {
  it('walks the wizard with the demo mesh, runs a cycle, and explores its forecast', async () => {
    const watched = await openPage(browser, SCREENSHOTS);
    const { page } = watched;

    // Overview: the demo site is on the map and in the list.
    await page.goto(`${base}/#/`);
    await page.locator('tr[data-site="demo"]').waitFor();
    await page.locator('.overview-map[data-outlines="1"]').waitFor();
    await watched.screenshot('1-overview');

    // Wizard: every step checked before the next; nothing stored until Save.
    await page.locator('nav a[href="#/sites/new"]').click();
    const step = (name: string) => page.locator(`section[data-step="${name}"]`);
    const next = async () => page.locator('[data-action="next"]:visible').click();

    // A step with a problem stays, and says so.
    await next();
    await page.locator('[data-testid="step-problems"]').waitFor();
    expect(await step('name').isVisible()).toBe(true);
    await step('name').locator('input[name="name"]').fill('E2E estuary');
    expect(await step('name').locator('input[name="id"]').inputValue()).toBe('e2e-estuary');
    await next();

    // A broken mesh is drawn back with its problem by line, and blocks the way on.
    await step('mesh').locator('input[name="mesh"]').setInputFiles(brokenMeshFile);
    await step('mesh').locator(`[data-testid="mesh-problems"] li.error[data-line="${BROKEN_LINE}"]`).waitFor();
    await next();
    expect(await step('mesh').isVisible()).toBe(true);
    await step('mesh').locator('input[name="mesh"]').setInputFiles(meshFile);
    await step('mesh').locator('[data-testid="mesh-status"]', { hasText: 'usable' }).waitFor();
    expect(await step('mesh').locator('[data-testid="mesh-stats"]').textContent()).toMatch(/Triangles\s*3,?328/);
    await watched.screenshot('2-wizard-mesh');
    await next();

    // Tide: the two largest constituents of the demo gauge, on the one open boundary.
    const [m2, k1] = ['M2', 'K1'].map((name) => DEMO_TIDE.constituents.find((c) => c.name === name)!);
    // The step lays out one table per open boundary of the checked mesh, each with an empty row.
    const rows = step('tide').locator('.wizard-boundary tbody tr');
    await rows.first().waitFor();
    expect(await step('tide').locator('.wizard-boundary').count()).toBe(1);
    for (const [i, constituent] of [m2, k1].entries()) {
      if (i > 0) await step('tide').locator('[data-action="add-constituent"][data-boundary="0"]').click();
      const row = rows.nth(i);
      await row.locator('input[name="constituent-name"]').fill(constituent.name);
      await row.locator('input[name="constituent-amplitude"]').fill(String(constituent.amplitude));
      await row.locator('input[name="constituent-phase"]').fill(String(constituent.phase));
    }
    // Waves: the demo's winter swell, one sea state for the whole run.
    await step('tide').locator('select[name="waves-type"]').selectOption('constant');
    await step('tide').locator('input[name="waves-sigWaveHeight"]').fill('2.5');
    await step('tide').locator('input[name="waves-peakPeriod"]').fill('14');
    await step('tide').locator('input[name="waves-meanWaveDirection"]').fill('285');
    await next();

    // Stations: one by a click on the map, one typed (the estuary mouth).
    await page.locator('.wizard-map:visible').click();
    const clicked = step('stations').locator('tbody tr').first();
    await clicked.locator('input[name="station-id"]').fill('channel');
    await clicked.locator('input[name="station-name"]').fill('Channel (clicked)');
    await step('stations').locator('[data-action="add-station"]').click();
    const mouth = demoLonLat(DEMO_PLACES.mouth.x, DEMO_PLACES.mouth.y);
    const typed = step('stations').locator('tbody tr').nth(1);
    await typed.locator('input[name="station-id"]').fill('mouth');
    await typed.locator('input[name="station-name"]').fill('Estuary mouth');
    await typed.locator('input[name="station-lon"]').fill(mouth.lon.toFixed(5));
    await typed.locator('input[name="station-lat"]').fill(mouth.lat.toFixed(5));
    await next();

    await step('thresholds').locator('[data-action="add-threshold"]').click();
    await step('thresholds').locator('select[name="threshold-station"]').selectOption('mouth');
    await step('thresholds').locator('input[name="threshold-level"]').fill('0.5');
    await step('thresholds').locator('input[name="threshold-name"]').fill('high water');
    await step('thresholds').locator('[data-action="add-wave-threshold"]').click();
    await step('thresholds').locator('select[name="wave-threshold-station"]').selectOption('mouth');
    await step('thresholds').locator('input[name="wave-threshold-height"]').fill('2');
    await step('thresholds').locator('input[name="wave-threshold-name"]').fill('heavy swell');
    await step('thresholds').locator('input[name="floodedArea"]').fill('0.5');
    await next();

    // A short forecast keeps the run to a few seconds of model time.
    await step('schedule').locator('input[name="enabled"]').uncheck();
    await step('schedule').locator('input[name="forecastHours"]').fill('12');
    await step('schedule').locator('input[name="spinUpHours"]').fill('6');
    await next();

    await step('review').waitFor();
    expect(catalog.listSites().map((s) => s.id)).toEqual(['demo']);
    await page.locator('[data-action="save"]').click();
    await page.waitForURL(/#\/sites\/e2e-estuary$/);
    const saved = catalog.getSite('e2e-estuary').config;
    expect(saved.stations.map((s) => s.id)).toEqual(['channel', 'mouth']);
    expect(saved.tide.type === 'harmonic' && saved.tide.boundaries[0].type === 'uniform' && saved.tide.boundaries[0].constituents.map((c) => c.name)).toEqual(['M2', 'K1']);
    expect(saved.schedule).toMatchObject({ enabled: false, forecastHours: 12, spinUpHours: 6 });
    expect(saved.thresholds.waveHeight).toEqual([{ stationId: 'mouth', height: 2, name: 'heavy swell' }]);
    expect(saved.forcings.waves).toEqual({ type: 'constant', sigWaveHeight: 2.5, peakPeriod: 14, meanWaveDirection: 285 });

    // Runs: start one, follow it live, see it complete.
    await page.locator('[data-action="run-now"]').click();
    await page.locator('[data-testid="live-progress"]').first().waitFor({ timeout: 60_000 });
    await watched.screenshot('3-run-progress');
    const row = page.locator('tr[data-status="completed"]').first();
    await row.waitFor({ timeout: 240_000 });
    // The site's first cycle has no earlier one to continue from, and says so.
    expect(await row.textContent()).toMatch(/cold start \(6 h spin-up\): no previous cycle/);
    await watched.screenshot('4-run-completed');

    // Viewer: frame 0 drawn; the slider moves the field; a station chart opens.
    await row.locator('[data-action="view"]').click();
    const viewer = page.locator('[data-testid="forecast-viewer"]');
    await page.locator('[data-testid="forecast-viewer"][data-frame="0"]').waitFor({ state: 'attached' });
    const before = await fieldPixels(watched);
    const slider = page.locator('[data-testid="time-slider"]');
    await slider.focus();
    for (let k = 0; k < 18; k++) await page.keyboard.press('ArrowRight');
    await page.locator('[data-testid="forecast-viewer"][data-frame="18"]').waitFor({ state: 'attached' });
    expect(await viewer.getAttribute('data-frame')).toBe('18');
    const after = await fieldPixels(watched);
    expect(after).not.toBe(before);
    await watched.screenshot('5-viewer');

    // The value under the cursor: water at the mouth station, in metres.
    const map = page.locator('[data-testid="forecast-map"]');
    const box = (await map.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    await page.locator('[data-testid="cursor-value"]').filter({ hasText: /^-?\d+\.\d+ m at / }).waitFor();

    // Downloads: the station series, the model's NetCDF and the flood extent.
    const downloads = await page.locator('[data-testid="downloads"] a').allTextContents();
    expect(downloads).toEqual(expect.arrayContaining(['stations.csv', 'out2d_1.nc', 'flood-max.geojson']));

    await page.locator('[data-testid="station-list"] button[data-station="mouth"]').click();
    const chart = page.locator('[data-testid="station-chart"]');
    await chart.locator('canvas').first().waitFor();
    await watched.screenshot('6-station-chart');
    await page.keyboard.press('Escape');
    await chart.waitFor({ state: 'hidden' });

    // Waves: their height with arrows where they go, east-south-east for a swell from 285°, and Hs in the station chart.
    const variable = page.locator('[data-testid="variable-select"]');
    expect(await variable.locator('option').allTextContents()).toContain('Wave height');
    await variable.selectOption('sigWaveHeight');
    await page.locator('[data-testid="forecast-viewer"][data-variable="sigWaveHeight"]').waitFor({ state: 'attached' });
    const arrows = page.locator('[data-testid="forecast-map"] canvas.direction-arrows[data-arrows]');
    await arrows.waitFor({ state: 'attached' });
    expect(Number(await arrows.getAttribute('data-arrows'))).toBeGreaterThan(10);
    // 105° offshore; refraction turns the swell towards the beach's normal (90°) as it shoals.
    const heading = Number(await arrows.getAttribute('data-heading'));
    expect(heading).toBeGreaterThan(80);
    expect(heading).toBeLessThan(125);
    await watched.screenshot('6b-viewer-waves');
    await page.locator('[data-testid="station-list"] button[data-station="mouth"]').click();
    await chart.locator('canvas').first().waitFor();
    expect(await chart.locator('.u-legend').textContent()).toContain('Wave height Hs');
    expect(await chart.locator('.station-facts').textContent()).toMatch(/Highest wave height \d+\.\d+ m at/);
    await watched.screenshot('6c-station-chart-waves');
    await page.keyboard.press('Escape');
    await chart.waitFor({ state: 'hidden' });
    await variable.selectOption('elevation');
    await page.locator('[data-testid="forecast-viewer"][data-variable="elevation"]').waitFor({ state: 'attached' });

    // The maximum envelope is another field; the flood overlay says how much land is under water.
    await page.locator('[data-testid="max-toggle"]').check();
    await page.locator('[data-testid="forecast-viewer"][data-max="true"]').waitFor({ state: 'attached' });
    expect(await fieldPixels(watched)).not.toBe(after);
    await page.locator('[data-testid="flood-toggle"]').check();
    await page.locator('[data-testid="flooded-area"]').filter({ hasText: /km²/ }).waitFor();

    // Tablet width: the panel goes under the map and nothing needs sideways scrolling.
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.locator('[data-testid="forecast-map"]').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(768);
    await watched.screenshot('7-viewer-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Runs again: a chosen cycle started on demand, then cancelled from the page.
    await page.goto(`${base}/#/sites/e2e-estuary`);
    await page.locator('input[name="cycle-time"]').fill('2026-11-20T00:00');
    await page.locator('[data-action="run-at"]').click();
    const other = page.locator('tr[data-cycle="2026-11-20T00:00:00.000Z"]');
    await other.locator('[data-action="cancel"]').click({ timeout: 60_000 });
    await page.locator('tr[data-cycle="2026-11-20T00:00:00.000Z"][data-status="cancelled"]').waitFor({ timeout: 60_000 });

    // The overview shows both sites, the new one with its latest cycle completed.
    await page.goto(`${base}/#/`);
    await page.locator('.overview-map[data-outlines="2"]').waitFor();
    await page.locator('tr[data-site="e2e-estuary"] [data-status="completed"]').waitFor();

    expect(watched.problems).toEqual([]);
  }, 600_000);
});
