/**
 * The forcing a cycle falls back to when its own did not arrive by the
 * deadline: the newest one of the same kind fetched for an earlier cycle of
 * the site that still covers this cycle's run (its period, its box, its
 * variables). Earlier cycles' forcings stay in their cache directories
 * (`<runs>/<site>/<cycle stamp>.forcing/<kind>.nc`, prepareRun.ts forcingCacheDirFor), so the
 * search is a look through those, newest first, validating each candidate
 * against this cycle's request.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { cycleOfForcingCache } from '../prepareRun.js';
import type { ForcingFile, ForcingRequest } from './source.js';
import { validateForcingFile } from './validate.js';

export interface EarlierForcing {
  file: ForcingFile;
  /** The cycle it was fetched for, ISO 8601. */
  cycle: string;
  /** The source it came from (the cache record's description). */
  source: string;
}

/** The newest earlier cycle's `kind` forcing in `siteRunsDir` that covers `request`; undefined when none does. */
export async function newestEarlierForcing(siteRunsDir: string, cycle: Date, request: ForcingRequest): Promise<EarlierForcing | undefined> {
  let names: string[];
  try {
    names = await readdir(siteRunsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const earlier = names
    .map((name) => ({ name, cycle: cycleOfForcingCache(name) }))
    .filter((c): c is { name: string; cycle: Date } => c.cycle !== undefined && c.cycle.getTime() < cycle.getTime())
    .sort((a, b) => b.cycle.getTime() - a.cycle.getTime());
  for (const candidate of earlier) {
    const found = await cachedForcing(join(siteRunsDir, candidate.name), request);
    if (found) return { ...found, cycle: candidate.cycle.toISOString() };
  }
  return undefined;
}

/** A cycle cache's file of the requested kind when its record names the variables asked for and the file covers the request. */
async function cachedForcing(cacheDir: string, request: ForcingRequest): Promise<Omit<EarlierForcing, 'cycle'> | undefined> {
  const { kind } = request;
  let record: { source?: unknown; kind?: unknown; variables?: unknown };
  try {
    record = JSON.parse(await readFile(join(cacheDir, `${kind}.request.json`), 'utf8'));
  } catch {
    return undefined;
  }
  const variables = record.variables as Record<string, string> | undefined;
  if (record.kind !== kind || typeof record.source !== 'string' || !variables || !request.variables.every((v) => typeof variables[v] === 'string')) return undefined;
  try {
    const file = await validateForcingFile(join(cacheDir, `${kind}.nc`), request, variables);
    return { file, source: record.source };
  } catch {
    // Too short, too small or damaged for this cycle: an older one may still do.
    return undefined;
  }
}
