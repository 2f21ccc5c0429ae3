/**
 * How well a forecast matched what was observed, per lead-time day.
 *
 * For pairs (P_i forecast, O_i observed), i = 1…n, with means P̄ and Ō:
 *
 *   bias        = Σ (P_i − O_i) / n                                  (m; > 0: forecast too high)
 *   RMSE        = √( Σ (P_i − O_i)² / n )                            (m)
 *   correlation = Σ (P_i − P̄)(O_i − Ō) / √( Σ (P_i − P̄)² Σ (O_i − Ō)² )   (Pearson's r)
 *   skill       = 1 − Σ (P_i − O_i)² / Σ ( |P_i − Ō| + |O_i − Ō| )²   (Willmott's index of agreement d)
 *
 * The skill is Willmott's (1981) d ("On the validation of models", Physical
 * Geography 2, 184–194), the score commonly given for tide and surge models:
 * unlike r it penalises a bias and a wrong amplitude, unlike the RMSE it is
 * dimensionless and bounded, 1 for a perfect forecast and 0 for none.
 *
 * With fewer than 2 pairs every figure is null (one pair has no variance to
 * compare); correlation is null when either series is constant and the skill
 * when its denominator is 0 (both series constant and equal to Ō), where the
 * formulas divide by zero.
 *
 * Lead-time day k covers forecast times t with (k − 1)·24 h < t − cycle ≤
 * k·24 h; the cycle time itself belongs to day 1, so a 72-hour forecast has
 * exactly days 1, 2 and 3.
 */

export interface SkillFigures {
  /** Number of (forecast, observed) pairs. */
  n: number;
  bias: number | null;
  rmse: number | null;
  correlation: number | null;
  /** Willmott's index of agreement d. */
  skill: number | null;
}

export interface LeadDaySkill extends SkillFigures {
  day: number;
  /** The day's period: (from, to], the cycle time included in day 1. */
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

export function skillFigures(forecast: readonly number[], observed: readonly number[]): SkillFigures {
  const n = forecast.length;
  if (n !== observed.length) throw new Error(`${n} forecast values for ${observed.length} observed ones`);
  if (n < 2) return { n, bias: null, rmse: null, correlation: null, skill: null };
  const meanP = sum(forecast) / n;
  const meanO = sum(observed) / n;
  let errorSum = 0;
  let squaredErrorSum = 0;
  let covariance = 0;
  let varianceP = 0;
  let varianceO = 0;
  let potentialError = 0;
  for (let i = 0; i < n; i++) {
    const [p, o] = [forecast[i], observed[i]];
    errorSum += p - o;
    squaredErrorSum += (p - o) ** 2;
    covariance += (p - meanP) * (o - meanO);
    varianceP += (p - meanP) ** 2;
    varianceO += (o - meanO) ** 2;
    potentialError += (Math.abs(p - meanO) + Math.abs(o - meanO)) ** 2;
  }
  return {
    n,
    bias: errorSum / n,
    rmse: Math.sqrt(squaredErrorSum / n),
    // Round-off can take a perfect correlation a few ulps past 1.
    correlation: varianceP > 0 && varianceO > 0 ? Math.max(-1, Math.min(1, covariance / Math.sqrt(varianceP * varianceO))) : null,
    skill: potentialError > 0 ? 1 - squaredErrorSum / potentialError : null,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

/** The lead-time day of a forecast time, 1 for the cycle time itself; 0 for a time before the cycle. */
export function leadDay(cycle: number, time: number): number {
  if (time < cycle) return 0;
  return Math.max(1, Math.ceil((time - cycle) / DAY_MS));
}

/**
 * The figures per lead-time day, for every day the forecast reaches:
 * `times` are the forecast output times (ms), `forecast[k]` the forecast at
 * `times[k]` (null while dry), `observedAt(t)` the observation at t or
 * undefined. Pairs are the times with both.
 */
export function leadDaySkill(cycle: number, times: readonly number[], forecast: readonly (number | null)[], observedAt: (t: number) => number | undefined): LeadDaySkill[] {
  const days = Math.max(0, ...times.map((t) => leadDay(cycle, t)));
  const pairs = Array.from({ length: days }, () => ({ forecast: [] as number[], observed: [] as number[] }));
  times.forEach((t, k) => {
    const day = leadDay(cycle, t);
    const p = forecast[k];
    if (day === 0 || p === null) return;
    const o = observedAt(t);
    if (o === undefined) return;
    pairs[day - 1].forecast.push(p);
    pairs[day - 1].observed.push(o);
  });
  return pairs.map((pair, d) => ({
    day: d + 1,
    from: new Date(cycle + d * DAY_MS).toISOString(),
    to: new Date(cycle + (d + 1) * DAY_MS).toISOString(),
    ...skillFigures(pair.forecast, pair.observed),
  }));
}
