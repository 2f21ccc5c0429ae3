/**
 * Makes docs/viewer.png, the README's picture of the forecast viewer, from a
 * running service (`npm start`): runs the demo site's cycle of 2026-11-25
 * (or joins it, or uses it when it completed already), then opens the
 * viewer in headless Chromium at the forecast's largest flood extent.
 *
 *   npm start                                   # in one terminal
 *   node --import tsx scripts/readme-screenshot.ts [http://127.0.0.1:8080]
 */
import { join } from 'node:path';

import { projectRoot } from '../core/project.js';
import { launchChromium, openPage } from '../test/support/browser.js';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const cycle = '2026-11-25T00:00:00.000Z';
const cycleUrl = `${base}/api/sites/demo/cycles/${cycle}`;

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function completedCycle(): Promise<void> {
  const current = await fetch(cycleUrl).then((r) => (r.ok ? (r.json() as Promise<{ status: string }>) : undefined));
  if (current?.status !== 'completed') {
    await json(`${base}/api/sites/demo/cycles`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cycle }) });
    console.log(`cycle ${cycle} of the demo site started; waiting for it to complete (about 2 minutes)`);
  }
  for (;;) {
    const record = await fetch(cycleUrl).then((r) => (r.ok ? (r.json() as Promise<{ status: string; error: string | null }>) : undefined));
    if (record?.status === 'completed') return;
    if (record?.status === 'failed' || record?.status === 'cancelled') throw new Error(`the demo cycle ${record.status}: ${record.error}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

await completedCycle();
const summary = await json<{ products: { flood: { perTime: { areaKm2: number }[] } } }>(`${cycleUrl}/products/summary.json`);
const areas = summary.products.flood.perTime.map((t) => t.areaKm2);
const frame = areas.indexOf(Math.max(...areas));

const browser = await launchChromium();
try {
  const watched = await openPage(browser, join(projectRoot(), 'docs'));
  const { page } = watched;
  await page.goto(`${base}/#/sites/demo/cycles/${cycle}`);
  await page.locator('[data-testid="forecast-viewer"][data-frame="0"]').waitFor({ state: 'attached' });
  const slider = page.locator('[data-testid="time-slider"]');
  await slider.focus();
  for (let k = 0; k < frame; k++) await page.keyboard.press('ArrowRight');
  await page.locator(`[data-testid="forecast-viewer"][data-frame="${frame}"]`).waitFor({ state: 'attached' });
  await page.locator('[data-testid="flood-toggle"]').check();
  await page.locator('[data-testid="flooded-area"]').filter({ hasText: 'km²' }).waitFor();
  await slider.blur();
  // Moving the slider scrolled the side panel; the picture shows it from the top.
  await page.evaluate("document.querySelector('.viewer-panel').scrollTop = 0");
  console.log(`frame ${frame} (flooded area ${areas[frame].toFixed(2)} km²): ${await watched.screenshot('viewer')}`);
  if (watched.problems.length > 0) throw new Error(`the page reported problems:\n${watched.problems.join('\n')}`);
} finally {
  await browser.close();
}
