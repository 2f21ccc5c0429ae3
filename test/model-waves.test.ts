/**
 * The built-in wave step: against linear wave theory (model/validation/waves.ts),
 * its boundary file waves.th.nc, and inside real `coastcast model run` jobs,
 * with the out2d it writes checked by the reference ncdump.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeGr3Property, writeMesh } from '../core/mesh/gr3.js';
import type { Mesh } from '../core/mesh/mesh.js';
import { openOut2d } from '../core/out2d.js';
import { formatBctides, type Bctides } from '../core/schism/bctides.js';
import { formatParam, type ParamSettings } from '../core/schism/param.js';
import { SfluxAirWriter, sfluxAirFileName, writeSfluxInputs } from '../core/schism/sflux.js';
import { readWavesTh, writeWavesTh, WAVES_TH, type WaveBoundarySeries } from '../core/schism/wavesTh.js';
import { breakingFraction } from '../model/waves/breaking.js';
import { groupVelocity, wavenumber } from '../model/waves/dispersion.js';
import { refraction, shoaling, surfZone } from '../model/validation/waves.js';
import { WaveModel } from '../model/waves/waveModel.js';
import { windSea } from '../model/waves/windSea.js';
import { runCli } from './support/cli.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-waves-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('linear wave theory', () => {
  it('solves the dispersion relation in deep, intermediate and shallow water', () => {
    const omega = (2 * Math.PI) / 10;
    for (const depth of [0.5, 5, 50, 500]) {
      const k = wavenumber(omega, depth);
      expect(Math.abs(9.81 * k * Math.tanh(k * depth) - omega * omega)).toBeLessThan(1e-12);
    }
    // Limits: c_g → √(gh) in shallow water, → half the phase speed g/ω in deep water.
    expect(groupVelocity(omega, wavenumber(omega, 0.01), 0.01) / Math.sqrt(9.81 * 0.01)).toBeCloseTo(1, 3);
    expect(groupVelocity(omega, wavenumber(omega, 1000), 1000) / (9.81 / omega / 2)).toBeCloseTo(1, 9);
  });

  it("finds Battjes & Janssen's fraction of breaking waves: (1 − Qb)/ln Qb = −b²", () => {
    expect(breakingFraction(0.1)).toBe(0);
    expect(breakingFraction(1.3)).toBe(1);
    for (const b of [0.3, 0.5, 0.8, 0.95]) {
      const q = breakingFraction(b);
      expect(q).toBeGreaterThan(0);
      expect(q).toBeLessThan(1);
      expect((1 - q) / Math.log(q)).toBeCloseTo(-b * b, 9);
    }
  });
});

describe('the wave step against analytical solutions', () => {
  it('shoals at normal incidence up a plane slope as H/H0 = √(c_g0/c_g)', () => {
    const f = shoaling();
    expect(f.shoalingAtShallowest).toBeGreaterThan(1.4);
    expect(f.maxRelativeError).toBeLessThan(1e-6);
  });

  it("refracts over straight parallel depth contours by Snell's law, with H/H0 = √(c_g0·cos θ0 / (c_g·cos θ))", () => {
    const regular = refraction();
    expect(regular.snellAngleAtShallowest).toBeLessThan(25);
    expect(Math.abs(regular.angleAtShallowest - regular.snellAngleAtShallowest)).toBeLessThan(0.3);
    expect(regular.maxAngleErrorDeg).toBeLessThan(0.3);
    expect(regular.maxRelativeHeightError).toBeLessThan(0.005);
    // Unstructured geometry: interior nodes displaced by up to 15 % of the spacing each way.
    const jittered = refraction({ jitter: 0.3 });
    expect(jittered.maxAngleErrorDeg).toBeLessThan(1);
    expect(jittered.maxRelativeHeightError).toBeLessThan(0.01);
  });

  it('conserves the energy flux seaward of the surf zone and saturates at Hrms = γ·h inside it', () => {
    for (const breakerIndex of [0.6, 0.73]) {
      const f = surfZone({ breakerIndex });
      expect(f.fluxErrorOutside).toBeLessThan(0.005);
      expect(f.outerSurfDepth).toBeGreaterThan(3);
      expect(f.saturatedFromDepth).toBeLessThan(f.saturationDepth);
      expect(f.saturatedFromDepth).toBeGreaterThan(1);
      expect(f.saturationMin).toBeGreaterThan(0.98);
      expect(f.saturationMax).toBeLessThanOrEqual(1);
    }
  });
});

describe('wind sea over sheltered water', () => {
  it('tends to the fully developed sea in deep water and long fetch, and is limited by shallow water', () => {
    const u = 15;
    const developed = windSea(u, 1e9, 1e4);
    expect((9.81 * developed.sigWaveHeight) / u ** 2).toBeCloseTo(0.24, 3);
    expect((9.81 * developed.peakPeriod) / u).toBeCloseTo(7.69, 2);
    expect(windSea(u, 10_000, 2).sigWaveHeight).toBeLessThan(windSea(u, 10_000, 20).sigWaveHeight);
    expect(windSea(0.5, 10_000, 20).sigWaveHeight).toBe(0);
  });

  it('grows along the fetch across a closed lake, from zero at the upwind shore', () => {
    const lake = generateRectangleMesh({ nx: 51, ny: 11, dx: 200, depth: () => 5, diagonals: 'alternating' });
    const model = new WaveModel(lake, { ics: 1, breakerIndex: 0.73, minDepth: 0.05, windSea: true });
    const empty = { sigWaveHeight: new Float64Array(0), peakPeriod: new Float64Array(0), meanWaveDirection: new Float64Array(0) };
    const n = lake.x.length;
    const sea = model.solve(Float64Array.from(lake.depth), empty, { x: new Float64Array(n).fill(15), y: new Float64Array(n) });
    for (let i = 0; i < n; i++) {
      // A wind from the west: fetch is the distance from the west shore.
      const expected = windSea(15, lake.x[i], 5);
      expect(sea.sigWaveHeight[i]).toBeCloseTo(expected.sigWaveHeight, 6);
      if (lake.x[i] > 0) {
        expect(sea.peakPeriod[i]).toBeCloseTo(expected.peakPeriod, 6);
        expect(sea.meanWaveDirection[i]).toBeCloseTo(270, 6);
      }
    }
    const far = [...lake.x.keys()].find((i) => lake.x[i] === 10_000 && lake.y[i] === 1000) ?? -1;
    expect(sea.sigWaveHeight[far]).toBeGreaterThan(0.8);
  });
});

/** A beach 1 km long, 10 m deep at the open (west) boundary and 2 m above the datum at the back, under a 1 m M2 tide. */
const beach: Mesh = generateRectangleMesh({ nx: 41, ny: 3, dx: 25, depth: (x) => 10 - x / 83.3, openSides: ['west'], diagonals: 'alternating' });
const start = new Date('2026-11-25T00:00:00Z');
const M2 = { name: 'M2', frequency: 1.405189e-4, nodalFactor: 1, equilibriumArgument: 0 };

function params(overrides: Partial<ParamSettings> = {}): ParamSettings {
  return {
    rnday: 0.5, dt: 60, nspool: 30, ihfskip: 720, start, utcStart: 0, ics: 1, ihot: 0, icElev: 0, h0: 0.05,
    dramp: 0, nchi: -1, hminMan: 1, ncor: 0, coricoef: 0, rlatitude: 46, nws: 0, wtiminc: 60, drampwind: 1,
    nhot: 0, nhotWrite: 720, waves: true, output: { elevation: true, depthAverageVel: true },
    ...overrides,
  };
}

const bctides = (): Bctides => {
  const neta = beach.openBoundaries[0].nodes.length;
  return {
    dateLine: '2026-11-25 00:00:00 UTC', tipDp: 40, tidalPotential: [], frequencies: [M2],
    boundaries: [{ neta, iettype: 3, ifltype: 0, itetype: 0, isatype: 0, otherLines: [], tides: [{ ...M2, amplitude: new Float64Array(neta).fill(1), phase: new Float64Array(neta).fill(0) }] }],
  };
};

function swell(times: number[], hs: number, tp: number, from: number): WaveBoundarySeries {
  const nodes = beach.openBoundaries[0].nodes.length;
  const constant = (value: number) => times.map(() => new Float64Array(nodes).fill(value));
  return { times, sigWaveHeight: constant(hs), peakPeriod: constant(tp), meanWaveDirection: constant(from) };
}

async function beachRun(name: string, options: { params?: ParamSettings; waves?: WaveBoundarySeries | null; mesh?: Mesh; windSea?: boolean } = {}): Promise<string> {
  const dir = join(root, name);
  const mesh = options.mesh ?? beach;
  await mkdir(dir, { recursive: true });
  await writeMesh(join(dir, 'hgrid.gr3'), mesh);
  await writeGr3Property(join(dir, 'manning.gr3'), mesh, new Float64Array(mesh.x.length).fill(0.02));
  await writeFile(join(dir, 'param.nml'), formatParam(options.params ?? params()));
  await writeFile(join(dir, 'bctides.in'), formatBctides(bctides()));
  if (options.waves !== null) await writeWavesTh(join(dir, WAVES_TH), mesh, options.waves ?? swell([0, 43_200], 2, 10, 270), { breakerIndex: 0.73, windSea: options.windSea ?? false });
  return dir;
}

describe('waves.th.nc', () => {
  it('is written in its documented layout and read back, the direction turning the short way round between records', async () => {
    const path = join(root, 'boundary.th.nc');
    const series = swell([0, 3600], 1, 8, 350);
    series.meanWaveDirection[1] = new Float64Array(3).fill(10);
    series.sigWaveHeight[1] = new Float64Array(3).fill(3);
    await writeWavesTh(path, beach, series, { breakerIndex: 0.78, windSea: true });
    const header = execFileSync('ncdump', ['-h', path], { encoding: 'utf8' });
    expect(header).toMatch(/time = UNLIMITED ; \/\/ \(2 currently\)/);
    expect(header).toContain('nOpenBndNodes = 3 ;');
    expect(header).toContain('float sigWaveHeight(time, nOpenBndNodes) ;');
    expect(header).toContain('float meanWaveDirection(time, nOpenBndNodes) ;');
    expect(header).toContain(':breaker_index = 0.78 ;');
    expect(header).toContain(':wind_sea = 1 ;');
    const file = await readWavesTh(path, beach);
    expect(file.settings).toEqual({ breakerIndex: 0.78, windSea: true });
    const middle = file.at(1800);
    expect(middle.sigWaveHeight[0]).toBeCloseTo(2, 6);
    expect(Math.min(middle.meanWaveDirection[0], 360 - middle.meanWaveDirection[0])).toBeLessThan(1e-4);
    expect(() => file.at(3601)).toThrow(/model time 3601 s is outside the period covered, 0 s to 3600 s/);
  });

  it('refuses values that are not a sea state, naming record, time and node', async () => {
    const series = swell([0, 3600], 1, 8, 270);
    series.sigWaveHeight[1] = Float64Array.from([1, -0.5, 1]);
    await expect(writeWavesTh(join(root, 'bad.th.nc'), beach, series, { breakerIndex: 0.73, windSea: false })).rejects.toThrow(
      /bad\.th\.nc: sigWaveHeight record 1 \(3600 s\): -0\.5 at open-boundary node 2 \(mesh node \d+\); expected ≥ 0 m/,
    );
    await expect(writeWavesTh(join(root, 'bad.th.nc'), beach, swell([0, 3600], 1, 8, 270), { breakerIndex: 2, windSea: false })).rejects.toThrow(/breaker_index 2 is outside 0\.4 \.\. 1\.2/);
  });
});

describe('a 12-hour tidal run on a beach with a 2 m, 10 s swell', () => {
  let dir: string;
  let code: number | null;
  let stdout: string;
  beforeAll(async () => {
    dir = await beachRun('beach');
    ({ code, stdout } = await runCli('model', 'run', dir));
  });

  it('writes Hs, Tp and direction per node and time in out2d, as SCHISM names and ncdump reads them', () => {
    expect(code).toBe(0);
    const header = execFileSync('ncdump', ['-h', join(dir, 'outputs', 'out2d_1.nc')], { encoding: 'utf8' });
    expect(header).toContain('float sigWaveHeight(time, nSCHISM_hgrid_node) ;');
    expect(header).toContain('sigWaveHeight:standard_name = "sea_surface_wave_significant_height" ;');
    expect(header).toContain('float peakPeriod(time, nSCHISM_hgrid_node) ;');
    expect(header).toContain('float meanWaveDirection(time, nSCHISM_hgrid_node) ;');
    const done = stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; timing_s?: { waves: number } }).find((e) => e.event === 'done');
    expect(done?.timing_s?.waves).toBeGreaterThan(0);
  });

  it('keeps the offshore sea state at the boundary, breaks it by the depth near the shore, and feels the tide there', async () => {
    const out = await openOut2d(join(dir, 'outputs', 'out2d_1.nc'));
    try {
      const row = [...beach.x.keys()].filter((i) => beach.y[i] === 25).sort((a, b) => beach.x[a] - beach.x[b]);
      const shallow = row.find((i) => Math.abs(beach.depth[i] - 0.5) < 0.2) ?? -1;
      const shallowHs: number[] = [];
      for (let frame = 0; frame < out.times.length; frame++) {
        const [hs, tp, from, eta, dry] = await Promise.all(['sigWaveHeight', 'peakPeriod', 'meanWaveDirection', 'elevation', 'dryFlagNode'].map((f) => out.readFrame(f as 'elevation', frame)));
        expect(hs[row[0]]).toBeCloseTo(2, 4);
        for (const i of row) {
          if (dry[i] === 1) {
            expect(hs[i]).toBe(0);
            continue;
          }
          const depth = eta[i] + beach.depth[i];
          expect(hs[i]).toBeLessThanOrEqual(Math.SQRT2 * 0.73 * depth + 1e-4);
          expect(tp[i]).toBeCloseTo(10, 4);
          expect(Math.abs(from[i] - 270)).toBeLessThan(0.5);
        }
        shallowHs.push(dry[shallow] === 1 ? 0 : hs[shallow]);
      }
      // 0.5 m below the datum under a 1 m tide: dry at low water, surf at high water.
      expect(Math.min(...shallowHs)).toBe(0);
      expect(Math.max(...shallowHs)).toBeGreaterThan(0.8);
    } finally {
      await out.close();
    }
  });
});

describe('wind sea grown from the sflux wind in a model run', () => {
  it('adds a sea coming from the wind, as high as the growth curves give for the fetch from the shore', async () => {
    // The beach in lon/lat (sflux needs ics = 2), with a 15 m/s wind from the east blowing offshore and no swell.
    const metresPerDegree = (6_371_000 * Math.PI) / 180;
    const [lon0, lat0] = [-8.8, 40.55];
    const dxDegrees = 25 / (metresPerDegree * Math.cos((lat0 * Math.PI) / 180));
    const lonlat = generateRectangleMesh({
      nx: 41, ny: 3, dx: dxDegrees, dy: 25 / metresPerDegree, origin: { x: lon0, y: lat0 },
      depth: (x) => 10 - ((x - lon0) / dxDegrees) * 25 / 83.3, openSides: ['west'], diagonals: 'alternating',
    });
    const dir = await beachRun('wind-sea', {
      mesh: lonlat,
      params: params({ ics: 2, ncor: 0, nws: 2, wtiminc: 3600, drampwind: 0, rnday: 0.125 }),
      waves: swell([0, 10_800], 0, 10, 270),
      windSea: true,
    });
    const sflux = join(dir, 'sflux');
    await mkdir(sflux);
    await writeSfluxInputs(sflux);
    const [nx, ny] = [3, 3];
    const writer = await SfluxAirWriter.create(join(sflux, sfluxAirFileName(1)), {
      nx, ny, lon: Float32Array.from({ length: 9 }, (_, k) => lon0 - 0.1 + 0.1 * (k % nx)), lat: Float32Array.from({ length: 9 }, (_, k) => lat0 - 0.1 + 0.1 * Math.floor(k / nx)),
    }, start);
    for (const hour of [0, 1, 2, 3, 4]) {
      await writer.appendRecord(new Date(start.getTime() + hour * 3_600_000), { uwind: new Float32Array(9).fill(-15), vwind: new Float32Array(9), prmsl: new Float32Array(9).fill(101_325) });
    }
    await writer.close();
    const { code, stderr } = await runCli('model', 'run', dir);
    expect([code, stderr]).toEqual([0, '']);

    const out = await openOut2d(join(dir, 'outputs', 'out2d_1.nc'));
    try {
      const last = out.times.length - 1;
      const [hs, tp, from, eta, dry] = await Promise.all(['sigWaveHeight', 'peakPeriod', 'meanWaveDirection', 'elevation', 'dryFlagNode'].map((f) => out.readFrame(f as 'elevation', last)));
      // The middle row of nodes (node 41 is its first), from the open boundary to the shore.
      const row = [...lonlat.x.keys()].filter((i) => lonlat.y[i] === lonlat.y[41]).sort((a, b) => lonlat.x[a] - lonlat.x[b]);
      const shore = row.find((i) => dry[i] === 1) ?? -1;
      expect(shore).toBeGreaterThan(0);
      for (const i of row) {
        if (dry[i] === 1 || i === row[0]) continue;
        // Fetch along the row from the first dry node, in the model's plane (CPP about the mesh's mean latitude).
        const fetch = (lonlat.x[shore] - lonlat.x[i]) / dxDegrees * 25;
        const expected = windSea(15, fetch, eta[i] + lonlat.depth[i]);
        expect(Math.abs(hs[i] - expected.sigWaveHeight)).toBeLessThan(0.05 * expected.sigWaveHeight + 0.01);
        expect(tp[i]).toBeCloseTo(expected.peakPeriod, 1);
        expect(Math.abs(from[i] - 90)).toBeLessThan(1);
      }
      // 0.9 km of fetch in 9 m of water.
      expect(hs[row[1]]).toBeGreaterThan(0.3);
    } finally {
      await out.close();
    }
  });
});

describe('bad wave input', () => {
  it('refuses a run whose param.nml asks for waves without waves.th.nc, naming the file and the key', async () => {
    const dir = await beachRun('no-waves-file', { waves: null });
    const { code, stderr } = await runCli('model', 'run', dir);
    expect(code).toBe(3);
    expect(stderr).toMatch(/waves\.th\.nc: missing; icou_elfe_wwm = 1 \(.*param\.nml:\d+\) requires it/);
  });

  it('refuses a wave boundary that ends before the run, and wind sea without wind', async () => {
    const short = await beachRun('short-waves', { waves: swell([0, 20_000], 2, 10, 270) });
    const first = await runCli('model', 'run', short);
    expect(first.code).toBe(3);
    expect(first.stderr).toMatch(/waves\.th\.nc: covers model time 0 s to 20000 s, the wave step needs 1800 s to 43200 s/);

    const windless = join(root, 'windless');
    await beachRun('windless');
    await writeWavesTh(join(windless, WAVES_TH), beach, swell([0, 43_200], 2, 10, 270), { breakerIndex: 0.73, windSea: true });
    const second = await runCli('model', 'run', windless);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/wind_sea = 1 grows wind sea from the wind, but nws = 0 \(.*param\.nml:\d+\) gives none/);
  });
});
