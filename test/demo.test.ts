/**
 * The demo site: its generated mesh and config are valid, installing it is
 * idempotent, and the built-in model floods its low land at a spring high
 * water while its high land stays dry (a short real run on a run directory
 * built here by hand).
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog } from '../activities/catalog.js';
import { prepareRun } from '../activities/prepareRun.js';
import { haversineDistance } from '../core/geodesy.js';
import { readMesh, writeGr3Property, writeMesh } from '../core/mesh/gr3.js';
import { hasErrors, type Mesh } from '../core/mesh/mesh.js';
import { meshStats } from '../core/mesh/stats.js';
import { openOut2d } from '../core/out2d.js';
import { formatBctides } from '../core/schism/bctides.js';
import { formatParam, readParam } from '../core/schism/param.js';
import { readWavesTh, WAVES_TH } from '../core/schism/wavesTh.js';
import { meshFitProblems, validateSite, WAVE_STEP_DEFAULTS, type Site } from '../core/site.js';
import { nodalFactors, type TideConstants } from '../core/tide/predict.js';
import { runModel } from '../model/run.js';
import { installDemoSite } from '../server/demo/install.js';
import { DEMO_ORIGIN, generateDemoMesh } from '../server/demo/mesh.js';
import { DEMO_SITE_ID, DEMO_SWELL, DEMO_TIDE, demoSiteConfig } from '../server/demo/site.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-demo-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Ground level above mean sea level: the negative of the depth. */
const ground = (mesh: Mesh, node: number) => -mesh.depth[node];

describe('demo mesh', () => {
  it('is deterministic and reads back from hgrid.gr3 without errors', async () => {
    const mesh = generateDemoMesh();
    expect(generateDemoMesh()).toEqual(mesh);
    const file = join(root, 'demo.gr3');
    await writeMesh(file, mesh);
    const { mesh: read, problems } = await readMesh(file, { ics: 2 });
    expect(problems).toEqual([]);
    expect(hasErrors(problems)).toBe(false);
    expect(read?.triangles).toEqual(mesh.triangles);
  });

  it('is a small estuary: one open boundary offshore, cells of ~100–400 m, a deep shelf, low land and high land', () => {
    const mesh = generateDemoMesh();
    const stats = meshStats(mesh, 2);
    expect(stats.triangles).toBeGreaterThanOrEqual(3000);
    expect(stats.triangles).toBeLessThanOrEqual(6000);
    expect(stats.openBoundaries.count).toBe(1);
    expect(stats.landBoundaries).toMatchObject({ count: 1, islands: 0 });
    // Sides ~100–400 m; a cell's diagonal may be longer.
    expect(stats.edgeLength?.min).toBeGreaterThan(100);
    expect(stats.edgeLength?.max).toBeLessThan(600);
    const open = [...mesh.openBoundaries[0].nodes];
    expect(Math.max(...open.map((n) => mesh.depth[n]))).toBeGreaterThanOrEqual(20);
    expect(Math.max(...open.map((n) => mesh.depth[n]))).toBeLessThanOrEqual(30);
    // The open boundary runs along the sea edge: all its nodes are the westernmost.
    expect(new Set(open.map((n) => mesh.x[n])).size).toBe(1);
    expect(mesh.x[open[0]]).toBe(stats.bounds.x.min);
    const grounds = Array.from(mesh.depth, (_, n) => ground(mesh, n));
    expect(grounds.filter((z) => z >= 0.5 && z <= 1).length).toBeGreaterThan(50);
    expect(grounds.filter((z) => z > 3).length).toBeGreaterThan(300);
    // Inland of the shore (5 km east of the open boundary) the channel is a few metres to ~10 m deep.
    const inland = grounds.filter((_, n) => haversineDistance(mesh.x[open[0]], mesh.y[n], mesh.x[n], mesh.y[n]) > 5100);
    expect(-Math.min(...inland)).toBeGreaterThan(5);
    expect(-Math.min(...inland)).toBeLessThan(11);
  });
});

describe('demo site config', () => {
  it('validates, fits the mesh, and carries the gauge constants with its thresholds', () => {
    const { site, problems } = validateSite(demoSiteConfig());
    expect(problems).toEqual([]);
    const mesh = generateDemoMesh();
    const stats = meshStats(mesh, 2);
    expect(meshFitProblems(site!, { ics: 2, openBoundaryNodes: mesh.openBoundaries.map((b) => b.nodes.length), bounds: stats.bounds })).toEqual([]);
    expect(site!.id).toBe(DEMO_SITE_ID);
    expect(site!.schedule).toMatchObject({ enabled: false, forecastHours: 72, spinUpHours: 24 });
    expect(site!.tide).toEqual({ type: 'harmonic', z0: 0, boundaries: [{ type: 'uniform', constituents: DEMO_TIDE.constituents }] });
    expect(site!.stations.map((s) => s.id)).toEqual(['shelf', 'mouth', 'mid', 'head', 'marsh']);
    expect(site!.thresholds.floodedArea).toBeGreaterThan(0);
  });

  it('brings a west-north-west winter swell that the shelf station sees above its wave threshold', () => {
    const { site } = validateSite(demoSiteConfig());
    expect(site!.forcings.waves).toEqual({ type: 'constant', sigWaveHeight: 2.5, peakPeriod: 14, meanWaveDirection: 285 });
    const mesh = generateDemoMesh();
    const shelf = site!.stations.find((s) => s.id === 'shelf')!;
    const node = nearestNode(mesh, shelf.lon, shelf.lat);
    // 3 km offshore of the mouth, on the open sea side, in 12 m of water.
    expect(haversineDistance(shelf.lon, shelf.lat, DEMO_ORIGIN.lon, DEMO_ORIGIN.lat)).toBeCloseTo(3000, -2);
    expect(shelf.lon).toBeLessThan(DEMO_ORIGIN.lon);
    expect(mesh.depth[node]).toBeGreaterThan(10);
    expect(mesh.depth[node]).toBeLessThan(14);
    const [rule] = site!.thresholds.waveHeight!;
    expect(rule.stationId).toBe('shelf');
    // Breaking starts past γ × depth (the default γ), far above the swell there: it arrives whole, above the threshold.
    expect(WAVE_STEP_DEFAULTS.breakerIndex * mesh.depth[node]).toBeGreaterThan(3 * DEMO_SWELL.sigWaveHeight);
    expect(DEMO_SWELL.sigWaveHeight).toBeGreaterThan(rule.height);
  });
});

describe('installDemoSite', () => {
  it('creates the demo site once and returns the stored one afterwards, also to concurrent callers', async () => {
    const dataDir = await mkdtemp(join(root, 'data-'));
    const workDir = join(dataDir, 'tmp');
    const catalog = openCatalog(dataDir);
    try {
      const [a, b] = await Promise.all([installDemoSite(catalog, workDir), installDemoSite(catalog, workDir)]);
      expect(a.config.id).toBe(DEMO_SITE_ID);
      expect(b.createdAt).toBe(a.createdAt);
      expect(a.mesh.stats.triangles).toBe(generateDemoMesh().triangles.length / 3);
      expect(await readdir(a.dir)).toEqual(expect.arrayContaining(['hgrid.gr3', 'site.json']));
      // An operator's change survives a second install.
      await catalog.updateSite(DEMO_SITE_ID, { ...a.config, schedule: { ...a.config.schedule, enabled: true } });
      const again = await installDemoSite(catalog, workDir);
      expect(again.createdAt).toBe(a.createdAt);
      expect(again.config.schedule.enabled).toBe(true);
      expect(catalog.listSites().map((s) => s.id)).toEqual([DEMO_SITE_ID]);
      // The mesh written for the install is gone.
      expect(await readdir(workDir)).toEqual([]);
    } finally {
      catalog.close();
    }
  });
});

/**
 * A run directory for the demo as the model needs it (model/runDirectory.ts):
 * hgrid.gr3, manning.gr3, param.nml and bctides.in with the gauge's
 * constants and their nodal corrections for the run's period.
 */
async function demoRunDirectory(dir: string, mesh: Mesh, site: Site, tide: TideConstants, start: Date, hours: number): Promise<void> {
  const { dt, nspool, h0 = 0.05, manning = 0.025 } = site.model;
  const steps = Math.round((hours * 3600) / dt);
  await writeMesh(join(dir, 'hgrid.gr3'), mesh);
  await writeGr3Property(join(dir, 'manning.gr3'), mesh, new Float64Array(mesh.x.length).fill(manning));
  await writeFile(join(dir, 'param.nml'), formatParam({
    rnday: hours / 24, dt, nspool, ihfskip: steps, start, utcStart: 0, ics: 2, ihot: 0, icElev: 0, h0,
    dramp: 0.5 / 24, nchi: -1, hminMan: 1, ncor: 1, coricoef: 0, rlatitude: tide.latitude, nws: 0, wtiminc: dt, drampwind: 0,
    nhot: 0, nhotWrite: steps, waves: false, output: { elevation: true, depthAverageVel: false },
  }));
  const end = new Date(start.getTime() + hours * 3_600_000);
  const frequencies = nodalFactors(tide.constituents.map((c) => c.name), start, end)
    .map((c) => ({ name: c.name, frequency: c.speed, nodalFactor: c.f, equilibriumArgument: c.vPlusU }));
  const neta = mesh.openBoundaries[0].nodes.length;
  await writeFile(join(dir, 'bctides.in'), formatBctides({
    dateLine: start.toISOString(),
    tipDp: 40,
    tidalPotential: [],
    frequencies,
    boundaries: [{
      neta, iettype: 3, ifltype: 0, itetype: 0, isatype: 0, otherLines: [],
      tides: frequencies.map((f, k) => ({ ...f, amplitude: new Float64Array(neta).fill(tide.constituents[k].amplitude), phase: new Float64Array(neta).fill(tide.constituents[k].phase) })),
    }],
  }));
}

function nearestNode(mesh: Mesh, lon: number, lat: number): number {
  let best = 0;
  for (let n = 1; n < mesh.x.length; n++) {
    if (haversineDistance(lon, lat, mesh.x[n], mesh.y[n]) < haversineDistance(lon, lat, mesh.x[best], mesh.y[best])) best = n;
  }
  return best;
}

describe('demo run directory', () => {
  it('carries the swell at every open-boundary node through the whole cycle', async () => {
    const dataDir = await mkdtemp(join(root, 'data-'));
    const catalog = openCatalog(dataDir);
    try {
      const site = await installDemoSite(catalog, join(dataDir, 'uploads'));
      const run = await prepareRun({ dataDir, site, cycle: new Date('2026-11-25T00:00:00Z') });
      expect(run.waves).toBe('constant sea state: Hs 2.5 m, Tp 14 s, from 285°');
      expect(await readParam(join(run.runDir, 'param.nml'))).toMatchObject({ waves: true, runSeconds: 96 * 3600 });
      const mesh = generateDemoMesh();
      const waves = await readWavesTh(join(run.runDir, WAVES_TH), mesh);
      expect([waves.start, waves.end]).toEqual([0, 96 * 3600]);
      for (const seconds of [0, 24 * 3600, 96 * 3600]) {
        const sea = waves.at(seconds);
        expect(sea.sigWaveHeight).toHaveLength(mesh.openBoundaries[0].nodes.length);
        for (let j = 0; j < sea.sigWaveHeight.length; j++) {
          expect([sea.sigWaveHeight[j], sea.peakPeriod[j]]).toEqual([2.5, 14]);
          expect(sea.meanWaveDirection[j]).toBeCloseTo(285, 4);
        }
      }
    } finally {
      catalog.close();
    }
  });

  it('brings the swell to the shelf station above its threshold, in a short run of the built-in model with its wave step', async () => {
    const dataDir = await mkdtemp(join(root, 'data-'));
    const catalog = openCatalog(dataDir);
    try {
      const installed = await installDemoSite(catalog, join(dataDir, 'uploads'));
      // One hour from rest is enough: the wave step is stationary, the swell is there from the first output.
      const site = { ...installed, config: { ...installed.config, schedule: { ...installed.config.schedule, spinUpHours: 0, forecastHours: 1 } } };
      const run = await prepareRun({ dataDir, site, cycle: new Date('2026-11-25T12:00:00Z') });
      await runModel(run.runDir, { threads: 1 });
      const mesh = generateDemoMesh();
      const shelf = site.config.stations.find((s) => s.id === 'shelf')!;
      const node = nearestNode(mesh, shelf.lon, shelf.lat);
      const [rule] = site.config.thresholds.waveHeight!;
      const out = await openOut2d(join(run.runDir, 'outputs', 'out2d_1.nc'));
      try {
        for (let k = 0; k < out.seconds.length; k++) {
          const hs = (await out.readFrame('sigWaveHeight', k))[node];
          expect(hs).toBeGreaterThan(rule.height);
          // Shoaling over the shelf lifts it a little; nothing there breaks it.
          expect(hs).toBeGreaterThan(0.9 * DEMO_SWELL.sigWaveHeight);
          expect(hs).toBeLessThan(1.3 * DEMO_SWELL.sigWaveHeight);
          // Still from the west-north-west, turned a little towards the beach's normal (270°) by refraction.
          const direction = (await out.readFrame('meanWaveDirection', k))[node];
          expect(direction).toBeGreaterThan(270);
          expect(direction).toBeLessThanOrEqual(DEMO_SWELL.meanWaveDirection + 0.5);
        }
      } finally {
        await out.close();
      }
    } finally {
      catalog.close();
    }
  }, 60_000);
});

describe('demo run', () => {
  it('floods the low land at a spring high water and leaves the high land dry', async () => {
    const mesh = generateDemoMesh();
    const { site } = validateSite(demoSiteConfig());
    const dir = await mkdtemp(join(root, 'run-'));
    // Spring tide: high water of 1.17 m above mean sea level at 18:10 UTC; the run starts on the rising tide at mean level.
    const start = new Date('2026-11-25T13:50:00Z');
    const hours = 6.5;
    await demoRunDirectory(dir, mesh, site!, DEMO_TIDE, start, hours);
    // One thread: on ~3 300 triangles a second one costs more in synchronisation than it saves.
    const summary = await runModel(dir, { threads: 1 });
    console.log(`demo run: ${hours} h simulated in ${summary.wall_s} s (${summary.substeps} sub-steps, ${Math.round(summary.triangle_steps_per_s)} triangle-steps/s); 96 h ≈ ${Math.round((summary.wall_s * 96) / hours)} s`);

    const out = await openOut2d(join(dir, 'outputs', 'out2d_1.nc'));
    try {
      const frames = out.seconds.length;
      expect(frames).toBe((hours * 3600) / (site!.model.dt * site!.model.nspool));
      const nodes = mesh.x.length;
      const lowLand = Array.from({ length: nodes }, (_, n) => n).filter((n) => ground(mesh, n) >= 0.5 && ground(mesh, n) <= 1);
      const highLand = Array.from({ length: nodes }, (_, n) => n).filter((n) => ground(mesh, n) > 2);
      const firstDry = await out.readFrame('dryFlagNode', 0);
      expect(lowLand.every((n) => firstDry[n] === 1)).toBe(true);
      let mostLowWet = 0;
      let highEverWet = 0;
      const stationPeak = new Map<string, number>();
      const stationNodes = site!.stations.map((s) => ({ id: s.id, node: nearestNode(mesh, s.lon, s.lat) }));
      for (let f = 0; f < frames; f++) {
        const dry = await out.readFrame('dryFlagNode', f);
        const elevation = await out.readFrame('elevation', f);
        mostLowWet = Math.max(mostLowWet, lowLand.filter((n) => dry[n] === 0).length);
        highEverWet += highLand.filter((n) => dry[n] === 0).length;
        for (const { id, node } of stationNodes) if (dry[node] === 0) stationPeak.set(id, Math.max(stationPeak.get(id) ?? -Infinity, elevation[node]));
      }
      expect(mostLowWet / lowLand.length).toBeGreaterThan(0.8);
      expect(highEverWet).toBe(0);
      // The spring high water crosses the config's thresholds, at the mouth and on the marsh.
      for (const threshold of site!.thresholds.stationLevel ?? []) expect(stationPeak.get(threshold.stationId)).toBeGreaterThan(threshold.level);
    } finally {
      await out.close();
    }
  }, 120_000);
});
