import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../activities/catalog.js';
import { fetchObservations } from '../activities/observations.js';
import { InputFileError } from '../core/inputProblems.js';
import { parseObservationsCsv, parseObservationsJson } from '../core/observations.js';
import type { SiteInput } from '../core/site.js';
import { buildApi } from '../server/api/app.js';
import type { Api } from '../server/api/schemas.js';
import { exampleSite, writeSiteMeshes } from './support/sites.js';
import { noCycles } from './support/api.js';

const SITE = 'ria-aveiro';
const CYCLE = '2026-11-25T00:00:00.000Z';
const HOUR = 3_600_000;
const at = (hours: number) => new Date(Date.parse(CYCLE) + hours * HOUR).toISOString();

function csvProblems(text: string): string[] {
  try {
    parseObservationsCsv(text);
  } catch (error) {
    return (error as InputFileError).message.split('\n');
  }
  throw new Error('the CSV was accepted');
}

describe('observations CSV', () => {
  it('reads times in any order, converts offsets to UTC, and takes blank or NaN as missing', () => {
    const series = parseObservationsCsv('time,water_level_m\r\n2026-11-25T01:00:00+01:00,1.5\r\n2026-11-25T01:00Z,\r\n2026-11-25T00:30:00.000Z,NaN\r\n2026-11-25T02:00:00Z,-0.25\r\n\r\n');
    expect(series.times.map((t) => new Date(t).toISOString())).toEqual(['2026-11-25T00:00:00.000Z', '2026-11-25T00:30:00.000Z', '2026-11-25T01:00:00.000Z', '2026-11-25T02:00:00.000Z']);
    expect(series.levels).toEqual([1.5, null, null, -0.25]);
  });

  it('names the line of every problem', () => {
    const rows = ['time,water_level_m', ...Array.from({ length: 14 }, (_, k) => `2026-11-25T${String(k).padStart(2, '0')}:00:00Z,1.0`)];
    rows.push('2026-11-25T14:00:00Z,1,2', '2026-13-01,1', '2026-02-30T00:00:00Z,0x1', '2026-11-25T03:00:00Z,2', '2026-11-25T20:00:00,1');
    expect(csvProblems(rows.join('\n'))).toEqual([
      'observations.csv:16: 3 fields, expected 2 (time,water_level_m)',
      'observations.csv:17: time "2026-13-01" is not ISO 8601 with a zone (e.g. 2026-11-25T06:00:00Z)',
      'observations.csv:18: time "2026-02-30T00:00:00Z" is not ISO 8601 with a zone (e.g. 2026-11-25T06:00:00Z)',
      'observations.csv:18: water_level_m "0x1" is not a number (blank or NaN for a missing value)',
      'observations.csv:19: time 2026-11-25T03:00:00.000Z is also given at line 5',
      'observations.csv:20: time "2026-11-25T20:00:00" is not ISO 8601 with a zone (e.g. 2026-11-25T06:00:00Z)',
    ]);
    expect(csvProblems('time,level\n2026-11-25T00:00:00Z,1\n')).toEqual(['observations.csv:1: the header must be "time,water_level_m", not "time,level"']);
  });

  it('reads the JSON format and names bad fields by pointer', () => {
    expect(parseObservationsJson({ times: ['2026-11-25T00:00:00Z'], water_level_m: [null] })).toEqual({ times: [Date.parse(CYCLE)], levels: [null] });
    expect(() => parseObservationsJson({ times: ['2026-11-25', '2026-11-25T00:00:00Z'], water_level_m: [1, 'high'] }, 'source.json')).toThrow(
      'source.json: /times/0: "2026-11-25" is not ISO 8601 with a zone (e.g. 2026-11-25T06:00:00Z)\nsource.json: /water_level_m/1: "high" is not a number or null',
    );
  });
});

/*
 * A completed cycle whose products/stations.json is written here, 6-hourly
 * over 48 h (hours 0, 6, …, 48):
 *
 * barra, observations uploaded as CSV:
 *   hour      0    6    12   18              24         30                 36             42    48
 *   forecast  5/2  3/2  1/2  7/2             dry        2                  2              2     2
 *   observed  0    1    2    3 (interpolated between 17:30 2.5 and 18:30 3.5)
 *                                            9 (unused)  3/2 (29:30 1, 30:30 2)
 *                                                                          none: 35:00 and 37:00 are 2 h apart
 *                                                                                         NaN   none
 *   day 1: the 4 pairs of test/skill.test.ts → bias 1/2, RMSE 3/2, r 1/5, d 4/7
 *   day 2: 1 pair → nulls
 *
 * ponte, observations from its JSON source (forecast − 1/4 on day 1, null on day 2):
 *   forecast  1, 2, 3, 2, 1 | 0, 0, 0, 0     observed 3/4, 7/4, 11/4, 7/4, 3/4 | null × 4
 *   day 1: 5 pairs, P − O = 1/4 each → bias 1/4, RMSE 1/4, r = 1 (O = P − 1/4)
 *          Ō = 31/4 / 5 = 31/20 = 1.55; |P − Ō| = [.55, .45, 1.45, .45, .55], |O − Ō| = [.8, .2, 1.2, .2, .8]
 *          Σ(|P − Ō| + |O − Ō|)² = 1.35² + 0.65² + 2.65² + 0.65² + 1.35² = 11.5125; Σ(P − O)² = 5/16 = 0.3125
 *          d = 1 − 0.3125 / 11.5125 = 1 − 25/921 = 896/921
 *   day 2: 0 pairs → nulls
 *
 * molhe: a source that never answers (timeout 300 ms) → listed with the problem, no pairs.
 */
const FORECAST_HOURS = [0, 6, 12, 18, 24, 30, 36, 42, 48];
const STATIONS_JSON = {
  times: FORECAST_HOURS.map(at),
  stations: [
    { id: 'barra', name: 'Barra', inMesh: true, elevation: [2.5, 1.5, 0.5, 3.5, null, 2, 2, 2, 2] },
    { id: 'ponte', name: 'Ponte', inMesh: true, elevation: [1, 2, 3, 2, 1, 0, 0, 0, 0] },
    { id: 'molhe', name: 'Molhe', inMesh: true, elevation: [1, 1, 1, 1, 1, 1, 1, 1, 1] },
    { id: 'seca', name: 'Seca', inMesh: true, elevation: [1, 1, 1, 1, 1, 1, 1, 1, 1] },
  ],
};
const PONTE_SOURCE = { times: FORECAST_HOURS.map(at), water_level_m: [0.75, 1.75, 2.75, 1.75, 0.75, null, null, null, null] };


let root: string;
let catalog: Catalog;
let app: Api;
let base: string;
let sources: Server;
let sourceBase: string;
const sourceRequests: string[] = [];
let site: SiteInput;

beforeAll(async () => {
  sources = createServer((request, response) => {
    sourceRequests.push(request.url ?? '');
    if (request.url === '/ponte.json') response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PONTE_SOURCE));
    else if (request.url === '/levels.csv') response.writeHead(200, { 'content-type': 'text/csv' }).end('time,water_level_m\n2026-11-25T00:00:00Z,1.25\n');
    else if (request.url === '/broken.csv') response.writeHead(200, { 'content-type': 'text/csv' }).end('time,water_level_m\n2026-11-25T00:00:00Z,1.25\nyesterday,1\n');
    else if (request.url === '/missing.json') response.writeHead(404).end();
    // /slow never answers.
  });
  await new Promise<void>((resolve) => sources.listen(0, '127.0.0.1', resolve));
  sourceBase = `http://127.0.0.1:${(sources.address() as AddressInfo).port}`;

  root = await mkdtemp(join(tmpdir(), 'coastcast-observations-'));
  await writeSiteMeshes(root);
  catalog = openCatalog(join(root, 'data'));
  const example = exampleSite(SITE);
  site = {
    ...example,
    stations: [
      ...example.stations,
      { id: 'ponte', name: 'Ponte', lon: -8.7, lat: 40.6, observations: { url: `${sourceBase}/ponte.json`, format: 'json' } },
      { id: 'molhe', name: 'Molhe', lon: -8.68, lat: 40.66, observations: { url: `${sourceBase}/slow`, format: 'csv', timeoutMs: 300 } },
      { id: 'seca', name: 'Seca', lon: -8.7, lat: 40.65 },
    ],
  };
  await catalog.createSite(site, join(root, 'small.gr3'));
  const runDir = join(root, 'data', 'runs', SITE, '2026-11-25T0000Z');
  await mkdir(join(runDir, 'products'), { recursive: true });
  await writeFile(join(runDir, 'products', 'stations.json'), JSON.stringify(STATIONS_JSON));
  catalog.recordCycle(SITE, CYCLE, { status: 'running', runDir });
  app = buildApi({ dataDir: join(root, 'data'), catalog, cycles: noCycles });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  catalog?.close();
  sources?.closeAllConnections();
  await new Promise((resolve) => sources?.close(resolve));
  await rm(root, { recursive: true, force: true });
});

const observationsPath = (station: string) => `/api/sites/${SITE}/stations/${station}/observations`;
const upload = (station: string, csv: string, type = 'text/csv') => fetch(base + observationsPath(station), { method: 'PUT', headers: { 'content-type': type }, body: csv });
const getJson = async (path: string): Promise<{ status: number; headers: Headers; json: any }> => {
  const response = await fetch(base + path);
  return { status: response.status, headers: response.headers, json: await response.json() };
};
const csv = (rows: [number, string][]) => ['time,water_level_m', ...rows.map(([hours, level]) => `${at(hours)},${level}`)].join('\n');

describe('observations upload', () => {
  it('refuses a CSV with a bad line, naming it, and stores nothing', async () => {
    const response = await upload('barra', csv([[0, '0'], [6, 'one']]));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string };
    expect(body).toMatchObject({ error: 'observations-rejected', problems: [{ file: 'observations.csv', line: 3 }] });
    expect(body.message).toBe('observations.csv:3: water_level_m "one" is not a number (blank or NaN for a missing value)');
    expect((await getJson(observationsPath('barra'))).json).toEqual({ stationId: 'barra', times: [], water_level_m: [] });
  });

  it('refuses other media types (415) and unknown stations or sites (404)', async () => {
    expect((await upload('barra', JSON.stringify({ times: [] }), 'application/json')).status).toBe(415);
    const unknown = await upload('nowhere', csv([[0, '1']]));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toBe('site "ria-aveiro" has no station "nowhere" (stations: barra, ponte, molhe, seca)');
    expect((await fetch(`${base}/api/sites/elsewhere/stations/barra/observations`)).status).toBe(404);
  });

  it('merges uploads, the newer winning per time, and returns them by period', async () => {
    const first = await upload('barra', csv([[0, '0'], [6, '1'], [12, '7']]));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ stationId: 'barra', received: 3, stored: { count: 3, from: at(0), to: at(12) } });
    const second = await upload('barra', csv([[12, '2'], [17.5, '2.5'], [18.5, '3.5'], [24, '9'], [29.5, '1'], [30.5, '2'], [35, '1'], [37, '1'], [42, 'NaN']]));
    expect(await second.json()).toEqual({ stationId: 'barra', received: 9, stored: { count: 11, from: at(0), to: at(42) } });

    const all = await getJson(observationsPath('barra'));
    expect(all.json.times).toEqual([0, 6, 12, 17.5, 18.5, 24, 29.5, 30.5, 35, 37, 42].map(at));
    expect(all.json.water_level_m).toEqual([0, 1, 2, 2.5, 3.5, 9, 1, 2, 1, 1, null]);
    const period = await getJson(`${observationsPath('barra')}?from=${at(6)}&to=${at(17.5)}`);
    expect(period.json).toEqual({ stationId: 'barra', times: [6, 12, 17.5].map(at), water_level_m: [1, 2, 2.5] });
    expect((await getJson(`${observationsPath('barra')}?from=${at(6)}&to=${at(0)}`)).status).toBe(400);
  });

  it('keeps the observations when the site config is updated', async () => {
    await catalog.updateSite(SITE, { ...site, name: 'Ria de Aveiro (updated)' });
    expect((await getJson(observationsPath('barra'))).json.times).toHaveLength(11);
  });
});

describe('observations from an HTTP source', () => {
  it('reads CSV and JSON, and names the URL when the source fails', async () => {
    expect(await fetchObservations({ url: `${sourceBase}/levels.csv`, format: 'csv' })).toEqual({ times: [Date.parse(CYCLE)], levels: [1.25] });
    await expect(fetchObservations({ url: `${sourceBase}/broken.csv`, format: 'csv' })).rejects.toThrow(`${sourceBase}/broken.csv:3: time "yesterday" is not ISO 8601`);
    await expect(fetchObservations({ url: `${sourceBase}/missing.json`, format: 'json' })).rejects.toThrow(`GET ${sourceBase}/missing.json: 404 Not Found`);
    await expect(fetchObservations({ url: `${sourceBase}/slow`, format: 'json', timeoutMs: 200 })).rejects.toThrow(`GET ${sourceBase}/slow: no answer within 200 ms`);
  });
});

describe('skill of a cycle', () => {
  const skillPath = `/api/sites/${SITE}/cycles/${CYCLE}/skill`;

  it('is refused (409) before the cycle completes, and 404 for an unknown cycle or site', async () => {
    const early = await getJson(skillPath);
    expect(early.status).toBe(409);
    expect(early.json.error).toBe('cycle-not-completed');
    expect((await getJson(`/api/sites/${SITE}/cycles/2026-11-24T00:00:00Z/skill`)).status).toBe(404);
    expect((await getJson(`/api/sites/elsewhere/cycles/${CYCLE}/skill`)).status).toBe(404);
    catalog.updateCycle(SITE, CYCLE, { status: 'completed', finishedAt: new Date() });
  });

  it('gives per station and lead day the figures computed by hand, fetching sources that are needed', async () => {
    sourceRequests.length = 0;
    const { status, headers, json } = await getJson(skillPath);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-cache');
    expect(json.cycle).toBe(CYCLE);
    // seca has neither observations nor a source.
    expect(json.stations.map((s: { stationId: string }) => s.stationId)).toEqual(['barra', 'ponte', 'molhe']);
    const [barra, ponte, molhe] = json.stations;

    expect(barra).toMatchObject({ name: 'Barra', observations: 10, fetched: false, fetchProblem: null });
    expect(barra.days).toHaveLength(2);
    expect(barra.days[0]).toMatchObject({ day: 1, from: at(0), to: at(24), n: 4 });
    expect(barra.days[0].bias).toBeCloseTo(1 / 2, 12);
    expect(barra.days[0].rmse).toBeCloseTo(3 / 2, 12);
    expect(barra.days[0].correlation).toBeCloseTo(1 / 5, 12);
    expect(barra.days[0].skill).toBeCloseTo(4 / 7, 12);
    expect(barra.days[1]).toEqual({ day: 2, from: at(24), to: at(48), n: 1, bias: null, rmse: null, correlation: null, skill: null });

    expect(ponte).toMatchObject({ observations: 5, fetched: true, fetchProblem: null });
    expect(ponte.days[0].n).toBe(5);
    expect(ponte.days[0].bias).toBeCloseTo(1 / 4, 12);
    expect(ponte.days[0].rmse).toBeCloseTo(1 / 4, 12);
    expect(ponte.days[0].correlation).toBeCloseTo(1, 12);
    expect(ponte.days[0].skill).toBeCloseTo(896 / 921, 12);
    expect(ponte.days[1]).toMatchObject({ n: 0, skill: null });

    expect(molhe).toMatchObject({ observations: 0, fetched: false, fetchProblem: `GET ${sourceBase}/slow: no answer within 300 ms` });
    expect(molhe.days.map((d: { n: number }) => d.n)).toEqual([0, 0]);
    expect(sourceRequests.sort()).toEqual(['/ponte.json', '/slow']);
  });

  it('stores what a source gave like an upload, and does not fetch it again once it spans the forecast', async () => {
    expect((await getJson(observationsPath('ponte'))).json).toEqual({ stationId: 'ponte', ...PONTE_SOURCE });
    sourceRequests.length = 0;
    const { json } = await getJson(skillPath);
    expect(json.stations[1]).toMatchObject({ stationId: 'ponte', fetched: false });
    expect(json.stations[1].days[0].skill).toBeCloseTo(896 / 921, 12);
    expect(sourceRequests).toEqual(['/slow']);
  });
});
