/**
 * The open-boundary elevation of a run, as SCHISM computes it from
 * bctides.in (schism_step.F90), ramped:
 *
 *   iettype 2: the boundary's constant elevation;
 *   iettype 3: η = Σ f·A·cos(ω·t + (V0+u) − φ) over the nbfr frequencies, with
 *              the nodal factor f, frequency ω and equilibrium argument V0+u
 *              of the frequency list and amplitude A and phase φ per node;
 *   iettype 4: elev2D.th.nc, linear between records;
 *   iettype 5: the sum of 3 and 4;
 *
 * all times ramp(t) = tanh(2t / (86400·dramp)), off when dramp ≤ 0. t is
 * model time: seconds since param.nml's start for a cold start, going on
 * from the hotstart's time with ihot = 2 and restarting at 0 with ihot = 1.
 */
import type { BoundaryElevation } from './stepper.js';
import type { RunDirectory } from './runDirectory.js';

const DEG = Math.PI / 180;

/** SCHISM's ramp: tanh(2t/period), 1 when the period is 0 (off). */
export function ramp(time: number, periodSeconds: number): number {
  return periodSeconds > 0 ? Math.tanh((2 * time) / periodSeconds) : 1;
}

interface BoundaryTerms {
  /** Where the boundary's nodes start in the open-node layout (all open boundaries, in hgrid.gr3 order). */
  offset: number;
  neta: number;
  constant: number;
  /** Per constituent: ω, V0+u (rad), and f·A and φ (rad) per node. */
  tides: { frequency: number; argument: number; amplitude: Float64Array; phase: Float64Array }[];
  series: boolean;
}

/** The solver's boundary callback: fills every open-boundary node in hgrid.gr3 order (elev2D.th.nc's order too). */
export function boundaryElevation(run: Pick<RunDirectory, 'bctides' | 'elev2d' | 'params'>): BoundaryElevation {
  const { bctides, elev2d, params } = run;
  let offset = 0;
  const boundaries: BoundaryTerms[] = bctides.boundaries.map((b) => {
    const terms: BoundaryTerms = {
      offset,
      neta: b.neta,
      constant: b.iettype === 2 ? (b.elevation ?? 0) : 0,
      tides: b.iettype === 3 || b.iettype === 5
        ? b.tides.map((tide) => ({
          frequency: tide.frequency,
          argument: tide.equilibriumArgument * DEG,
          amplitude: tide.amplitude.map((a) => tide.nodalFactor * a),
          phase: tide.phase.map((p) => p * DEG),
        }))
        : [],
      series: b.iettype === 4 || b.iettype === 5,
    };
    offset += b.neta;
    return terms;
  });
  const needsSeries = boundaries.some((b) => b.series);
  if (needsSeries && !elev2d) throw new Error('a boundary with iettype 4 or 5 needs elev2D.th.nc');
  return (time, eta) => {
    const r = ramp(time, params.rampSeconds);
    const series = needsSeries && elev2d ? elev2d.elevationAt(time) : undefined;
    for (const b of boundaries) {
      for (let j = 0; j < b.neta; j++) {
        let value = b.constant;
        for (const tide of b.tides) value += tide.amplitude[j] * Math.cos(tide.frequency * time + tide.argument - tide.phase[j]);
        if (b.series && series) value += series[b.offset + j];
        eta[b.offset + j] = r * value;
      }
    }
  };
}
