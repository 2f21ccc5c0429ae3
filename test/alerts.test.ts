/**
 * The alert rules on hand-made series: one alert per rule with its stable
 * key, flooded polygons from the flooded triangles whose centroid lies
 * inside, wave height rules silent without waves, and the rules' config
 * checks.
 */
import { describe, expect, it } from 'vitest';

import { evaluateAlerts, inPolygon, PolygonFloodAreas } from '../activities/alerts.js';
import { validateSite } from '../core/site.js';
import { exampleSite } from './support/sites.js';

const TIMES = ['2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z'];
const square = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

describe('inPolygon', () => {
  it('takes holes out of the outer ring', () => {
    const rings = [square(0, 0, 10, 10), square(4, 4, 6, 6)];
    expect(inPolygon(1, 1, rings)).toBe(true);
    expect(inPolygon(5, 5, rings)).toBe(false);
    expect(inPolygon(11, 5, rings)).toBe(false);
  });
});

describe('PolygonFloodAreas', () => {
  // Four triangles in a row along x, centroids at x = 0.33, 1.33, 2.33, 3.33; each of 2 km².
  const lon = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4];
  const lat = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
  const triangles = [0, 1, 5, 1, 2, 6, 2, 3, 7, 3, 4, 8];
  const areas = [2e6, 2e6, 2e6, 2e6];

  it('adds up the flooded triangles whose centroid lies inside each polygon', () => {
    const rules = [
      { name: 'west', polygon: { type: 'Polygon' as const, coordinates: [square(-0.5, -0.5, 2, 2)] } },
      { name: 'east', polygon: { type: 'Polygon' as const, coordinates: [square(2.5, -0.5, 5, 2)] }, minAreaKm2: 3 },
    ];
    const polygons = new PolygonFloodAreas(rules, lon, lat, triangles, areas);
    polygons.add([0, 0, 0, 0]);
    polygons.add([1, 1, 1, 0]);
    polygons.add([0, 0, 1, 1]);
    // Triangle 2's centroid (2.33, 0.33) is in neither polygon.
    expect(polygons.areasKm2.get('west')).toEqual([0, 4, 0]);
    expect(polygons.areasKm2.get('east')).toEqual([0, 0, 2]);

    const alerts = evaluateAlerts({ floodedPolygons: rules }, { times: TIMES, stationLevels: new Map(), floodedAreaKm2: [0, 0, 0], polygonFloodedAreaKm2: polygons.areasKm2 });
    // West fires on any flooded area; east's 2 km² stays under its 3 km².
    expect(alerts).toEqual([
      { kind: 'floodedPolygon', key: 'floodedPolygon:west', name: 'west', threshold: 0, value: 4, firstExceededAt: TIMES[1], peakAt: TIMES[1] },
    ]);
  });
});

describe('evaluateAlerts', () => {
  const thresholds = {
    stationLevel: [{ stationId: 'barra', level: 1, name: 'flood' }],
    waveHeight: [{ stationId: 'barra', height: 2, name: 'storm' }],
    floodedArea: 0.5,
  };
  const series = { times: TIMES, stationLevels: new Map([['barra', [0.5, 1.2, null]]]), floodedAreaKm2: [0, 0.6, 0.7] };

  it('raises one alert per rule, keyed by kind, station and name; wave rules stay silent without wave series', () => {
    expect(evaluateAlerts(thresholds, series).map((a) => [a.key, a.value, a.firstExceededAt, a.peakAt])).toEqual([
      ['stationLevel:barra:flood', 1.2, TIMES[1], TIMES[1]],
      ['floodedArea:flooded area', 0.7, TIMES[1], TIMES[2]],
    ]);
  });

  it('takes no wave height from the times the station is dry', () => {
    const alerts = evaluateAlerts({ waveHeight: thresholds.waveHeight }, { ...series, stationWaveHeights: new Map([['barra', [null, 1.5, null]]]) });
    expect(alerts).toEqual([]);
  });

  it('evaluates wave height on the station’s sigWaveHeight series when there is one', () => {
    const alerts = evaluateAlerts(thresholds, { ...series, stationWaveHeights: new Map([['barra', [1, 2.5, 3]]]) });
    expect(alerts.find((a) => a.kind === 'waveHeight')).toEqual({
      kind: 'waveHeight', key: 'waveHeight:barra:storm', name: 'storm', stationId: 'barra', threshold: 2, value: 3, firstExceededAt: TIMES[1], peakAt: TIMES[2],
    });
  });
});

describe('alert rules in the site config', () => {
  it('accepts wave height rules, named polygons and notification targets', () => {
    const site = {
      ...exampleSite(),
      thresholds: {
        waveHeight: [{ stationId: 'barra', height: 3, name: 'storm' }],
        floodedPolygons: [{ name: 'old town', polygon: { type: 'Polygon', coordinates: [square(-8.76, 40.6, -8.7, 40.66)] } }],
      },
      notifications: { webhooks: [{ url: 'https://hooks.example.org/coastcast', secret: 'a-long-enough-secret' }], email: { to: ['duty@example.org'] } },
    };
    expect(validateSite(site).problems).toEqual([]);
  });

  it('names each bad field', () => {
    const site = {
      ...exampleSite(),
      thresholds: {
        waveHeight: [{ stationId: 'nowhere', height: 3, name: 'storm' }],
        floodedPolygons: [
          { name: 'old town', polygon: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } },
          { name: 'old town', polygon: { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] } },
        ],
      },
    };
    expect(validateSite(site).problems.map((p) => p.path)).toEqual([
      '/thresholds/waveHeight/0/stationId',
      '/thresholds/floodedPolygons/0/polygon/coordinates/0',
      '/thresholds/floodedPolygons/1/name',
    ]);
    const badTargets = { ...exampleSite(), notifications: { webhooks: [{ url: 'ftp://x.org', secret: 'short' }], email: { to: ['not an address'] } } };
    expect(validateSite(badTargets).problems.map((p) => p.path).sort()).toEqual(['/notifications/email/to/0', '/notifications/webhooks/0/secret', '/notifications/webhooks/0/url']);
  });
});
