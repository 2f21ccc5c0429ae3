/**
 * The wizard's choice of compute resource and model, in headless Chromium
 * against the real API on an installation with a SCHISM resource: SCHISM is
 * offered only where it is installed, the API's own problem with SCHISM and
 * waves shows at the choice, and the saved site runs SCHISM there. No cycle
 * runs (nothing starts SCHISM here), so there is no Temporal; the app is
 * built from web/ into a temporary folder, so it is the current source that
 * runs. Screenshots land in test/out/screenshots/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import { localOnly } from '../activities/jobs/resources.js';
import { projectRoot } from '../core/project.js';
import { buildApi } from '../server/api/app.js';
import type { Api } from '../server/api/schemas.js';
import { noCycles, request } from './support/api.js';
import { launchChromium, openPage } from './support/browser.js';
import { writeSiteMeshes } from './support/sites.js';

const SCREENSHOTS = join(projectRoot(), 'test', 'out', 'screenshots');

let dir: string;
let catalog: Catalog;
let api: Api;
let base: string;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-wizard-compute-'));
  const app = join(dir, 'app');
  const web = join(projectRoot(), 'web');
  [browser] = await Promise.all([
    launchChromium(),
    writeSiteMeshes(dir),
    build({ configFile: join(web, 'vite.config.ts'), logLevel: 'silent', build: { outDir: app, emptyOutDir: true, sourcemap: false } }),
  ]);
  catalog = openCatalog(join(dir, 'data'));
  const resources = {
    ...localOnly(),
    hpc: { type: 'slurm' as const, partition: 'normal', schism: { command: ['srun', 'pschism_TVD-VL'], combineHotstart: 'combine_hotstart7' } },
  };
  api = buildApi({ dataDir: join(dir, 'data'), catalog, cycles: noCycles, resources, webRoot: app });
  base = await api.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  catalog?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the compute resource and the model in the wizard', () => {
  it('offers SCHISM only on the resource that installs it, shows its problem with waves, and saves the site to run SCHISM there', async () => {
    const watched = await openPage(browser, SCREENSHOTS);
    const { page } = watched;
    const step = (name: string) => page.locator(`section[data-step="${name}"]`);
    const next = async () => page.locator('[data-action="next"]:visible').click();
    /** Next through each of `steps`, every one passing its check. */
    const through = async (...steps: string[]) => {
      for (const name of steps) {
        await next();
        await step(name).waitFor({ state: 'visible' });
      }
    };

    await page.goto(`${base}/#/sites/new`);
    await step('name').locator('input[name="name"]').fill('Compute estuary');
    await next();
    await step('mesh').locator('input[name="mesh"]').setInputFiles(join(dir, 'small.gr3'));
    await step('mesh').locator('[data-testid="mesh-status"]', { hasText: 'usable' }).waitFor();
    await next();
    await step('tide').locator('.wizard-boundary tbody tr').first().waitFor();
    await step('tide').locator('input[name="constituent-name"]').fill('M2');
    await step('tide').locator('input[name="constituent-amplitude"]').fill('1.2');
    await step('tide').locator('input[name="constituent-phase"]').fill('80');
    await step('tide').locator('select[name="waves-type"]').selectOption('constant');
    await step('tide').locator('input[name="waves-sigWaveHeight"]').fill('2.5');
    await step('tide').locator('input[name="waves-peakPeriod"]').fill('14');
    await step('tide').locator('input[name="waves-meanWaveDirection"]').fill('285');
    await through('stations', 'thresholds', 'schedule');

    // Local has no SCHISM; hpc has.
    const resource = step('schedule').locator('select[name="resource"]');
    const engine = step('schedule').locator('select[name="engine"]');
    expect(await resource.isEnabled()).toBe(true);
    expect(await resource.locator('option').allTextContents()).toEqual(['local (this machine)', 'hpc (SLURM cluster)']);
    expect(await resource.inputValue()).toBe('local');
    expect(await engine.locator('option').allTextContents()).toEqual(['Built-in model']);
    await resource.selectOption('hpc');
    expect(await engine.locator('option').allTextContents()).toEqual(['Built-in model', 'SCHISM']);
    await engine.selectOption('schism');

    // SCHISM with the waves of step 3: the API's problem, next to the choice that causes it.
    await next();
    const note = step('schedule').locator('.field-problem');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/^SCHISM computes waves in its WWM-III module/);
    expect(await engine.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-testid="step-problems"]').textContent()).toContain('Model: SCHISM computes waves');
    await watched.screenshot('compute-1-wizard-schism-waves');

    // A resource without SCHISM falls back to the built-in model, and says so.
    await resource.selectOption('local');
    expect(await engine.inputValue()).toBe('built-in');
    const fallback = step('schedule').locator('[data-testid="engine-fallback"]');
    expect(await fallback.textContent()).toBe('local has no SCHISM installation, so the site runs on the built-in model.');
    expect(await fallback.isVisible()).toBe(true);
    await resource.selectOption('hpc');
    await engine.selectOption('schism');
    expect(await fallback.isVisible()).toBe(false);

    // Without the waves SCHISM is fine; the choice stays as it was made.
    await page.locator('[data-action="goto"][data-target="tide"]').click();
    await step('tide').locator('select[name="waves-type"]').selectOption('none');
    await through('stations', 'thresholds', 'schedule');
    expect([await resource.inputValue(), await engine.inputValue()]).toEqual(['hpc', 'schism']);
    await through('review');
    const compute = page.locator('[data-testid="review-compute"]');
    expect(await compute.textContent()).toBe('SCHISM on hpc');
    await compute.scrollIntoViewIfNeeded();
    await watched.screenshot('compute-2-wizard-review');

    await page.locator('[data-action="save"]').click();
    await page.waitForURL(/#\/sites\/compute-estuary$/);
    const saved = await request(base, 'GET', '/api/sites/compute-estuary');
    expect(saved.status).toBe(200);
    expect(saved.json.config.model).toMatchObject({ resource: 'hpc', engine: 'schism' });
    expect(saved.json.config.forcings).toEqual({});

    expect(watched.problems).toEqual([]);
  }, 120_000);
});
