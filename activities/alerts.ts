/**
 * The site's thresholds against the forecast: a station level (or wave
 * height) threshold is exceeded at the first output time the station's value
 * reaches it (≥), a flooded-area threshold at the first time the flooded area
 * reaches it, a flooded polygon at the first time land inside it is flooded
 * over at least its minimum area. An alert carries the threshold, the peak
 * value over the forecast and when the threshold was first reached and the
 * peak came. Times the station is dry give no level and no wave height, so
 * they can neither raise nor hold an alert. Wave-height rules read the
 * station's significant wave height (products/stations.ts) and stay silent
 * for a run without waves.
 *
 * Each alert has its rule's key (kind, station, name): a cycle raises at most
 * one alert per rule, and notifications are delivered once per cycle and key.
 */
import type { Site } from '../core/site.js';

export type AlertKind = 'stationLevel' | 'waveHeight' | 'floodedArea' | 'floodedPolygon';

export interface Alert {
  kind: AlertKind;
  /** The rule's stable key, e.g. `stationLevel:barra:flood`, `floodedPolygon:old town`. */
  key: string;
  name: string;
  stationId?: string;
  /** m for a station level or wave height, km² for a flooded area. */
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
  /** Significant wave height per time of each station; absent while the model runs without waves. */
  stationWaveHeights?: ReadonlyMap<string, readonly (number | null)[]>;
  /** Flooded area (km²) per time inside each named polygon (PolygonFloodAreas). */
  polygonFloodedAreaKm2?: ReadonlyMap<string, readonly number[]>;
}

export function alertKey(kind: AlertKind, name: string, stationId?: string): string {
  return stationId === undefined ? `${kind}:${name}` : `${kind}:${stationId}:${name}`;
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
  const raise = (kind: AlertKind, name: string, threshold: number, values: readonly (number | null)[] | undefined, stationId?: string) => {
    const hit = values && exceedance(values, threshold, series.times);
    if (hit) alerts.push({ kind, key: alertKey(kind, name, stationId), name, ...(stationId !== undefined && { stationId }), threshold, ...hit });
  };
  for (const { stationId, level, name } of thresholds.stationLevel ?? []) raise('stationLevel', name, level, series.stationLevels.get(stationId), stationId);
  for (const { stationId, height, name } of thresholds.waveHeight ?? []) raise('waveHeight', name, height, series.stationWaveHeights?.get(stationId), stationId);
  if (thresholds.floodedArea !== undefined) raise('floodedArea', 'flooded area', thresholds.floodedArea, series.floodedAreaKm2);
  for (const { name, minAreaKm2 = 0 } of thresholds.floodedPolygons ?? []) {
    // No flooded land is no alert, even with a minimum area of 0.
    const areas = series.polygonFloodedAreaKm2?.get(name)?.map((a) => (a > 0 ? a : null));
    raise('floodedPolygon', name, minAreaKm2, areas);
  }
  return alerts;
}

type FloodedPolygonRule = NonNullable<Site['thresholds']['floodedPolygons']>[number];

/**
 * Flooded area inside each named polygon, output time after output time: the
 * area of the flooded triangles whose centroid (in lon/lat) lies inside the
 * polygon, so that every triangle counts towards a polygon whole or not at
 * all, as the flood extent itself does (activities/flood/detect.ts).
 */
export class PolygonFloodAreas {
  readonly areasKm2 = new Map<string, number[]>();
  private readonly inside: { name: string; triangles: Int32Array }[];

  /** `lon`/`lat` per node, `triangles` 0-based node triples, `triangleAreasM2` per triangle. */
  constructor(
    rules: readonly FloodedPolygonRule[],
    lon: ArrayLike<number>,
    lat: ArrayLike<number>,
    triangles: ArrayLike<number>,
    private readonly triangleAreasM2: ArrayLike<number>,
  ) {
    this.inside = rules.map(({ name, polygon }) => {
      const hits: number[] = [];
      for (let t = 0; t < triangles.length / 3; t++) {
        const [a, b, c] = [triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2]];
        if (inPolygon((lon[a] + lon[b] + lon[c]) / 3, (lat[a] + lat[b] + lat[c]) / 3, polygon.coordinates)) hits.push(t);
      }
      this.areasKm2.set(name, []);
      return { name, triangles: Int32Array.from(hits) };
    });
  }

  /** Adds one output time: `flooded` holds 1 for each flooded triangle. */
  add(flooded: ArrayLike<number>): void {
    for (const { name, triangles } of this.inside) {
      let area = 0;
      for (const t of triangles) if (flooded[t]) area += this.triangleAreasM2[t];
      this.areasKm2.get(name)?.push(area / 1e6);
    }
  }
}

/** Even-odd rule over every ring, so holes (inner rings) are outside. */
export function inPolygon(x: number, y: number, rings: readonly (readonly (readonly number[])[])[]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}
