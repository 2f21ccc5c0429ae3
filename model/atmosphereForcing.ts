/**
 * nws = 2: wind and sea-level pressure from sflux/ at the mesh nodes.
 *
 * As SCHISM does, the fields are sampled at multiples of wtiminc (model time)
 * and linear in time between two samples. Sampling the sflux files is
 * asynchronous and the solver's callback is not, so `prepare(from, to)`
 * loads, before each base step, the samples that bracket it; the callback
 * then only interpolates.
 *
 * SCHISM multiplies the wind stress by its wind ramp
 * tanh(2t/(86400·drampwind)) (off when drampwind ≤ 0). The solver takes wind
 * speed and computes the stress (∝ Cd·speed²) itself, so the speed is
 * multiplied by √ramp: the stress is then ramped exactly where Cd is constant
 * (Large & Pond below 11 m/s) and nearly so above. Pressure is not ramped, as
 * in SCHISM.
 *
 * The mesh must be lon/lat (ics = 2): the run directory refuses nws = 2 with
 * ics = 1 until sites' projections are available to the model.
 */
import type { SfluxAir, SfluxSample } from '../core/schism/sflux.js';
import { ramp } from './boundaryForcing.js';
import type { AtmosphereFields, AtmosphericForcing } from './stepper.js';

export class AtmosphereForcing {
  /** Samples by their index k (model time k·wtiminc). */
  private readonly samples = new Map<number, SfluxSample>();
  /** Seconds spent reading sflux. */
  wallSeconds = 0;

  constructor(
    private readonly sflux: SfluxAir,
    private readonly lon: Float64Array,
    private readonly lat: Float64Array,
    private readonly interval: number,
    private readonly rampSeconds: number,
  ) {}

  /** Loads the samples bracketing model times from..to and drops the ones before. */
  async prepare(from: number, to: number): Promise<void> {
    const started = performance.now();
    const first = Math.floor(from / this.interval);
    const last = Math.max(first + 1, Math.ceil(to / this.interval));
    for (const k of this.samples.keys()) if (k < first) this.samples.delete(k);
    for (let k = first; k <= last; k++) {
      if (!this.samples.has(k)) this.samples.set(k, await this.sflux.atNodes(k * this.interval, this.lon, this.lat));
    }
    this.wallSeconds += (performance.now() - started) / 1000;
  }

  /** The solver's callback; times must lie in the span last prepared. */
  readonly fill: AtmosphericForcing = (time: number, fields: AtmosphereFields) => {
    const k = Math.floor(time / this.interval);
    const r = time / this.interval - k;
    const before = this.samples.get(k);
    const after = r === 0 ? before : this.samples.get(k + 1);
    if (!before || !after) throw new Error(`atmospheric forcing at ${time} s was not prepared`);
    const windRamp = Math.sqrt(ramp(time, this.rampSeconds));
    for (let i = 0; i < fields.windX.length; i++) {
      fields.windX[i] = windRamp * ((1 - r) * before.uwind[i] + r * after.uwind[i]);
      fields.windY[i] = windRamp * ((1 - r) * before.vwind[i] + r * after.vwind[i]);
      fields.pressure[i] = (1 - r) * before.prmsl[i] + r * after.prmsl[i];
    }
  };
}
