/**
 * Atmospheric, ocean and wave forcing behind one interface. A source only
 * knows how to bring a NetCDF file to a path (an origin: a file on disk, an
 * NCSS server); what every source shares lives here, once: the cycle cache,
 * validation of what arrived, and publishing it into the cache atomically.
 *
 * The cache is one directory per cycle. `<kind>.nc` is only ever written by a
 * rename of a validated `<kind>.nc.partial`, and `<kind>.request.json` beside
 * it records the request it answers, so a retried activity reuses the file
 * instead of fetching it again, and the cycle's inputs do not change under it.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { FileForcingOrigin } from './fileSource.js';
import { NcssForcingOrigin } from './ncssSource.js';
import { ForcingValidationError, requestProblems, validateForcingFile } from './validate.js';

export type ForcingKind = 'atmosphere' | 'ocean' | 'waves';

/** Degrees east and north (WGS84). A box across the antimeridian has east < west. */
export interface BoundingBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

export interface ForcingRequest {
  kind: ForcingKind;
  /** Our names for the fields (e.g. uwind, vwind, prmsl); a source may map them to its own. */
  variables: string[];
  bbox: BoundingBox;
  start: Date;
  end: Date;
}

/** A forcing file in the cycle cache that has passed validation for its request. */
export interface ForcingFile {
  path: string;
  /** Each requested variable and its name in the file. */
  variables: Record<string, string>;
  /** Times of the first requested variable: increasing, covering the request. */
  times: Date[];
  /** Extent of the file's lon/lat grid, in the file's own longitude convention. */
  coverage: BoundingBox;
}

export interface ForcingSource {
  /** Names the origin (a path or URL), for provenance. */
  readonly description: string;
  fetch(request: ForcingRequest, cacheDir: string, signal?: AbortSignal): Promise<ForcingFile>;
}

export type ForcingSourceConfig =
  | { type: 'file'; path: string }
  | {
      type: 'ncss';
      /** The dataset's NCSS endpoint, e.g. https://host/thredds/ncss/grid/<dataset path>. */
      url: string;
      /** Per attempt, body included (default 120 s). */
      timeoutMs?: number;
      /** Attempts after the first one (default 3). */
      retries?: number;
      /** First backoff delay, doubled at each retry (default 1 s). */
      retryDelayMs?: number;
      /** Our variable name → the dataset's name, for those that differ. */
      variableNames?: Record<string, string>;
    };

/** Where forcing bytes come from; the source around it caches and validates. */
export interface ForcingOrigin {
  readonly description: string;
  /** Our variable name → the name the origin's file uses. */
  readonly variableNames: Record<string, string>;
  /** Writes the origin's file for the request at `target`; on failure `target` may be left for the caller to remove. */
  retrieve(request: ForcingRequest, target: string, signal?: AbortSignal): Promise<void>;
}

export function createForcingSource(config: ForcingSourceConfig): ForcingSource {
  switch (config.type) {
    case 'file':
      return new CachedForcingSource(new FileForcingOrigin(config.path));
    case 'ncss':
      return new CachedForcingSource(new NcssForcingOrigin(config));
  }
}

/** What `<kind>.request.json` holds: enough to tell whether the cached file answers a request. */
interface CacheRecord {
  source: string;
  kind: ForcingKind;
  variables: Record<string, string>;
  bbox: BoundingBox;
  start: string;
  end: string;
}

class CachedForcingSource implements ForcingSource {
  readonly description: string;

  constructor(private readonly origin: ForcingOrigin) {
    this.description = origin.description;
  }

  async fetch(request: ForcingRequest, cacheDir: string, signal?: AbortSignal): Promise<ForcingFile> {
    const problems = requestProblems(request);
    if (problems.length > 0) throw new ForcingValidationError(`${request.kind} forcing request`, problems);
    const variables = Object.fromEntries(request.variables.map((v) => [v, this.origin.variableNames[v] ?? v]));
    const record: CacheRecord = {
      source: this.description,
      kind: request.kind,
      variables,
      bbox: { west: request.bbox.west, south: request.bbox.south, east: request.bbox.east, north: request.bbox.north },
      start: request.start.toISOString(),
      end: request.end.toISOString(),
    };
    const file = join(cacheDir, `${request.kind}.nc`);
    const recordPath = join(cacheDir, `${request.kind}.request.json`);

    await mkdir(cacheDir, { recursive: true });
    const cached = await this.reuse(file, recordPath, record, request);
    if (cached) return cached;

    const partial = `${file}.partial`;
    await rm(partial, { force: true });
    let validated: ForcingFile;
    try {
      await this.origin.retrieve(request, partial, signal);
      signal?.throwIfAborted();
      validated = await validateForcingFile(partial, request, variables, `${request.kind} forcing from ${this.description}`);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    // The record goes first so that a crash between the two steps leaves a file no later fetch trusts.
    await rm(recordPath, { force: true });
    await rename(partial, file);
    await writeFile(`${recordPath}.partial`, `${JSON.stringify(record, null, 2)}\n`);
    await rename(`${recordPath}.partial`, recordPath);
    return { ...validated, path: file };
  }

  /** The cached file when it was made for this very request and still validates. */
  private async reuse(file: string, recordPath: string, record: CacheRecord, request: ForcingRequest): Promise<ForcingFile | undefined> {
    let recorded: string;
    try {
      recorded = await readFile(recordPath, 'utf8');
    } catch {
      return undefined;
    }
    if (recorded.trim() !== JSON.stringify(record, null, 2)) return undefined;
    try {
      return await validateForcingFile(file, request, record.variables);
    } catch {
      return undefined;
    }
  }
}
