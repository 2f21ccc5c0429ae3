/**
 * elev2D.th.nc: round trips through our writer and reader, the layout as the
 * real ncdump sees it, a file in SCHISM's layout made by ncgen, and every error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBoundaryNodes, readElev2dTh, writeElev2dTh } from '../core/schism/elev2dTh.js';

const dir = mkdtempSync(join(tmpdir(), 'schism-elev2d-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const newPath = (): string => join(dir, `elev2D${counter++}.th.nc`);

/** Two open boundaries: 3 nodes then 2. */
const mesh = { openBoundaries: [{ nodes: Int32Array.of(4, 5, 6) }, { nodes: Int32Array.of(10, 11) }] };

function ncgen(cdl: string, kind: 'nc4' | 'classic' = 'classic'): string {
  const cdlPath = join(dir, `made${counter}.cdl`);
  const path = join(dir, `made${counter++}.nc`);
  writeFileSync(cdlPath, cdl);
  execFileSync('ncgen', ['-k', kind, '-o', path, cdlPath]);
  return path;
}

const records = [
  [0.5, 0.25, -0.125, 1, 2],
  [1.5, 0.75, 0.125, 0, 4],
  [-0.5, 0.25, 0.375, 2, 8],
];

describe('elev2D.th.nc round trip', () => {
  it('lists open-boundary nodes boundary after boundary', () => {
    expect(Array.from(openBoundaryNodes(mesh))).toEqual([4, 5, 6, 10, 11]);
  });

  it('gives back the records, linear in time between them', async () => {
    const path = newPath();
    await writeElev2dTh(path, mesh, { timeStep: 900, records });
    const series = await readElev2dTh(path, mesh);
    expect(series.timeStep).toBe(900);
    expect(series.recordCount).toBe(3);
    expect(series.nodeCount).toBe(5);
    expect(series.end).toBe(1800);
    expect(Array.from(series.elevationAt(0))).toEqual(records[0]);
    expect(Array.from(series.elevationAt(900))).toEqual(records[1]);
    expect(Array.from(series.elevationAt(1800))).toEqual(records[2]);
    expect(Array.from(series.elevationAt(450))).toEqual([1, 0.5, 0, 0.5, 3]);
    expect(Array.from(series.elevationAt(1125))).toEqual([1, 0.625, 0.1875, 0.5, 5]);
  });

  it('stores elevations as float, as SCHISM reads them', async () => {
    const path = newPath();
    await writeElev2dTh(path, mesh, { timeStep: 600, records: [[0.1, 0.2, 0.3, 0.4, 0.5], [1, 1, 1, 1, 1]] });
    const series = await readElev2dTh(path, mesh);
    expect(Array.from(series.elevationAt(0))).toEqual([0.1, 0.2, 0.3, 0.4, 0.5].map(Math.fround));
  });

  it('has SCHISM\'s layout, as ncdump reads it', async () => {
    const path = newPath();
    await writeElev2dTh(path, mesh, { timeStep: 900, records });
    const header = execFileSync('ncdump', ['-h', path], { encoding: 'utf8' });
    for (const dim of ['time = UNLIMITED ; // (3 currently)', 'one = 1 ;', 'nOpenBndNodes = 5 ;', 'nLevels = 1 ;', 'nComponents = 1 ;']) expect(header).toContain(`\t${dim}`);
    expect(header).toContain('\tfloat time_step(one) ;');
    expect(header).toContain('\tdouble time(time) ;');
    expect(header).toContain('\tfloat time_series(time, nOpenBndNodes, nLevels, nComponents) ;');
    expect(header).toContain('time_step:units = "s"');
    expect(header).toContain('time_series:units = "m"');
    const data = execFileSync('ncdump', ['-v', 'time,time_step', path], { encoding: 'utf8' });
    expect(data).toMatch(/time_step = 900 ;/);
    expect(data).toMatch(/time = 0, 900, 1800 ;/);
  });

  it('reads a file in SCHISM\'s layout made by ncgen, NetCDF-4 and without time', async () => {
    const path = ncgen(
      `netcdf elev2D { dimensions: time = UNLIMITED ; one = 1 ; nOpenBndNodes = 5 ; nLevels = 1 ; nComponents = 1 ;
variables: float time_step(one) ; float time_series(time, nOpenBndNodes, nLevels, nComponents) ;
data: time_step = 3600 ; time_series = 1, 2, 3, 4, 5, 3, 2, 1, 0, -1 ; }`,
      'nc4',
    );
    const series = await readElev2dTh(path, mesh);
    expect(series.end).toBe(3600);
    expect(Array.from(series.elevationAt(900))).toEqual([1.5, 2, 2.5, 3, 3.5]);
  });
});

describe('elev2D.th.nc errors', () => {
  it('says the period covered when asked outside it', async () => {
    const path = newPath();
    await writeElev2dTh(path, mesh, { timeStep: 900, records });
    const series = await readElev2dTh(path, mesh);
    expect(() => series.elevationAt(1800.5)).toThrow('model time 1800.5 s is outside the period covered, 0 s to 1800 s (3 records every 900 s)');
    expect(() => series.elevationAt(-1)).toThrow('model time -1 s is outside the period covered');
    expect(() => series.elevationAt(Number.NaN)).toThrow('model time NaN s is outside the period covered');
  });

  it('checks the node count against the mesh\'s open boundaries', async () => {
    const path = newPath();
    await writeElev2dTh(path, mesh, { timeStep: 900, records });
    const fewer = { openBoundaries: [{ nodes: Int32Array.of(4, 5, 6) }] };
    await expect(readElev2dTh(path, fewer)).rejects.toThrow('time_series has 5 open-boundary nodes (dimension nOpenBndNodes), the mesh has 3');
    await expect(writeElev2dTh(newPath(), fewer, { timeStep: 900, records })).rejects.toThrow('record 0 has 5 values, the mesh has 3 open-boundary nodes');
  });

  it('refuses a mesh without open boundaries, a bad time step, fewer than 2 records and non-finite values', async () => {
    await expect(writeElev2dTh(newPath(), { openBoundaries: [] }, { timeStep: 900, records })).rejects.toThrow('the mesh has no open-boundary nodes');
    await expect(writeElev2dTh(newPath(), mesh, { timeStep: 0, records })).rejects.toThrow('time_step must be a positive number of seconds, got 0');
    await expect(writeElev2dTh(newPath(), mesh, { timeStep: 900, records: [records[0]] })).rejects.toThrow('1 record(s) given; SCHISM interpolates between records, so at least 2 are needed');
    const bad = [records[0], [0, 0, Number.NaN, 0, 0]];
    await expect(writeElev2dTh(newPath(), mesh, { timeStep: 900, records: bad })).rejects.toThrow('record 1 (900 s): elevation NaN at open-boundary node 3 (mesh node 7)');
  });

  const cdl = (body: { timeStep?: string; time?: string; levels?: number; values?: string; records?: number }) => {
    const levels = body.levels ?? 1;
    const n = 5 * levels * (body.records ?? 2);
    return `netcdf elev2D { dimensions: time = UNLIMITED ; one = 1 ; nOpenBndNodes = 5 ; nLevels = ${levels} ; nComponents = 1 ;
variables: ${body.timeStep === undefined ? 'float time_step(one) ;' : body.timeStep} double time(time) ; float time_series(time, nOpenBndNodes, nLevels, nComponents) ;
data: ${body.timeStep === undefined ? 'time_step = 900 ;' : ''} time = ${body.time ?? '0, 900'} ; time_series = ${body.values ?? Array.from({ length: n }, () => 0).join(', ')} ; }`;
  };

  it('refuses a time that disagrees with k × time_step, which is what SCHISM reads', async () => {
    await expect(readElev2dTh(ncgen(cdl({ time: '0, 1000' })), mesh)).rejects.toThrow('time[1] is 1000 s, but SCHISM reads record 1 as 900 s (k × time_step 900 s)');
  });

  it('refuses a missing or non-positive time_step', async () => {
    await expect(readElev2dTh(ncgen(cdl({ timeStep: '' })), mesh)).rejects.toThrow("no variable 'time_step'; SCHISM places record k at k × time_step s");
    const zero = ncgen(cdl({}).replace('time_step = 900', 'time_step = 0'));
    await expect(readElev2dTh(zero, mesh)).rejects.toThrow('time_step is 0, expected a positive number of seconds');
  });

  it('refuses more than one level, a single record and a missing time_series', async () => {
    await expect(readElev2dTh(ncgen(cdl({ levels: 2 })), mesh)).rejects.toThrow('time_series has 2 level(s) and 1 component(s); elevation has 1 of each');
    await expect(readElev2dTh(ncgen(cdl({ records: 1, time: '0' })), mesh)).rejects.toThrow('1 record(s); at least 2 are needed to interpolate in time');
    const none = ncgen('netcdf e { dimensions: one = 1 ; variables: float time_step(one) ; data: time_step = 900 ; }');
    await expect(readElev2dTh(none, mesh)).rejects.toThrow("no variable 'time_series'");
  });

  it('refuses time_series with the wrong number of dimensions', async () => {
    const path = ncgen('netcdf e { dimensions: time = 2 ; n = 5 ; variables: float time_series(time, n) ; }');
    await expect(readElev2dTh(path, mesh)).rejects.toThrow('time_series has 2 dimensions (time, n), expected 4 (time, nOpenBndNodes, nLevels, nComponents)');
  });

  it('names a missing value in the file', async () => {
    const values = Array.from({ length: 10 }, (_, i) => (i === 7 ? '_' : '0')).join(', ');
    await expect(readElev2dTh(ncgen(cdl({ values })), mesh)).rejects.toThrow('time_series record 1 (900 s): elevation missing (fill value 9.969209968386869e+36) at open-boundary node 3');
  });
});
