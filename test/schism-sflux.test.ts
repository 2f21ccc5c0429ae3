/**
 * sflux air forcing: a file in SCHISM's layout made by ncgen and sampled at
 * hand-computed points, stacks merged the way SCHISM merges them, our writer
 * read back and checked with the real ncdump, curvilinear grids, and every error.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSfluxAir, parseSfluxInputs, SfluxAirWriter, sfluxAirFileName, writeSfluxInputs, type SfluxAir } from '../core/schism/sflux.js';

const root = mkdtempSync(join(tmpdir(), 'schism-sflux-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
function newDir(): string {
  const dir = join(root, `sflux${counter++}`);
  mkdirSync(dir);
  return dir;
}

function ncgen(dir: string, name: string, cdl: string, kind: 'classic' | 'nc4' = 'classic'): void {
  const cdlPath = join(root, `made${counter++}.cdl`);
  writeFileSync(cdlPath, cdl);
  execFileSync('ncgen', ['-k', kind, '-o', join(dir, name), cdlPath]);
}

const START = new Date('2026-11-25T00:00:00Z');

interface CdlOptions {
  timeAttributes?: string;
  time?: string;
  lonLat?: string;
  uwind?: string;
  declarations?: string;
  nt?: number;
}

/** A 3 × 3 grid (lon −10, −9, −8; lat 40, 41, 42) in the layout of SCHISM's manual, records at 2026-11-25 00:00 and 06:00. */
function sfluxCdl(options: CdlOptions = {}): string {
  const nt = options.nt ?? 2;
  const uwind0 = [0, 1, 2, 10, 11, 12, 20, 21, 40];
  const uwind = options.uwind ?? [...uwind0, ...uwind0.map((u) => u + 4)].slice(0, 9 * nt).join(', ');
  const repeat = (values: number[]) => values.flatMap((v) => Array<number>(9).fill(v)).slice(0, 9 * nt).join(', ');
  return `netcdf sflux_air_1 {
dimensions:
  nx_grid = 3 ; ny_grid = 3 ; time = UNLIMITED ;
variables:
  float time(time) ;
    ${options.timeAttributes ?? 'time:units = "days since 2026-11-24" ; time:base_date = 2026, 11, 24, 0 ;'}
  ${options.declarations ?? `float lon(ny_grid, nx_grid) ; float lat(ny_grid, nx_grid) ;
  float uwind(time, ny_grid, nx_grid) ; float vwind(time, ny_grid, nx_grid) ; float prmsl(time, ny_grid, nx_grid) ;
  float stmp(time, ny_grid, nx_grid) ; float spfh(time, ny_grid, nx_grid) ;`}
  :Conventions = "CF-1.0" ;
data:
  time = ${options.time ?? '1, 1.25'} ;
  ${options.lonLat ?? 'lon = -10, -9, -8, -10, -9, -8, -10, -9, -8 ; lat = 40, 40, 40, 41, 41, 41, 42, 42, 42 ;'}
  uwind = ${uwind} ;
  vwind = ${repeat([-1, 3])} ;
  prmsl = ${repeat([101000, 100000])} ;
  stmp = ${repeat([290, 290])} ;
  spfh = ${repeat([0.01, 0.01])} ;
}
`;
}

function schismDir(options: CdlOptions = {}, name = 'sflux_air_1.0001.nc'): string {
  const dir = newDir();
  ncgen(dir, name, sfluxCdl(options));
  return dir;
}

const nodes = {
  lon: Float64Array.of(-9.5, -8.25, -10, -8),
  lat: Float64Array.of(40.5, 41.75, 42, 40),
};

async function withSflux<T>(dir: string, use: (sflux: SfluxAir) => Promise<T>): Promise<T> {
  const sflux = await openSfluxAir(dir, { start: START });
  try {
    return await use(sflux);
  } finally {
    await sflux.close();
  }
}

describe('sflux in SCHISM\'s layout (ncgen)', () => {
  it('reads times as days since the base_date', async () => {
    await withSflux(schismDir(), async (sflux) => {
      expect(sflux.times.map((t) => t.toISOString())).toEqual(['2026-11-25T00:00:00.000Z', '2026-11-25T06:00:00.000Z']);
      expect([sflux.nx, sflux.ny]).toEqual([3, 3]);
      expect(Array.from(sflux.lon.subarray(0, 3))).toEqual([-10, -9, -8]);
    });
  });

  it('interpolates bilinearly in space and linearly in time (values worked by hand)', async () => {
    await withSflux(schismDir(), async (sflux) => {
      // 5400 s is a quarter of the way from 00:00 to 06:00: uwind +1, vwind −1 → 0, prmsl 101000 → 100750.
      const sample = await sflux.atNodes(5400, nodes.lon, nodes.lat);
      // A: mid cell (0,0), mean of 0, 1, 10, 11. B: (u, v) = (0.75, 0.75) in cell (1,1):
      // 0.25·(0.25·11 + 0.75·12) + 0.75·(0.25·21 + 0.75·40) = 29.375. C, D: grid points 20 and 2.
      expect(Array.from(sample.uwind)).toEqual([6.5, 30.375, 21, 3]);
      expect(Array.from(sample.vwind)).toEqual([0, 0, 0, 0]);
      expect(Array.from(sample.prmsl)).toEqual([100750, 100750, 100750, 100750]);
      const end = await sflux.atNodes(21600, nodes.lon, nodes.lat);
      expect(Array.from(end.uwind)).toEqual([9.5, 33.375, 24, 6]);
      // The same arrays again: the cached weights give the same answer.
      expect(Array.from((await sflux.atNodes(5400, nodes.lon, nodes.lat)).uwind)).toEqual([6.5, 30.375, 21, 3]);
    });
  });

  it('reads a NetCDF-4 stack and the unpadded stack number newer SCHISM also opens', async () => {
    const dir = newDir();
    ncgen(dir, 'sflux_air_1.1.nc', sfluxCdl(), 'nc4');
    await withSflux(dir, async (sflux) => {
      expect(Array.from((await sflux.atNodes(0, nodes.lon, nodes.lat)).uwind)).toEqual([5.5, 29.375, 20, 2]);
    });
  });

  it('takes the file and variable names from sflux_inputs.txt', async () => {
    const dir = newDir();
    const cdl = sfluxCdl().replace(/\buwind\b/g, 'u10').replace(/\bvwind\b/g, 'v10');
    ncgen(dir, 'gfs.0001.nc', cdl);
    writeFileSync(join(dir, 'sflux_inputs.txt'), "&sflux_inputs\n  air_1_file = 'gfs', ! our own name\n  uwind_name='u10', vwind_name = \"v10\"\n/\n");
    await withSflux(dir, async (sflux) => {
      expect(sflux.inputs.air1File).toBe('gfs');
      expect(Array.from((await sflux.atNodes(0, nodes.lon, nodes.lat)).vwind)).toEqual([-1, -1, -1, -1]);
    });
  });
});

/** A rectilinear grid of nx × ny points from lon0, lat0 at 1° spacing. */
function grid(nx: number, ny: number, lon0 = -10, lat0 = 40) {
  const lon = new Float64Array(nx * ny);
  const lat = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      lon[j * nx + i] = lon0 + i;
      lat[j * nx + i] = lat0 + j;
    }
  }
  return { nx, ny, lon, lat };
}

/** Fields whose uwind tags the record: 100·tag + grid index. */
function fields(points: number, tag: number) {
  return {
    uwind: Float32Array.from({ length: points }, (_, p) => 100 * tag + p),
    vwind: new Float32Array(points).fill(tag),
    prmsl: new Float32Array(points).fill(101325),
  };
}

async function writeStack(dir: string, stack: number, hours: number[], tags: number[], g = grid(3, 3)): Promise<void> {
  const writer = await SfluxAirWriter.create(join(dir, sfluxAirFileName(stack)), g, START);
  for (let k = 0; k < hours.length; k++) await writer.appendRecord(new Date(START.getTime() + hours[k] * 3_600_000), fields(g.nx * g.ny, tags[k]));
  await writer.close();
}

describe('SfluxAirWriter', () => {
  it('names stacks with four digits', () => {
    expect(sfluxAirFileName(1)).toBe('sflux_air_1.0001.nc');
    expect(sfluxAirFileName(12, 'sflux_air_2')).toBe('sflux_air_2.0012.nc');
    expect(() => sfluxAirFileName(0)).toThrow('sflux stack number must be an integer in 1..9999, got 0');
  });

  it('writes SCHISM\'s layout, as ncdump reads it', async () => {
    const dir = newDir();
    await writeStack(dir, 1, [0, 6], [1, 2]);
    await writeSfluxInputs(dir);
    const path = join(dir, 'sflux_air_1.0001.nc');
    const header = execFileSync('ncdump', ['-h', path], { encoding: 'utf8' });
    for (const line of [
      'time = UNLIMITED ; // (2 currently)',
      'ny_grid = 3 ;',
      'nx_grid = 3 ;',
      'double time(time) ;',
      'time:base_date = 2026, 11, 25, 0 ;',
      'time:units = "days since 2026-11-25 00:00:00 +00:00" ;',
      'float lon(ny_grid, nx_grid) ;',
      'lon:units = "degrees_east" ;',
      'float lat(ny_grid, nx_grid) ;',
      'lat:units = "degrees_north" ;',
      'float uwind(time, ny_grid, nx_grid) ;',
      'uwind:units = "m/s" ;',
      'float vwind(time, ny_grid, nx_grid) ;',
      'float prmsl(time, ny_grid, nx_grid) ;',
      'prmsl:units = "Pa" ;',
      'float stmp(time, ny_grid, nx_grid) ;',
      'stmp:units = "K" ;',
      'float spfh(time, ny_grid, nx_grid) ;',
      ':Conventions = "CF-1.0" ;',
    ]) {
      expect(header).toContain(line);
    }
    const data = execFileSync('ncdump', ['-v', 'time,stmp', path], { encoding: 'utf8' });
    expect(data).toMatch(/time = 0, 0\.25 ;/);
    expect(data).toMatch(/stmp =\s+288\.15, 288\.15/);
    expect(parseSfluxInputs('sflux_inputs.txt', execFileSync('cat', [join(dir, 'sflux_inputs.txt')], { encoding: 'utf8' }))).toMatchObject({ air1File: 'sflux_air_1', air1MaxWindowHours: 120 });
  });

  it('round-trips through the reader, counting times from the UTC day of the base', async () => {
    const dir = newDir();
    const writer = await SfluxAirWriter.create(join(dir, sfluxAirFileName(1)), grid(3, 3), new Date('2026-11-24T18:30:00Z'));
    await writer.appendRecord(new Date('2026-11-24T21:00:00Z'), fields(9, 1));
    await writer.appendRecord(new Date('2026-11-25T03:00:00Z'), fields(9, 2));
    await writer.close();
    const header = execFileSync('ncdump', ['-v', 'time', join(dir, sfluxAirFileName(1))], { encoding: 'utf8' });
    expect(header).toContain('time:base_date = 2026, 11, 24, 0 ;');
    expect(header).toMatch(/time = 0\.875, 1\.125 ;/);
    await withSflux(dir, async (sflux) => {
      expect(sflux.times.map((t) => t.toISOString())).toEqual(['2026-11-24T21:00:00.000Z', '2026-11-25T03:00:00.000Z']);
      const sample = await sflux.atNodes(0, Float64Array.of(-9), Float64Array.of(41));
      // Grid point (1, 1) is index 4: halfway between 104 and 204.
      expect(Array.from(sample.uwind)).toEqual([154]);
      expect(Array.from(sample.vwind)).toEqual([1.5]);
    });
  });

  it('merges stacks as SCHISM does: repeats replace, later records append, others are dropped', async () => {
    const dir = newDir();
    await writeStack(dir, 1, [0, 6, 12], [1, 2, 3]);
    await writeStack(dir, 2, [3, 12, 18, 24], [9, 4, 5, 6]);
    await withSflux(dir, async (sflux) => {
      expect(sflux.files.map((f) => f.slice(dir.length + 1))).toEqual(['sflux_air_1.0001.nc', 'sflux_air_1.0002.nc']);
      expect(sflux.times.map((t) => t.getUTCHours() + 24 * (t.getUTCDate() - 25))).toEqual([0, 6, 12, 18, 24]);
      const at = async (hours: number) => (await sflux.atNodes(hours * 3600, Float64Array.of(-10), Float64Array.of(40))).vwind[0];
      expect(await at(3)).toBe(1.5);
      expect(await at(12)).toBe(4);
      expect(await at(21)).toBe(5.5);
    });
  });
});

describe('curvilinear grids', () => {
  it('interpolates bilinearly in each cell\'s own coordinates', async () => {
    const nx = 5;
    const ny = 4;
    const lon = new Float64Array(nx * ny);
    const lat = new Float64Array(nx * ny);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        // Sheared, stretched and bent: no cell is a parallelogram.
        lon[j * nx + i] = -9 + 0.5 * i + 0.15 * j + 0.02 * i * j + 0.01 * i * i;
        lat[j * nx + i] = 38 + 0.4 * j - 0.1 * i + 0.03 * i * j;
      }
    }
    const dir = newDir();
    const writer = await SfluxAirWriter.create(join(dir, sfluxAirFileName(1)), { nx, ny, lon, lat }, START);
    const index = Float32Array.from({ length: nx * ny }, (_, p) => 3 * (p % nx) + 7 * Math.floor(p / nx));
    for (const hours of [0, 1]) await writer.appendRecord(new Date(START.getTime() + hours * 3_600_000), { uwind: index, vwind: index, prmsl: index });
    await writer.close();
    await withSflux(dir, async (sflux) => {
      // Nodes placed by the bilinear map of their cell's (float-stored) corners, at known (i + u, j + v).
      const places: [number, number, number, number][] = [[0, 0, 0.5, 0.5], [3, 2, 0.9, 0.1], [1, 2, 0, 1], [3, 0, 0.25, 0.8], [2, 1, 1, 0]];
      const nodeLon = new Float64Array(places.length);
      const nodeLat = new Float64Array(places.length);
      places.forEach(([i, j, u, v], n) => {
        const p = j * nx + i;
        const mix = (a: Float64Array) => (1 - v) * ((1 - u) * a[p] + u * a[p + 1]) + v * ((1 - u) * a[p + nx] + u * a[p + nx + 1]);
        nodeLon[n] = mix(sflux.lon);
        nodeLat[n] = mix(sflux.lat);
      });
      const sample = await sflux.atNodes(1800, nodeLon, nodeLat);
      places.forEach(([i, j, u, v], n) => expect(sample.uwind[n]).toBeCloseTo(3 * (i + u) + 7 * (j + v), 9));
    });
  });

  it('locates the nodes of a large mesh quickly on a large grid', async () => {
    const g = grid(300, 200, -20, 30);
    const dir = newDir();
    await writeStack(dir, 1, [0, 1], [1, 2], g);
    const n = 200_000;
    const lon = Float64Array.from({ length: n }, (_, k) => -20 + ((k * 0.618034) % 1) * 299);
    const lat = Float64Array.from({ length: n }, (_, k) => 30 + ((k * 0.414214) % 1) * 199);
    await withSflux(dir, async (sflux) => {
      const began = performance.now();
      const sample = await sflux.atNodes(0, lon, lat);
      expect(performance.now() - began).toBeLessThan(10_000);
      expect(sample.vwind.every((v) => v === 1)).toBe(true);
    });
  });
});

describe('sflux errors', () => {
  it('names a node outside the grid, with its position', async () => {
    await withSflux(schismDir(), async (sflux) => {
      await expect(sflux.atNodes(0, Float64Array.of(-9, -7.5), Float64Array.of(41, 41))).rejects.toThrow(
        'sflux_air_1.0001.nc: node 2 (lon -7.5, lat 41) is outside the sflux grid (lon -10..-8, lat 40..42)',
      );
      await expect(sflux.atNodes(0, Float64Array.of(351), Float64Array.of(41))).rejects.toThrow(
        "node 1 (lon 351, lat 41) is outside the sflux grid (lon -10..-8, lat 40..42); the grid's longitudes may use another range (-9 would be inside)",
      );
      await expect(sflux.atNodes(0, Float64Array.of(-9), Float64Array.of(41, 42))).rejects.toThrow('1 node longitudes but 2 latitudes');
    });
  });

  it('says which period is covered when asked outside it', async () => {
    await withSflux(schismDir(), async (sflux) => {
      await expect(sflux.atNodes(21601, nodes.lon, nodes.lat)).rejects.toThrow(
        'model time 21601 s (2026-11-25T06:00:01Z) is outside the period the sflux air files cover, 2026-11-25T00:00:00Z to 2026-11-25T06:00:00Z',
      );
      await expect(sflux.atNodes(-60, nodes.lon, nodes.lat)).rejects.toThrow('model time -60 s (2026-11-24T23:59:00Z) is outside');
    });
  });

  it('refuses to bracket a time by records further apart than air_1_max_window_hours', async () => {
    const dir = schismDir();
    writeFileSync(join(dir, 'sflux_inputs.txt'), '&sflux_inputs\n air_1_max_window_hours = 5.d0\n/\n');
    await withSflux(dir, async (sflux) => {
      await expect(sflux.atNodes(3600, nodes.lon, nodes.lat)).rejects.toThrow(
        'falls between records 2026-11-25T00:00:00Z and 2026-11-25T06:00:00Z, 6 h apart; air_1_max_window_hours is 5',
      );
    });
  });

  it('refuses a base_date with an hour, which SCHISM ignores', async () => {
    const dir = schismDir({ timeAttributes: 'time:base_date = 2026, 11, 24, 6 ;' });
    await expect(openSfluxAir(dir, { start: START })).rejects.toThrow(
      'time:base_date has hour 6; SCHISM ignores it and counts from 2026-11-24 00:00 UTC, so the times would shift by 6 h',
    );
  });

  it('refuses a missing or invalid base_date and units that disagree with it', async () => {
    await expect(openSfluxAir(schismDir({ timeAttributes: 'time:units = "days since 2026-11-24" ;' }), { start: START })).rejects.toThrow(
      "time has no 'base_date' attribute; SCHISM counts sflux times in days from it",
    );
    await expect(openSfluxAir(schismDir({ timeAttributes: 'time:base_date = 2026, 13, 1 ;' }), { start: START })).rejects.toThrow(
      'time:base_date 2026, 13, 1 is not a valid year, month, day',
    );
    await expect(openSfluxAir(schismDir({ timeAttributes: 'time:base_date = 2026, 11 ;' }), { start: START })).rejects.toThrow(
      'time:base_date is [2026,11]; year, month, day (and hour) integers expected',
    );
    await expect(
      openSfluxAir(schismDir({ timeAttributes: 'time:units = "hours since 2026-11-24" ; time:base_date = 2026, 11, 24 ;' }), { start: START }),
    ).rejects.toThrow("time units 'hours since 2026-11-24' disagree with base_date 2026-11-24; SCHISM reads time as days since base_date");
  });

  it('refuses times that do not increase, and a single record', async () => {
    await expect(openSfluxAir(schismDir({ time: '1.25, 1' }), { start: START })).rejects.toThrow(
      'time[1] (2026-11-25T00:00:00Z) does not follow time[0] (2026-11-25T06:00:00Z)',
    );
    await expect(openSfluxAir(schismDir({ time: '1', nt: 1 }), { start: START })).rejects.toThrow('1 record(s) in all; at least 2 are needed to interpolate in time');
  });

  it('refuses a missing stack, two files for one stack, no stack at all and a second dataset', async () => {
    const gap = schismDir();
    ncgen(gap, 'sflux_air_1.0003.nc', sfluxCdl());
    await expect(openSfluxAir(gap, { start: START })).rejects.toThrow('sflux_air_1 stack 2 is missing (found sflux_air_1.0003.nc); stacks must be numbered 1, 2, 3 … without gaps');
    const twice = schismDir();
    ncgen(twice, 'sflux_air_1.1.nc', sfluxCdl());
    await expect(openSfluxAir(twice, { start: START })).rejects.toThrow(/sflux_air_1\.(0001|1)\.nc and sflux_air_1\.(0001|1)\.nc are both stack 1 of sflux_air_1/);
    await expect(openSfluxAir(newDir(), { start: START })).rejects.toThrow('no sflux_air_1.<n>.nc files (e.g. sflux_air_1.0001.nc)');
    const second = schismDir();
    ncgen(second, 'sflux_air_2.0001.nc', sfluxCdl());
    await expect(openSfluxAir(second, { start: START })).rejects.toThrow('a second air dataset (sflux_air_2), which SCHISM blends with the first, is not supported by the built-in model');
  });

  it('refuses stacks with different grids', async () => {
    const dir = schismDir();
    ncgen(dir, 'sflux_air_1.0002.nc', sfluxCdl({ time: '1.5, 1.75', lonLat: 'lon = -10, -9, -8, -10, -9, -8, -10, -9, -7 ; lat = 40, 40, 40, 41, 41, 41, 42, 42, 42 ;' }));
    await expect(openSfluxAir(dir, { start: START })).rejects.toThrow('lon at grid point (2, 2) is -7, but -8 in');
  });

  it('refuses fields laid out on other dimensions than the grid', async () => {
    const declarations = `float lon(ny_grid, nx_grid) ; float lat(ny_grid, nx_grid) ;
  float uwind(time, nx_grid, ny_grid) ; float vwind(time, ny_grid, nx_grid) ; float prmsl(time, ny_grid, nx_grid) ;
  float stmp(time, ny_grid, nx_grid) ; float spfh(time, ny_grid, nx_grid) ;`;
    await expect(openSfluxAir(schismDir({ declarations }), { start: START })).rejects.toThrow(
      'uwind is (time = 2, nx_grid = 3, ny_grid = 3), expected (time = 2, ny_grid = 3, nx_grid = 3)',
    );
    const flat = `float lon(nx_grid) ; float lat(nx_grid) ; float uwind(time, ny_grid, nx_grid) ; float vwind(time, ny_grid, nx_grid) ;
  float prmsl(time, ny_grid, nx_grid) ; float stmp(time, ny_grid, nx_grid) ; float spfh(time, ny_grid, nx_grid) ;`;
    await expect(openSfluxAir(schismDir({ declarations: flat, lonLat: 'lon = -10, -9, -8 ; lat = 40, 41, 42 ;' }), { start: START })).rejects.toThrow(
      'lat has dimensions (nx_grid); 2 expected (ny_grid, nx_grid)',
    );
  });

  it('refuses an sflux_inputs.txt without the group or with a bad window', () => {
    expect(() => parseSfluxInputs('sflux_inputs.txt', '&other\n/\n')).toThrow("sflux_inputs.txt: no '&sflux_inputs' namelist group");
    expect(() => parseSfluxInputs('sflux_inputs.txt', '&sflux_inputs\n air_1_max_window_hours = -1\n/\n')).toThrow(
      'sflux_inputs.txt:2: air_1_max_window_hours must be a positive number of hours, got -1',
    );
    expect(() => parseSfluxInputs('sflux_inputs.txt', '&sflux_inputs\n air_1_file = 3\n/\n')).toThrow('sflux_inputs.txt:2: air_1_file must be a quoted name, got 3');
  });

  it('refuses writer input that does not fit the grid or goes back in time', async () => {
    const dir = newDir();
    const path = join(dir, sfluxAirFileName(1));
    await expect(SfluxAirWriter.create(path, grid(1, 3), START)).rejects.toThrow('the sflux grid must be at least 2 × 2 points, got 1 × 3');
    await expect(SfluxAirWriter.create(path, { ...grid(3, 3), lat: new Float64Array(8) }, START)).rejects.toThrow('lat has 8 values for a grid of 3 × 3 = 9 points');
    const writer = await SfluxAirWriter.create(path, grid(3, 3), START);
    await writer.appendRecord(START, fields(9, 1));
    await expect(writer.appendRecord(START, fields(9, 2))).rejects.toThrow('record at 2026-11-25T00:00:00Z does not follow the previous one (2026-11-25T00:00:00Z)');
    await expect(writer.appendRecord(new Date('2026-11-25T01:00:00Z'), { ...fields(9, 2), prmsl: new Float32Array(4) })).rejects.toThrow(
      'prmsl at 2026-11-25T01:00:00Z has 4 values for 9 grid points',
    );
    await writer.abort();
  });
});
