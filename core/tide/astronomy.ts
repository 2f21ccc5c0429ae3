/**
 * The astronomy behind harmonic tide prediction: the mean longitudes of the
 * moon and the sun that make up the equilibrium arguments, and Schureman's
 * auxiliary angles of the moon's orbit that make up the nodal corrections.
 *
 * Sources:
 * - Mean longitudes: J. Meeus, Astronomical Algorithms, 2nd ed. (1998),
 *   eqs 47.1 (moon's mean longitude L′), 47.4 (moon's mean anomaly M′),
 *   47.7 (longitude of the moon's ascending node Ω), 25.2 and 25.3 (sun's
 *   mean longitude L0 and mean anomaly M), all referred to the mean equinox
 *   of date, in Julian centuries T of Terrestrial Time from J2000.0.
 *   Schureman's symbols are s = L′, h = L0, p = L′ − M′ (lunar perigee),
 *   N = Ω, p1 = L0 − M (solar perigee). SCHISM's and ADCIRC's tide_fac.f use
 *   polynomials fitted from Schureman's Table 1 instead; the two agree to a
 *   few thousandths of a degree today.
 * - Auxiliary angles: P. Schureman, Manual of Harmonic Analysis and
 *   Prediction of Tides, US Coast and Geodetic Survey Special Publication 98
 *   (revised 1940, reprinted 1958), §§ 36–39 and 116–131: I, ν, ξ from the
 *   spherical triangle of the ecliptic, the equator and the moon's orbit
 *   (with Schureman's constant obliquity ω and inclination i), ν′ (eq 224),
 *   2ν″ (eq 232), R and 1/Ra (eqs 213, 214) for L2.
 */

const DEG = Math.PI / 180;

/** J2000.0 = JD 2451545.0 TT; Unix time 0 = JD 2440587.5 UTC. */
const J2000_JD = 2451545.0;
const UNIX_EPOCH_JD = 2440587.5;
const DAY_MS = 86_400_000;
const HOURS_PER_CENTURY = 36525 * 24;

/** TT − TAI, seconds (exact by definition). */
const TT_MINUS_TAI_S = 32.184;

/**
 * TAI − UTC (leap seconds) from each date on (IERS Bulletin C). Before 1972
 * the 10 s of 1972 is used: UT then drifted from TT by other amounts, an
 * error of under a minute, i.e. under 0.01° in the moon's longitude.
 */
const LEAP_SECONDS: readonly (readonly [date: string, taiMinusUtc: number])[] = [
  ['1972-07-01', 11], ['1973-01-01', 12], ['1974-01-01', 13], ['1975-01-01', 14],
  ['1976-01-01', 15], ['1977-01-01', 16], ['1978-01-01', 17], ['1979-01-01', 18],
  ['1980-01-01', 19], ['1981-07-01', 20], ['1982-07-01', 21], ['1983-07-01', 22],
  ['1985-07-01', 23], ['1988-01-01', 24], ['1990-01-01', 25], ['1991-01-01', 26],
  ['1992-07-01', 27], ['1993-07-01', 28], ['1994-07-01', 29], ['1996-01-01', 30],
  ['1997-07-01', 31], ['1999-01-01', 32], ['2006-01-01', 33], ['2009-01-01', 34],
  ['2012-07-01', 35], ['2015-07-01', 36], ['2017-01-01', 37],
];
const LEAP_SECOND_STEPS = LEAP_SECONDS.map(([date, seconds]) => ({ from: Date.parse(`${date}T00:00:00Z`), seconds }));

/** TT − UTC in seconds at a UTC instant (ms since 1970). */
export function ttMinusUtcSeconds(utcMs: number): number {
  let taiMinusUtc = 10;
  for (const step of LEAP_SECOND_STEPS) if (utcMs >= step.from) taiMinusUtc = step.seconds;
  return taiMinusUtc + TT_MINUS_TAI_S;
}

/** Julian centuries of Terrestrial Time from J2000.0 at a UTC instant (ms since 1970): Meeus's T. */
export function julianCenturiesTT(utcMs: number): number {
  const jdTT = UNIX_EPOCH_JD + (utcMs + ttMinusUtcSeconds(utcMs) * 1000) / DAY_MS;
  return (jdTT - J2000_JD) / 36525;
}

/** An angle in degrees reduced to [0, 360). */
export function normalizeDegrees(degrees: number): number {
  const r = degrees % 360;
  return r < 0 ? r + 360 : r;
}

/** The mean longitudes of the equilibrium arguments, degrees in [0, 360). */
export interface MeanLongitudes {
  /** Hour angle of the mean sun at Greenwich: 180° + 15° per hour of UTC (Schureman's T). */
  T: number;
  /** Mean longitude of the moon. */
  s: number;
  /** Mean longitude of the sun. */
  h: number;
  /** Mean longitude of the lunar perigee. */
  p: number;
  /** Longitude of the moon's ascending node. */
  N: number;
  /** Mean longitude of the solar perigee. */
  p1: number;
}

/** Meeus's polynomials, degrees, at Julian centuries T of TT from J2000.0 (T itself is not the hour angle). */
export function meanLongitudesAt(T: number): Omit<MeanLongitudes, 'T'> {
  const T2 = T * T;
  const T3 = T2 * T;
  const T4 = T3 * T;
  const moonLongitude = 218.3164477 + 481267.88123421 * T - 0.0015786 * T2 + T3 / 538841 - T4 / 65194000; // 47.1
  const moonAnomaly = 134.9633964 + 477198.8675055 * T + 0.0087414 * T2 + T3 / 69699 - T4 / 14712000; // 47.4
  const node = 125.0445479 - 1934.1362891 * T + 0.0020754 * T2 + T3 / 467441 - T4 / 60616000; // 47.7
  const sunLongitude = 280.46646 + 36000.76983 * T + 0.0003032 * T2; // 25.2
  const sunAnomaly = 357.52911 + 35999.05029 * T - 0.0001537 * T2; // 25.3
  return {
    s: normalizeDegrees(moonLongitude),
    h: normalizeDegrees(sunLongitude),
    p: normalizeDegrees(moonLongitude - moonAnomaly),
    N: normalizeDegrees(node),
    p1: normalizeDegrees(sunLongitude - sunAnomaly),
  };
}

/** The mean longitudes at a UTC instant (ms since 1970). */
export function meanLongitudes(utcMs: number): MeanLongitudes {
  const hoursIntoUtcDay = (((utcMs % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  return { T: normalizeDegrees(180 + 15 * hoursIntoUtcDay), ...meanLongitudesAt(julianCenturiesTT(utcMs)) };
}

/**
 * Rates of the mean longitudes in degrees per hour: T by definition, the
 * others the linear terms of Meeus's polynomials. Constituent speeds are
 * built from these so that a constituent's phase advances at exactly the rate
 * of its equilibrium argument. N is absent: Schureman's V contains none.
 */
export const MEAN_LONGITUDE_RATES = {
  T: 15,
  s: 481267.88123421 / HOURS_PER_CENTURY,
  h: 36000.76983 / HOURS_PER_CENTURY,
  p: (481267.88123421 - 477198.8675055) / HOURS_PER_CENTURY,
  p1: (36000.76983 - 35999.05029) / HOURS_PER_CENTURY,
} as const;

/**
 * Schureman's constant obliquity of the ecliptic ω = 23°27′08.26″ and
 * inclination of the moon's orbit to the ecliptic i = 5°08′43.3546″
 * (Table 1 notes). The node-factor normalisations of eqs 73–78 (0.9154,
 * 0.3800, …) are mean values computed with these, so they go together.
 */
const OBLIQUITY = (23 + 27 / 60 + 8.26 / 3600) * DEG;
const INCLINATION = (5 + 8 / 60 + 43.3546 / 3600) * DEG;

/** Schureman's auxiliary angles of the moon's orbit, degrees (except inverseRa). */
export interface NodalAngles {
  /** Longitude of the moon's node. */
  N: number;
  /** Obliquity of the moon's orbit to the equator, 18.3°–28.6°. */
  I: number;
  /** Right ascension of the lunar intersection, within ±13.1°. */
  nu: number;
  /** Longitude in the moon's orbit of the lunar intersection, within ±12°. */
  xi: number;
  /** ν′ of K1 (Schureman eq 224). */
  nuPrime: number;
  /** 2ν″ of K2 (Schureman eq 232). */
  twoNuSecond: number;
  /** P = p − ξ, the lunar perigee reckoned from the lunar intersection. */
  P: number;
  /** R of L2 (eq 214). */
  R: number;
  /** 1/Ra of L2 (eq 213). */
  inverseRa: number;
}

/**
 * The auxiliary angles for a node longitude N and a lunar perigee p (degrees).
 *
 * I from cos I = cos ω cos i − sin ω sin i cos N (Schureman § 36). ν and ξ
 * from Napier's analogies in the same triangle (§ 37):
 *   tan ½(N − ξ + ν) = cos ½(ω − i) / cos ½(ω + i) · tan ½N
 *   tan ½(N − ξ − ν) = sin ½(ω − i) / sin ½(ω + i) · tan ½N
 * taken in the quadrant of ½N, so both stay continuous through N = 180°.
 */
export function nodalAnglesFor(N: number, p: number): NodalAngles {
  const n = ((normalizeDegrees(N) + 180) % 360 - 180) * DEG; // (−180°, 180°]: ½N in (−90°, 90°]
  const I = Math.acos(Math.cos(OBLIQUITY) * Math.cos(INCLINATION) - Math.sin(OBLIQUITY) * Math.sin(INCLINATION) * Math.cos(n));
  const sum = Math.atan2((Math.cos((OBLIQUITY - INCLINATION) / 2) / Math.cos((OBLIQUITY + INCLINATION) / 2)) * Math.sin(n / 2), Math.cos(n / 2));
  const difference = Math.atan2((Math.sin((OBLIQUITY - INCLINATION) / 2) / Math.sin((OBLIQUITY + INCLINATION) / 2)) * Math.sin(n / 2), Math.cos(n / 2));
  const nu = sum - difference;
  const xi = n - sum - difference;
  const sin2I = Math.sin(2 * I);
  const sinI2 = Math.sin(I) ** 2;
  // eq 224: tan ν′ = sin 2I sin ν / (sin 2I cos ν + 0.3347)
  const nuPrime = Math.atan2(sin2I * Math.sin(nu), sin2I * Math.cos(nu) + 0.3347);
  // eq 232: tan 2ν″ = sin²I sin 2ν / (sin²I cos 2ν + 0.0727)
  const twoNuSecond = Math.atan2(sinI2 * Math.sin(2 * nu), sinI2 * Math.cos(2 * nu) + 0.0727);
  const P = p * DEG - xi;
  const tanHalfI2 = Math.tan(I / 2) ** 2;
  // eq 214: tan R = sin 2P / (⅙ cot²½I − cos 2P); the denominator stays positive (cot²½I > 19)
  const R = Math.atan2(Math.sin(2 * P), 1 / (6 * tanHalfI2) - Math.cos(2 * P));
  // eq 213: 1/Ra = √(1 − 12 tan²½I cos 2P + 36 tan⁴½I)
  const inverseRa = Math.sqrt(1 - 12 * tanHalfI2 * Math.cos(2 * P) + 36 * tanHalfI2 * tanHalfI2);
  return {
    N: normalizeDegrees(N),
    I: I / DEG,
    nu: nu / DEG,
    xi: xi / DEG,
    nuPrime: nuPrime / DEG,
    twoNuSecond: twoNuSecond / DEG,
    P: normalizeDegrees(P / DEG),
    R: R / DEG,
    inverseRa,
  };
}

/** The auxiliary angles at a UTC instant (ms since 1970). */
export function nodalAngles(utcMs: number): NodalAngles {
  const { N, p } = meanLongitudes(utcMs);
  return nodalAnglesFor(N, p);
}
