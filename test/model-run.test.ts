/**
 * `coastcast model run` end to end: real runs of the CLI as a child process
 * on small run directories generated in temp dirs.
 */
import { execFileSync } from 'node:child_process';
import { runCli, type CliRun } from './support/cli.js';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeGr3Property, writeMesh } from '../core/mesh/gr3.js';
import type { Mesh } from '../core/mesh/mesh.js';
import { openOut2d } from '../core/out2d.js';
import { formatBctides, type Bctides } from '../core/schism/bctides.js';
import { readHotstart } from '../core/schism/hotstart.js';
import { SfluxAirWriter, sfluxAirFileName, writeSfluxInputs } from '../core/schism/sflux.js';
import { formatParam, type ParamSettings } from '../core/schism/param.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-model-run-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const modelRun = (...args: string[]) => runCli('model', 'run', ...args);

/**
 * A 2 km × 1.5 km bay, 10 m deep, open to the west. Short, so that the tide
 * fills it with little flow through the mouth: the open boundary radiates
 * (Flather-like), and there the node elevation departs from the prescribed
 * one by about √(h/g)·u_n.
 */
const channel: Mesh = generateRectangleMesh({ nx: 5, ny: 4, dx: 500, depth: () => 10, openSides: ['west'] });

const M2 = { name: 'M2', frequency: 1.405189e-4, nodalFactor: 0.97, equilibriumArgument: 45 };
const amplitude = 0.5;
const phase = 30;

function tidalBctides(mesh: Mesh): Bctides {
  const neta = mesh.openBoundaries[0].nodes.length;
  return {
    dateLine: '2026-11-25 00:00:00 UTC',
    tipDp: 40,
    tidalPotential: [],
    frequencies: [M2],
    boundaries: [{
      neta, iettype: 3, ifltype: 0, itetype: 0, isatype: 0, otherLines: [],
      tides: [{ ...M2, amplitude: new Float64Array(neta).fill(amplitude), phase: new Float64Array(neta).fill(phase) }],
    }],
  };
}

const start = new Date('2026-11-25T00:00:00Z');

function settings(overrides: Partial<ParamSettings>): ParamSettings {
  return {
    rnday: 0.25, dt: 300, nspool: 6, ihfskip: 24, start, utcStart: 0, ics: 1, ihot: 0, icElev: 0, h0: 0.01,
    dramp: 0.05, nchi: -1, hminMan: 1, ncor: 0, coricoef: 0, rlatitude: 46, nws: 0, wtiminc: 300, drampwind: 1,
    nhot: 0, nhotWrite: 8640, waves: false, output: { elevation: true, depthAverageVel: true },
    ...overrides,
  };
}

async function runDirectory(name: string, params: ParamSettings, bctides = tidalBctides(channel), mesh = channel): Promise<string> {
  const dir = join(root, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeMesh(join(dir, 'hgrid.gr3'), mesh);
  await writeGr3Property(join(dir, 'manning.gr3'), mesh, new Float64Array(mesh.x.length).fill(0.025));
  await writeFile(join(dir, 'param.nml'), formatParam(params));
  await writeFile(join(dir, 'bctides.in'), formatBctides(bctides));
  return dir;
}

function events(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function outputFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'outputs'))).sort();
}

describe('a tidal bay (M2, iettype 3)', () => {
  let dir: string;
  let result: CliRun;
  beforeAll(async () => {
    dir = await runDirectory('tidal', settings({ nhot: 1, nhotWrite: 24 }));
    result = await modelRun(dir);
  });

  it('exits 0 and reports start, increasing progress, each output and a summary as JSON lines', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const all = events(result.stdout);
    expect(all[0]).toMatchObject({ event: 'start', steps: 72, total_s: 21600 });
    const progress = all.filter((e) => e.event === 'progress').map((e) => e.simulated_s as number);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(21600);
    for (let k = 1; k < progress.length; k++) expect(progress[k]).toBeGreaterThan(progress[k - 1]);
    const outputs = all.filter((e) => e.event === 'output').map((e) => e.file as string);
    expect(outputs.map((f) => f.slice(dir.length + 1))).toEqual([
      'outputs/out2d_1.nc', 'outputs/hotstart_000000_24.nc',
      'outputs/out2d_2.nc', 'outputs/hotstart_000000_48.nc',
      'outputs/out2d_3.nc', 'outputs/hotstart_000000_72.nc',
      'outputs/hotstart.nc',
    ]);
    const done = all.at(-1) as Record<string, number | string>;
    expect(done).toMatchObject({ event: 'done', steps: 72 });
    expect(done.substeps).toBeGreaterThanOrEqual(72);
    expect(Number.isFinite(done.max_elevation_m)).toBe(true);
  });

  it('writes rnday·86400/(ihfskip·dt) out2d files (and the hot starts) of ihfskip/nspool frames, times in seconds from the start, the first at nspool·dt', async () => {
    expect(await outputFiles(dir)).toEqual(['hotstart.nc', 'hotstart_000000_24.nc', 'hotstart_000000_48.nc', 'hotstart_000000_72.nc', 'out2d_1.nc', 'out2d_2.nc', 'out2d_3.nc']);
    for (let n = 1; n <= 3; n++) {
      const file = await openOut2d(join(dir, 'outputs', `out2d_${n}.nc`));
      expect(file.start).toEqual(start);
      expect(Array.from(file.seconds)).toEqual([1, 2, 3, 4].map((k) => ((n - 1) * 4 + k) * 1800));
      expect(file.fields.sort()).toEqual(['depthAverageVelX', 'depthAverageVelY', 'dryFlagNode', 'elevation']);
      await file.close();
    }
  });

  it('writes a hot start every nhot_write steps as SCHISM names them, the last one the same as hotstart.nc', async () => {
    const middle = await readHotstart(join(dir, 'outputs', 'hotstart_000000_48.nc'), channel);
    expect([middle.time, middle.step, middle.ifile]).toEqual([14_400, 48, 2]);
    expect(Buffer.compare(await readFile(join(dir, 'outputs', 'hotstart_000000_72.nc')), await readFile(join(dir, 'outputs', 'hotstart.nc')))).toBe(0);
  });

  it('names dimensions and variables as SCHISM and UGRID do', () => {
    const header = execFileSync('ncdump', ['-h', join(dir, 'outputs', 'out2d_1.nc')], { encoding: 'utf8' });
    for (const name of ['nSCHISM_hgrid_node = 20', 'nSCHISM_hgrid_face = 24', 'nMaxSCHISM_hgrid_face_nodes = 4', 'time = UNLIMITED', 'SCHISM_hgrid:cf_role = "mesh_topology"', 'time:units = "seconds since 2026-11-25 00:00:00 +00:00"', 'float elevation(time, nSCHISM_hgrid_node)', 'int dryFlagNode(time, nSCHISM_hgrid_node)']) {
      expect(header).toContain(name);
    }
  });

  it('holds the open-boundary nodes at η = f·A·cos(ω·t + (V0+u) − φ) once ramped (tanh(2t/(86400·dramp)))', async () => {
    const boundaryNodes = Array.from(channel.openBoundaries[0].nodes);
    const deg = Math.PI / 180;
    let worst = 0;
    for (let n = 1; n <= 3; n++) {
      const file = await openOut2d(join(dir, 'outputs', `out2d_${n}.nc`));
      for (const [k, t] of file.seconds.entries()) {
        const elevation = await file.readFrame('elevation', k);
        const tide = Math.tanh((2 * t) / (0.05 * 86400)) * M2.nodalFactor * amplitude * Math.cos(M2.frequency * t + (M2.equilibriumArgument - phase) * deg);
        for (const node of boundaryNodes) worst = Math.max(worst, Math.abs(elevation[node] - tide));
      }
      await file.close();
    }
    // √(h/g)·u_n is about 1.4 cm here (see `channel`); a sign slip in the phase (φ − (V0+u)) would be off by 25 cm.
    expect(worst).toBeLessThan(0.03);
  });

  it('gives bitwise the same outputs with --threads 2', async () => {
    const twin = await runDirectory('tidal-2-threads', settings({ nhot: 1, nhotWrite: 24 }));
    const threaded = await modelRun(twin, '--threads', '2');
    expect(threaded.stderr).toBe('');
    expect(threaded.code).toBe(0);
    for (const name of await outputFiles(dir)) {
      expect(Buffer.compare(await readFile(join(dir, 'outputs', name)), await readFile(join(twin, 'outputs', name))), name).toBe(0);
    }
  });
});

describe('hot start (ihot = 2)', () => {
  it('2 h in one run and 1 h + 1 h through outputs/hotstart.nc end at the same elevations (1e-9 m)', async () => {
    const hours = (h: number) => h / 24;
    const continuous = await runDirectory('hot-a', settings({ rnday: hours(2), nspool: 6, ihfskip: 12 }));
    const first = await runDirectory('hot-b1', settings({ rnday: hours(1), nspool: 6, ihfskip: 12 }));
    const second = await runDirectory('hot-b2', settings({ rnday: hours(2), nspool: 6, ihfskip: 12, ihot: 2 }));
    const [a, b1] = await Promise.all([modelRun(continuous), modelRun(first)]);
    expect([a.code, b1.code, a.stderr, b1.stderr]).toEqual([0, 0, '', '']);
    await copyFile(join(first, 'outputs', 'hotstart.nc'), join(second, 'hotstart.nc'));
    const b2 = await modelRun(second);
    expect([b2.code, b2.stderr]).toEqual([0, '']);
    expect(events(b2.stdout)[0]).toMatchObject({ first_step: 12, steps: 24 });
    // SCHISM numbers the stacks from the cold start: the second hour is stack 2, its times go on from 3600 s.
    expect(await outputFiles(second)).toEqual(['hotstart.nc', 'out2d_2.nc']);
    const stack = await openOut2d(join(second, 'outputs', 'out2d_2.nc'));
    expect(Array.from(stack.seconds)).toEqual([5400, 7200]);
    await stack.close();
    const end = await readHotstart(join(continuous, 'outputs', 'hotstart.nc'), channel);
    const restarted = await readHotstart(join(second, 'outputs', 'hotstart.nc'), channel);
    expect(restarted.time).toBe(7200);
    expect(restarted.step).toBe(24);
    let worst = 0;
    for (let i = 0; i < end.eta.length; i++) worst = Math.max(worst, Math.abs(end.eta[i] - restarted.eta[i]));
    expect(worst).toBeLessThan(1e-9);
  });
});

describe('bad input: exit 3, one stderr line naming file and line, nothing written', () => {
  async function expectBadInput(dir: string, pattern: RegExp): Promise<void> {
    const result = await modelRun(dir);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(existsSync(join(dir, 'outputs'))).toBe(false);
  }

  it('a param.nml with a key the built-in model does not support', async () => {
    const dir = await runDirectory('bad-param', settings({}));
    const text = await readFile(join(dir, 'param.nml'), 'utf8');
    await writeFile(join(dir, 'param.nml'), text.replace(/^(\s*ics = .*)$/m, '$1\n  indvel = 0'));
    const line = (await readFile(join(dir, 'param.nml'), 'utf8')).split('\n').findIndex((l) => l.includes('indvel')) + 1;
    await expectBadInput(dir, new RegExp(`param\\.nml:${line}: indvel: not supported by the built-in model$`));
  });

  it('a bctides.in whose neta does not match the mesh', async () => {
    const wider = generateRectangleMesh({ nx: 5, ny: 5, dx: 500, depth: () => 10, openSides: ['west'] });
    const dir = await runDirectory('bad-bctides', settings({}), tidalBctides(wider));
    await expectBadInput(dir, /bctides\.in:7: open boundary 1: neta = 5, but the mesh's open boundary 1 has 4 nodes$/);
  });

  it('a missing hgrid.gr3', async () => {
    const dir = await runDirectory('no-mesh', settings({}));
    await rm(join(dir, 'hgrid.gr3'));
    await expectBadInput(dir, /hgrid\.gr3: missing; every run needs it$/);
  });

  it('a truncated hgrid.gr3', async () => {
    const dir = await runDirectory('truncated-mesh', settings({}));
    const text = await readFile(join(dir, 'hgrid.gr3'), 'utf8');
    await writeFile(join(dir, 'hgrid.gr3'), text.slice(0, text.length / 2));
    await expectBadInput(dir, /hgrid\.gr3:\d+: error: /);
  });

  it('nws = 2 on a projected (ics = 1) mesh, which needs a map projection the model does not have yet', async () => {
    const dir = await runDirectory('wind-ics-1', settings({ nws: 2 }));
    await expectBadInput(dir, /param\.nml:\d+: nws = 2 needs ics = 2/);
  });

  it('manning.gr3 missing names nchi = -1 in param.nml as the reason', async () => {
    const dir = await runDirectory('no-manning', settings({}));
    await rm(join(dir, 'manning.gr3'));
    await expectBadInput(dir, /manning\.gr3: missing; nchi = -1 \(.*param\.nml:\d+\) requires it$/);
  });
});

describe('atmospheric forcing (nws = 2)', () => {
  it('a steady east wind from sflux/ sets the water of a closed lon/lat basin up against its east shore', async () => {
    const basin = generateRectangleMesh({ nx: 5, ny: 4, dx: 0.005, origin: { x: -8.8, y: 40.6 }, depth: () => 10 });
    const none: Bctides = { dateLine: '2026-11-25', tipDp: 40, tidalPotential: [], frequencies: [], boundaries: [] };
    const dir = await runDirectory('wind', settings({ ics: 2, nws: 2, drampwind: 0, rnday: 2 / 24, nspool: 24, ihfskip: 24 }), none, basin);
    const sflux = join(dir, 'sflux');
    await mkdir(sflux);
    await writeSfluxInputs(sflux);
    const [nx, ny] = [3, 3];
    const lon = Float32Array.from({ length: nx * ny }, (_, k) => -8.9 + 0.1 * (k % nx));
    const lat = Float32Array.from({ length: nx * ny }, (_, k) => 40.5 + 0.1 * Math.floor(k / nx));
    const writer = await SfluxAirWriter.create(join(sflux, sfluxAirFileName(1)), { nx, ny, lon, lat }, start);
    for (const hour of [0, 6]) {
      await writer.appendRecord(new Date(start.getTime() + hour * 3_600_000), {
        uwind: new Float32Array(nx * ny).fill(20), vwind: new Float32Array(nx * ny), prmsl: new Float32Array(nx * ny).fill(101_325),
      });
    }
    await writer.close();
    const result = await modelRun(dir);
    expect([result.code, result.stderr]).toEqual([0, '']);
    const file = await openOut2d(join(dir, 'outputs', 'out2d_1.nc'));
    const elevation = await file.readFrame('elevation', 0);
    await file.close();
    const mean = (i: number) => [0, 1, 2, 3].reduce((sum, j) => sum + elevation[i + 5 * j], 0) / 4;
    // Wind stress over a 10 m deep, 1.7 km basin: a set-up of about 2 cm, east up and west down.
    expect(mean(4) - mean(0)).toBeGreaterThan(0.01);
  });
});

describe('numerical blow-up', () => {
  it('a 300 m boundary elevation (iettype 2, no ramp) floods in faster than any sea: exit 4 naming time, element and position', async () => {
    const bctides = tidalBctides(channel);
    const neta = bctides.boundaries[0].neta;
    const dir = await runDirectory('blow-up', settings({ dramp: 0 }), {
      ...bctides,
      frequencies: [],
      boundaries: [{ neta, iettype: 2, ifltype: 0, itetype: 0, isatype: 0, elevation: 300, tides: [], otherLines: [] }],
    });
    const result = await modelRun(dir);
    expect(result.code).toBe(4);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^blow-up at t = [\d.]+ s: .* at node \d+ \(element \d+, x = [-\d.e+]+, y = [-\d.e+]+\)$/);
  });
});
