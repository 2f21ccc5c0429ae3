import { describe, expect, it } from 'vitest';

import { leadDay, leadDaySkill, skillFigures } from '../core/skill.js';

/*
 * The fixture: 4 pairs
 *   O = [0, 1, 2, 3]          Ō = 6/4 = 3/2
 *   P = [5/2, 3/2, 1/2, 7/2]  P̄ = 8/4 = 2
 *
 *   P − O       = [5/2, 1/2, −3/2, 1/2]      Σ = 2        → bias = 2/4 = 1/2
 *   (P − O)²    = [25/4, 1/4, 9/4, 1/4]      Σ = 9        → RMSE = √(9/4) = 3/2
 *   P − P̄       = [1/2, −1/2, −3/2, 3/2]     Σ² = 1/4 + 1/4 + 9/4 + 9/4 = 5
 *   O − Ō       = [−3/2, −1/2, 1/2, 3/2]     Σ² = 9/4 + 1/4 + 1/4 + 9/4 = 5
 *   Σ (P − P̄)(O − Ō) = −3/4 + 1/4 − 3/4 + 9/4 = 1          → r = 1 / √(5 · 5) = 1/5
 *   |P − Ō|     = [1, 0, 1, 2]
 *   |O − Ō|     = [3/2, 1/2, 1/2, 3/2]
 *   sum, squared: [5/2, 1/2, 3/2, 7/2]² = 25/4 + 1/4 + 9/4 + 49/4 = 21
 *                                                          → d = 1 − 9/21 = 4/7
 */
const OBSERVED = [0, 1, 2, 3];
const FORECAST = [2.5, 1.5, 0.5, 3.5];
const HOUR = 3_600_000;

describe('skill figures', () => {
  it('gives bias, RMSE, Pearson r and Willmott d as computed by hand', () => {
    const figures = skillFigures(FORECAST, OBSERVED);
    expect(figures.n).toBe(4);
    expect(figures.bias).toBeCloseTo(1 / 2, 14);
    expect(figures.rmse).toBeCloseTo(3 / 2, 14);
    expect(figures.correlation).toBeCloseTo(1 / 5, 14);
    expect(figures.skill).toBeCloseTo(4 / 7, 14);
  });

  it('gives a perfect forecast r = 1 and d = 1, and nulls where a formula divides by zero', () => {
    expect(skillFigures(OBSERVED, OBSERVED)).toEqual({ n: 4, bias: 0, rmse: 0, correlation: 1, skill: 1 });
    // A constant forecast P = [3/2 × 4] has no variance, so no r; d stands: (P − O)² = [9/4, 1/4, 1/4, 9/4], Σ = 5,
    // and with |P − Ō| = 0 the denominator is Σ(O − Ō)² = 5 → d = 1 − 5/5 = 0.
    expect(skillFigures([1.5, 1.5, 1.5, 1.5], OBSERVED)).toMatchObject({ bias: 0, correlation: null, skill: 0 });
    // Both constant and equal: nothing to compare.
    expect(skillFigures([2, 2], [2, 2])).toEqual({ n: 2, bias: 0, rmse: 0, correlation: null, skill: null });
  });

  it('gives nulls below 2 pairs', () => {
    expect(skillFigures([], [])).toEqual({ n: 0, bias: null, rmse: null, correlation: null, skill: null });
    expect(skillFigures([1], [2])).toEqual({ n: 1, bias: null, rmse: null, correlation: null, skill: null });
  });
});

describe('lead-time days', () => {
  const cycle = Date.parse('2026-11-25T00:00:00Z');

  it('put the cycle time and (0, 24 h] in day 1, (24 h, 48 h] in day 2, and times before the cycle in none', () => {
    expect([-1, 0, 1, 24, 25, 48, 49, 72].map((h) => leadDay(cycle, cycle + h * HOUR))).toEqual([0, 1, 1, 1, 2, 2, 3, 3]);
  });

  it('pair each forecast time with its observation, skipping dry times and times without one', () => {
    // Day 1: hours 0, 6, 12, 18 are the fixture above; hour 24 is dry. Day 2: hour 30 has an observation, 36 none → 1 pair, nulls.
    const times = [0, 6, 12, 18, 24, 30, 36].map((h) => cycle + h * HOUR);
    const forecast = [...FORECAST, null, 1, 2];
    const observed = new Map([0, 6, 12, 18, 24, 30].map((h, k) => [cycle + h * HOUR, [...OBSERVED, 9, 1][k]]));
    const days = leadDaySkill(cycle, times, forecast, (t) => observed.get(t));
    expect(days).toHaveLength(2);
    expect(days[0]).toMatchObject({ day: 1, from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z', n: 4 });
    expect(days[0].skill).toBeCloseTo(4 / 7, 14);
    expect(days[1]).toEqual({ day: 2, from: '2026-11-26T00:00:00.000Z', to: '2026-11-27T00:00:00.000Z', n: 1, bias: null, rmse: null, correlation: null, skill: null });
  });
});
