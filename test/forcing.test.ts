/**
 * Forcing sources against the real thing: the NCSS source talks to a
 * node:http server on 127.0.0.1 that answers NCSS grid queries with NetCDF
 * written by our writer for the requested box, times and variables, and that
 * can also misbehave the ways forecast servers do.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openNetcdf } from '../core/netcdf/reader.js';
import { NetcdfWriter } from '../core/netcdf/writer.js';
import { createForcingSource, type BoundingBox, type ForcingRequest, type ForcingSourceConfig } from '../activities/forcing/source.js';
import { ForcingValidationError, validateForcingFile } from '../activities/forcing/validate.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'forcing-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
const freshDir = (): string => join(root, `d${counter++}`);

const HOUR = 3_600_000;
const start = new Date('2026-11-25T00:00:00Z');
const end = new Date(start.getTime() + 72 * HOUR);
const request: ForcingRequest = {
  kind: 'atmosphere',
  variables: ['uwind', 'vwind', 'prmsl'],
  bbox: { west: -9.6, south: 38.4, east: -8.9, north: 39.1 },
  start,
  end,
};

interface GridOptions {
  variables: string[];
  bbox: BoundingBox;
  start: Date;
  end: Date;
  /** Records an NaN-only field at this step of this variable. */
  emptyStep?: { variable: string; step: number };
  /** Puts this value at the first grid point of this variable at this step. */
  oddValue?: { variable: string; step: number; value: number };
  /** 2-D longitude/latitude on (y, x), as a curvilinear model grid has. */
  curvilinear?: boolean;
}

/** A small half-degree grid around the box, hourly from start to end, in CF time. */
async function forcingNetcdf(options: GridOptions): Promise<Buffer> {
  const step = 0.5;
  const axis = (from: number, to: number): number[] => {
    const values: number[] = [];
    for (let v = Math.floor(from / step) * step; v <= Math.ceil(to / step) * step + 1e-9; v += step) values.push(v);
    return values;
  };
  const lons = axis(options.bbox.west, options.bbox.east);
  const lats = axis(options.bbox.south, options.bbox.north);
  const first = Math.floor(options.start.getTime() / HOUR);
  const last = Math.ceil(options.end.getTime() / HOUR);
  const [yDim, xDim] = options.curvilinear ? ['y', 'x'] : ['lat', 'lon'];
  const coordinateDims = options.curvilinear ? [yDim, xDim] : undefined;
  const path = join(root, `served${counter++}.nc`);
  const writer = await NetcdfWriter.create(path, {
    format: 'classic',
    dimensions: [
      { name: 'time', size: 'unlimited' },
      { name: yDim, size: lats.length },
      { name: xDim, size: lons.length },
    ],
    variables: [
      { name: 'time', type: 'double', dimensions: ['time'], attributes: [{ name: 'units', type: 'char', value: 'hours since 1970-01-01 00:00:00' }] },
      { name: 'lon', type: 'float', dimensions: coordinateDims ?? ['lon'], attributes: [{ name: 'units', type: 'char', value: 'degrees_east' }] },
      { name: 'lat', type: 'float', dimensions: coordinateDims ?? ['lat'], attributes: [{ name: 'units', type: 'char', value: 'degrees_north' }] },
      ...options.variables.map((name) => ({ name, type: 'float' as const, dimensions: ['time', yDim, xDim] })),
    ],
  });
  if (options.curvilinear) {
    await writer.write('lon', lats.flatMap(() => lons));
    await writer.write('lat', lats.flatMap((lat) => lons.map(() => lat)));
  } else {
    await writer.write('lon', lons);
    await writer.write('lat', lats);
  }
  const cells = lons.length * lats.length;
  for (let hour = first, index = 0; hour <= last; hour++, index++) {
    const record: Record<string, number[]> = { time: [hour] };
    for (const name of options.variables) {
      const empty = options.emptyStep?.variable === name && options.emptyStep.step === index;
      record[name] = Array.from({ length: cells }, (_, i) => (empty ? NaN : name === 'prmsl' ? 101_325 + i : 5 + Math.sin(hour + i)));
      if (options.oddValue?.variable === name && options.oddValue.step === index) record[name][0] = options.oddValue.value;
    }
    await writer.appendRecord(record);
  }
  await writer.close();
  return readFile(path);
}

type Handler = (query: URLSearchParams, res: ServerResponse, req: IncomingMessage) => void | Promise<void>;

interface NcssServer {
  url: string;
  queries: URLSearchParams[];
  close(): Promise<void>;
}

async function ncssServer(handler: Handler): Promise<NcssServer> {
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    queries.push(query);
    Promise.resolve(handler(query, res, req)).catch((error: Error) => {
      res.writeHead(500).end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/thredds/ncss/grid/model/best`,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a THREDDS server does with a query: the requested variables, box and times. */
function requestedGrid(query: URLSearchParams, tweak: Partial<GridOptions> = {}): Promise<Buffer> {
  return forcingNetcdf({
    variables: query.getAll('var'),
    bbox: { west: Number(query.get('west')), south: Number(query.get('south')), east: Number(query.get('east')), north: Number(query.get('north')) },
    start: new Date(query.get('time_start')!),
    end: new Date(query.get('time_end')!),
    ...tweak,
  });
}

function serveNetcdf(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/x-netcdf', 'content-length': body.length });
  res.end(body);
}

/** Runs `test` against a server, closing it whatever happens. */
async function withServer(handler: Handler, test: (server: NcssServer) => Promise<void>): Promise<void> {
  const server = await ncssServer(handler);
  try {
    await test(server);
  } finally {
    await server.close();
  }
}

const ncss = (url: string, extra: Partial<Extract<ForcingSourceConfig, { type: 'ncss' }>> = {}): ForcingSourceConfig => ({
  type: 'ncss',
  url,
  timeoutMs: 2000,
  retries: 2,
  retryDelayMs: 20,
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('NCSS forcing source', () => {
  it('fetches the requested subset and returns it validated from the cycle cache', async () => {
    await withServer(async (query, res) => serveNetcdf(res, await requestedGrid(query)), async (server) => {
      const cacheDir = freshDir();
      const forcing = await createForcingSource(ncss(server.url)).fetch(request, cacheDir);

      expect(forcing.path).toBe(join(cacheDir, 'atmosphere.nc'));
      expect(forcing.variables).toEqual({ uwind: 'uwind', vwind: 'vwind', prmsl: 'prmsl' });
      expect(forcing.times[0].getTime()).toBeLessThanOrEqual(start.getTime());
      expect(forcing.times.at(-1)!.getTime()).toBeGreaterThanOrEqual(end.getTime());
      expect(forcing.coverage).toEqual({ west: -10, south: 38, east: -8.5, north: 39.5 });
      expect((await readdir(cacheDir)).sort()).toEqual(['atmosphere.nc', 'atmosphere.request.json']);
      const file = await openNetcdf(forcing.path);
      expect(file.variables.map((v) => v.name)).toEqual(['time', 'lon', 'lat', 'uwind', 'vwind', 'prmsl']);
      await file.close();
    });
  });

  it('sends an NCSS grid query: each variable under its dataset name, the box, the time range, NetCDF', async () => {
    const datasetNames = { uwind: 'u-component_of_wind_height_above_ground', vwind: 'v-component_of_wind_height_above_ground' };
    await withServer(async (query, res) => serveNetcdf(res, await requestedGrid(query)), async (server) => {
      const forcing = await createForcingSource(ncss(server.url, { variableNames: datasetNames })).fetch(request, freshDir());

      const [query] = server.queries;
      expect(query.getAll('var')).toEqual([datasetNames.uwind, datasetNames.vwind, 'prmsl']);
      expect(Object.fromEntries([...query].filter(([key]) => key !== 'var'))).toEqual({
        north: '39.1',
        west: '-9.6',
        east: '-8.9',
        south: '38.4',
        time_start: '2026-11-25T00:00:00Z',
        time_end: '2026-11-28T00:00:00Z',
        accept: 'netcdf',
      });
      expect(forcing.variables).toEqual({ ...datasetNames, prmsl: 'prmsl' });
    });
  });

  it('reuses the cycle cache for the same request without asking the server, and asks again for another', async () => {
    await withServer(async (query, res) => serveNetcdf(res, await requestedGrid(query)), async (server) => {
      const source = createForcingSource(ncss(server.url));
      const cacheDir = freshDir();
      const first = await source.fetch(request, cacheDir);
      const again = await source.fetch(request, cacheDir);
      expect(server.queries).toHaveLength(1);
      expect(again).toEqual(first);

      await source.fetch({ ...request, end: new Date(end.getTime() + 6 * HOUR) }, cacheDir);
      expect(server.queries).toHaveLength(2);
    });
  });

  it('retries a 503 and a 429, honouring Retry-After, then succeeds', async () => {
    let calls = 0;
    await withServer(async (query, res) => {
      calls++;
      if (calls === 1) return void res.writeHead(503).end('Service Unavailable');
      if (calls === 2) return void res.writeHead(429, { 'retry-after': '1' }).end('slow down');
      serveNetcdf(res, await requestedGrid(query));
    }, async (server) => {
      const began = Date.now();
      const forcing = await createForcingSource(ncss(server.url)).fetch(request, freshDir());
      expect(server.queries).toHaveLength(3);
      expect(Date.now() - began).toBeGreaterThanOrEqual(950);
      expect(forcing.variables).toHaveProperty('prmsl');
    });
  });

  it('fails at once on a 404, naming the status and the first line of the body', async () => {
    await withServer((_query, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Variable(s) [uwind] not found in dataset\nat thredds.server.ncss...\n');
    }, async (server) => {
      const cacheDir = freshDir();
      const error = await rejection(createForcingSource(ncss(server.url)).fetch(request, cacheDir));
      expect(server.queries).toHaveLength(1);
      expect(error).toMatchObject({ name: 'ForcingFetchError', status: 404, attempts: 1 });
      expect(error.message).toMatch(/HTTP 404 Not Found: Variable\(s\) \[uwind\] not found in dataset$/);
      expect(await readdir(cacheDir)).toEqual([]);
    });
  });

  it('times out a server that never answers, after the configured time, the configured number of times', async () => {
    await withServer(() => undefined, async (server) => {
      const began = Date.now();
      const error = await rejection(createForcingSource(ncss(server.url, { timeoutMs: 300, retries: 1 })).fetch(request, freshDir()));
      const elapsed = Date.now() - began;
      expect(error.message).toContain('timed out after 300 ms (no response)');
      expect(error.message).toContain('gave up after 2 attempts');
      expect(server.queries).toHaveLength(2);
      expect(elapsed).toBeGreaterThanOrEqual(600);
      expect(elapsed).toBeLessThan(2000);
    });
  });

  it('stops at once when the cycle is cancelled, without retrying', async () => {
    await withServer(() => undefined, async (server) => {
      const cancel = new AbortController();
      setTimeout(() => cancel.abort(new Error('cycle cancelled')), 100);
      const cacheDir = freshDir();
      const began = Date.now();
      const error = await rejection(createForcingSource(ncss(server.url)).fetch(request, cacheDir, cancel.signal));
      expect(error.message).toBe('cycle cancelled');
      expect(Date.now() - began).toBeLessThan(1000);
      expect(server.queries).toHaveLength(1);
      expect(await readdir(cacheDir)).toEqual([]);
    });
  });

  it('treats a body shorter than its Content-Length as a failed attempt and leaves nothing in the cache', async () => {
    await withServer(async (query, res) => {
      const body = await requestedGrid(query);
      res.writeHead(200, { 'content-type': 'application/x-netcdf', 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    }, async (server) => {
      const cacheDir = freshDir();
      const error = await rejection(createForcingSource(ncss(server.url, { retries: 1 })).fetch(request, cacheDir));
      expect(error.message).toMatch(/body cut short after \d+ of \d+ bytes/);
      expect(server.queries).toHaveLength(2);
      expect(await readdir(cacheDir)).toEqual([]);
    });
  });

  it('refuses a complete response carrying a cut NetCDF file, without retrying, and leaves nothing in the cache', async () => {
    await withServer(async (query, res) => {
      const body = await requestedGrid(query);
      serveNetcdf(res, body.subarray(0, body.length - 100));
    }, async (server) => {
      const cacheDir = freshDir();
      const error = await rejection(createForcingSource(ncss(server.url)).fetch(request, cacheDir));
      expect(error).toBeInstanceOf(ForcingValidationError);
      expect(error.message).toContain('file cut short');
      expect(server.queries).toHaveLength(1);
      expect(await readdir(cacheDir)).toEqual([]);
    });
  });

  it('refuses an HTML page served with 200 as not a NetCDF file', async () => {
    await withServer((_query, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html>\n<html><body><h1>Maintenance until 12:00 UTC</h1></body></html>\n');
    }, async (server) => {
      const cacheDir = freshDir();
      const error = await rejection(createForcingSource(ncss(server.url)).fetch(request, cacheDir));
      expect(error.message).toContain('not a NetCDF file');
      expect(error.message).toContain('HTML');
      expect(error.message).toContain('Maintenance until 12:00 UTC');
      expect(await readdir(cacheDir)).toEqual([]);
    });
  });

  it('names a requested variable the server left out', async () => {
    await withServer(async (query, res) => {
      serveNetcdf(res, await requestedGrid(query, { variables: query.getAll('var').filter((v) => v !== 'prmsl') }));
    }, async (server) => {
      const error = await rejection(createForcingSource(ncss(server.url)).fetch(request, freshDir()));
      expect(error).toBeInstanceOf(ForcingValidationError);
      expect((error as ForcingValidationError).problems).toEqual([
        { subject: "variable 'prmsl'", expected: 'present in the file', found: 'only time, lon, lat, uwind, vwind' },
      ]);
    });
  });

  it('refuses a wave forecast with a negative height, so that the cycle falls back instead of running on it', async () => {
    const waves: ForcingRequest = { ...request, kind: 'waves', variables: ['hs', 'tp', 'dir'] };
    await withServer(async (query, res) => {
      serveNetcdf(res, await requestedGrid(query, { oddValue: { variable: 'VHM0', step: 2, value: -0.5 } }));
    }, async (server) => {
      const cacheDir = freshDir();
      const error = await rejection(createForcingSource(ncss(server.url, { variableNames: { hs: 'VHM0', tp: 'VTPK', dir: 'VMDR' } })).fetch(waves, cacheDir));
      expect(error).toBeInstanceOf(ForcingValidationError);
      expect((error as ForcingValidationError).problems).toEqual([
        { subject: "variable 'VHM0' (hs)", expected: 'values where a significant wave height is never negative', found: '-0.5 at 2026-11-25T02:00:00Z' },
      ]);
      expect(error.message).toContain(`waves forcing from ncss ${server.url}`);
      expect(await readdir(cacheDir)).toEqual([]);
    });
  });

  it('says how much of the time range is missing', async () => {
    await withServer(async (query, res) => {
      serveNetcdf(res, await requestedGrid(query, { end: new Date(end.getTime() - 6 * HOUR) }));
    }, async (server) => {
      const error = await rejection(createForcingSource(ncss(server.url)).fetch(request, freshDir()));
      expect(error.message).toContain(
        "time 'time': expected times covering 2026-11-25T00:00:00Z to 2026-11-28T00:00:00Z; found 2026-11-25T00:00:00Z to 2026-11-27T18:00:00Z, missing 6 h at the end (2026-11-27T18:00:00Z to 2026-11-28T00:00:00Z)",
      );
    });
  });
});

describe('forcing validation', () => {
  const writeServed = async (options: Partial<GridOptions>): Promise<string> => {
    const path = join(root, `validate${counter++}.nc`);
    await writeFile(path, await forcingNetcdf({ variables: request.variables, bbox: request.bbox, start, end, ...options }));
    return path;
  };
  const identity = { uwind: 'uwind', vwind: 'vwind', prmsl: 'prmsl' };

  it('accepts 2-D longitude and latitude covering the box', async () => {
    const forcing = await validateForcingFile(await writeServed({ curvilinear: true }), request, identity);
    expect(forcing.coverage).toEqual({ west: -10, south: 38, east: -8.5, north: 39.5 });
  });

  it('names a grid that does not cover the box, and a time step with no valid value', async () => {
    const path = await writeServed({ bbox: { west: -9.4, south: 38.4, east: -8.9, north: 39.1 }, emptyStep: { variable: 'vwind', step: 3 } });
    const error = await rejection(validateForcingFile(path, request, identity));
    expect((error as ForcingValidationError).problems).toEqual([
      {
        subject: "variable 'vwind'",
        expected: 'at least one valid (not NaN, not fill) value at every time step',
        found: '1 of 73 time steps with none: 2026-11-25T03:00:00Z',
      },
      { subject: "longitude 'lon'", expected: 'to cover west -9.6 to east -8.9', found: '-9.5 to -8.5' },
    ]);
  });
});

describe('file forcing source', () => {
  it('copies a good file into the cycle cache, where later changes to the original do not reach', async () => {
    const original = join(root, `archive${counter++}.nc`);
    await writeFile(original, await forcingNetcdf({ variables: request.variables, bbox: request.bbox, start, end }));
    const cacheDir = freshDir();
    const forcing = await createForcingSource({ type: 'file', path: original }).fetch(request, cacheDir);
    expect(forcing.path).toBe(join(cacheDir, 'atmosphere.nc'));
    expect(forcing.times).toHaveLength(73);

    await writeFile(original, 'overwritten');
    const again = await createForcingSource({ type: 'file', path: original }).fetch(request, cacheDir);
    expect(again).toEqual(forcing);
  });

  it('fails clearly for a missing file', async () => {
    const missing = join(root, 'no-such-forcing.nc');
    const cacheDir = freshDir();
    const error = await rejection(createForcingSource({ type: 'file', path: missing }).fetch(request, cacheDir));
    expect(error.message).toBe(`forcing file ${missing} cannot be read: no such file`);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('refuses a file that is not NetCDF', async () => {
    const wrong = join(root, `wrong${counter++}.nc`);
    await writeFile(wrong, 'time,uwind\n2026-11-25T00:00Z,3.2\n');
    const cacheDir = freshDir();
    const error = await rejection(createForcingSource({ type: 'file', path: wrong }).fetch(request, cacheDir));
    expect(error).toBeInstanceOf(ForcingValidationError);
    expect(error.message).toContain('not a NetCDF file');
    expect(await readdir(cacheDir)).toEqual([]);
  });
});
