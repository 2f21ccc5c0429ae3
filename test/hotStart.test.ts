/**
 * The hot-start choice of a cycle (activities/prepareRun.ts chooseRunStart)
 * on real run directories, without Temporal and without running the model:
 * the previous cycle's hot start is written as the model writes it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog, type SiteRecord } from '../activities/catalog.js';
import { chooseRunStart, prepareRun, type PreparedRun, type RunRecord } from '../activities/prepareRun.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import { readParam } from '../core/schism/param.js';
import { writeHotstart } from '../core/schism/hotstart.js';
import type { SiteInput } from '../core/site.js';

const HOUR = 3_600_000;
const mesh = generateRectangleMesh({ nx: 4, ny: 3, dx: 0.002, origin: { x: -8.9, y: 40.6 }, openSides: ['west'], depth: () => 10 });
const deeper = generateRectangleMesh({ nx: 4, ny: 3, dx: 0.002, origin: { x: -8.9, y: 40.6 }, openSides: ['west'], depth: () => 12 });

function siteConfig(id: string): SiteInput {
  return {
    id,
    name: 'Hot start coast',
    coordinates: { ics: 2 },
    tide: { type: 'harmonic', boundaries: [{ type: 'uniform', constituents: [{ name: 'M2', amplitude: 1, phase: 0 }] }] },
    forcings: {},
    stations: [],
    thresholds: {},
    model: { dt: 300, nspool: 12 },
    schedule: { enabled: false, hourUtc: 4, spinUpHours: 2, forecastHours: 24 },
  };
}

let root: string;
let dataDir: string;
let catalog: Catalog;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-hotstart-'));
  dataDir = join(root, 'data');
  await mkdir(join(root, 'uploads'), { recursive: true });
  await writeMesh(join(root, 'uploads', 'coast.gr3'), mesh);
  await writeMesh(join(root, 'uploads', 'deeper.gr3'), deeper);
  catalog = openCatalog(dataDir);
});
afterAll(async () => {
  catalog.close();
  await rm(root, { recursive: true, force: true });
});

async function newSite(id: string): Promise<SiteRecord> {
  await writeMesh(join(root, 'uploads', `${id}.gr3`), mesh);
  return catalog.createSite(siteConfig(id), join(root, 'uploads', `${id}.gr3`));
}

/** The hot start a model run of `run` writes at model time `seconds`, where run.json plans it. */
async function writeRunHotstart(run: PreparedRun, seconds: number): Promise<string> {
  const file = join(run.runDir, run.nextHotstart!.file);
  await mkdir(join(run.runDir, 'outputs'), { recursive: true });
  const np = mesh.x.length;
  await writeHotstart(file, mesh, { time: seconds, step: seconds / 300, eta: new Float64Array(np).fill(0.3), u: new Float64Array(np), v: new Float64Array(np), dry: new Uint8Array(np) });
  return file;
}

describe('chooseRunStart', () => {
  const first = new Date('2026-05-01T00:00:00Z');
  const second = new Date(first.getTime() + 24 * HOUR);

  it('starts cold with the spin-up when there is no previous cycle', async () => {
    const site = await newSite('no-previous');
    expect(await chooseRunStart(dataDir, site, second)).toEqual({ kind: 'cold', spinUpHours: 2, reason: 'no previous cycle (2026-05-01T00:00:00.000Z) was prepared' });
  });

  it('starts cold when the previous cycle has not written its hot start', async () => {
    const site = await newSite('no-hotstart');
    await prepareRun({ dataDir, site, cycle: first });
    const start = await chooseRunStart(dataDir, site, second);
    expect(start).toMatchObject({ kind: 'cold', spinUpHours: 2 });
    expect(start.kind === 'cold' && start.reason).toMatch(/^the previous cycle \(2026-05-01T00:00:00.000Z\) left no hot start \(.*hotstart_000000_312\.nc\): its model run did not get that far$/);
  });

  it('hot-starts from the previous cycle’s hot start at the cycle time, without spin-up, and records it', async () => {
    const site = await newSite('chained');
    const previous = await prepareRun({ dataDir, site, cycle: first, start: await chooseRunStart(dataDir, site, first) });
    // Model time 0 is the cold start, 2 h before the first cycle: 26 h is the second cycle.
    const file = await writeRunHotstart(previous, 26 * 3600);
    const start = await chooseRunStart(dataDir, site, second);
    expect(start).toEqual({ kind: 'hot', from: first.toISOString(), runDir: previous.runDir, hotstart: file });

    const run = await prepareRun({ dataDir, site, cycle: second, start });
    expect(run).toMatchObject({ start: second.toISOString(), initialState: start });
    const record = JSON.parse(await readFile(join(run.runDir, 'run.json'), 'utf8')) as RunRecord;
    expect(record.run.initialState).toEqual(start);
    expect(record.mesh.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await readParam(join(run.runDir, 'param.nml'))).toMatchObject({ ihot: 1 });
    expect(await readFile(join(run.runDir, 'hotstart.nc'))).toEqual(await readFile(file));
  });

  it('starts cold when the previous hot start is not at the cycle time', async () => {
    const site = await newSite('wrong-time');
    const previous = await prepareRun({ dataDir, site, cycle: first });
    await writeRunHotstart(previous, 25 * 3600);
    expect(await chooseRunStart(dataDir, site, second)).toEqual({
      kind: 'cold',
      spinUpHours: 2,
      reason: "the previous cycle's hot start is at 2026-05-01T23:00:00.000Z, not at the cycle time 2026-05-02T00:00:00.000Z",
    });
  });

  it('starts cold when the mesh changed since the previous cycle', async () => {
    const site = await newSite('mesh-changed');
    const previous = await prepareRun({ dataDir, site, cycle: first });
    await writeRunHotstart(previous, 26 * 3600);
    expect(await chooseRunStart(dataDir, site, second)).toMatchObject({ kind: 'hot' });
    const updated = await catalog.updateSite(site.config.id, siteConfig(site.config.id), join(root, 'uploads', 'deeper.gr3'));
    expect(await chooseRunStart(dataDir, updated, second)).toEqual({ kind: 'cold', spinUpHours: 2, reason: 'mesh changed since the previous cycle (2026-05-01T00:00:00.000Z)' });
  });

  it('starts cold when another model version made the previous cycle', async () => {
    const site = await newSite('model-changed');
    const previous = await prepareRun({ dataDir, site, cycle: first });
    await writeRunHotstart(previous, 26 * 3600);
    const runJson = join(previous.runDir, 'run.json');
    const record = JSON.parse(await readFile(runJson, 'utf8')) as RunRecord;
    await writeFile(runJson, JSON.stringify({ ...record, software: { name: 'coastcast', version: '0.0.1' } }));
    const start = await chooseRunStart(dataDir, site, second);
    expect(start).toMatchObject({ kind: 'cold', spinUpHours: 2 });
    expect(start.kind === 'cold' && start.reason).toMatch(/^model changed since the previous cycle \(coastcast 0\.0\.1, now coastcast \S+\)$/);
  });
});
