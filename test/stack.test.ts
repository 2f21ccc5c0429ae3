/**
 * `coastcast start` (what `npm start` runs) as a user runs it: the compiled
 * CLI as a process with its own Temporal dev server, worker and API; a site
 * created through the API from the demo's mesh; `coastcast forecast` from
 * another process following a cycle to its products; Ctrl-C (SIGINT)
 * stopping every part.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { projectRoot } from '../core/project.js';

const CLI = join(projectRoot(), 'dist', 'server', 'cli.js');

let dataDir: string;
let stack: ChildProcess;
let stackOutput = '';
let api: string;
let temporalPort: number;

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, COASTCAST_DATA: dataDir };
  delete env.TEMPORAL_ADDRESS;
  return env;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'coastcast-stack-'));
  // A port found free can be taken before the dev server binds it (other suites start servers too): then try new ones.
  for (let attempt = 1; ; attempt++) {
    const started = await startStack();
    if (started) break;
    if (!/address already in use/.test(stackOutput) || attempt === 3) throw new Error(`the stack did not come up:\n${stackOutput}`);
  }
}, 150_000);

afterAll(async () => {
  if (stack && stack.exitCode === null && stack.signalCode === null) stack.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

function coastcast(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...baseEnv(), TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

describe('coastcast start', () => {
  it('serves the API with the demo site and its OpenAPI document', async () => {
    const sites = (await (await fetch(`${api}/api/sites`)).json()) as { id: string }[];
    expect(sites.map((s) => s.id)).toEqual(['demo']);
    const openapi = (await (await fetch(`${api}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toContain('/api/sites/{siteId}/cycles');
    expect(existsSync(join(dataDir, 'temporal.db'))).toBe(true);
  });

  it('runs a cycle of a site made through the API, followed by `coastcast forecast` to its products', async () => {
    const demo = (await (await fetch(`${api}/api/sites/demo`)).json()) as { config: Record<string, any> };
    const mesh = await (await fetch(`${api}/api/sites/demo/mesh`)).blob();
    const form = new FormData();
    form.set('config', JSON.stringify({ ...demo.config, id: 'quick', name: 'Demo, 2 hours', schedule: { ...demo.config.schedule, spinUpHours: 1, forecastHours: 2 } }));
    form.set('mesh', mesh, 'hgrid.gr3');
    expect((await fetch(`${api}/api/sites`, { method: 'POST', body: form })).status).toBe(201);

    const run = await coastcast(['forecast', 'quick', '--cycle', '2026-11-25T12:00:00Z']);
    expect(run.stderr).toContain('started cycle 2026-11-25T12:00:00.000Z of quick');
    expect(run.stderr).toMatch(/\[#+\.*\]\s+\d+ % model/);
    expect(run.code).toBe(0);
    const products = run.stdout.trim();
    expect(products).toBe(join(dataDir, 'runs', 'quick', '2026-11-25T1200Z', 'products'));
    expect(existsSync(join(products, 'summary.json'))).toBe(true);

    const record = (await (await fetch(`${api}/api/sites/quick/cycles/2026-11-25T12:00:00Z`)).json()) as object;
    expect(record).toMatchObject({ status: 'completed', live: null });
    const summary = await fetch(`${api}/api/sites/quick/cycles/2026-11-25T12:00:00Z/products/summary.json`);
    expect(summary.status).toBe(200);
    expect(summary.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(((await summary.json()) as { products: { times: string[] } }).products.times).toHaveLength(13);

    // The same cycle again: a finished cycle runs anew (a new workflow run), it does not return the old result.
    const again = await coastcast(['forecast', 'quick', '--cycle', '2026-11-25T12:00:00Z']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('started cycle');
  }, 240_000);

  it('exits non-zero with the reason when a cycle fails, and 2 on a usage mistake', async () => {
    const demo = (await (await fetch(`${api}/api/sites/demo`)).json()) as { config: Record<string, any> };
    const mesh = await (await fetch(`${api}/api/sites/demo/mesh`)).blob();
    const form = new FormData();
    form.set('config', JSON.stringify({ ...demo.config, id: 'no-atlas', tide: { type: 'atlas', path: 'atlases/missing', constituents: ['M2'] } }));
    form.set('mesh', mesh, 'hgrid.gr3');
    expect((await fetch(`${api}/api/sites`, { method: 'POST', body: form })).status).toBe(201);

    const failed = await coastcast(['forecast', 'no-atlas', '--cycle', '2026-11-25T00:00:00Z']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/cycle 2026-11-25T00:00:00.000Z of no-atlas failed: .*m2\.nc/);
    expect(failed.stdout).toBe('');

    const usage = await coastcast(['forecast', 'no-atlas', '--cycle', 'tomorrow']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--cycle takes an ISO 8601 time');
    const unknown = await coastcast(['forecast', 'atlantis']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no site "atlantis"');
  }, 120_000);

  it('stops every part on Ctrl-C', async () => {
    stack.kill('SIGINT');
    const [code] = await once(stack, 'exit');
    expect(code).toBe(0);
    expect(await accepts(temporalPort)).toBe(false);
    expect(await fetch(`${api}/api/health`).then(() => true, () => false)).toBe(false);
  }, 60_000);
});

/** Starts `coastcast start` on fresh ports; false when it exited before serving. */
async function startStack(): Promise<boolean> {
  stackOutput = '';
  temporalPort = await freePort();
  stack = spawn(process.execPath, [CLI, 'start'], {
    env: { ...baseEnv(), PORT: '0', TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(await freePort()) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout!.setEncoding('utf8').on('data', (text: string) => (stackOutput += text));
  stack.stderr!.setEncoding('utf8').on('data', (text: string) => (stackOutput += text));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const url = /coastcast: (http:\/\/127\.0\.0\.1:\d+)/.exec(stackOutput)?.[1];
    if (url) {
      api = url;
      return true;
    }
    if (stack.exitCode !== null || stack.signalCode !== null) return false;
    if (Date.now() > deadline) throw new Error(`the stack did not come up within 120 s:\n${stackOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
