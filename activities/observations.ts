/**
 * A station's observed water levels, stored per station in the site folder
 * as `<data>/sites/<site>/observations/<station>.json` (the JSON format of
 * core/observations.ts), fetched from the station's HTTP source when needed,
 * and a cycle's skill against them.
 *
 * Uploads and fetches merge into what is stored (newer wins per time). Each
 * store is read, merged and written again under a per-file lock, and the file
 * replaced by a rename, so that two uploads at once both count and a reader
 * never sees half a file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import {
  mergeObservations,
  observationsBetween,
  observationsJson,
  observedLevelAt,
  parseObservationsCsv,
  parseObservationsJson,
  MAX_INTERPOLATION_GAP_MS,
  type ObservationSeries,
} from '../core/observations.js';
import type { SiteStation, StationObservationsSource } from '../core/site.js';
import { leadDaySkill, type LeadDaySkill } from '../core/skill.js';
import { PRODUCTS_DIR } from './products/productFiles.js';

export const OBSERVATIONS_DIR = 'observations';
const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

export function observationsFile(siteDir: string, stationId: string): string {
  return join(siteDir, OBSERVATIONS_DIR, `${stationId}.json`);
}

/** What is stored for a station; an empty series when nothing is. */
export async function readStoredObservations(siteDir: string, stationId: string): Promise<ObservationSeries> {
  const file = observationsFile(siteDir, stationId);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { times: [], levels: [] };
    throw error;
  }
  return parseObservationsJson(JSON.parse(text), file);
}

const storing = new Map<string, Promise<unknown>>();

/** Merges `incoming` into what is stored for the station (incoming wins per time); returns the stored series. */
export function storeObservations(siteDir: string, stationId: string, incoming: ObservationSeries): Promise<ObservationSeries> {
  const file = observationsFile(siteDir, stationId);
  const previous = storing.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async () => {
    const merged = mergeObservations(await readStoredObservations(siteDir, stationId), incoming);
    await mkdir(dirname(file), { recursive: true });
    const partial = `${file}.${randomUUID()}.partial`;
    try {
      await writeFile(partial, JSON.stringify(observationsJson(merged)));
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return merged;
  });
  storing.set(file, next);
  const settled = () => {
    if (storing.get(file) === next) storing.delete(file);
  };
  next.then(settled, settled);
  return next;
}

/** GETs a station's source and reads it; a failure names the URL and what went wrong (status, timeout, bad line). */
export async function fetchObservations(source: StationObservationsSource): Promise<ObservationSeries> {
  const timeoutMs = source.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  let text: string;
  try {
    const response = await fetch(source.url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: source.format === 'csv' ? 'text/csv' : 'application/json' } });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    text = await response.text();
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    throw new Error(`GET ${source.url}: ${reason}`);
  }
  if (source.format === 'csv') return parseObservationsCsv(text, source.url);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source.url}: not JSON (${(error as Error).message})`);
  }
  return parseObservationsJson(value, source.url);
}

export interface StationObservations {
  /** Stored observations from `from` − 1 h to `to` + 1 h (what interpolation at the ends may use). */
  series: ObservationSeries;
  /** Whether the station's source was fetched for them. */
  fetched: boolean;
  /** Why the source could not be fetched; the stored observations are used anyway. */
  fetchProblem: string | null;
}

/**
 * A station's observations around [from, to] (ms). When the stored ones do
 * not span the period and the station has a source, the source is fetched
 * first and what it gives is stored like an upload.
 */
export async function observationsForPeriod(siteDir: string, station: SiteStation, from: number, to: number): Promise<StationObservations> {
  let stored = await readStoredObservations(siteDir, station.id);
  const spans = stored.times.length > 0 && stored.times[0] <= from && stored.times[stored.times.length - 1] >= to;
  let fetched = false;
  let fetchProblem: string | null = null;
  if (!spans && station.observations) {
    try {
      stored = await storeObservations(siteDir, station.id, await fetchObservations(station.observations));
      fetched = true;
    } catch (error) {
      fetchProblem = (error as Error).message;
    }
  }
  return { series: observationsBetween(stored, from - MAX_INTERPOLATION_GAP_MS, to + MAX_INTERPOLATION_GAP_MS), fetched, fetchProblem };
}

/** The part of products/stations.json the skill needs (layout: activities/products/stations.ts). */
interface StationsProduct {
  times: string[];
  stations: ({ id: string; inMesh: true; elevation: (number | null)[] } | { id: string; inMesh: false })[];
}

export interface StationSkill {
  stationId: string;
  name: string;
  /** Observations within the forecast period (at or between output times). */
  observations: number;
  fetched: boolean;
  fetchProblem: string | null;
  days: LeadDaySkill[];
}

/**
 * The skill of a completed cycle's forecast at each station that has
 * observations (stored, or a source to fetch them from) and a forecast
 * series: per lead-time day, the forecast output times with both a forecast
 * and an observation (core/observations.ts observedLevelAt) are the pairs.
 */
export async function cycleSkill(runDir: string, siteDir: string, stations: readonly SiteStation[], cycle: string): Promise<StationSkill[]> {
  const product = JSON.parse(await readFile(join(runDir, PRODUCTS_DIR, 'stations.json'), 'utf8')) as StationsProduct;
  const times = product.times.map((t) => Date.parse(t));
  const cycleTime = Date.parse(cycle);
  const from = cycleTime;
  const to = Math.max(cycleTime, ...times);
  // Sources are fetched at once, so that slow ones wait for one timeout together rather than one after the other.
  const skills = await Promise.all(
    product.stations.map(async (forecast): Promise<StationSkill | undefined> => {
      const station = stations.find((s) => s.id === forecast.id);
      if (!station || !forecast.inMesh) return undefined;
      const { series, fetched, fetchProblem } = await observationsForPeriod(siteDir, station, from, to);
      if (series.times.length === 0 && !station.observations) return undefined;
      return {
        stationId: station.id,
        name: station.name,
        observations: observationsBetween(series, from, to).levels.filter((v) => v !== null).length,
        fetched,
        fetchProblem,
        days: leadDaySkill(cycleTime, times, forecast.elevation, (t) => observedLevelAt(series, t)),
      };
    }),
  );
  return skills.filter((skill) => skill !== undefined);
}
