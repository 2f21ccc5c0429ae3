import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { allocateNodalFields, sampleNodalFields } from '../model/output.js';
import { AIR_DENSITY, largePondDrag, WATER_DENSITY } from '../model/sources.js';
import { setStillWater, totalVolume } from '../model/state.js';
import { CONTROL } from '../model/parallel.js';
import { BlowUpError, ShallowWaterModel, type ModelOptions } from '../model/stepper.js';

const g = 9.81;

/** Every test runs with global and with local time stepping; `create` builds the model of the one running. */
let stepping: ModelOptions = {};
const create = (mesh: ConstructorParameters<typeof ShallowWaterModel>[0], options: ModelOptions = {}) => new ShallowWaterModel(mesh, { ...stepping, ...options });

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
  const mesh = generateRectangleMesh({ nx: 21, ny: 3, dx: length / 20, dy: 500, depth: () => 5, diagonals: 'alternating' });
  const model = create(mesh, { gravity: g, ...options });
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

describe.each([
  { stepping: 'global', localTimeStepping: false },
  { stepping: 'local', localTimeStepping: true },
])('$stepping time stepping', ({ localTimeStepping }) => {
  beforeAll(() => {
    stepping = { localTimeStepping };
  });

  describe('shallow-water stepper', () => {
    it('advances by exactly the requested step in CFL-limited sub-steps', () => {
      const mesh = generateRectangleMesh({ nx: 11, ny: 6, dx: 100, depth: () => 20, diagonals: 'alternating' });
      const model = create(mesh);
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
            const mesh = generateRectangleMesh({ nx: 9, ny: 5, dx: 125, dy: 100, diagonals: 'alternating', jitter: 0.3 + seed / 4000, depth: (x) => 1 + (slope * x) / 1000 });
            const model = create(mesh, { manning: 0.03 });
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
      const mesh = generateRectangleMesh({ nx: 11, ny: 4, dx: 200, diagonals: 'alternating', jitter: 0.3, depth: (x, y) => 2 + x / 200 + y / 300, openSides: ['east', 'north'] });
      const model = create(mesh, { boundaryElevation: (_t, eta) => eta.fill(0.2) });
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
      const mesh = generateRectangleMesh({ nx: 7, ny: 7, dx: 0.1 / 6, origin: { x: -9.5, y: 38.6 }, diagonals: 'alternating', jitter: 0.3, depth: (x, y) => 10 + 200 * (x + 9.45) - 300 * (y - 38.65) });
      const model = create(mesh, { ics: 2 });
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
      const mesh = generateRectangleMesh({ nx: 11, ny: 6, dx: 100, depth: () => 20, diagonals: 'alternating' });
      const model = create(mesh);
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
      const mesh = generateRectangleMesh({ nx: 3, ny: 3, dx: 50, depth: () => 5, openSides: ['west'] });
      expect(() => create(mesh)).toThrow(/open boundaries/);
    });
  });

  /**
   * A long-wave pulse (a Gaussian hump moving as a simple wave) run east
   * along a channel until it has reached the east end and, off a wall, come
   * back half way: the energy left in the channel, relative to the start.
   */
  function pulseEnergyLeft(eastOpen: boolean): number {
    const depth = 10;
    const mesh = generateRectangleMesh({ nx: 101, ny: 4, dx: 200, depth: () => depth, diagonals: 'alternating', openSides: eastOpen ? ['east'] : [] });
    const model = create(mesh, { gravity: g, boundaryElevation: (_t, eta) => eta.fill(0) });
    const { h, hu, hv } = model.state;
    const { area } = model.dual;
    for (let i = 0; i < h.length; i++) {
      h[i] = depth + 0.05 * Math.exp(-(((mesh.x[i] - 7000) / 2000) ** 2));
      // Riemann invariant u − 2√(gh) as in still water: the hump moves east only.
      hu[i] = 2 * h[i] * (Math.sqrt(g * h[i]) - Math.sqrt(g * depth));
    }
    const energy = () => {
      let e = 0;
      for (let i = 0; i < h.length; i++) e += area[i] * (0.5 * g * (h[i] - depth) ** 2 + (0.5 * (hu[i] ** 2 + hv[i] ** 2)) / h[i]);
      return e;
    };
    const e0 = energy();
    for (let s = 0; s < 100; s++) model.step(20);
    return energy() / e0;
  }

  describe('open boundaries', () => {
    it('let an outgoing long wave leave, where a wall reflects it', () => {
      const wall = pulseEnergyLeft(false);
      const open = pulseEnergyLeft(true);
      expect(wall).toBeGreaterThan(0.9);
      expect(open).toBeLessThan(0.01 * wall);
    });

    it('keep still water at rest where boundary nodes are dry, and flood and drain them without negative depths', () => {
      const mesh = generateRectangleMesh({ nx: 11, ny: 5, dx: 200, dy: 150, diagonals: 'alternating', jitter: 0.3, depth: (x, y) => 1 + x / 1000 - y / 150, openSides: ['east'] });
      const boundary = mesh.openBoundaries[0].nodes;
      let tide = (_t: number) => 0;
      const model = create(mesh, { boundaryElevation: (t, eta) => eta.fill(tide(t)) });
      const { h, hu, hv } = model.state;
      setStillWater(model.state, model.bed, 0);
      expect(Array.from(boundary).filter((i) => h[i] === 0).length).toBeGreaterThan(1);
      for (let s = 0; s < 100; s++) model.step(10);
      for (let i = 0; i < h.length; i++) {
        expect(Math.abs(hu[i]) + Math.abs(hv[i])).toBeLessThan(1e-12);
        expect(Math.abs(h[i] - Math.max(0, -model.bed[i]))).toBeLessThan(1e-12);
      }
      tide = (t) => 1.5 * Math.sin((2 * Math.PI * (t - 1000)) / 3600);
      const everWet = new Set<number>();
      const everDry = new Set<number>();
      for (let s = 0; s < 720; s++) {
        model.step(10);
        expect(Math.min(...h)).toBeGreaterThanOrEqual(0);
        for (const i of boundary) (h[i] < model.dryThreshold ? everDry : everWet).add(i);
      }
      expect(Array.from(everWet).filter((i) => everDry.has(i)).length).toBeGreaterThan(2);
    });
  });

  const xOfNode = generateRectangleMesh({ nx: 21, ny: 3, dx: 500, dy: 500, depth: () => 5, diagonals: 'alternating' }).x;

  describe('worker threads', () => {
    it('give bit-for-bit the same state as one thread', async () => {
      const mesh = generateRectangleMesh({ nx: 17, ny: 9, dx: 125, diagonals: 'alternating', jitter: 0.3, depth: (x) => 3 - x / 500, openSides: ['west'] });
      const run = async (threads: number) => {
        const model = create(mesh, {
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

    it('run a phase once per generation, even when a notify arrives after the worker took it', async () => {
      const mesh = generateRectangleMesh({ nx: 9, ny: 9, dx: 100, depth: () => 5, diagonals: 'alternating' });
      const model = create(mesh, { threads: 2 });
      await model.ready();
      setStillWater(model.state, model.bed, 0.1);
      model.step(10);
      // The pool's control words (model/parallel.ts CONTROL): what a caller preempted between bumping the
      // generation and notifying leaves behind is a wake-up for a generation the worker already ran.
      const control = (model as unknown as { executor: { control: Int32Array } }).executor.control;
      Atomics.notify(control, CONTROL.generation);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(Atomics.load(control, CONTROL.pending)).toBe(0);
      model.step(10);
      expect(Atomics.load(control, CONTROL.pending)).toBe(0);
      await model.close();
    });
  });
});
