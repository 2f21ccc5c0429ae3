import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateNodalFields, sampleNodalFields } from '../model/output.js';
import { AIR_DENSITY, largePondDrag, WATER_DENSITY } from '../model/sources.js';
import { setStillWater, totalVolume } from '../model/state.js';
import { BlowUpError, ShallowWaterModel, type ModelOptions } from '../model/stepper.js';
import { rectangleMesh } from '../model/testCases.js';

const g = 9.81;

/** Least-squares slope of η against x at the end of a run in a closed channel. */
function surfaceSlope(model: ShallowWaterModel, x: Float64Array): number {
  const n = x.length;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const eta = model.state.h[i] + model.bed[i];
    sx += x[i]; sy += eta; sxx += x[i] * x[i]; sxy += x[i] * eta;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

/** A channel driven by a slowly ramped surface forcing, averaged over its last seiche period. */
function forcedSetup(options: ModelOptions): { slope: number; model: ShallowWaterModel } {
  const length = 10_000;
  const mesh = rectangleMesh({ lx: length, ly: 1000, nx: 20, ny: 2, depth: () => 5 });
  const model = new ShallowWaterModel(mesh, { gravity: g, ...options });
  setStillWater(model.state, model.bed, 0);
  const seichePeriod = (2 * length) / Math.sqrt(g * 5);
  const steps = 400;
  const dt = (8 * seichePeriod) / steps;
  let slope = 0;
  for (let s = 0; s < steps; s++) {
    model.step(dt);
    if (s >= steps - 50) slope += surfaceSlope(model, mesh.x) / 50;
  }
  return { slope, model };
}

/** 0 → 1 over six seiche periods of the setup channel, smoothly, so the adjustment is nearly static. */
const ramp = (t: number) => (t >= 6 * 2857 ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * t) / (6 * 2857)));

describe('shallow-water stepper', () => {
  it('advances by exactly the requested step in CFL-limited sub-steps', () => {
    const mesh = rectangleMesh({ lx: 1000, ly: 500, nx: 10, ny: 5, depth: () => 20 });
    const model = new ShallowWaterModel(mesh);
    setStillWater(model.state, model.bed, 0.5);
    for (let s = 0; s < 3; s++) model.step(2.5);
    expect(model.time).toBe(7.5);
    expect(model.stats.substeps).toBeGreaterThan(3);
  });

  it('conserves volume to round-off with walls only, whatever the bathymetry and start', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.1, max: 2, noNaN: true }),
        fc.double({ min: 100, max: 900, noNaN: true }), fc.integer({ min: 1, max: 1000 }),
        (slope, bump, centre, seed) => {
          const mesh = rectangleMesh({ lx: 1000, ly: 400, nx: 8, ny: 4, jitter: 0.3 + seed / 4000, depth: (x) => 1 + (slope * x) / 1000 });
          const model = new ShallowWaterModel(mesh, { manning: 0.03 });
          const { h } = model.state;
          for (let i = 0; i < h.length; i++) h[i] = Math.max(0, bump * Math.exp(-(((mesh.x[i] - centre) / 150) ** 2)) - model.bed[i]);
          const v0 = totalVolume(model.state, model.dual.area);
          for (let s = 0; s < 40; s++) model.step(5);
          expect(Math.abs(totalVolume(model.state, model.dual.area) - v0) / v0).toBeLessThan(1e-13);
          expect(Math.min(...h)).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('keeps still water at rest against an open boundary over a sloping bed', () => {
    const mesh = rectangleMesh({ lx: 2000, ly: 600, nx: 10, ny: 3, jitter: 0.3, depth: (x, y) => 2 + x / 200 + y / 300, open: ['east', 'north'] });
    const model = new ShallowWaterModel(mesh, { boundaryElevation: (_t, eta) => eta.fill(0.2) });
    setStillWater(model.state, model.bed, 0.2);
    for (let s = 0; s < 200; s++) model.step(10);
    const fields = allocateNodalFields(model.dual.nodeCount);
    sampleNodalFields(model, fields);
    for (let i = 0; i < model.dual.nodeCount; i++) {
      expect(Math.abs(fields.velocityX[i]) + Math.abs(fields.velocityY[i])).toBeLessThan(1e-12);
      expect(fields.elevation[i]).toBeCloseTo(0.2, 12);
      expect(fields.dry[i]).toBe(0);
    }
  });

  it('keeps a lon/lat (ics 2) lake at rest, with Coriolis from latitude', () => {
    const mesh = rectangleMesh({ x0: -9.5, y0: 38.6, lx: 0.1, ly: 0.1, nx: 6, ny: 6, jitter: 0.3, depth: (x, y) => 10 + 200 * (x + 9.45) - 300 * (y - 38.65) });
    const model = new ShallowWaterModel(mesh, { ics: 2 });
    setStillWater(model.state, model.bed, 0);
    for (let s = 0; s < 50; s++) model.step(30);
    for (let i = 0; i < model.dual.nodeCount; i++) expect(Math.abs(model.state.hu[i]) + Math.abs(model.state.hv[i])).toBeLessThan(1e-10);
  });

  it('sets the surface up against a steady wind: g h ∂η/∂x = τ/ρw', () => {
    const wind = 20;
    const { slope } = forcedSetup({
      manning: 0.03,
      atmosphere: (t, f) => {
        f.windX.fill(wind * Math.sqrt(ramp(t)));
        f.windY.fill(0);
        f.pressure.fill(101_325);
      },
    });
    const stress = (AIR_DENSITY / WATER_DENSITY) * largePondDrag(wind) * wind * wind;
    const expected = stress / (g * 5);
    expect(Math.abs(slope - expected) / expected).toBeLessThan(0.03);
  });

  it('tilts the surface as an inverse barometer: ∂η/∂x = −∂p/∂x/(ρw g)', () => {
    const dpdx = 1000 / 10_000;
    const { slope } = forcedSetup({
      manning: 0.03,
      atmosphere: (t, f) => {
        f.windX.fill(0);
        f.windY.fill(0);
        for (let i = 0; i < f.pressure.length; i++) f.pressure[i] = 101_325 + ramp(t) * dpdx * xOfNode[i];
      },
    });
    const expected = -dpdx / (WATER_DENSITY * g);
    expect(Math.abs(slope - expected) / Math.abs(expected)).toBeLessThan(0.03);
  });

  it('reports a blow-up with its time, node, element and position', () => {
    const mesh = rectangleMesh({ lx: 1000, ly: 500, nx: 10, ny: 5, depth: () => 20 });
    const model = new ShallowWaterModel(mesh);
    setStillWater(model.state, model.bed, 0);
    model.step(5);
    model.state.hu[17] = 1e4;
    let error: unknown;
    try {
      model.step(5);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BlowUpError);
    const blowUp = error as BlowUpError;
    expect(blowUp.time).toBeGreaterThan(5);
    expect(blowUp.message).toMatch(/^blow-up at t = .* node \d+ \(element \d+, x = .*, y = .*\)$/);
    expect(mesh.triangles.slice(3 * blowUp.element, 3 * blowUp.element + 3)).toContain(blowUp.node);
  });

  it('refuses a mesh with open boundaries but no boundary elevation', () => {
    const mesh = rectangleMesh({ lx: 100, ly: 100, nx: 2, ny: 2, depth: () => 5, open: ['west'] });
    expect(() => new ShallowWaterModel(mesh)).toThrow(/open boundaries/);
  });
});

const xOfNode = rectangleMesh({ lx: 10_000, ly: 1000, nx: 20, ny: 2, depth: () => 5 }).x;

describe('worker threads', () => {
  it('give bit-for-bit the same state as one thread', async () => {
    const mesh = rectangleMesh({ lx: 2000, ly: 1000, nx: 16, ny: 8, jitter: 0.3, depth: (x) => 3 - x / 500, open: ['west'] });
    const run = async (threads: number) => {
      const model = new ShallowWaterModel(mesh, {
        threads, manning: 0.02, coriolis: 1e-4,
        boundaryElevation: (t, eta) => eta.fill(0.3 * Math.sin(t / 100)),
      });
      await model.ready();
      setStillWater(model.state, model.bed, 0);
      for (let s = 0; s < 30; s++) model.step(10);
      await model.close();
      return model.state;
    };
    const one = await run(1);
    const three = await run(3);
    expect(Array.from(three.h)).toEqual(Array.from(one.h));
    expect(Array.from(three.hu)).toEqual(Array.from(one.hu));
    expect(Array.from(three.hv)).toEqual(Array.from(one.hv));
  });
});
