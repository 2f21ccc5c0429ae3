/**
 * Tidal constituents: speed, equilibrium argument V, nodal phase correction u
 * and nodal factor f, after P. Schureman, Manual of Harmonic Analysis and
 * Prediction of Tides, US Coast and Geodetic Survey Special Publication 98
 * (1958), Table 2 (V, u, f formula and speed of each constituent) and
 * eqs 73–78, 149, 213–215, 227, 235 (the node factors), as SCHISM's and
 * ADCIRC's tide_fac.f use them.
 *
 * V is Schureman's: a sum of multiples of T (hour angle of the mean sun),
 * s, h, p, p1 (see astronomy.ts) plus a constant multiple of 90°. The speed
 * is V's rate, so it is derived here rather than typed in: it equals
 * Schureman's tabulated speeds to 1e-6 °/h (test/tide.test.ts checks).
 *
 * | name | Doodson | speed °/h  | V                            | u                | f               |
 * |------|---------|------------|------------------------------|------------------|-----------------|
 * | M2   | 255.555 | 28.9841042 | 2T − 2s + 2h                 | 2ξ − 2ν          | eq 78           |
 * | S2   | 273.555 | 30.0000000 | 2T                           | 0                | 1               |
 * | N2   | 245.655 | 28.4397295 | 2T − 3s + 2h + p             | 2ξ − 2ν          | eq 78           |
 * | K2   | 275.555 | 30.0821373 | 2T + 2h                      | −2ν″             | eq 235          |
 * | K1   | 165.555 | 15.0410686 | T + h − 90°                  | −ν′              | eq 227          |
 * | O1   | 145.555 | 13.9430356 | T − 2s + h + 90°             | 2ξ − ν           | eq 75           |
 * | P1   | 163.555 | 14.9589314 | T − h + 90°                  | 0                | 1               |
 * | Q1   | 135.655 | 13.3986609 | T − 3s + h + p + 90°         | 2ξ − ν           | eq 75           |
 * | M4   | 455.555 | 57.9682084 | 4T − 4s + 4h                 | 4ξ − 4ν          | (eq 78)²        |
 * | MS4  | 473.555 | 58.9841042 | 4T − 2s + 2h                 | 2ξ − 2ν          | eq 78           |
 * | MN4  | 445.655 | 57.4238337 | 4T − 5s + 4h + p             | 4ξ − 4ν          | (eq 78)²        |
 * | M6   | 655.555 | 86.9523127 | 6T − 6s + 6h                 | 6ξ − 6ν          | (eq 78)³        |
 * | 2N2  | 235.755 | 27.8953548 | 2T − 4s + 2h + 2p            | 2ξ − 2ν          | eq 78           |
 * | MU2  | 237.555 | 27.9682084 | 2T − 4s + 4h                 | 2ξ − 2ν          | eq 78           |
 * | NU2  | 247.455 | 28.5125831 | 2T − 3s + 4h − p             | 2ξ − 2ν          | eq 78           |
 * | L2   | 265.455 | 29.5284789 | 2T − s + 2h − p + 180°       | 2ξ − 2ν − R      | eq 78 × eq 213  |
 * | T2   | 272.556 | 29.9589333 | 2T − h + p1                  | 0                | 1               |
 * | J1   | 175.455 | 15.5854433 | T + s + h − p − 90°          | −ν               | eq 76           |
 * | OO1  | 185.555 | 16.1391017 | T + 2s + h − 90°             | −2ξ − ν          | eq 77           |
 * | M3   | 355.555 | 43.4761563 | 3T − 3s + 3h                 | 3ξ − 3ν          | eq 149          |
 * | MM   | 065.455 |  0.5443747 | s − p                        | 0                | eq 73           |
 * | MF   | 075.555 |  1.0980331 | 2s                           | −2ξ              | eq 74           |
 * | SSA  | 057.555 |  0.0821373 | 2h                           | 0                | 1               |
 *
 * Node factors (I the obliquity of the moon's orbit to the equator, ν its
 * right ascension of the intersection, 1/Ra from eq 213):
 * eq 73 (2/3 − sin²I)/0.5021, eq 74 sin²I/0.1578, eq 75 sin I cos²½I/0.3800,
 * eq 76 sin 2I/0.7214, eq 77 sin I sin²½I/0.0164, eq 78 cos⁴½I/0.9154,
 * eq 149 cos⁶½I/0.8758, eq 227 √(0.8965 sin²2I + 0.6001 sin 2I cos ν + 0.1006),
 * eq 235 √(19.0444 sin⁴I + 2.7702 sin²I cos 2ν + 0.0981).
 * Differences from tide_fac.f: it uses 0.91544 and 0.37988 for eqs 78 and
 * 75 (a relative 5e-5), adds 0.001 to eq 235, and sets L2's f to 0 (eq 215
 * is used here).
 */
import { MEAN_LONGITUDE_RATES, normalizeDegrees, type MeanLongitudes, type NodalAngles } from './astronomy.js';

const DEG = Math.PI / 180;

/** Schureman's node-factor formulas by equation number. */
const NODE_FACTOR_FORMULAS = {
  eq73: (a: NodalAngles) => (2 / 3 - sin(a.I) ** 2) / 0.5021,
  eq74: (a: NodalAngles) => sin(a.I) ** 2 / 0.1578,
  eq75: (a: NodalAngles) => (sin(a.I) * cos(a.I / 2) ** 2) / 0.38,
  eq76: (a: NodalAngles) => sin(2 * a.I) / 0.7214,
  eq77: (a: NodalAngles) => (sin(a.I) * sin(a.I / 2) ** 2) / 0.0164,
  eq78: (a: NodalAngles) => cos(a.I / 2) ** 4 / 0.9154,
  eq149: (a: NodalAngles) => cos(a.I / 2) ** 6 / 0.8758,
  eq213: (a: NodalAngles) => a.inverseRa,
  eq227: (a: NodalAngles) => Math.sqrt(0.8965 * sin(2 * a.I) ** 2 + 0.6001 * sin(2 * a.I) * cos(a.nu) + 0.1006),
  eq235: (a: NodalAngles) => Math.sqrt(19.0444 * sin(a.I) ** 4 + 2.7702 * sin(a.I) ** 2 * cos(2 * a.nu) + 0.0981),
} as const;

type NodeFactorFormula = keyof typeof NODE_FACTOR_FORMULAS;

/** The angles u is made of (degrees, from NodalAngles). */
type UAngle = 'xi' | 'nu' | 'nuPrime' | 'twoNuSecond' | 'R';

/** The astronomical variables V is made of. */
type VTerm = 'T' | 's' | 'h' | 'p' | 'p1';

export interface Constituent {
  /** Canonical name, upper case as in bctides.in files (M2, MU2, SSA). */
  name: string;
  /** Schureman's V: integer multiples of T, s, h, p, p1. */
  v: Readonly<Record<VTerm, number>>;
  /** The constant of V, a multiple of 90°. */
  vConstant: number;
  /** u = Σ multiple × angle. */
  u: Readonly<Partial<Record<UAngle, number>>>;
  /** f = Π formula^power. */
  f: Readonly<Partial<Record<NodeFactorFormula, number>>>;
  /** Speed, degrees per hour (rate of V). */
  speedDegreesPerHour: number;
  /** Speed, rad/s (bctides.in's frequency). */
  speedRadiansPerSecond: number;
}

type Definition = [name: string, v: [T: number, s: number, h: number, p: number, p1: number], vConstant: number, u: Constituent['u'], f: Constituent['f']];

const M2_U = { xi: 2, nu: -2 };

// prettier-ignore
const DEFINITIONS: Definition[] = [
  //  name    T   s   h   p  p1   const  u                          f
  ['M2',  [2, -2,  2,  0,  0],    0, M2_U,                     { eq78: 1 }],
  ['S2',  [2,  0,  0,  0,  0],    0, {},                       {}],
  ['N2',  [2, -3,  2,  1,  0],    0, M2_U,                     { eq78: 1 }],
  ['K2',  [2,  0,  2,  0,  0],    0, { twoNuSecond: -1 },      { eq235: 1 }],
  ['K1',  [1,  0,  1,  0,  0],  -90, { nuPrime: -1 },          { eq227: 1 }],
  ['O1',  [1, -2,  1,  0,  0],   90, { xi: 2, nu: -1 },        { eq75: 1 }],
  ['P1',  [1,  0, -1,  0,  0],   90, {},                       {}],
  ['Q1',  [1, -3,  1,  1,  0],   90, { xi: 2, nu: -1 },        { eq75: 1 }],
  ['M4',  [4, -4,  4,  0,  0],    0, { xi: 4, nu: -4 },        { eq78: 2 }],
  ['MS4', [4, -2,  2,  0,  0],    0, M2_U,                     { eq78: 1 }],
  ['MN4', [4, -5,  4,  1,  0],    0, { xi: 4, nu: -4 },        { eq78: 2 }],
  ['M6',  [6, -6,  6,  0,  0],    0, { xi: 6, nu: -6 },        { eq78: 3 }],
  ['2N2', [2, -4,  2,  2,  0],    0, M2_U,                     { eq78: 1 }],
  ['MU2', [2, -4,  4,  0,  0],    0, M2_U,                     { eq78: 1 }],
  ['NU2', [2, -3,  4, -1,  0],    0, M2_U,                     { eq78: 1 }],
  ['L2',  [2, -1,  2, -1,  0],  180, { xi: 2, nu: -2, R: -1 }, { eq78: 1, eq213: 1 }],
  ['T2',  [2,  0, -1,  0,  1],    0, {},                       {}],
  ['J1',  [1,  1,  1, -1,  0],  -90, { nu: -1 },               { eq76: 1 }],
  ['OO1', [1,  2,  1,  0,  0],  -90, { xi: -2, nu: -1 },       { eq77: 1 }],
  ['M3',  [3, -3,  3,  0,  0],    0, { xi: 3, nu: -3 },        { eq149: 1 }],
  ['MM',  [0,  1,  0, -1,  0],    0, {},                       { eq73: 1 }],
  ['MF',  [0,  2,  0,  0,  0],    0, { xi: -2 },               { eq74: 1 }],
  ['SSA', [0,  0,  2,  0,  0],    0, {},                       {}],
];

const V_TERMS: readonly VTerm[] = ['T', 's', 'h', 'p', 'p1'];

export const CONSTITUENTS: readonly Constituent[] = DEFINITIONS.map(([name, multiples, vConstant, u, f]) => {
  const v = Object.fromEntries(V_TERMS.map((term, i) => [term, multiples[i]])) as Record<VTerm, number>;
  const speedDegreesPerHour = V_TERMS.reduce((sum, term) => sum + v[term] * MEAN_LONGITUDE_RATES[term], 0);
  return { name, v, vConstant, u, f, speedDegreesPerHour, speedRadiansPerSecond: (speedDegreesPerHour * DEG) / 3600 };
});

const BY_NAME = new Map(CONSTITUENTS.map((c) => [c.name, c]));

/** The constituent of a name, in any letter case (tide_fac writes Mm, nu2), or undefined. */
export function findConstituent(name: string): Constituent | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/** Every constituent name, for messages. */
export const CONSTITUENT_NAMES: readonly string[] = CONSTITUENTS.map((c) => c.name);

/** Equilibrium argument V0 in degrees [0, 360) from the mean longitudes at an instant. */
export function equilibriumArgument(constituent: Constituent, longitudes: MeanLongitudes): number {
  return normalizeDegrees(V_TERMS.reduce((sum, term) => sum + constituent.v[term] * longitudes[term], constituent.vConstant));
}

/** Nodal phase correction u, degrees. */
export function nodalPhase(constituent: Constituent, angles: NodalAngles): number {
  return Object.entries(constituent.u).reduce((sum, [angle, multiple]) => sum + multiple * angles[angle as UAngle], 0);
}

/** Nodal factor f. */
export function nodalFactor(constituent: Constituent, angles: NodalAngles): number {
  return Object.entries(constituent.f).reduce((product, [formula, power]) => product * NODE_FACTOR_FORMULAS[formula as NodeFactorFormula](angles) ** power, 1);
}

/**
 * The Doodson number (e.g. M2 255.555): V rewritten on lunar time τ = T + h − s
 * (so T = τ + s − h), each multiple of τ, s, h, p, N′, p1 offset by 5 except the first.
 */
export function doodsonNumber(constituent: Constituent): string {
  const { T, s, h, p, p1 } = constituent.v;
  const digits = [T, s + T + 5, h - T + 5, p + 5, 5, p1 + 5];
  return `${digits.slice(0, 3).join('')}.${digits.slice(3).join('')}`;
}

function sin(degrees: number): number {
  return Math.sin(degrees * DEG);
}

function cos(degrees: number): number {
  return Math.cos(degrees * DEG);
}
