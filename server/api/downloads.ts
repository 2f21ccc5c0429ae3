/**
 * Files of a completed cycle to take away: the station series as CSV, the
 * model's own NetCDF output and the maximum flood extent as GeoJSON. Like
 * the products they never change once the cycle completed, so they are
 * cached for a year, and each comes as an attachment named after its site
 * and cycle so that downloads of several cycles do not overwrite each other.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Type } from 'typebox';

import type { Catalog } from '../../activities/catalog.js';
import { out2dPaths } from '../../activities/products/modelOutput.js';
import { ApiError } from './errors.js';
import { ONE_YEAR_MS, completedRun } from './products.js';
import { CycleParams, errorResponses, type TypeBoxProvider } from './schemas.js';

export interface DownloadsOptions {
  catalog: Catalog;
}

const Download = Type.Object({
  name: Type.String({ description: 'the file name under …/downloads/' }),
  description: Type.String(),
  bytes: Type.Integer({ minimum: 0 }),
  mediaType: Type.String(),
  url: Type.String({ description: 'where to get it, relative to the API origin' }),
});

interface CycleDownload {
  name: string;
  description: string;
  mediaType: string;
  bytes: number;
  /** A file in the run directory, or content made from the products. */
  source: { file: string } | { content: string };
}

type Series = (number | null)[];

interface StationsJson {
  times: string[];
  stations: ({ id: string; inMesh: true; elevation: Series; sigWaveHeight?: Series; peakPeriod?: Series; meanWaveDirection?: Series } | { id: string; inMesh: false })[];
}

/** The CSV column of each stations.json series, by its suffix after the station id; the wave ones only for runs with waves. */
const CSV_COLUMNS = [
  ['elevation', 'elevation_m'],
  ['sigWaveHeight', 'sig_wave_height_m'],
  ['peakPeriod', 'peak_period_s'],
  ['meanWaveDirection', 'mean_wave_direction_deg'],
] as const;

/**
 * products/stations.json as CSV (RFC 4180, CRLF line ends): one row per
 * output time, the time then for each in-mesh station its water level and,
 * when the run has waves, its significant wave height, peak period and mean
 * wave direction (coming from, degrees from true north); a value is empty
 * while the station is dry. Station ids are `[A-Za-z0-9_.-]` (core/site.ts),
 * numbers and ISO times hold no comma or quote, so no field needs quoting.
 */
function stationsCsv({ times, stations }: StationsJson): string {
  const columns = stations.flatMap((s) => (s.inMesh ? CSV_COLUMNS.flatMap(([key, suffix]) => (s[key] ? [{ header: `${s.id}_${suffix}`, values: s[key] }] : [])) : []));
  const rows = [['time', ...columns.map((c) => c.header)].join(',')];
  times.forEach((time, k) => rows.push([time, ...columns.map(({ values }) => (values[k] === null ? '' : String(values[k])))].join(',')));
  return `${rows.join('\r\n')}\r\n`;
}

/** The size of a file, null when there is none. */
const fileSize = (path: string) => stat(path).then((s) => (s.isFile() ? s.size : null), () => null);

async function cycleDownloads(runDir: string): Promise<CycleDownload[]> {
  const downloads: CycleDownload[] = [];
  const stationsJson = join(runDir, 'products', 'stations.json');
  if ((await fileSize(stationsJson)) !== null) {
    const stations = JSON.parse(await readFile(stationsJson, 'utf8')) as StationsJson;
    const content = stationsCsv(stations);
    const waves = stations.stations.some((s) => s.inMesh && s.sigWaveHeight);
    const description = waves
      ? 'water level (m), significant wave height (m), peak period (s) and mean wave direction (degrees from true north, coming from) at each station, one row per output time (UTC)'
      : 'water level at each station, m, one row per output time (UTC)';
    downloads.push({ name: 'stations.csv', description, mediaType: 'text/csv', bytes: Buffer.byteLength(content), source: { content } });
  }
  // A completed cycle has model output; were it removed since, the other downloads still stand.
  for (const file of await out2dPaths(runDir).catch(() => [])) {
    downloads.push({ name: basename(file), description: 'model output (SCHISM out2d, UGRID NetCDF), spin-up included', mediaType: 'application/x-netcdf', bytes: (await stat(file)).size, source: { file } });
  }
  const floodMax = join(runDir, 'products', 'flood', 'max.geojson');
  const floodBytes = await fileSize(floodMax);
  if (floodBytes !== null) {
    downloads.push({ name: 'flood-max.geojson', description: 'land flooded at any time of the forecast (GeoJSON, WGS84)', mediaType: 'application/geo+json', bytes: floodBytes, source: { file: floodMax } });
  }
  return downloads;
}

/** `2026-11-25T00:00:00.000Z` → `2026-11-25T00Z` (minutes kept when there are some): no colons, which some file systems refuse. */
function cycleLabel(cycle: string): string {
  const minutes = cycle.slice(14, 16);
  return `${cycle.slice(0, 13)}${minutes === '00' ? '' : minutes}Z`;
}

export const downloadsPlugin: FastifyPluginAsync<DownloadsOptions, RawServerDefault, TypeBoxProvider> = async (app, { catalog }) => {
  const downloadUrl = (siteId: string, cycle: string, name: string) => `/api/sites/${siteId}/cycles/${encodeURIComponent(cycle)}/downloads/${encodeURIComponent(name)}`;

  app.get(
    '/api/sites/:siteId/cycles/:cycle/downloads',
    {
      schema: {
        summary: 'the files of a completed cycle to download: station series (CSV), model output (NetCDF), maximum flood extent (GeoJSON)',
        tags: ['products'],
        params: CycleParams,
        response: { 200: Type.Array(Download), ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { siteId } = request.params;
      const { runDir, cycle } = completedRun(catalog, siteId, request.params.cycle, 'downloads');
      const downloads = await cycleDownloads(runDir);
      void reply.header('cache-control', `public, max-age=${ONE_YEAR_MS / 1000}, immutable`);
      return downloads.map(({ name, description, bytes, mediaType }) => ({ name, description, bytes, mediaType, url: downloadUrl(siteId, cycle, name) }));
    },
  );

  app.get(
    '/api/sites/:siteId/cycles/:cycle/downloads/:name',
    {
      schema: {
        summary: 'one file of a completed cycle, as an attachment named <site>_<cycle>_<name>',
        tags: ['products'],
        params: Type.Object({ ...CycleParams.properties, name: Type.String({ description: 'a name from the cycle’s downloads list' }) }),
        response: { 200: { description: 'the file', content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } } }, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { siteId, name } = request.params;
      const { runDir, cycle } = completedRun(catalog, siteId, request.params.cycle, 'downloads');
      const downloads = await cycleDownloads(runDir);
      const download = downloads.find((d) => d.name === name);
      if (!download) {
        throw new ApiError(404, 'download-not-found', `cycle ${cycle} of site "${siteId}" has no download "${name}" (it has ${downloads.map((d) => d.name).join(', ') || 'none'})`);
      }
      // Every part of the name is a slug, digits or a name from the list above: nothing to escape in the header.
      void reply.header('content-disposition', `attachment; filename="${siteId}_${cycleLabel(cycle)}_${name}"`);
      if ('content' in download.source) {
        return reply.header('cache-control', `public, max-age=${ONE_YEAR_MS / 1000}, immutable`).type(`${download.mediaType}; charset=utf-8`).send(download.source.content);
      }
      return reply.sendFile(basename(download.source.file), dirname(download.source.file), { maxAge: ONE_YEAR_MS, immutable: true });
    },
  );
};
