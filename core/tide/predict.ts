/**
 * Harmonic tide prediction and analysis with nodal corrections:
 *
 *   η(t) = z0 + Σ f·A·cos(ω·(t − t0) + (V0 + u) − g)
 *
 * A the amplitude (m) and g the Greenwich phase lag (degrees, UTC) of each
 * constituent at the site, ω its speed, V0 its equilibrium argument at t0, u
 * and f its nodal phase correction and nodal factor (Schureman; see
 * constituents.ts).
 *
 * Nodal corrections follow SCHISM's and ADCIRC's tide_fac.f, which is what a
 * forecast cycle's bctides.in gets: V0 at the start of the period, u and f
 * at its middle, held constant over the period. The moon's node moves 0.05°
 * a day, so over 31 days M2's f drifts by at most 0.0011, K1's by 0.0033 and
 * M2's u by 0.06° — below what harmonic constants are known to. Past
 * SINGLE_EPOCH_MAX_DAYS, f and u are re-evaluated per UTC day instead
 * (V0 at 00:00, u and f at 12:00), so a year's prediction does not carry
 * mid-year factors to its ends (K1's f changes by up to 0.04 in a year).
 * predictTide and harmonicAnalysis choose the same way from the span of the
 * times they are given, so analysing a prediction recovers its constants.
 */
import { meanLongitudes, nodalAngles, normalizeDegrees } from './astronomy.js';
import {
  CONSTITUENT_NAMES,
  equilibriumArgument,
  findConstituent,
  nodalFactor,
  nodalPhase,
  type Constituent,
} from './constituents.js';

const DEG = Math.PI / 180;
const DAY_MS = 86_400_000;

/** Longest span (days) predicted with one set of nodal corrections, as one bctides.in. */
export const SINGLE_EPOCH_MAX_DAYS = 31;

export interface ConstituentConstants {
  name: string;
  /** Metres. */
  amplitude: number;
  /** Greenwich phase lag, degrees (UTC). */
  phase: number;
}

/** A site's harmonic constants: the `tide predict --constants` file. */
export interface TideConstants {
  /** Degrees north; the site's position, not used by the prediction itself. */
  latitude: number;
  /** Mean water level above the model datum, metres. */
  z0: number;
  constituents: ConstituentConstants[];
}

/** What bctides.in needs per constituent for a period. */
export interface NodalCorrection {
  /** Canonical constituent name. */
  name: string;
  /** rad/s. */
  speed: number;
  /** Nodal factor, at the middle of the period. */
  f: number;
  /** Equilibrium argument V0 at the start plus u at the middle, degrees in [0, 360). */
  vPlusU: number;
}

/**
 * Nodal factors and equilibrium arguments of the named constituents for a
 * period from start to end (tide_fac.f semantics, see above). Throws on an
 * unknown name.
 */
export function nodalFactors(names: readonly string[], start: Date, end: Date): NodalCorrection[] {
  return correctionsFor(names.map(constituentNamed), start.getTime(), end.getTime());
}

function correctionsFor(constituents: readonly Constituent[], startMs: number, endMs: number): NodalCorrection[] {
  const longitudes = meanLongitudes(startMs);
  const angles = nodalAngles((startMs + endMs) / 2);
  return constituents.map((c) => ({
    name: c.name,
    speed: c.speedRadiansPerSecond,
    f: nodalFactor(c, angles),
    vPlusU: normalizeDegrees(equilibriumArgument(c, longitudes) + nodalPhase(c, angles)),
  }));
}

/** The corrections that hold at a time, with the time their V0 refers to. */
interface NodalEpoch {
  referenceMs: number;
  corrections: NodalCorrection[];
}

/** Which nodal corrections apply at each time of a series (see the module comment). */
function nodalEpochs(constituents: readonly Constituent[], timesMs: readonly number[]): (timeMs: number) => NodalEpoch {
  const { startMs, endMs } = spanOf(timesMs);
  if (endMs - startMs <= SINGLE_EPOCH_MAX_DAYS * DAY_MS) {
    const single = { referenceMs: startMs, corrections: correctionsFor(constituents, startMs, endMs) };
    return () => single;
  }
  const byDay = new Map<number, NodalEpoch>();
  return (timeMs) => {
    const dayMs = Math.floor(timeMs / DAY_MS) * DAY_MS;
    let epoch = byDay.get(dayMs);
    if (!epoch) {
      epoch = { referenceMs: dayMs, corrections: correctionsFor(constituents, dayMs, dayMs + DAY_MS) };
      byDay.set(dayMs, epoch);
    }
    return epoch;
  };
}

/** First and last of the times (a loop: a spread of a year of minutes would overflow the call stack). */
function spanOf(timesMs: readonly number[]): { startMs: number; endMs: number } {
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const t of timesMs) {
    if (t < startMs) startMs = t;
    if (t > endMs) endMs = t;
  }
  return { startMs, endMs };
}

/** The argument ω·(t − t0) + V0 + u of a constituent at a time, radians. */
function argumentAt(correction: NodalCorrection, epoch: NodalEpoch, timeMs: number): number {
  return (correction.speed * (timeMs - epoch.referenceMs)) / 1000 + correction.vPlusU * DEG;
}

/** Elevations (m) at the given times from a site's harmonic constants. */
export function predictTide(constants: TideConstants, times: readonly Date[]): Float64Array {
  const elevation = new Float64Array(times.length);
  if (times.length === 0) return elevation;
  const timesMs = times.map((t) => t.getTime());
  const constituents = constants.constituents.map((c) => constituentNamed(c.name));
  const epochAt = nodalEpochs(constituents, timesMs);
  timesMs.forEach((timeMs, i) => {
    const epoch = epochAt(timeMs);
    let sum = constants.z0;
    constants.constituents.forEach((c, k) => {
      const correction = epoch.corrections[k];
      sum += correction.f * c.amplitude * Math.cos(argumentAt(correction, epoch, timeMs) - c.phase * DEG);
    });
    elevation[i] = sum;
  });
  return elevation;
}

/**
 * Least-squares harmonic analysis: the mean level and the amplitude and
 * Greenwich phase lag of each named constituent that best fit the values,
 * with the same nodal corrections as predictTide. Each constituent enters as
 * f·(a·cos φ + b·sin φ), φ = ω·(t − t0) + V0 + u, so A = √(a² + b²) and
 * g = atan2(b, a). Throws when two constituents are closer in speed than the
 * record can separate (Rayleigh criterion: |Δω|·span ≥ 2π).
 */
export function harmonicAnalysis(times: readonly Date[], values: ArrayLike<number>, names: readonly string[]): Omit<TideConstants, 'latitude'> {
  if (times.length !== values.length) throw new Error(`harmonicAnalysis: ${times.length} times but ${values.length} values`);
  const constituents = names.map(constituentNamed);
  const timesMs = times.map((t) => t.getTime());
  checkSeparable(constituents, timesMs);
  const columns = 1 + 2 * constituents.length;
  if (times.length < columns) throw new Error(`harmonicAnalysis: ${times.length} values cannot fit ${columns} unknowns`);
  const epochAt = nodalEpochs(constituents, timesMs);
  const design = timesMs.map((timeMs) => {
    const epoch = epochAt(timeMs);
    const row = [1];
    for (const correction of epoch.corrections) {
      const phi = argumentAt(correction, epoch, timeMs);
      row.push(correction.f * Math.cos(phi), correction.f * Math.sin(phi));
    }
    return row;
  });
  const [z0, ...cosSin] = leastSquares(design, Array.from(values));
  return {
    z0,
    constituents: constituents.map((c, k) => {
      const a = cosSin[2 * k];
      const b = cosSin[2 * k + 1];
      return { name: c.name, amplitude: Math.hypot(a, b), phase: normalizeDegrees(Math.atan2(b, a) / DEG) };
    }),
  };
}

function checkSeparable(constituents: readonly Constituent[], timesMs: readonly number[]): void {
  const { startMs, endMs } = spanOf(timesMs);
  const spanHours = (endMs - startMs) / 3_600_000;
  const seen = new Set<string>();
  for (const [i, a] of constituents.entries()) {
    if (seen.has(a.name)) throw new Error(`harmonicAnalysis: ${a.name} given twice`);
    seen.add(a.name);
    for (const b of constituents.slice(i + 1)) {
      const separation = Math.abs(a.speedDegreesPerHour - b.speedDegreesPerHour) * spanHours;
      if (separation < 360) {
        const days = 360 / Math.abs(a.speedDegreesPerHour - b.speedDegreesPerHour) / 24;
        throw new Error(`harmonicAnalysis: ${a.name} and ${b.name} need a record of at least ${days.toFixed(1)} days to be separated (Rayleigh), got ${(spanHours / 24).toFixed(1)}`);
      }
    }
  }
}

/** Least squares min ‖Ax − y‖ by Householder QR, better conditioned than the normal equations; the rows are copied, not changed. */
function leastSquares(rows: number[][], y: number[]): number[] {
  const m = rows.length;
  const n = rows[0].length;
  const a = rows.map((row) => row.slice());
  const b = y.slice();
  let largestDiagonal = 0;
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += a[i][j] ** 2;
    norm = Math.sqrt(norm);
    const alpha = a[j][j] > 0 ? -norm : norm;
    // v = x − αe1 stored in place below the diagonal; R's diagonal becomes α
    const v0 = a[j][j] - alpha;
    const vNorm2 = v0 * v0 + norm * norm - a[j][j] * a[j][j];
    a[j][j] = v0;
    if (vNorm2 > 0) {
      for (let k = j + 1; k < n; k++) {
        let dot = 0;
        for (let i = j; i < m; i++) dot += a[i][j] * a[i][k];
        const scale = (2 * dot) / vNorm2;
        for (let i = j; i < m; i++) a[i][k] -= scale * a[i][j];
      }
      let dot = 0;
      for (let i = j; i < m; i++) dot += a[i][j] * b[i];
      const scale = (2 * dot) / vNorm2;
      for (let i = j; i < m; i++) b[i] -= scale * a[i][j];
    }
    a[j][j] = alpha;
    largestDiagonal = Math.max(largestDiagonal, Math.abs(alpha));
    if (Math.abs(alpha) <= 1e-12 * largestDiagonal) throw new Error('harmonicAnalysis: the constituents cannot be told apart at these sampling times');
  }
  const x = new Array<number>(n).fill(0);
  for (let j = n - 1; j >= 0; j--) {
    let sum = b[j];
    for (let k = j + 1; k < n; k++) sum -= a[j][k] * x[k];
    x[j] = sum / a[j][j];
  }
  return x;
}

function constituentNamed(name: string): Constituent {
  const constituent = findConstituent(name);
  if (!constituent) throw new Error(`unknown constituent "${name}" (known: ${CONSTITUENT_NAMES.join(', ')})`);
  return constituent;
}

/**
 * A constants file's content checked field by field: errors name the field
 * (`constituents[2].name: unknown constituent "X2" (known: …)`). Names are
 * returned in their canonical spelling.
 */
export function parseTideConstants(value: unknown): TideConstants {
  const site = record(value, 'constants');
  onlyFields(site, ['latitude', 'z0', 'constituents'], '');
  const latitude = finiteNumber(site.latitude, 'latitude', 'degrees north');
  if (latitude < -90 || latitude > 90) throw new Error(`latitude: ${latitude} is outside [-90, 90]`);
  const z0 = finiteNumber(site.z0, 'z0', 'metres');
  if (!Array.isArray(site.constituents)) throw new Error(`constituents: expected a list of {"name", "amplitude", "phase"}, got ${describe(site.constituents)}`);
  const seen = new Map<string, number>();
  const constituents = site.constituents.map((item: unknown, i: number) => {
    const field = `constituents[${i}]`;
    const entry = record(item, field);
    onlyFields(entry, ['name', 'amplitude', 'phase'], `${field}.`);
    if (typeof entry.name !== 'string') throw new Error(`${field}.name: expected a constituent name, got ${describe(entry.name)}`);
    const constituent = findConstituent(entry.name);
    if (!constituent) throw new Error(`${field}.name: unknown constituent "${entry.name}" (known: ${CONSTITUENT_NAMES.join(', ')})`);
    const earlier = seen.get(constituent.name);
    if (earlier !== undefined) throw new Error(`${field}.name: ${constituent.name} is already constituents[${earlier}]`);
    seen.set(constituent.name, i);
    const amplitude = finiteNumber(entry.amplitude, `${field}.amplitude`, 'metres');
    if (amplitude < 0) throw new Error(`${field}.amplitude: ${amplitude} is negative`);
    return { name: constituent.name, amplitude, phase: finiteNumber(entry.phase, `${field}.phase`, 'degrees') };
  });
  return { latitude, z0, constituents };
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${field}: expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function onlyFields(value: Record<string, unknown>, known: readonly string[], prefix: string): void {
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) throw new Error(`${prefix}${unknown}: unknown field (expected ${known.join(', ')})`);
}

function finiteNumber(value: unknown, field: string, unit: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${field}: expected a number (${unit}), got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
