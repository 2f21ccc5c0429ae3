/**
 * The hot-start choice of a cycle (activities/prepareRun.ts chooseRunStart)
 * on real run directories, without Temporal and without running the model:
 * the previous cycle's hot start is written as the model writes it, ours or
 * SCHISM's as combine_hotstart7 joins it.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog, type SiteRecord } from '../activities/catalog.js';
import { chooseRunStart, prepareRun, type PreparedRun, type RunRecord } from '../activities/prepareRun.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import { readParam } from '../core/schism/param.js';
import { meshSides, readHotstart, writeHotstart, HOTSTART_LEVELS } from '../core/schism/hotstart.js';
import type { SiteInput } from '../core/site.js';
import { writeCombinedHotstart } from './support/schismHotstart.js';

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

describe("SCHISM's joined hot start (combine_hotstart7's layout)", () => {
  const np = mesh.x.length;
  const sides = meshSides(mesh);
  const eta = Array.from({ length: np }, (_, n) => 0.1 * n - 0.4);
  const dry = Array.from({ length: np }, (_, n) => (n === 5 ? 1 : 0));
  // u = 1 + side number on the surface, 0 at the bed; v = -u.
  const su2 = Array.from({ length: sides.count * HOTSTART_LEVELS }, (_, i) => (i % HOTSTART_LEVELS === 1 ? 1 + Math.floor(i / HOTSTART_LEVELS) : 0));
  const sv2 = su2.map((u) => -u);

  it('is read: time, step and file number on its one_new dimension, node velocity from the sides', async () => {
    const path = join(root, 'hotstart_it=312.nc');
    await writeCombinedHotstart(path, mesh, { time: 26 * 3600, step: 312, eta, dry, su2, sv2, ifile: 3 });
    const header = execFileSync('ncdump', ['-h', path], { encoding: 'utf8' });
    expect(execFileSync('ncdump', ['-k', path], { encoding: 'utf8' }).trim()).toBe('netCDF-4');
    for (const line of ['double time(one_new) ;', 'int iths(one_new) ;', 'int ifile(one_new) ;', 'int nsteps_from_cold(one_new) ;', 'double su2(side, nVert) ;', 'double tr_nd(node, nVert, ntracers) ;', 'int idry_e(elem) ;']) {
      expect(header).toContain(line);
    }
    const read = await readHotstart(path, mesh);
    expect(read).toMatchObject({ time: 26 * 3600, step: 312, ifile: 3, stepsFromCold: 312, velocityFrom: 'sides' });
    expect(Array.from(read.eta)).toEqual(eta);
    expect(Array.from(read.dry)).toEqual(dry);
    // Each node's velocity is the mean over its sides of their two-level mean.
    const expected = new Float64Array(np);
    const count = new Int32Array(np);
    for (let s = 0; s < sides.count; s++) {
      for (const n of [sides.nodes[2 * s], sides.nodes[2 * s + 1]]) {
        expected[n] += (1 + s) / 2;
        count[n]++;
      }
    }
    read.u.forEach((u, n) => expect(u).toBeCloseTo(expected[n] / count[n], 12));
    read.v.forEach((v, n) => expect(v).toBeCloseTo(-expected[n] / count[n], 12));
  });

  it('hot-starts the next cycle, which checks it against the mesh', async () => {
    const first = new Date('2026-06-01T00:00:00Z');
    const second = new Date(first.getTime() + 24 * HOUR);
    const site = await newSite('joined');
    const previous = await prepareRun({ dataDir, site, cycle: first });
    const file = join(previous.runDir, previous.nextHotstart!.file);
    await mkdir(join(previous.runDir, 'outputs'), { recursive: true });
    await writeCombinedHotstart(file, mesh, { time: 26 * 3600, step: 312, eta, dry });
    const start = await chooseRunStart(dataDir, site, second);
    expect(start).toEqual({ kind: 'hot', from: first.toISOString(), runDir: previous.runDir, hotstart: file });
    const run = await prepareRun({ dataDir, site, cycle: second, start });
    expect(run).toMatchObject({ initialState: start });
    expect(await readFile(join(run.runDir, 'hotstart.nc'))).toEqual(await readFile(file));
  });
});
