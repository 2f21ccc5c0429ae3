import { describe, expect, it } from 'vitest';

import { meshCrs, meshToLonLat, projDefinition } from '../core/crs.js';

const DEG = Math.PI / 180;

/**
 * Transverse Mercator by Krüger's series in n to fourth order (Karney 2011,
 * eqs. 7–11, 35): written here independently of proj4, sub-millimetre
 * within a UTM zone.
 */
function transverseMercator(lon: number, lat: number, p: { a: number; f: number; lat0: number; lon0: number; k0: number; x0: number; y0: number }): [number, number] {
  const n = p.f / (2 - p.f);
  const A = (p.a / (1 + n)) * (1 + n ** 2 / 4 + n ** 4 / 64);
  const alpha = [n / 2 - (2 * n ** 2) / 3 + (5 * n ** 3) / 16 + (41 * n ** 4) / 180, (13 * n ** 2) / 48 - (3 * n ** 3) / 5 + (557 * n ** 4) / 1440, (61 * n ** 3) / 240 - (103 * n ** 4) / 140, (49561 * n ** 4) / 161280];
  const e = Math.sqrt(p.f * (2 - p.f));
  const xiEta = (phi: number, dLambda: number): [number, number] => {
    const t = Math.sinh(Math.atanh(Math.sin(phi)) - e * Math.atanh(e * Math.sin(phi)));
    const xi = Math.atan2(t, Math.cos(dLambda));
    const eta = Math.atanh(Math.sin(dLambda) / Math.sqrt(1 + t * t));
    let X = xi;
    let Y = eta;
    alpha.forEach((a, j) => {
      X += a * Math.sin(2 * (j + 1) * xi) * Math.cosh(2 * (j + 1) * eta);
      Y += a * Math.cos(2 * (j + 1) * xi) * Math.sinh(2 * (j + 1) * eta);
    });
    return [X, Y];
  };
  const [xi, eta] = xiEta(lat * DEG, (lon - p.lon0) * DEG);
  const [xi0] = xiEta(p.lat0 * DEG, 0);
  return [p.x0 + p.k0 * A * eta, p.y0 + p.k0 * A * (xi - xi0)];
}

const WGS84 = { a: 6378137, f: 1 / 298.257223563 };
const GRS80 = { a: 6378137, f: 1 / 298.257222101 };

describe('mesh CRS → WGS84', () => {
  it('is the identity for a lon/lat mesh (ics 2)', () => {
    const crs = meshCrs({ ics: 2 });
    expect(crs.toLonLat(-8.75, 40.6)).toEqual([-8.75, 40.6]);
    expect(crs.fromLonLat(-8.75, 40.6)).toEqual([-8.75, 40.6]);
    const x = Float64Array.from([1, 2]);
    const y = Float64Array.from([3, 4]);
    expect(meshToLonLat(crs, x, y)).toEqual({ lon: x, lat: y });
  });

  it('places UTM 29N points where the transverse Mercator formulas put them (WGS84 and ETRS89)', () => {
    const utm29 = { ...WGS84, lat0: 0, lon0: -9, k0: 0.9996, x0: 500000, y0: 0 };
    for (const code of ['EPSG:32629', 'EPSG:25829']) {
      const crs = meshCrs({ ics: 1, crs: code });
      for (const [lon, lat] of [
        [-8.75, 40.6],
        [-11.5, 37.1],
        [-6.2, 43.7],
      ]) {
        const [x, y] = crs.fromLonLat(lon, lat);
        const [ex, ey] = transverseMercator(lon, lat, code === 'EPSG:25829' ? { ...utm29, ...GRS80 } : utm29);
        expect(Math.abs(x - ex)).toBeLessThan(1e-3);
        expect(Math.abs(y - ey)).toBeLessThan(1e-3);
        const [backLon, backLat] = crs.toLonLat(x, y);
        expect(Math.abs(backLon - lon)).toBeLessThan(1e-9);
        expect(Math.abs(backLat - lat)).toBeLessThan(1e-9);
      }
    }
  });

  it('puts the southern hemisphere 10 000 km north of the equator (EPSG:32723)', () => {
    const crs = meshCrs({ ics: 1, crs: 'EPSG:32723' });
    const [x, y] = crs.fromLonLat(-43.2, -22.9);
    const [ex, ey] = transverseMercator(-43.2, -22.9, { ...WGS84, lat0: 0, lon0: -45, k0: 0.9996, x0: 500000, y0: 10000000 });
    expect(Math.abs(x - ex)).toBeLessThan(1e-3);
    expect(Math.abs(y - ey)).toBeLessThan(1e-3);
  });

  it('knows PT-TM06/ETRS89 (EPSG:3763): origin at its central point, formulas elsewhere', () => {
    const crs = meshCrs({ ics: 1, crs: 'EPSG:3763' });
    const [x0, y0] = crs.fromLonLat(-8.13310833333333, 39.6682583333333);
    expect(Math.abs(x0)).toBeLessThan(1e-6);
    expect(Math.abs(y0)).toBeLessThan(1e-6);
    const ptTm06 = { ...GRS80, lat0: 39.6682583333333, lon0: -8.13310833333333, k0: 1, x0: 0, y0: 0 };
    for (const [lon, lat] of [
      [-8.65, 40.64],
      [-9.14, 38.71],
    ]) {
      const [x, y] = crs.fromLonLat(lon, lat);
      const [ex, ey] = transverseMercator(lon, lat, ptTm06);
      expect(Math.abs(x - ex)).toBeLessThan(1e-3);
      expect(Math.abs(y - ey)).toBeLessThan(1e-3);
      const [backLon, backLat] = crs.toLonLat(x, y);
      expect(Math.abs(backLon - lon)).toBeLessThan(1e-9);
      expect(Math.abs(backLat - lat)).toBeLessThan(1e-9);
    }
  });

  it('takes proj strings: the EPSG Guidance Note 7-2 transverse Mercator example (British National Grid)', () => {
    // 50°30'N 0°30'E → E 577274.99 m, N 69740.50 m (IOGP Publication 373-7-2, §3.5.3 example).
    const crs = meshCrs({ ics: 1, crs: '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +units=m +no_defs' });
    const [x, y] = crs.fromLonLat(0.5, 50.5);
    // The note's figures are rounded to the centimetre and come from an older series: agree to 1 cm.
    expect(Math.abs(x - 577274.99)).toBeLessThan(0.01);
    expect(Math.abs(y - 69740.5)).toBeLessThan(0.01);
  });

  it('has Web Mercator (EPSG:3857) on its sphere', () => {
    const crs = meshCrs({ ics: 1, crs: 'EPSG:3857' });
    const [x, y] = crs.fromLonLat(-8.75, 40.6);
    expect(x).toBeCloseTo(6378137 * -8.75 * DEG, 6);
    expect(y).toBeCloseTo(6378137 * Math.log(Math.tan(Math.PI / 4 + (40.6 * DEG) / 2)), 6);
  });

  it('converts a whole mesh', () => {
    const crs = meshCrs({ ics: 1, crs: 'EPSG:32629' });
    const points = [crs.fromLonLat(-8.7, 40.6), crs.fromLonLat(-8.6, 40.7)];
    const { lon, lat } = meshToLonLat(crs, Float64Array.from(points, (p) => p[0]), Float64Array.from(points, (p) => p[1]));
    expect(lon[0]).toBeCloseTo(-8.7, 9);
    expect(lat[1]).toBeCloseTo(40.7, 9);
  });
});

describe('CRS problems', () => {
  it('an unknown EPSG code is named, with the way out', () => {
    expect(() => meshCrs({ ics: 1, crs: 'EPSG:2154' })).toThrow(/CRS "EPSG:2154": EPSG:2154 is not a code coastcast knows .*give the CRS as a proj string instead/);
    expect(() => projDefinition('EPSG:25827')).toThrow('EPSG:25827 is not a code coastcast knows');
  });

  it('a proj string proj4 cannot use is named', () => {
    expect(() => meshCrs({ ics: 1, crs: '+proj=nonsense +units=m' })).toThrow('CRS "+proj=nonsense +units=m": proj4 cannot use the definition');
    expect(() => projDefinition('utm zone 29')).toThrow(`CRS "utm zone 29": expected 'EPSG:<code>' or a proj string`);
  });
});
