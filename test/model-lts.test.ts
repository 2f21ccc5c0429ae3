import { describe, expect, it } from 'vitest';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import type { MultirateArrays } from '../model/multirateKernels.js';
import type { ModelMesh } from '../model/mesh.js';
import { setStillWater, totalVolume } from '../model/state.js';
import { ShallowWaterModel, type ModelOptions } from '../model/stepper.js';

const g = 9.81;
const LENGTH = 8000;

/**
 * A channel whose element size grows smoothly by a factor of 8 from west to
 * east (x stretched exponentially), so at uniform depth its nodes' CFL steps
 * span four time-step levels.
 */
function gradedChannel(depth: (x: number, y: number) => number, openSides: ('west' | 'east')[] = []): ModelMesh {
  const cells = 48;
  const ratio = 8;
  const uniform = generateRectangleMesh({ nx: cells + 1, ny: 5, dx: LENGTH / cells, dy: 400, diagonals: 'alternating', jitter: 0.2, openSides });
  const a = Math.log(ratio);
  const x = Float64Array.from(uniform.x, (s) => (LENGTH * (Math.exp((a * s) / LENGTH) - 1)) / (ratio - 1));
  return { ...uniform, x, depth: Float64Array.from(x, (xi, i) => depth(xi, uniform.y[i])) };
}

/** How many time-step levels the last cycle used (internal state, read only to check that the mesh really is multirate). */
function levelCount(model: ShallowWaterModel): number {
  const { multirate } = (model as unknown as { solver: { multirate: MultirateArrays } }).solver;
  return new Set(multirate.plan.level).size;
}

function model(mesh: ModelMesh, options: ModelOptions = {}): ShallowWaterModel {
  return new ShallowWaterModel(mesh, { gravity: g, localTimeStepping: true, ...options });
}

/** A long-wave hump moving east as a simple wave (Riemann invariant u − 2√(gh) as in still water). */
function eastwardHump(m: ShallowWaterModel, x: Float64Array, depth: number, centre: number, amplitude: number): void {
  const { h, hu } = m.state;
  for (let i = 0; i < h.length; i++) {
    h[i] = depth + amplitude * Math.exp(-(((x[i] - centre) / 600) ** 2));
    hu[i] = 2 * h[i] * (Math.sqrt(g * h[i]) - Math.sqrt(g * depth));
  }
}

/** Largest difference between two runs' frames, node by node. */
function maxDifference(a: Float64Array[], b: Float64Array[]): number {
  let difference = 0;
  for (let k = 0; k < a.length; k++) {
    for (let i = 0; i < a[k].length; i++) difference = Math.max(difference, Math.abs(a[k][i] - b[k][i]));
  }
  return difference;
}

describe('local time stepping', () => {
  it('spans several levels on a mesh graded 1:8 and conserves volume across their interfaces to round-off', () => {
    const mesh = gradedChannel(() => 5);
    const m = model(mesh, { manning: 0.02 });
    const { h } = m.state;
    for (let i = 0; i < h.length; i++) h[i] = 5 + 0.5 * Math.exp(-(((mesh.x[i] - 1500) / 500) ** 2));
    const v0 = totalVolume(m.state, m.dual.area);
    for (let s = 0; s < 40; s++) m.step(20);
    expect(levelCount(m)).toBeGreaterThanOrEqual(3);
    expect(Math.abs(totalVolume(m.state, m.dual.area) - v0) / v0).toBeLessThan(1e-13);
    expect(Math.min(...h)).toBeGreaterThan(0);
  });

  it('keeps a lake at rest over uneven bathymetry with emerged land on the graded mesh', () => {
    const mesh = gradedChannel((x, y) => 3 + 2 * Math.sin(x / 700) * Math.cos(y / 300) - 9 * Math.exp(-(((x - 2500) / 500) ** 2 + ((y - 800) / 400) ** 2)));
    const m = model(mesh);
    setStillWater(m.state, m.bed, 0.5);
    const { h, hu, hv } = m.state;
    const dry = h.filter((d) => d === 0).length;
    for (let s = 0; s < 100; s++) m.step(20);
    expect(dry).toBeGreaterThan(2);
    expect(levelCount(m)).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < h.length; i++) {
      if (h[i] > 0) {
        expect(Math.hypot(hu[i], hv[i]) / h[i]).toBeLessThan(1e-10);
        expect(Math.abs(h[i] + m.bed[i] - 0.5)).toBeLessThan(1e-10);
      } else {
        expect(hu[i]).toBe(0);
      }
    }
  });

  // Local stepping takes each node at its own CFL step, so in coarse cells its steps are several times global
  // stepping's and so is its time error: both are measured against a converged run (global, a tenth of the CFL).
  it('carries a wave across level interfaces within 1.5 % of its height of the converged solution', () => {
    const mesh = gradedChannel(() => 5);
    const end = (localTimeStepping: boolean, cfl?: number) => {
      const m = model(mesh, { localTimeStepping, cfl });
      eastwardHump(m, mesh.x, 5, 1500, 0.2);
      // 600 s at √(g·5) ≈ 7 m/s: the hump goes from the finest elements well into the coarse ones.
      for (let s = 0; s < 30; s++) m.step(20);
      return { eta: Float64Array.from(m.state.h, (d, i) => d + m.bed[i]), levels: localTimeStepping ? levelCount(m) : 1 };
    };
    const local = end(true);
    const global = end(false);
    const converged = end(false, 0.1);
    expect(local.levels).toBeGreaterThanOrEqual(3);
    // The hump really travelled into the coarse half.
    expect(Math.max(...converged.eta)).toBeGreaterThan(0.1);
    // 2.4 mm local, 0.14 mm global (1.3 and 0.08 mm at CFL 0.7); local 8.0 mm when a node's level came from its own rate alone.
    expect(maxDifference([local.eta], [converged.eta])).toBeLessThan(0.015 * 0.2);
    expect(maxDifference([global.eta], [converged.eta])).toBeLessThan(0.002 * 0.2);
  });

  it('floods and drains the graded beach within 7 mm of the converged solution', () => {
    // The beach's dry nodes have no waves of their own when a cycle is planned; the flood reaches them within it.
    const mesh = gradedChannel((x) => 2 - x / 1500, ['west']);
    const run = (localTimeStepping: boolean, cfl?: number) => {
      const m = model(mesh, { localTimeStepping, cfl, manning: 0.025, boundaryElevation: (t, eta) => eta.fill(1.5 * Math.sin((2 * Math.PI * t) / 3600)) });
      setStillWater(m.state, m.bed, 0);
      const frames: Float64Array[] = [];
      for (let s = 0; s < 180; s++) {
        m.step(20);
        if (s % 10 === 9) frames.push(Float64Array.from(m.state.h));
      }
      return frames;
    };
    const converged = run(false, 0.1);
    // 5.8 mm local, 0.46 mm global (3.4 and 0.26 mm at CFL 0.7); local 8.6 mm when a node's level came from its own
    // rate alone (dry nodes planned as if nothing could reach them), 7.2 mm when it looked one edge around instead of two.
    expect(maxDifference(run(true), converged)).toBeLessThan(0.007);
    expect(maxDifference(run(false), converged)).toBeLessThan(0.001);
  });

  it('drains a lagoon through a narrow inlet as global stepping does, with no thin layer thrown off its flats', () => {
    // The estuary bench in small: sea, a barrier with a 600 m inlet 12 m deep, then flats cut by a channel. When the
    // flats beside the inlet held a centimetre of water, second-order reconstruction gave their faces the depth at the
    // midpoint of an 11 m bed step: 7 m/s² of spurious acceleration, depths driven negative (cycles retried) and, at
    // CFL 1, both integrators 4-10 cm off the converged lagoon level mid-ebb.
    const [cell, nx, ny] = [160, 42, 27];
    const [length, width] = [(nx - 1) * cell, (ny - 1) * cell];
    const mesh = generateRectangleMesh({
      nx, ny, dx: cell, openSides: ['west'], diagonals: 'alternating', jitter: 0.3,
      depth: (x, y) => {
        if (x < 0.2 * length) return 20 - (10 * x) / (0.2 * length);
        if (x < 0.25 * length) return Math.abs(y - width / 2) < 300 ? 12 : -2;
        const off = Math.abs(y - (width / 2 + 0.1 * width * Math.sin((x - 0.25 * length) / (0.15 * length))));
        if (off < 200) return 8 - (5 * (x - 0.25 * length)) / (0.75 * length);
        return Math.max(-2, 1 - (3 * (off - 200)) / 2500);
      },
    });
    const run = (localTimeStepping: boolean) => {
      const m = model(mesh, { localTimeStepping, manning: 0.025, boundaryElevation: (t, eta) => eta.fill(1.2 * Math.sin((2 * Math.PI * t) / 44_714)) });
      setStillWater(m.state, m.bed, 0);
      let minDepth = 0;
      for (let s = 0; s < 108; s++) {
        m.step(300);
        minDepth = Math.min(minDepth, ...m.state.h);
      }
      return { m, minDepth };
    };
    const local = run(true);
    const global = run(false);
    expect(local.m.stats.rejected + global.m.stats.rejected).toBe(0);
    expect(local.minDepth).toBe(0);
    let difference = 0;
    for (let i = 0; i < mesh.x.length; i++) {
      if (local.m.state.h[i] > 0.01 && global.m.state.h[i] > 0.01) difference = Math.max(difference, Math.abs(local.m.state.h[i] - global.m.state.h[i]));
    }
    // 23 µm; before the thin-layer rule (edgeFluxes.ts) 9.6 cm mid-ebb (1.1 mm at CFL 0.7).
    expect(difference).toBeLessThan(0.001);
  });

  it('keeps depths non-negative while a tide floods and drains the graded beach', () => {
    const mesh = gradedChannel((x) => 2 - x / 1500, ['west']);
    const m = model(mesh, { manning: 0.025, boundaryElevation: (t, eta) => eta.fill(1.5 * Math.sin((2 * Math.PI * t) / 3600)) });
    setStillWater(m.state, m.bed, 0);
    const { h } = m.state;
    const everWet = new Uint8Array(h.length);
    const everDry = new Uint8Array(h.length);
    for (let s = 0; s < 180; s++) {
      m.step(20);
      for (let i = 0; i < h.length; i++) {
        expect(h[i]).toBeGreaterThanOrEqual(0);
        if (h[i] < m.dryThreshold) everDry[i] = 1;
        else everWet[i] = 1;
      }
    }
    expect(everWet.reduce((n, w, i) => n + (w & everDry[i]), 0)).toBeGreaterThan(10);
  });

  it('gives bit-for-bit the same state for any thread count', async () => {
    const mesh = gradedChannel((x) => 3 - x / 4000, ['west']);
    const end = async (threads: number) => {
      const m = model(mesh, {
        threads, manning: 0.02, coriolis: 1e-4,
        boundaryElevation: (t, eta) => eta.fill(0.5 * Math.sin(t / 300)),
        atmosphere: (t, f) => {
          f.windX.fill(15 * Math.min(1, t / 600));
          f.windY.fill(5);
          for (let i = 0; i < f.pressure.length; i++) f.pressure[i] = 101_325 + 0.05 * mesh.x[i];
        },
      });
      await m.ready();
      setStillWater(m.state, m.bed, 0);
      for (let s = 0; s < 30; s++) m.step(20);
      await m.close();
      return m;
    };
    const one = await end(1);
    const three = await end(3);
    expect(levelCount(one)).toBeGreaterThanOrEqual(3);
    expect(Array.from(three.state.h)).toEqual(Array.from(one.state.h));
    expect(Array.from(three.state.hu)).toEqual(Array.from(one.state.hu));
    expect(Array.from(three.state.hv)).toEqual(Array.from(one.state.hv));
  });
});
