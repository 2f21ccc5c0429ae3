import { describe, expect, it } from 'vitest';
import { lakeAtRest } from '../model/validation/lakeAtRest.js';
import { ritter } from '../model/validation/ritter.js';
import { seiche } from '../model/validation/seiche.js';
import { thacker } from '../model/validation/thacker.js';
import { tidalChannel } from '../model/validation/tidalChannel.js';
import { wettingDrying } from '../model/validation/wettingDrying.js';

// The acceptance cases of the built-in model against exact solutions (model/validation/*.ts), with local and with global time stepping.
describe.each([
  { stepping: 'local', localTimeStepping: true },
  { stepping: 'global', localTimeStepping: false },
])('built-in model validation, $stepping time stepping', ({ localTimeStepping }) => {
  it('keeps a lake at rest over uneven bathymetry with emerged islands', () => {
    const f = lakeAtRest({ cells: 20, steps: 300, localTimeStepping });
    expect(f.dryNodes).toBeGreaterThan(10);
    expect(f.maxSpeed).toBeLessThan(1e-10);
    expect(f.maxElevationChange).toBeLessThan(1e-10);
    expect(f.relativeVolumeChange).toBeLessThan(1e-13);
  });

  it('conserves mass over 10,000 steps of wetting and drying on a beach', () => {
    const f = wettingDrying({ steps: 10_000, localTimeStepping });
    expect(f.nodesWettedAndDried).toBeGreaterThan(10);
    expect(f.minDepth).toBeGreaterThanOrEqual(0);
    expect(f.relativeVolumeChange).toBeLessThan(1e-10);
  });

  it("follows Thacker's planar surface in a paraboloid, converging under refinement", () => {
    const f = thacker({ resolutions: [24, 48], periods: 3, localTimeStepping });
    const [coarse, fine] = f.runs;
    // Mean depth error over the wetted disc, m (the centre depth is 0.1 m).
    expect(coarse.depthErrors[0]).toBeLessThan(0.025);
    expect(fine.depthErrors[0]).toBeLessThan(0.008);
    expect(fine.depthErrors[2]).toBeLessThan(0.02);
    expect(f.observedOrderOnePeriod[0]).toBeGreaterThan(1);
    expect(f.observedOrderThreePeriods[0]).toBeGreaterThan(0.8);
  });

  it('reproduces the seiche period 2L/√(gh) within 1 %', () => {
    const f = seiche({ cells: 50, periods: 3, localTimeStepping });
    expect(f.relativePeriodError).toBeLessThan(0.01);
    expect(f.amplitudeRatio).toBeGreaterThan(0.95);
  });

  it('matches the tidal amplitude a·cos(k(L−x))/cos(kL) along a closed channel within 2 %, started from rest', () => {
    const f = tidalChannel({ cells: 50, periods: 4, rampPeriods: 1, localTimeStepping });
    expect(f.stations).toHaveLength(5);
    expect(f.maxRelativeAmplitudeError).toBeLessThan(0.02);
  });

  it("matches Ritter's dam break on a dry bed", () => {
    const f = ritter({ cells: 400, dryThreshold: 1e-3, localTimeStepping });
    expect(f.relativeL1DepthError).toBeLessThan(0.005);
    expect(Math.abs(f.damSiteDepth - f.exactDamSiteDepth) / f.exactDamSiteDepth).toBeLessThan(0.02);
    expect(f.relativeFrontError).toBeLessThan(0.15);
    expect(f.modelFront).toBeLessThanOrEqual(f.exactDryBedFront);
  });
});
