import { describe, expect, it } from 'vitest';

import { boundaryElevation } from '../model/boundaryForcing.js';
import type { RunDirectory } from '../model/runDirectory.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { checkBuiltInSupport, formatBctides, parseBctides, type Bctides } from '../core/schism/bctides.js';
import type { SiteTide } from '../core/site.js';
import { boundaryBctides, harmonicBoundaryConstants, MEAN_LEVEL_NAME } from '../core/tide/boundaryTide.js';
import { predictTide, type ConstituentConstants } from '../core/tide/predict.js';

const DEG = Math.PI / 180;
const HOUR = 3_600_000;

// 5 × 4 nodes; west and east are two open boundaries of 4 nodes each.
const mesh = generateRectangleMesh({ nx: 5, ny: 4, dx: 0.02, origin: { x: -8.9, y: 40.6 }, openSides: ['west', 'east'] });

const westConstants: ConstituentConstants[] = [
  { name: 'M2', amplitude: 1.2, phase: 80 },
  { name: 'K1', amplitude: 0.07, phase: 355 },
  { name: 'S2', amplitude: 0.42, phase: -20 },
  { name: 'N2', amplitude: 0.25, phase: 62 },
];
/** East boundary: per node, listed in another order and case than the west one. */
const eastPerNode = [
  { name: 's2', amplitude: [0.4, 0.41, 0.43, 0.45], phase: [100, 101, 102, 104] },
  { name: 'M2', amplitude: [1.1, 1.15, 1.2, 1.25], phase: [75, 78, 81, 359.5] },
  { name: 'n2', amplitude: [0.2, 0.21, 0.22, 0.23], phase: [50, 52, 54, 56] },
  { name: 'k1', amplitude: [0.06, 0.065, 0.07, 0.075], phase: [1, 2, 3, 4] },
];
const tide: Extract<SiteTide, { type: 'harmonic' }> = {
  type: 'harmonic',
  z0: -0.15,
  boundaries: [
    { type: 'uniform', constituents: westConstants },
    { type: 'perNode', constituents: eastPerNode },
  ],
};

/** The constants predictTide gets for open boundary `b`, node `j`. */
function nodeConstants(b: number, j: number): ConstituentConstants[] {
  if (b === 0) return westConstants;
  return eastPerNode.map((c) => ({ name: c.name.toUpperCase(), amplitude: c.amplitude[j], phase: c.phase[j] }));
}

/** SCHISM's iettype 3 elevation from a bctides.in read back from its text: Σ f·A·cos(ω·t + (V0+u) − φ), t from the run start. */
function bctidesElevation(b: Bctides, boundary: number, node: number, seconds: number): number {
  let eta = 0;
  for (const tide of b.boundaries[boundary].tides) {
    eta += tide.nodalFactor * tide.amplitude[node] * Math.cos(tide.frequency * seconds + tide.equilibriumArgument * DEG - tide.phase[node] * DEG);
  }
  return eta;
}

/** Largest |bctides.in elevation − predictTide| over every boundary node, every 10 minutes of the 3 days from `start`. */
function largestDifference(written: Bctides, start: Date): number {
  const times = Array.from({ length: 3 * 144 + 1 }, (_, k) => new Date(start.getTime() + k * 600_000));
  let worst = 0;
  for (let b = 0; b < 2; b++) {
    for (let j = 0; j < 4; j++) {
      const expected = predictTide({ latitude: 40.6, z0: tide.z0 ?? 0, constituents: nodeConstants(b, j) }, times);
      times.forEach((t, k) => {
        worst = Math.max(worst, Math.abs(bctidesElevation(written, b, j, (t.getTime() - times[0].getTime()) / 1000) - expected[k]));
      });
    }
  }
  return worst;
}

describe('bctides.in for a run', () => {
  const start = new Date('2026-03-07T18:00:00Z');
  const end = new Date(start.getTime() + 72 * HOUR);
  const text = formatBctides(boundaryBctides(harmonicBoundaryConstants(tide, mesh), { start, end }));
  const written = parseBctides(text, 'bctides.in', mesh);

  it('gives the elevation predictTide gives, within 1 mm over 3 days from a run starting at 18:00', () => {
    const worst = largestDifference(written, start);
    console.log(`bctides.in vs predictTide, 8 nodes × 3 days: largest difference ${worst.toExponential(2)} m`);
    expect(worst).toBeLessThan(1e-3);
  });

  it('is what the built-in model puts on the boundary (ramp off)', () => {
    const fill = boundaryElevation({ bctides: written, elev2d: undefined, params: { rampSeconds: 0 } } as unknown as Pick<RunDirectory, 'bctides' | 'elev2d' | 'params'>);
    const eta = new Float64Array(8);
    let worst = 0;
    for (let hour = 0; hour <= 72; hour += 5) {
      const when = new Date(start.getTime() + hour * HOUR);
      fill(hour * 3600, eta);
      for (let b = 0; b < 2; b++) {
        for (let j = 0; j < 4; j++) {
          const expected = predictTide({ latitude: 40.6, z0: -0.15, constituents: nodeConstants(b, j) }, [start, when, end])[1];
          worst = Math.max(worst, Math.abs(eta[4 * b + j] - expected));
        }
      }
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('refers V0+u to the run start: the same constants written for another start are hours off', () => {
    const midnight = formatBctides(boundaryBctides(harmonicBoundaryConstants(tide, mesh), { start: new Date('2026-03-07T00:00:00Z'), end }));
    expect(largestDifference(parseBctides(midnight, 'bctides.in', mesh), start)).toBeGreaterThan(0.5);
  });

  it('writes iettype 3 everywhere, no tidal potential, and z0 as a zero-frequency Z0 term the built-in model accepts', () => {
    expect(written.tidalPotential).toHaveLength(0);
    expect(written.boundaries.map((b) => [b.neta, b.iettype, b.ifltype, b.itetype, b.isatype])).toEqual([
      [4, 3, 0, 0, 0],
      [4, 3, 0, 0, 0],
    ]);
    expect(written.frequencies.map((f) => f.name)).toEqual(['M2', 'K1', 'S2', 'N2', MEAN_LEVEL_NAME]);
    const z0 = written.frequencies.at(-1);
    expect(z0).toMatchObject({ frequency: 0, nodalFactor: 1, equilibriumArgument: 0 });
    for (const b of written.boundaries) {
      const meanLevel = b.tides.at(-1)!;
      expect(Array.from(meanLevel.amplitude)).toEqual([0.15, 0.15, 0.15, 0.15]);
      expect(Array.from(meanLevel.phase)).toEqual([180, 180, 180, 180]);
      for (const t of b.tides) for (const p of t.phase) expect(p >= 0 && p < 360).toBe(true);
    }
    expect(() => checkBuiltInSupport(written, 'bctides.in')).not.toThrow();
    expect(text.split('\n')[0]).toContain('2026-03-07T18:00:00.000Z');
  });

  it('leaves Z0 out when the mean level is zero or not given', () => {
    const { z0: _, ...withoutZ0 } = tide;
    const b = boundaryBctides(harmonicBoundaryConstants(withoutZ0, mesh), { start, end });
    expect(b.frequencies.map((f) => f.name)).toEqual(['M2', 'K1', 'S2', 'N2']);
  });

  it('refuses constants that do not fit the mesh, naming the field', () => {
    expect(() => harmonicBoundaryConstants({ ...tide, boundaries: [tide.boundaries[0]] }, mesh)).toThrow(/\/tide\/boundaries: 1 entries, but the mesh has 2 open boundaries/);
    const short = { type: 'perNode' as const, constituents: eastPerNode.map((c) => ({ ...c, amplitude: c.amplitude.slice(1) })) };
    expect(() => harmonicBoundaryConstants({ ...tide, boundaries: [tide.boundaries[0], short] }, mesh)).toThrow(/\/tide\/boundaries\/1\/constituents\/0\/amplitude: 3 values, but open boundary 2 has 4 nodes/);
    const missing = { type: 'uniform' as const, constituents: westConstants.slice(0, 3) };
    expect(() => harmonicBoundaryConstants({ ...tide, boundaries: [tide.boundaries[0], missing] }, mesh)).toThrow(/\/tide\/boundaries\/1\/constituents: N2 is missing/);
  });
});
