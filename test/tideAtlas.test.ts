/**
 * FES-style atlas files are written here from analytic fields, so the value
 * expected at each point follows from the fields, not from the code under
 * test: amplitude varying with latitude only and phase with longitude only
 * make the complex interpolation at a cell's centre a closed form.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateRectangleMesh } from '../core/mesh/generate.js';
import { NetcdfWriter } from '../core/netcdf/writer.js';
import type { Attribute } from '../core/netcdf/types.js';
import { atlasBoundaryConstants } from '../core/tide/boundaryTide.js';
import { AtlasError, NEAREST_SEARCH_CELLS, readAtlas, type AtlasPoint } from '../core/tide/atlas.js';

const DEG = Math.PI / 180;
const FILL = -99999;

interface AtlasField {
  lon: number[];
  lat: number[];
  /** Value at grid point (lon, lat); NaN is written as the fill value (amplitude) or as NaN (phase). */
  amplitude: (lon: number, lat: number) => number;
  phase: (lon: number, lat: number) => number;
  amplitudeUnits?: string;
  /** Variables to leave out of the file. */
  omit?: string[];
  /** Store the fields as (lon, lat) instead of FES's (lat, lon). */
  lonFirst?: boolean;
}

const text = (name: string, value: string): Attribute => ({ name, type: 'char', value });

async function writeAtlasFile(path: string, field: AtlasField): Promise<void> {
  const { lon, lat } = field;
  const dims = field.lonFirst ? ['lon', 'lat'] : ['lat', 'lon'];
  const fieldSpec = (name: string, attributes: Attribute[]) => ({ name, type: 'float' as const, dimensions: dims, attributes });
  const variables = [
    { name: 'lon', type: 'double' as const, dimensions: ['lon'], attributes: [text('units', 'degrees_east')] },
    { name: 'lat', type: 'double' as const, dimensions: ['lat'], attributes: [text('units', 'degrees_north')] },
    fieldSpec('amplitude', [...(field.amplitudeUnits === undefined ? [] : [text('units', field.amplitudeUnits)]), { name: '_FillValue', type: 'float', value: [FILL] }]),
    fieldSpec('phase', [text('units', 'degrees'), { name: '_FillValue', type: 'float', value: [FILL] }]),
  ].filter((v) => !field.omit?.includes(v.name));
  const writer = await NetcdfWriter.create(path, {
    format: 'classic',
    dimensions: [
      { name: 'lat', size: lat.length },
      { name: 'lon', size: lon.length },
    ],
    attributes: [text('title', 'coastcast test atlas (FES layout)')],
    variables,
  });
  const grid = (f: (x: number, y: number) => number, nanAs: number) => {
    const values: number[] = [];
    const outer = field.lonFirst ? lon : lat;
    const inner = field.lonFirst ? lat : lon;
    for (const a of outer) for (const b of inner) {
      const v = field.lonFirst ? f(a, b) : f(b, a);
      values.push(Number.isNaN(v) ? nanAs : v);
    }
    return values;
  };
  await writer.write('lon', lon);
  await writer.write('lat', lat);
  if (!field.omit?.includes('amplitude')) await writer.write('amplitude', grid(field.amplitude, FILL));
  if (!field.omit?.includes('phase')) await writer.write('phase', grid(field.phase, NaN));
  await writer.close();
}

const range = (from: number, step: number, count: number) => Array.from({ length: count }, (_, k) => from + k * step);

let dir: string;
afterAll(() => rm(dir, { recursive: true, force: true }));

/** M2: regional, 0..360 longitudes, cm; phase 340, 355, 10, 25, 40 across the columns (crossing 0/360); land at (352, 42). */
const m2: AtlasField = {
  lon: range(350, 0.5, 5),
  lat: range(40, 0.5, 5),
  amplitudeUnits: 'cm',
  amplitude: (lon, lat) => (lon === 352 && lat === 42 ? NaN : 20 + 6 * (lat - 40)),
  phase: (lon) => (340 + 30 * (lon - 350)) % 360,
};
/** S2: global 1° grid, 0..359, latitudes decreasing, metres, fields stored (lon, lat); phase = longitude, so 359 meets 0 at the seam. */
const s2: AtlasField = {
  lon: range(0, 1, 360),
  lat: range(44, -1, 7),
  amplitudeUnits: 'm',
  lonFirst: true,
  amplitude: () => 0.5,
  phase: (lon, lat) => (lon === 10 && lat === 40 ? NaN : lon),
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-atlas-'));
  await writeAtlasFile(join(dir, 'm2.nc'), m2);
  await writeAtlasFile(join(dir, 's2.nc'), s2);
  await writeAtlasFile(join(dir, 'k1.nc'), { ...m2, amplitude: () => NaN });
  await writeAtlasFile(join(dir, 'n2.nc'), { ...m2, omit: ['phase'] });
  await writeAtlasFile(join(dir, 'k2.nc'), { ...m2, amplitudeUnits: undefined });
  await writeAtlasFile(join(dir, 'q1.nc'), { ...m2, amplitudeUnits: 'furlongs' });
});

const point = (lon: number, lat: number, label: string): AtlasPoint => ({ lon, lat, label });

describe('FES-style tidal atlas', () => {
  it('writes files netcdf-c reads (ncdump)', () => {
    const header = execFileSync('ncdump', ['-h', join(dir, 'm2.nc')], { encoding: 'utf8' });
    expect(header).toMatch(/float amplitude\(lat, lon\)/);
    expect(header).toMatch(/amplitude:units = "cm"/);
  });

  it('interpolates A·e^{iφ} bilinearly, across the 0/360 phase wrap, with −180..180 nodes on a 0..360 grid and cm → m', async () => {
    const points = [
      // Centre of the cell lon 350.5..351 (phases 355° and 10°), lat 40..40.5 (20 and 23 cm).
      point(-9.25, 40.25, 'centre'),
      // On the column lon 351 (phase 10°) at a quarter of the row: amplitude linear, phase that of the column.
      point(-9, 41.125, 'on a column'),
      // A general point: expected from the four corners.
      point(-9.8, 40.9, 'general'),
    ];
    const [result] = await readAtlas(dir, ['M2'], points);
    expect(result.file).toBe(join(dir, 'm2.nc'));
    // Σ w·A·e^{iφ} = ¼(0.20 + 0.23)(e^{i355°} + e^{i10°}) = 0.215·cos 7.5° · e^{i2.5°}.
    expect(result.amplitude[0]).toBeCloseTo(0.215 * Math.cos(7.5 * DEG), 12);
    expect(result.phase[0]).toBeCloseTo(2.5, 10);
    expect(result.amplitude[1]).toBeCloseTo(0.2 + 0.06 * 1.125, 12);
    expect(result.phase[1]).toBeCloseTo(10, 10);
    // lon 350.2 is 0.4 of the way from 350 (340°) to 350.5 (355°); lat 40.9 is 0.8 of the way from 40.5 (23 cm) to 41 (26 cm).
    const [u, v] = [0.4, 0.8];
    let re = 0;
    let im = 0;
    for (const [w, a, p] of [
      [(1 - u) * (1 - v), 0.23, 340],
      [u * (1 - v), 0.23, 355],
      [(1 - u) * v, 0.26, 340],
      [u * v, 0.26, 355],
    ]) {
      re += w * a * Math.cos(p * DEG);
      im += w * a * Math.sin(p * DEG);
    }
    expect(result.amplitude[2]).toBeCloseTo(Math.hypot(re, im), 10);
    expect(result.phase[2]).toBeCloseTo((Math.atan2(im, re) / DEG + 360) % 360, 8);
    expect(result.nearest).toEqual([]);
  });

  it('wraps a global grid across its seam; reads decreasing latitudes, (lon, lat) order and metres', async () => {
    const [result] = await readAtlas(dir, ['s2'], [point(-0.5, 40.3, 'seam'), point(359.25, 41, 'seam, 0..360'), point(5.5, 42, 'inside')]);
    expect(result.amplitude[0]).toBeCloseTo(0.5 * Math.cos(0.5 * DEG), 12);
    expect(result.phase[0]).toBeCloseTo(359.5, 10);
    // A quarter of the way from 359° to 360°: the phase of 0.75·e^{i359°} + 0.25·e^{i0°}.
    const expected = Math.atan2(0.75 * Math.sin(-DEG), 0.75 * Math.cos(-DEG) + 0.25) / DEG + 360;
    expect(result.phase[1]).toBeCloseTo(expected, 10);
    expect(result.phase[2]).toBeCloseTo(5.5, 10);
  });

  it('takes the nearest valid grid point when the cell touches land (fill value or NaN)', async () => {
    // The cell 351.5..352 × 41.5..42 has land at (352, 42); the nearest valid point to (351.8, 41.9) is (351.5, 42): 32 cm, 25°.
    const [m] = await readAtlas(dir, ['M2'], [point(-8.2, 41.9, 'by the land'), point(-9.25, 40.25, 'open sea')]);
    expect(m.amplitude[0]).toBeCloseTo(0.32, 6);
    expect(m.phase[0]).toBeCloseTo(25, 6);
    expect(m.nearest).toEqual([0]);
    // S2's phase is NaN at (10, 40): from (10.4, 39.8) the valid corners are (11, 40) at 56 km, (10, 39) at 95 km, (11, 39) at 103 km.
    const [s] = await readAtlas(dir, ['S2'], [point(10.4, 39.8, 'by a NaN')]);
    expect(s.nearest).toEqual([0]);
    expect(s.phase[0]).toBe(11);
    expect(s.amplitude[0]).toBeCloseTo(0.5, 6);
  });

  it('gives the open-boundary constants of a mesh, per boundary', async () => {
    // Open boundary on the west side, at lon -9.5 (350.5: phase 355°), lat 40.5 .. 41.5.
    const mesh = generateRectangleMesh({ nx: 3, ny: 3, dx: 0.5, origin: { x: -9.5, y: 40.5 }, openSides: ['west'] });
    const constants = await atlasBoundaryConstants({ type: 'atlas', path: dir, constituents: ['m2', 'S2'], z0: 0.1 }, dir, mesh, { lon: mesh.x, lat: mesh.y });
    expect(constants.z0).toBe(0.1);
    expect(constants.boundaries).toHaveLength(1);
    const [m, s] = constants.boundaries[0];
    expect([m.name, s.name]).toEqual(['M2', 'S2']);
    const lats = Array.from(mesh.openBoundaries[0].nodes, (n) => mesh.y[n]);
    lats.forEach((lat, j) => {
      expect(m.amplitude[j]).toBeCloseTo(0.2 + 0.06 * (lat - 40), 10);
      expect(m.phase[j]).toBeCloseTo(355, 10);
      expect(s.phase[j]).toBeCloseTo(350.5, 10);
    });
  });

  it('names the file and the point in every error', async () => {
    const near = [point(-9.25, 40.25, 'open boundary 1 node 1 (mesh node 1)')];
    const failure = async (names: string[], points: AtlasPoint[]) => {
      const error = await readAtlas(dir, names, points).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AtlasError);
      return (error as Error).message;
    };
    expect(await failure(['M2', 'O1'], near)).toBe(`${join(dir, 'o1.nc')}: missing; the tide atlas ${dir} has no file for constituent O1 (expected o1.nc)`);
    expect(await failure(['N2'], near)).toMatch(new RegExp(`^${join(dir, 'n2.nc')}: no variable 'phase'`));
    expect(await failure(['K2'], near)).toMatch(/k2\.nc: variable 'amplitude' has no 'units' attribute/);
    expect(await failure(['Q1'], near)).toMatch(/q1\.nc: amplitude units 'furlongs' are not read/);
    expect(await failure(['M2'], [point(-9.25, 43, 'open boundary 2 node 7 (mesh node 40)')])).toBe(
      `${join(dir, 'm2.nc')}: open boundary 2 node 7 (mesh node 40) (lon -9.25, lat 43) is outside the atlas grid (lon 350..352, lat 40..42)`,
    );
    expect(await failure(['M2'], [point(-7, 41, 'east of it')])).toMatch(/is outside the atlas grid/);
    expect(await failure(['K1'], near)).toBe(
      `${join(dir, 'k1.nc')}: open boundary 1 node 1 (mesh node 1) (lon -9.25, lat 40.25) is on the atlas's land: no valid value within ${NEAREST_SEARCH_CELLS} grid cells of it; move the open boundary offshore or use another atlas`,
    );
  });
});
