/**
 * The demo site: the idealised estuary of mesh.ts, forced at its open
 * boundary by the harmonic constants of a real tide gauge and by a typical
 * winter swell.
 *
 * Constants: NOAA CO-OPS station 9414131, Pillar Point Harbor (Half Moon
 * Bay), California, as NOAA publishes them at
 * https://api.tidesandcurrents.noaa.gov/mdapi/prod/webapi/stations/9414131/harcon.json
 * ("Average of three 29-day harmonic analyses"): amplitudes in feet,
 * `phase_GMT` the Greenwich phase lag in degrees (UTC), about mean sea level.
 * NOAA lists more constituents than these six; only these could be read
 * from the copy available when the demo was written (README.md).
 */
import type { SiteInput } from '../../core/site.js';
import type { TideConstants } from '../../core/tide/predict.js';
import { DEMO_ORIGIN, DEMO_PLACES, demoLonLat } from './mesh.js';

export const DEMO_SITE_ID = 'demo';

const FOOT = 0.3048;

/** Pillar Point Harbor (NOAA 9414131): [name, amplitude in feet, phase_GMT in degrees], as published. */
const PUBLISHED: readonly [name: string, feet: number, phaseGmt: number][] = [
  ['M2', 1.78, 184.1],
  ['S2', 0.47, 189.6],
  ['N2', 0.39, 158.4],
  ['K1', 1.15, 217.3],
  ['M4', 0.01, 283.0],
  ['O1', 0.74, 203.3],
];

/** The gauge's constants in metres, about mean sea level (the model datum). */
export const DEMO_TIDE: TideConstants = {
  latitude: DEMO_ORIGIN.lat,
  z0: 0,
  constituents: PUBLISHED.map(([name, feet, phase]) => ({ name, amplitude: feet * FOOT, phase })),
};

/**
 * A long-period winter swell from the west-north-west, as North Pacific
 * storms send to this coast: the same every day, so that a cycle of any date
 * has waves offline, without a wave forecast to fetch.
 */
export const DEMO_SWELL = { type: 'constant', sigWaveHeight: 2.5, peakPeriod: 14, meanWaveDirection: 285 } as const;

/** A station's position, rounded to 1e-5° (about a metre). */
function station(id: string, name: string, place: { x: number; y: number }) {
  const { lon, lat } = demoLonLat(place.x, place.y);
  return { id, name, lon: Number(lon.toFixed(5)), lat: Number(lat.toFixed(5)) };
}

/**
 * The demo site's config. The spring high waters of this gauge reach 1.1–1.2 m
 * above mean sea level (late November 2026: 1.17 m), the neap ones 0.4–0.6 m:
 * the level thresholds are set so that springs raise alerts and neaps do not.
 * The swell keeps its height over the 12 m deep shelf, where depth-induced
 * breaking starts only past γ × 12 m ≈ 9 m, so the shelf station's 2 m
 * threshold raises an alert every cycle: the demo shows a wave alert.
 */
export function demoSiteConfig(): SiteInput {
  return {
    id: DEMO_SITE_ID,
    name: 'Demo estuary (idealised, at Pillar Point Harbor, California)',
    coordinates: { ics: 2 },
    tide: {
      type: 'harmonic',
      z0: 0,
      boundaries: [{ type: 'uniform', constituents: DEMO_TIDE.constituents.map((c) => ({ ...c })) }],
    },
    forcings: { waves: { ...DEMO_SWELL } },
    stations: [
      station('shelf', 'Shelf, 3 km off the mouth', DEMO_PLACES.shelf),
      station('mouth', 'Estuary mouth', DEMO_PLACES.mouth),
      station('mid', 'Mid-estuary channel', DEMO_PLACES.midEstuary),
      station('head', 'Estuary head', DEMO_PLACES.head),
      station('marsh', 'North-bank marsh', DEMO_PLACES.marsh),
    ],
    thresholds: {
      stationLevel: [
        { stationId: 'mouth', level: 1.0, name: 'spring high water' },
        { stationId: 'marsh', level: 0.8, name: 'marsh flooded' },
      ],
      floodedArea: 1,
      waveHeight: [{ stationId: 'shelf', height: 2, name: 'swell over 2 m' }],
    },
    model: { dt: 60, nspool: 10, h0: 0.05, manning: 0.025 },
    schedule: { enabled: false, hourUtc: 3, cycleHourUtc: 0, forecastHours: 72, spinUpHours: 24 },
  };
}
