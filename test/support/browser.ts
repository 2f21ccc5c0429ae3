/**
 * Real headless Chromium (Debian's package) for the web app's tests and
 * benchmarks, driven by playwright-core. Every page records its console
 * errors and warnings and uncaught exceptions, so a test can assert there
 * were none.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // SwiftShader gives WebGL without a GPU; recent Chromium wants it asked for by name.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-unsafe-swiftshader'],
  });
}

export interface WatchedPage {
  page: Page;
  /** Console errors and warnings (but the GL driver's), and uncaught exceptions, in order. */
  problems: string[];
  /** Saves a full-page PNG as `<dir>/<name>.png`; returns its path. */
  screenshot(name: string): Promise<string>;
}

export async function openPage(browser: Browser, screenshotDir: string, viewport = { width: 1280, height: 800 }): Promise<WatchedPage> {
  mkdirSync(screenshotDir, { recursive: true });
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (message) => {
    // Chromium's software GL reports its own read-backs of WebGL canvases ("GPU stall due to ReadPixels") as
    // warnings; they come from the compositor, not from the page.
    if (message.type() === 'warning' && message.text().includes('GL Driver Message')) return;
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return {
    page,
    problems,
    screenshot: async (name) => {
      const path = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
  };
}
