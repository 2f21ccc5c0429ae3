/**
 * The site's thresholds against the forecast: a station level threshold is
 * exceeded at the first output time the station's level reaches it (≥), a
 * flooded-area threshold at the first time the flooded area reaches it. An
 * alert carries the threshold, the peak value over the forecast and when the
 * threshold was first reached and the peak came. Times the station is dry give
 * no level, so they can neither raise nor hold an alert.
 */
import type { Site } from '../core/site.js';

export interface Alert {
  kind: 'stationLevel' | 'floodedArea';
  name: string;
  stationId?: string;
  /** m for a station level, km² for a flooded area. */
  threshold: number;
  /** The peak over the forecast, same units. */
  value: number;
  firstExceededAt: string;
  peakAt: string;
}

/** What the thresholds are evaluated on: output times and the series along them. */
export interface ForecastSeries {
  times: readonly string[];
  /** Level per time (null when dry) of each station the mesh holds. */
  stationLevels: ReadonlyMap<string, readonly (number | null)[]>;
  floodedAreaKm2: readonly number[];
}

function exceedance(values: readonly (number | null)[], threshold: number, times: readonly string[]): Pick<Alert, 'value' | 'firstExceededAt' | 'peakAt'> | undefined {
  let first = -1;
  let peak = -1;
  values.forEach((v, i) => {
    if (v === null || v < threshold) return;
    if (first < 0) first = i;
    if (peak < 0 || v > (values[peak] as number)) peak = i;
  });
  if (first < 0) return undefined;
  return { value: values[peak] as number, firstExceededAt: times[first], peakAt: times[peak] };
}

export function evaluateAlerts(thresholds: Site['thresholds'], series: ForecastSeries): Alert[] {
  const alerts: Alert[] = [];
  for (const { stationId, level, name } of thresholds.stationLevel ?? []) {
    const levels = series.stationLevels.get(stationId);
    const hit = levels && exceedance(levels, level, series.times);
    if (hit) alerts.push({ kind: 'stationLevel', name, stationId, threshold: level, ...hit });
  }
  if (thresholds.floodedArea !== undefined) {
    const hit = exceedance(series.floodedAreaKm2, thresholds.floodedArea, series.times);
    if (hit) alerts.push({ kind: 'floodedArea', name: 'flooded area', threshold: thresholds.floodedArea, ...hit });
  }
  return alerts;
}
