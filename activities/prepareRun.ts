/**
 * The "prepare run directory" step of a forecast cycle: from a site, a cycle
 * time and the fetched forcings, the SCHISM run directory
 * (ARCHITECTURE.md, "Contract: the run directory") that the built-in model
 * or SCHISM runs:
 *
 *   <dataDir>/runs/<siteId>/<cycle stamp>/   stamp `2026-11-25T0000Z` (runStamp)
 *     hgrid.gr3     the site's mesh (hard link, or a copy across file systems)
 *     param.nml     core/schism/param.ts formatParam, settings below
 *     bctides.in    the tide at the open boundaries (core/tide/boundaryTide.ts)
 *     manning.gr3   the site's Manning n at every node (nchi = −1)
 *     sflux/        wind and pressure from the atmosphere forcing (nws = 2)
 *     waves.th.nc   the sea state at the open-boundary nodes (icou_elfe_wwm = 1)
 *     hotstart.nc   the previous cycle's state, for a hot start (ihot = 1)
 *     run.json      provenance (RunRecord), with the mesh's SHA-256 and how the run started
 *
 * Timing. A cold start begins spinUpHours before the cycle, at rest, with the
 * boundary tide and the wind ramped in over the first half of the spin-up
 * (dramp = spin-up/2: tanh(4) leaves the forcing at 99.9 % at the cycle
 * time); with no spin-up there is no ramp. A hot start begins at the cycle
 * from hotstart.nc with ihot = 1: time restarts at 0, which is also where
 * SCHISM restarts its ramps, so they are off (the state already carries the
 * forcing). Either run ends forecastHours after the cycle.
 *
 * Outputs. out2d files hold fileHours = gcd(24, spin-up hours) each (24 h
 * without spin-up; with the default 24 h spin-up, one file per day, the
 * first one the spin-up), so a file boundary falls on the cycle time and on
 * cycle + 24 h, where the model writes the hot start the next day's cycle
 * starts from (nhot_write, a multiple of ihfskip as SCHISM requires). When
 * fileHours is not a whole number of output intervals (dt × nspool) no such
 * split exists: the run is one file and writes no hot start at cycle + 24 h.
 *
 * Hot-start chaining (chooseRunStart). A cycle starts from the previous
 * day's cycle (cycle − 24 h) when that run left a hot start whose state is
 * at this cycle's time (its model time from the run's start, read from the
 * file, not assumed) and was made on the same mesh (SHA-256 of hgrid.gr3) by
 * the same model (software name and version: a hot start is the model's own
 * state, and another version may read it differently). Otherwise it is a cold
 * start spinUpHours before the cycle, and run.json says why.
 *
 * Inputs. An atlas tide's `path` is taken relative to the data directory
 * when it is not absolute. The atmosphere file (a forcing source's validated
 * file: wind at 10 m and sea-level pressure, time first, on a lon/lat grid)
 * is converted to one sflux stack holding the records that bracket the run;
 * on a projected mesh (ics = 1) it is left out and reported in `omitted`,
 * since the built-in model reads sflux only with ics = 2.
 *
 * Waves. A wave forcing file (hs, tp, dir on a regular lon/lat grid, time
 * first) is interpolated at every open-boundary node, for its own records
 * that bracket the run: bilinear in lon/lat, Hs and Tp as scalars, the
 * direction as a unit vector (so 350° and 10° give 0°, not 180°). Grid
 * points that are land (NaN or fill at any of those records) are left out
 * of a node's cell and the others weighted up; with no sea point in the
 * cell, the nearest sea point of the cells around it stands in. A constant
 * sea state (the site config's) holds at every node for the whole run. On a
 * projected mesh the direction is turned from true north to grid north,
 * which the model measures from. A site with wave forcing whose forcing
 * did not arrive runs without waves (the cycle is marked degraded for it).
 *
 * The directory is built as `<run>.partial` and renamed into place, so it is
 * complete or absent. Preparing again with the same inputs (run.json's
 * `inputs`) returns the directory as it is: a retried activity does not
 * rebuild it under a model job that may already be running. Different inputs
 * rebuild it, unless something other than what this step writes is in it
 * (model outputs, a job's files): those are never deleted, and that is an
 * error.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { meshCrs, meshToLonLat } from '../core/crs.js';
import { projectVersion } from '../core/project.js';
import { loadMesh, writeGr3Property } from '../core/mesh/gr3.js';
import { openNetcdf, type NetcdfFile } from '../core/netcdf/reader.js';
import type { NcData } from '../core/netcdf/types.js';
import { formatBctides, parseBctides } from '../core/schism/bctides.js';
import { readHotstart } from '../core/schism/hotstart.js';
import { formatParam, PARAM_KEYS, type ParamSettings } from '../core/schism/param.js';
import { SfluxAirWriter, sfluxAirFileName, writeSfluxInputs } from '../core/schism/sflux.js';
import { openBoundaryNodes } from '../core/schism/elev2dTh.js';
import { WAVES_TH, writeWavesTh, type WaveBoundarySeries } from '../core/schism/wavesTh.js';
import { WAVE_FORCING_FIELDS, WAVE_STEP_DEFAULTS, type Site } from '../core/site.js';
import { atlasBoundaryConstants, boundaryBctides, harmonicBoundaryConstants, type NodeLonLat } from '../core/tide/boundaryTide.js';
import type { SiteRecord } from './catalog.js';
import { missingTest, unpacking, VALUE_RULES } from './forcing/validate.js';
import { gridNorthBearings } from './products/waves.js';

/** Manning's n when the site gives none: a common value for sandy coastal beds, s m^-1/3. */
export const DEFAULT_MANNING = 0.025;

const HOUR_MS = 3_600_000;

/** What this step writes in a run directory; anything else there came from a model job. */
const RUN_INPUTS = ['hgrid.gr3', 'param.nml', 'bctides.in', 'manning.gr3', 'sflux', WAVES_TH, 'hotstart.nc', 'run.json'];

/** A fetched forcing file (activities/forcing ForcingFile carries these). */
export interface RunForcing {
  path: string;
  /** Our variable name → its name in the file, for those that differ (uwind, vwind, prmsl for the atmosphere; hs, tp, dir for waves). */
  variables?: Record<string, string>;
  /** Where the file came from (a path or URL), for provenance. */
  origin?: string;
}

/** How a run starts: from the previous cycle's hot start, or at rest spinUpHours before the cycle (and why). */
export type RunStart =
  | { kind: 'hot'; /** The previous cycle (ISO). */ from: string; runDir: string; /** The hot start file it wrote at this cycle's time. */ hotstart: string }
  | { kind: 'cold'; spinUpHours: number; reason: string };

export interface PrepareRunInput {
  dataDir: string;
  site: SiteRecord;
  /** The cycle time: the forecast's start (an ISO string once it has crossed a workflow). */
  cycle: Date | string;
  forcings?: { atmosphere?: RunForcing; waves?: RunForcing };
  /** From chooseRunStart; without it the run is a cold start with the site's spin-up. */
  start?: RunStart;
}

export interface PreparedRun {
  runDir: string;
  /** ISO times: the cycle, model time 0 and the end of the run. */
  cycle: string;
  start: string;
  end: string;
  initialState: RunStart;
  /** The hot start the run writes for the next day's cycle (cycle + 24 h), relative to runDir; null when it writes none. */
  nextHotstart: { time: string; file: string } | null;
  /** Where the sea state at the open boundary comes from (a forcing's origin, or the site's constant one); null for a run without waves. */
  waves: string | null;
  /** Forcings given but left out of the run, each with the reason. */
  omitted: { forcing: string; reason: string }[];
  /** True when the directory was already prepared with the same inputs and returned as it was. */
  reused: boolean;
}

/** run.json. */
export interface RunRecord {
  /** What the directory is made from; the same inputs give the same directory. */
  inputs: {
    site: Site;
    cycle: string;
    hotstart: string | null;
    forcings: { atmosphere: RunForcing | null; waves: RunForcing | null };
  };
  run: Omit<PreparedRun, 'reused' | 'runDir'>;
  /** The mesh the run was made on: a hot start fits only the same mesh. */
  mesh: { sha256: string };
  software: { name: string; version: string };
  createdAt: string;
}

export class RunPreparationError extends Error {
  override name = 'RunPreparationError';
}

/** `2026-11-25T0000Z`: the cycle time to the minute, without the colons some file systems refuse. */
export function runStamp(cycle: Date): string {
  if (Number.isNaN(cycle.getTime())) throw new RunPreparationError('the cycle is not a valid time');
  if (cycle.getTime() % 60_000 !== 0) throw new RunPreparationError(`cycle ${cycle.toISOString()}: a cycle time must be on a whole minute`);
  const iso = cycle.toISOString();
  return `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

export function runDirFor(dataDir: string, siteId: string, cycle: Date): string {
  return join(resolve(dataDir), 'runs', siteId, runStamp(cycle));
}

const FORCING_CACHE_SUFFIX = '.forcing';
const FORCING_CACHE_NAME = /^(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})Z\.forcing$/;

/** A cycle's fetched forcings: beside its run directory (`<stamp>.forcing`), so that preparing the run again keeps them. */
export function forcingCacheDirFor(dataDir: string, siteId: string, cycle: Date): string {
  return runDirFor(dataDir, siteId, cycle) + FORCING_CACHE_SUFFIX;
}

/** The cycle of a forcing cache folder's name (forcingCacheDirFor); undefined for any other name. */
export function cycleOfForcingCache(name: string): Date | undefined {
  const match = FORCING_CACHE_NAME.exec(name);
  return match ? new Date(`${match[1]}T${match[2]}:${match[3]}:00Z`) : undefined;
}

export async function prepareRun(input: PrepareRunInput): Promise<PreparedRun> {
  const cycle = new Date(input.cycle);
  const site = input.site.config;
  const runDir = runDirFor(input.dataDir, site.id, cycle);
  const atmosphere = input.forcings?.atmosphere ?? null;
  const waves = input.forcings?.waves ?? null;
  const start = input.start ?? { kind: 'cold', spinUpHours: site.schedule.spinUpHours, reason: 'no hot start was looked for' };
  const inputs: RunRecord['inputs'] = {
    site,
    cycle: cycle.toISOString(),
    hotstart: start.kind === 'hot' ? resolve(start.hotstart) : null,
    forcings: { atmosphere: atmosphere && { ...atmosphere, path: resolve(atmosphere.path) }, waves: waves && { ...waves, path: resolve(waves.path) } },
  };
  const existing = await readRunRecord(runDir);
  if (existing && JSON.stringify(existing.inputs) === JSON.stringify(inputs)) return { runDir, ...existing.run, reused: true };
  if (existsSync(runDir)) {
    const foreign = (await readdir(runDir)).filter((name) => !RUN_INPUTS.includes(name));
    if (foreign.length > 0) {
      throw new RunPreparationError(
        `${runDir}: already prepared from other inputs, and it holds ${foreign.join(', ')} from a model job, which is never deleted; remove the directory by hand to prepare it again`,
      );
    }
  }

  const partial = `${runDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    const run = await build(partial, input, inputs, cycle, start);
    const record: RunRecord = { inputs, run, mesh: { sha256: await fileSha256(join(partial, 'hgrid.gr3')) }, software: runSoftware(), createdAt: new Date().toISOString() };
    await writeFile(join(partial, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
    await install(partial, runDir);
    return { runDir, ...run, reused: false };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

async function build(dir: string, input: PrepareRunInput, inputs: RunRecord['inputs'], cycle: Date, initialState: RunStart): Promise<RunRecord['run']> {
  const site = inputs.site;
  const { dt, nspool } = site.model;
  const coldStart = initialState.kind === 'cold';
  const spinUpHours = initialState.kind === 'cold' ? initialState.spinUpHours : 0;
  const start = new Date(cycle.getTime() - spinUpHours * HOUR_MS);
  const end = new Date(cycle.getTime() + site.schedule.forecastHours * HOUR_MS);

  const meshFile = join(dir, 'hgrid.gr3');
  const siteMesh = join(input.site.dir, 'hgrid.gr3');
  await link(siteMesh, meshFile).catch(() => copyFile(siteMesh, meshFile));
  const mesh = await loadMesh(meshFile, { ics: site.coordinates.ics });
  const crs = meshCrs(site.coordinates);
  const nodes = meshToLonLat(crs, mesh.x, mesh.y);

  const constants = site.tide.type === 'harmonic'
    ? harmonicBoundaryConstants(site.tide, mesh)
    : await atlasBoundaryConstants(site.tide, resolve(input.dataDir, site.tide.path), mesh, nodes);
  const bctides = formatBctides(boundaryBctides(constants, { start, end }));
  parseBctides(bctides, join(dir, 'bctides.in'), mesh);
  await writeFile(join(dir, 'bctides.in'), bctides);

  await writeGr3Property(join(dir, 'manning.gr3'), mesh, new Float64Array(mesh.x.length).fill(site.model.manning ?? DEFAULT_MANNING), `Manning n, ${site.id}`);

  const omitted: RunRecord['run']['omitted'] = [];
  let nws: 0 | 2 = 0;
  if (inputs.forcings.atmosphere) {
    if (site.coordinates.ics === 1) {
      omitted.push({ forcing: 'atmosphere', reason: 'the built-in model reads sflux only on a lon/lat mesh (ics = 2)' });
    } else {
      await mkdir(join(dir, 'sflux'));
      await writeSflux(inputs.forcings.atmosphere, join(dir, 'sflux'), nodes, start, end);
      nws = 2;
    }
  }

  const boundary = openBoundaryNodes(mesh);
  const boundaryLon = Float64Array.from(boundary, (n) => nodes.lon[n]);
  const boundaryLat = Float64Array.from(boundary, (n) => nodes.lat[n]);
  const seaState = await boundaryWaves(site, inputs.forcings.waves, { lon: boundaryLon, lat: boundaryLat }, boundary, gridNorthBearings(crs, boundaryLon, boundaryLat), start, end);
  if (seaState) {
    // Wind sea grows from sflux: without it (no atmosphere, or a projected mesh) there is no wind to grow it from.
    const step = { ...WAVE_STEP_DEFAULTS, ...site.model.waves };
    await writeWavesTh(join(dir, WAVES_TH), mesh, seaState.series, { ...step, windSea: step.windSea && nws === 2 });
  }

  if (inputs.hotstart !== null) {
    const target = join(dir, 'hotstart.nc');
    await copyFile(inputs.hotstart, target).catch((error: NodeJS.ErrnoException) => {
      throw new RunPreparationError(error.code === 'ENOENT' ? `${inputs.hotstart}: missing; the hot start was asked for` : `${inputs.hotstart}: ${error.message}`);
    });
    await readHotstart(target, mesh).catch((error: Error) => {
      throw new RunPreparationError(`${inputs.hotstart}: ${error.message.replace(`${target}: `, '')}`);
    });
  }

  const plan = outputPlan(dt, nspool, spinUpHours);
  const rampDays = spinUpHours / 48;
  const settings: ParamSettings = {
    rnday: (spinUpHours + site.schedule.forecastHours) / 24,
    dt,
    nspool,
    ihfskip: plan.ihfskip ?? nspool * Math.ceil((end.getTime() - start.getTime()) / 1000 / dt / nspool),
    start,
    utcStart: 0,
    ics: site.coordinates.ics,
    ihot: coldStart ? 0 : 1,
    icElev: 0,
    h0: site.model.h0 ?? schismDefault('h0'),
    dramp: rampDays,
    nchi: -1,
    hminMan: schismDefault('hmin_man'),
    ...coriolis(site, nodes),
    nws,
    wtiminc: dt,
    drampwind: rampDays,
    nhot: plan.ihfskip === undefined ? 0 : 1,
    nhotWrite: plan.nhotWrite ?? schismDefault('nhot_write'),
    waves: seaState !== undefined,
    output: { elevation: true, depthAverageVel: true },
  };
  await writeFile(join(dir, 'param.nml'), formatParam(settings));

  const hotstartTime = new Date(cycle.getTime() + 24 * HOUR_MS);
  const nextHotstart = plan.nhotWrite !== undefined && hotstartTime.getTime() <= end.getTime()
    ? { time: hotstartTime.toISOString(), file: join('outputs', `hotstart_000000_${plan.nhotWrite}.nc`) }
    : null;
  return { cycle: cycle.toISOString(), start: start.toISOString(), end: end.toISOString(), initialState, nextHotstart, waves: seaState?.source ?? null, omitted };
}

const DAY_MS = 24 * HOUR_MS;

function runSoftware(): RunRecord['software'] {
  return { name: 'coastcast', version: projectVersion() };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * How a site's cycle starts (module comment, "Hot-start chaining"): hot from
 * the previous daily cycle's hot start when it is at this cycle's time, on
 * the same mesh and from the same model; cold otherwise, with the reason.
 */
export async function chooseRunStart(dataDir: string, site: SiteRecord, cycleTime: Date | string): Promise<RunStart> {
  const cycle = new Date(cycleTime);
  const cold = (reason: string): RunStart => ({ kind: 'cold', spinUpHours: site.config.schedule.spinUpHours, reason });
  const previous = new Date(cycle.getTime() - DAY_MS);
  const runDir = runDirFor(dataDir, site.config.id, previous);
  const record = await readRunRecord(runDir);
  if (!record) return cold(`no previous cycle (${previous.toISOString()}) was prepared`);
  if (record.mesh?.sha256 !== (await fileSha256(join(site.dir, 'hgrid.gr3')))) return cold(`mesh changed since the previous cycle (${previous.toISOString()})`);
  const software = runSoftware();
  if (record.software.name !== software.name || record.software.version !== software.version) {
    return cold(`model changed since the previous cycle (${record.software.name} ${record.software.version}, now ${software.name} ${software.version})`);
  }
  // Without a hot start planned at cycle + 24 h, the run's end state may still be at this cycle's time.
  const file = join(runDir, record.run.nextHotstart?.file ?? join('outputs', 'hotstart.nc'));
  if (!existsSync(file)) return cold(`the previous cycle (${previous.toISOString()}) left no hot start (${file}): its model run did not get that far`);
  let at: Date;
  try {
    at = new Date(Date.parse(record.run.start) + (await hotstartSeconds(file)) * 1000);
  } catch (error) {
    return cold(`the previous cycle's hot start ${file} is unreadable: ${(error as Error).message}`);
  }
  if (at.getTime() !== cycle.getTime()) return cold(`the previous cycle's hot start is at ${at.toISOString()}, not at the cycle time ${cycle.toISOString()}`);
  return { kind: 'hot', from: previous.toISOString(), runDir, hotstart: file };
}

/** A hot start's model time, seconds from its run's start (SCHISM's `time`). */
async function hotstartSeconds(path: string): Promise<number> {
  const file = await openNetcdf(path);
  try {
    const time = Number((await file.read('time'))[0]);
    if (!Number.isFinite(time)) throw new Error('its time is not a number');
    return time;
  } finally {
    await file.close();
  }
}

/** ihfskip and nhot_write in steps (see the module comment); both undefined when the output interval does not divide the file length. */
function outputPlan(dt: number, nspool: number, spinUpHours: number): { ihfskip?: number; nhotWrite?: number } {
  const fileHours = gcd(24, spinUpHours);
  const fileSteps = (fileHours * 3600) / dt;
  if (!Number.isInteger(fileSteps) || fileSteps % nspool !== 0) return {};
  return { ihfskip: fileSteps, nhotWrite: ((spinUpHours + 24) * 3600) / dt };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Coriolis from each node's latitude on a lon/lat mesh; from the mesh's mean latitude on a projected one (SCHISM's ncor = 1 needs ics = 2). */
function coriolis(site: Site, nodes: NodeLonLat): Pick<ParamSettings, 'ncor' | 'coricoef' | 'rlatitude'> {
  if (site.coordinates.ics === 2) return { ncor: 1, coricoef: 0, rlatitude: schismDefault('rlatitude') };
  let sum = 0;
  for (let n = 0; n < nodes.lat.length; n++) sum += nodes.lat[n];
  return { ncor: -1, coricoef: 0, rlatitude: sum / nodes.lat.length };
}

function schismDefault(key: string): number {
  const value = PARAM_KEYS.find((k) => k.key === key)?.default;
  if (value === undefined) throw new Error(`param.nml: ${key} has no SCHISM default`);
  return value;
}

async function readRunRecord(runDir: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** Puts the built directory in place; an earlier one (other inputs, nothing from a job) is swapped out and removed. */
async function install(partial: string, runDir: string): Promise<void> {
  // Left by a crash between the two renames below: the run directory it held has been rebuilt since.
  const replaced = `${runDir}.replaced`;
  await rm(replaced, { recursive: true, force: true });
  if (!existsSync(runDir)) {
    await rename(partial, runDir);
    return;
  }
  await rename(runDir, replaced);
  try {
    await rename(partial, runDir);
  } catch (error) {
    await rename(replaced, runDir);
    throw error;
  }
  await rm(replaced, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// Forcing files: fields on a lon/lat grid, time first, as a forcing source
// validated them (activities/forcing/validate.ts), packed ones (CF
// scale_factor, add_offset: Copernicus Marine stores its fields as 16-bit
// integers) unpacked; what reading them for the atmosphere and for waves shares.

/** Units read, as the factor to ours (m s-1, Pa, m, s, degrees); a variable without units is taken as ours. */
const FIELD_UNITS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  uwind: { 'm s-1': 1, 'm/s': 1, 'm s**-1': 1, 'm.s-1': 1, 'meters/second': 1 },
  vwind: { 'm s-1': 1, 'm/s': 1, 'm s**-1': 1, 'm.s-1': 1, 'meters/second': 1 },
  prmsl: { pa: 1, hpa: 100, mbar: 100, millibar: 100, mb: 100 },
  hs: { m: 1, meters: 1, metres: 1, meter: 1, metre: 1 },
  tp: { s: 1, seconds: 1, second: 1, sec: 1 },
  dir: { degree: 1, degrees: 1, degree_true: 1, degrees_true: 1, deg: 1 },
};

interface ForcingFields<F extends string> {
  nc: NetcdfFile;
  /** Each of our fields' variable in the file. */
  names: Record<F, string>;
  grid: ForcingGrid;
  times: Date[];
  /** The records that bracket the run: times[first] ≤ start, times[last] ≥ end. */
  first: number;
  last: number;
  /** Added to the grid's longitudes, it puts them in the convention of the mesh's nodes. */
  shift: number;
  /** A field's stored values to ours: unpacked, in our units. */
  toOurs: Record<F, (stored: number) => number>;
  /** A field as messages name it: 'VHM0' (hs). */
  label: (field: F) => string;
  fail: (message: string) => RunPreparationError;
}

/**
 * Opens a forcing file and checks what both readers need: the fields on one
 * (time, y, x) grid, in known units, with records bracketing the
 * run and a grid over `nodes`, those the forcing is needed at (every node
 * for the atmosphere, the open boundary's for waves). The caller closes `nc`.
 */
async function openForcingFields<F extends string>(kind: string, forcing: RunForcing, fields: readonly F[], nodes: NodeLonLat, start: Date, end: Date): Promise<ForcingFields<F>> {
  const fail = (message: string) => new RunPreparationError(`${kind} forcing ${forcing.path}${forcing.origin ? ` (from ${forcing.origin})` : ''}: ${message}`);
  let nc: NetcdfFile;
  try {
    nc = await openNetcdf(forcing.path);
  } catch (error) {
    throw fail((error as Error).message.replace(`${forcing.path}: `, ''));
  }
  try {
    const names = Object.fromEntries(fields.map((f) => [f, forcing.variables?.[f] ?? f])) as Record<F, string>;
    const label = (f: F) => (names[f] === f ? `'${f}'` : `'${names[f]}' (${f})`);
    for (const f of fields) if (!nc.hasVariable(names[f])) throw fail(`no variable ${label(f)} (variables: ${nc.variables.map((v) => v.name).join(', ')})`);
    const grid = await forcingGrid(nc, fail);
    const timeDim = nc.variable(names[fields[0]]).dimensions[0];
    for (const f of fields) {
      const name = names[f];
      const dims = nc.variable(name).dimensions;
      if (dims.join() !== [timeDim, ...grid.dims].join()) throw fail(`variable ${label(f)} has dimensions (${dims.join(', ')}); expected (${[timeDim, ...grid.dims].join(', ')})`);
    }
    const times = await nc.readTimes(timeDim);
    const first = times.findLastIndex((t) => t.getTime() <= start.getTime());
    const last = times.findIndex((t) => t.getTime() >= end.getTime());
    if (first < 0 || last < 0) {
      const covered = times.length > 0 ? `${times[0].toISOString()} to ${times[times.length - 1].toISOString()}` : 'no times';
      throw fail(`covers ${covered}; the run needs ${start.toISOString()} to ${end.toISOString()}`);
    }
    const mesh = extent(nodes);
    const shift = longitudeShift(grid, mesh);
    if (shift === undefined) {
      throw fail(`its grid (lon ${grid.lonMin}..${grid.lonMax}, lat ${grid.latMin}..${grid.latMax}) does not cover the nodes it forces (lon ${mesh.west}..${mesh.east}, lat ${mesh.south}..${mesh.north})`);
    }
    const toOurs = Object.fromEntries(fields.map((f) => {
      const unpack = unpacking(nc, nc.variable(names[f]));
      const factor = unitFactor(nc, f, names[f], fail);
      return [f, (stored: number) => unpack(stored) * factor];
    })) as Record<F, (stored: number) => number>;
    return { nc, names, grid, times, first, last, shift, toOurs, label, fail };
  } catch (error) {
    await nc.close();
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Atmosphere: wind at 10 m and sea-level pressure → sflux/sflux_air_1.0001.nc,
// the records that cover the run, rows south to north and longitudes in the
// mesh's convention.

const ATMOSPHERE_FIELDS = ['uwind', 'vwind', 'prmsl'] as const;
type AtmosphereField = (typeof ATMOSPHERE_FIELDS)[number];

async function writeSflux(forcing: RunForcing, dir: string, nodes: NodeLonLat, start: Date, end: Date): Promise<void> {
  const { nc, names, grid, times, first, last, shift, toOurs, fail } = await openForcingFields('atmosphere', forcing, ATMOSPHERE_FIELDS, nodes, start, end);
  try {
    const writer = await SfluxAirWriter.create(join(dir, sfluxAirFileName(1)), { nx: grid.nx, ny: grid.ny, lon: grid.lon.map((x) => x + shift), lat: grid.lat }, times[first]);
    try {
      for (let k = first; k <= last; k++) {
        const fields = {} as Record<AtmosphereField, Float32Array>;
        for (const f of ATMOSPHERE_FIELDS) fields[f] = gridValues(nc, names[f], await nc.readRecord(names[f], k), grid, toOurs[f], times[k], fail);
        await writer.appendRecord(times[k], fields);
      }
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    await writeSfluxInputs(dir);
  } finally {
    await nc.close();
  }
}

interface ForcingGrid {
  /** The fields' grid dimensions, (y, x). */
  dims: string[];
  nx: number;
  ny: number;
  /** Row-major (ny, nx), rows south to north. */
  lon: Float64Array;
  lat: Float64Array;
  /** The file's rows run north to south and are reversed. */
  flipped: boolean;
  /** A regular grid's axes (1-D longitude and latitude), latitudes south to north. */
  axes?: { lon: Float64Array; lat: Float64Array };
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

async function forcingGrid(nc: NetcdfFile, fail: (message: string) => Error): Promise<ForcingGrid> {
  const coordinate = async (names: string[]) => {
    const name = names.find((n) => nc.hasVariable(n));
    if (name === undefined) throw fail(`no ${names.map((n) => `'${n}'`).join(' or ')} coordinate`);
    return { dims: nc.variable(name).dimensions, values: Float64Array.from(numeric(await nc.read(name), name, fail), Number) };
  };
  const lon = await coordinate(['lon', 'longitude']);
  const lat = await coordinate(['lat', 'latitude']);
  let dims: string[];
  let lon2: Float64Array;
  let lat2: Float64Array;
  if (lon.dims.length === 1 && lat.dims.length === 1) {
    dims = [lat.dims[0], lon.dims[0]];
    const nx = lon.values.length;
    lon2 = Float64Array.from({ length: nx * lat.values.length }, (_, p) => lon.values[p % nx]);
    lat2 = Float64Array.from({ length: nx * lat.values.length }, (_, p) => lat.values[Math.floor(p / nx)]);
  } else if (lon.dims.length === 2 && lon.dims.join() === lat.dims.join()) {
    dims = lon.dims;
    lon2 = lon.values;
    lat2 = lat.values;
  } else {
    throw fail(`longitude (${lon.dims.join(', ')}) and latitude (${lat.dims.join(', ')}) are neither two 1-D axes nor one 2-D grid`);
  }
  const nx = nc.dimensions.find((d) => d.name === dims[1])?.size ?? 0;
  const ny = nc.dimensions.find((d) => d.name === dims[0])?.size ?? 0;
  if (nx < 2 || ny < 2) throw fail(`the grid is ${nx} × ${ny} points; interpolating in it needs at least 2 × 2`);
  const flipped = lat2[nx * (ny - 1)] < lat2[0];
  const rows = (values: Float64Array) => (flipped ? flipRows(values, nx, ny) : values);
  const { west, east, south, north } = extent({ lon: lon2, lat: lat2 });
  const axes = lon.dims.length === 1 ? { lon: lon.values, lat: flipped ? lat.values.slice().reverse() : lat.values } : undefined;
  return { dims, nx, ny, lon: rows(lon2), lat: rows(lat2), flipped, axes, lonMin: west, lonMax: east, latMin: south, latMax: north };
}

function flipRows<T extends Float64Array | Float32Array>(values: T, nx: number, ny: number): T {
  const out = values.slice() as T;
  for (let j = 0; j < ny; j++) out.set(values.subarray((ny - 1 - j) * nx, (ny - j) * nx), j * nx);
  return out;
}

interface Extent {
  west: number;
  east: number;
  south: number;
  north: number;
}

function extent(nodes: NodeLonLat): Extent {
  const e = { west: Infinity, east: -Infinity, south: Infinity, north: -Infinity };
  for (let n = 0; n < nodes.lon.length; n++) {
    e.west = Math.min(e.west, nodes.lon[n]);
    e.east = Math.max(e.east, nodes.lon[n]);
    e.south = Math.min(e.south, nodes.lat[n]);
    e.north = Math.max(e.north, nodes.lat[n]);
  }
  return e;
}

/** 0, −360 or +360: what puts the mesh inside the grid's longitudes (a 0..360 grid for a −180..180 mesh); undefined when none does. */
function longitudeShift(grid: ForcingGrid, mesh: Extent): number | undefined {
  if (mesh.south < grid.latMin || mesh.north > grid.latMax) return undefined;
  return [0, -360, 360].find((shift) => mesh.west >= grid.lonMin + shift && mesh.east <= grid.lonMax + shift);
}

function unitFactor(nc: NetcdfFile, field: string, name: string, fail: (message: string) => Error): number {
  const units = nc.attribute('units', name)?.value;
  if (typeof units !== 'string') return 1;
  const factor = FIELD_UNITS[field][units.trim().toLowerCase()] ?? FIELD_UNITS[field][units.trim()];
  if (factor === undefined) throw fail(`variable '${name}' (${field}) has units '${units}'; expected ${Object.keys(FIELD_UNITS[field]).join(', ')}`);
  return factor;
}

/** One record of a field on the sflux grid, in SI; a missing value is an error (sflux has no mask). */
function gridValues(nc: NetcdfFile, name: string, data: NcData, grid: ForcingGrid, toOurs: (stored: number) => number, time: Date, fail: (message: string) => Error): Float32Array {
  const raw = numeric(data, name, fail);
  const isMissing = missingTest(nc, nc.variable(name));
  const values = new Float32Array(grid.nx * grid.ny);
  for (let p = 0; p < values.length; p++) {
    const v = Number(raw[p]);
    if (Number.isNaN(v) || isMissing(v)) throw fail(`variable '${name}' has a missing value at ${time.toISOString()}, grid point ${p % grid.nx}, ${Math.floor(p / grid.nx)}`);
    values[p] = toOurs(v);
  }
  return grid.flipped ? flipRows(values, grid.nx, grid.ny) : values;
}

function numeric(data: NcData, name: string, fail: (message: string) => Error): ArrayLike<number | bigint> {
  if (Array.isArray(data)) throw fail(`variable '${name}' holds text, not numbers`);
  return data;
}

// ---------------------------------------------------------------------------
// Waves at the open boundary (module comment, "Waves").

type WaveField = (typeof WAVE_FORCING_FIELDS)[number];

const RAD = Math.PI / 180;

interface BoundaryWaves {
  series: WaveBoundarySeries;
  /** For run.json: the forcing's origin, or the constant sea state. */
  source: string;
}

/**
 * The run's sea state at the open-boundary nodes (`boundary`, at `nodes` in
 * lon/lat), its directions from the mesh's y axis: `gridNorth` is the true
 * bearing of grid north at each node on a projected mesh. Undefined when
 * the run has no waves.
 */
async function boundaryWaves(
  site: Site,
  forcing: RunForcing | null,
  nodes: { lon: Float64Array; lat: Float64Array },
  boundary: Int32Array,
  gridNorth: Float64Array | undefined,
  start: Date,
  end: Date,
): Promise<BoundaryWaves | undefined> {
  const toGrid = (direction: number, j: number) => (gridNorth ? (((direction - gridNorth[j]) % 360) + 360) % 360 : direction);
  if (forcing) return { series: await forcingWaves(forcing, nodes, boundary, toGrid, start, end), source: forcing.origin ?? forcing.path };
  const constant = site.forcings.waves;
  if (constant?.type !== 'constant') return undefined;
  const { sigWaveHeight, peakPeriod, meanWaveDirection } = constant;
  const hs = new Float64Array(boundary.length).fill(sigWaveHeight);
  const tp = new Float64Array(boundary.length).fill(peakPeriod);
  const dir = Float64Array.from(boundary, (_, j) => toGrid(meanWaveDirection, j));
  return {
    series: { times: [0, (end.getTime() - start.getTime()) / 1000], sigWaveHeight: [hs, hs], peakPeriod: [tp, tp], meanWaveDirection: [dir, dir] },
    source: `constant sea state: Hs ${sigWaveHeight} m, Tp ${peakPeriod} s, from ${meanWaveDirection}°`,
  };
}

/** A grid point's weight in a boundary node's value; `point` indexes the grid south to north (row × nx + column). */
interface GridWeight {
  point: number;
  weight: number;
}

/** Where a node sits on a regular grid: its cell's corners with bilinear weights, and the cells around for a node whose corners are all land. */
interface Stencil {
  corners: GridWeight[];
  around: number[];
}

async function forcingWaves(
  forcing: RunForcing,
  nodes: { lon: Float64Array; lat: Float64Array },
  boundary: Int32Array,
  toGrid: (direction: number, node: number) => number,
  start: Date,
  end: Date,
): Promise<WaveBoundarySeries> {
  const { nc, names, label, grid, times, first, last, shift, toOurs, fail } = await openForcingFields('wave', forcing, WAVE_FORCING_FIELDS, nodes, start, end);
  try {
    const { axes } = grid;
    if (!axes) throw fail('its longitude and latitude are 2-D; waves are interpolated on a regular grid (1-D lon and lat)');
    if (!increasing(axes.lon) || !increasing(axes.lat)) throw fail('its longitudes and latitudes must each run one way, without repeats');
    const directionKind = nc.attribute('standard_name', names.dir)?.value;
    if (typeof directionKind === 'string' && directionKind.includes('to_direction')) {
      throw fail(`variable ${label('dir')} is the direction the waves go to (standard_name ${directionKind}); the forcing must give the direction they come from`);
    }

    const stencils = Array.from(boundary, (_, j) => stencil(axes, nodes.lon[j] - shift, nodes.lat[j]));
    const points = [...new Set(stencils.flatMap((s) => s.around))];
    const slot = new Map(points.map((p, i) => [p, i]));
    const records = last - first + 1;
    // A point that is land at any record the run uses is land for the whole run: the boundary must not flicker.
    const sea = new Uint8Array(points.length).fill(1);
    const samples = {} as Record<WaveField, Float64Array>;
    for (const field of WAVE_FORCING_FIELDS) {
      const name = names[field];
      const isMissing = missingTest(nc, nc.variable(name));
      const values = new Float64Array(points.length * records);
      for (let r = 0; r < records; r++) {
        const raw = numeric(await nc.readRecord(name, first + r), name, fail);
        points.forEach((point, i) => {
          const v = Number(raw[fileIndex(grid, point)]);
          if (Number.isNaN(v) || isMissing(v)) {
            sea[i] = 0;
            return;
          }
          const value = toOurs[field](v);
          if (!VALUE_RULES[field].valid(value)) {
            throw fail(`variable ${label(field)} is ${value} at ${times[first + r].toISOString()}, grid point lon ${axes.lon[point % grid.nx]}, lat ${axes.lat[Math.floor(point / grid.nx)]}: ${VALUE_RULES[field].rule}`);
          }
          values[i * records + r] = value;
        });
      }
      samples[field] = values;
    }

    const weights = stencils.map((s, j) => {
      const wet = s.corners.filter((c) => sea[slot.get(c.point)!] === 1 && c.weight > 0);
      const total = wet.reduce((sum, c) => sum + c.weight, 0);
      if (total > 0) return wet.map((c) => ({ slot: slot.get(c.point)!, weight: c.weight / total }));
      const nearest = nearestSeaPoint(s.around.filter((p) => sea[slot.get(p)!] === 1), axes, grid.nx, nodes.lon[j] - shift, nodes.lat[j]);
      if (nearest === undefined) {
        throw fail(
          `no sea point of its grid near open-boundary node ${j + 1} (mesh node ${boundary[j] + 1}) at lon ${nodes.lon[j]}, lat ${nodes.lat[j]}: ` +
            `the grid points around it are land (NaN or fill in ${WAVE_FORCING_FIELDS.map(label).join(', ')})`,
        );
      }
      return [{ slot: slot.get(nearest)!, weight: 1 }];
    });

    const series = { times: new Float64Array(records), sigWaveHeight: [] as Float64Array[], peakPeriod: [] as Float64Array[], meanWaveDirection: [] as Float64Array[] };
    for (let r = 0; r < records; r++) {
      series.times[r] = (times[first + r].getTime() - start.getTime()) / 1000;
      const hs = new Float64Array(boundary.length);
      const tp = new Float64Array(boundary.length);
      const dir = new Float64Array(boundary.length);
      weights.forEach((node, j) => {
        let east = 0;
        let north = 0;
        for (const { slot: i, weight } of node) {
          const at = i * records + r;
          hs[j] += weight * samples.hs[at];
          tp[j] += weight * samples.tp[at];
          east += weight * Math.sin(samples.dir[at] * RAD);
          north += weight * Math.cos(samples.dir[at] * RAD);
        }
        dir[j] = toGrid(((Math.atan2(east, north) / RAD) + 360) % 360, j);
      });
      series.sigWaveHeight.push(hs);
      series.peakPeriod.push(tp);
      series.meanWaveDirection.push(dir);
    }
    return series;
  } finally {
    await nc.close();
  }
}

function increasing(axis: Float64Array): boolean {
  return axis.every((v, i) => i === 0 || v > axis[i - 1]);
}

/** The cell of an increasing axis holding `v` (its lower index) and how far across it `v` lies. */
function cellOf(axis: Float64Array, v: number): { index: number; fraction: number } {
  let index = 0;
  while (index < axis.length - 2 && axis[index + 1] <= v) index++;
  const fraction = (v - axis[index]) / (axis[index + 1] - axis[index]);
  return { index, fraction: Math.min(1, Math.max(0, fraction)) };
}

function stencil(axes: { lon: Float64Array; lat: Float64Array }, lon: number, lat: number): Stencil {
  const nx = axes.lon.length;
  const ny = axes.lat.length;
  const x = cellOf(axes.lon, lon);
  const y = cellOf(axes.lat, lat);
  const at = (column: number, row: number) => row * nx + column;
  const corners = [
    { point: at(x.index, y.index), weight: (1 - x.fraction) * (1 - y.fraction) },
    { point: at(x.index + 1, y.index), weight: x.fraction * (1 - y.fraction) },
    { point: at(x.index, y.index + 1), weight: (1 - x.fraction) * y.fraction },
    { point: at(x.index + 1, y.index + 1), weight: x.fraction * y.fraction },
  ];
  const around: number[] = [];
  for (let row = Math.max(0, y.index - 1); row <= Math.min(ny - 1, y.index + 2); row++) {
    for (let column = Math.max(0, x.index - 1); column <= Math.min(nx - 1, x.index + 2); column++) around.push(at(column, row));
  }
  return { corners, around };
}

/** The closest of `points` to (lon, lat), distances in local east-north degrees. */
function nearestSeaPoint(points: number[], axes: { lon: Float64Array; lat: Float64Array }, nx: number, lon: number, lat: number): number | undefined {
  const cosLat = Math.cos(lat * RAD);
  let best: number | undefined;
  let bestDistance = Infinity;
  for (const point of points) {
    const distance = Math.hypot((axes.lon[point % nx] - lon) * cosLat, axes.lat[Math.floor(point / nx)] - lat);
    if (distance < bestDistance) [best, bestDistance] = [point, distance];
  }
  return best;
}

/** A south-to-north grid point's index in a record as the file stores it. */
function fileIndex(grid: ForcingGrid, point: number): number {
  if (!grid.flipped) return point;
  const row = Math.floor(point / grid.nx);
  return (grid.ny - 1 - row) * grid.nx + (point % grid.nx);
}
