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
 *   and for a site whose model is SCHISM (`model.engine`), what SCHISM reads
 *   beyond the built-in model's subset:
 *     vgrid.in      one S layer: SCHISM in 2D (core/schism/vgrid.ts)
 *     hgrid.ll      the mesh in longitude/latitude, where SCHISM interpolates sflux
 *     windrot_geo2proj.gr3   with sflux: the angle SCHISM turns the wind by onto
 *                   a projected mesh's axes (minus the bearing of grid north; 0 on ics 2)
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
 * the same model (the site's engine, and coastcast's name and version: a hot
 * start is the model's own state, and another version may read it
 * differently). Otherwise it is a cold
 * start spinUpHours before the cycle, and run.json says why.
 *
 * Inputs. An atlas tide's `path` is taken relative to the data directory
 * when it is not absolute. The atmosphere file (a forcing source's validated
 * file: wind at 10 m and sea-level pressure, time first, on a lon/lat grid)
 * is converted to one sflux stack holding the records that bracket the run
 * (activities/forcing/sfluxFromForcing.ts);
 * on a projected mesh (ics = 1) the built-in model does not read sflux, so
 * there it is left out and reported in `omitted`; SCHISM reads it on either.
 *
 * Waves. The sea state at the open-boundary nodes, from a wave forcing file
 * or the site's constant one (activities/forcing/boundaryWaves.ts), goes to
 * waves.th.nc with the site's wave-step settings; wind sea only with sflux.
 * A site with wave forcing whose forcing did not arrive runs without waves
 * (the cycle is marked degraded for it).
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
import { loadMesh, writeGr3Property, writeMesh } from '../core/mesh/gr3.js';
import type { Mesh } from '../core/mesh/mesh.js';
import { openNetcdf } from '../core/netcdf/reader.js';
import { formatBctides, parseBctides } from '../core/schism/bctides.js';
import { readHotstart } from '../core/schism/hotstart.js';
import { formatParam, PARAM_KEYS, type ParamSettings, type SchismParamSettings } from '../core/schism/param.js';
import { openBoundaryNodes } from '../core/schism/elev2dTh.js';
import { VGRID_IN, formatVgrid2d } from '../core/schism/vgrid.js';
import { WAVES_TH, writeWavesTh } from '../core/schism/wavesTh.js';
import { WAVE_STEP_DEFAULTS, type Site } from '../core/site.js';
import { atlasBoundaryConstants, boundaryBctides, harmonicBoundaryConstants, type NodeLonLat } from '../core/tide/boundaryTide.js';
import type { SiteRecord } from './catalog.js';
import { boundaryWaves } from './forcing/boundaryWaves.js';
import { writeSflux } from './forcing/sfluxFromForcing.js';
import { schismHotstartName } from './jobs/schismRun.js';
import { gridNorthBearings } from './products/waves.js';

/** Manning's n when the site gives none: a common value for sandy coastal beds, s m^-1/3. */
export const DEFAULT_MANNING = 0.025;

const HOUR_MS = 3_600_000;

/** What this step writes in a run directory; anything else there came from a model job. */
const RUN_INPUTS = ['hgrid.gr3', 'param.nml', 'bctides.in', 'manning.gr3', 'sflux', WAVES_TH, 'hotstart.nc', 'run.json', VGRID_IN, 'hgrid.ll', 'windrot_geo2proj.gr3'];

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
  /** For a SCHISM site: the param.nml settings its resource's SCHISM build requires (SchismInstallation.param). */
  schismParam?: SchismParamSettings;
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
    /** The SCHISM build's own param.nml settings; null for the built-in model. */
    schismParam: SchismParamSettings | null;
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
    schismParam: site.model.engine === 'schism' ? (input.schismParam ?? {}) : null,
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
  const schism = site.model.engine === 'schism';
  if (inputs.forcings.atmosphere) {
    if (site.coordinates.ics === 1 && !schism) {
      omitted.push({ forcing: 'atmosphere', reason: 'the built-in model reads sflux only on a lon/lat mesh (ics = 2)' });
    } else {
      await mkdir(join(dir, 'sflux'));
      await writeSflux(inputs.forcings.atmosphere, join(dir, 'sflux'), nodes, start, end, forcingError('atmosphere', inputs.forcings.atmosphere));
      nws = 2;
    }
  }

  if (schism) await writeSchismInputs(dir, mesh, nodes, nws === 2 ? (gridNorthBearings(crs, nodes.lon, nodes.lat) ?? new Float64Array(mesh.x.length)) : undefined);

  const boundary = openBoundaryNodes(mesh);
  const boundaryLon = Float64Array.from(boundary, (n) => nodes.lon[n]);
  const boundaryLat = Float64Array.from(boundary, (n) => nodes.lat[n]);
  const seaState = await boundaryWaves(site, inputs.forcings.waves, { lon: boundaryLon, lat: boundaryLat }, boundary, gridNorthBearings(crs, boundaryLon, boundaryLat), start, end, forcingError('wave', inputs.forcings.waves));
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
    ...(inputs.schismParam !== null && { schism: inputs.schismParam }),
  };
  await writeFile(join(dir, 'param.nml'), formatParam(settings));

  const hotstartTime = new Date(cycle.getTime() + 24 * HOUR_MS);
  // The built-in model writes one hot start file; SCHISM one per process, which the job joins (schismRun.ts).
  const nextHotstart = plan.nhotWrite !== undefined && hotstartTime.getTime() <= end.getTime()
    ? { time: hotstartTime.toISOString(), file: schism ? schismHotstartName(plan.nhotWrite) : join('outputs', `hotstart_000000_${plan.nhotWrite}.nc`) }
    : null;
  return { cycle: cycle.toISOString(), start: start.toISOString(), end: end.toISOString(), initialState, nextHotstart, waves: seaState?.source ?? null, omitted };
}

const DAY_MS = 24 * HOUR_MS;

/** SCHISM's inputs beyond the built-in model's (module comment); `gridNorth`, the bearing of grid north at each node, only with sflux. */
async function writeSchismInputs(dir: string, mesh: Mesh, nodes: NodeLonLat, gridNorth: Float64Array | undefined): Promise<void> {
  await writeFile(join(dir, VGRID_IN), formatVgrid2d());
  await writeMesh(join(dir, 'hgrid.ll'), { ...mesh, x: Float64Array.from(nodes.lon), y: Float64Array.from(nodes.lat), title: `${mesh.title} (longitude, latitude)` });
  if (gridNorth === undefined) return;
  // SCHISM adds this angle to a wind's compass bearing to get its bearing on the mesh's axes.
  await writeGr3Property(join(dir, 'windrot_geo2proj.gr3'), mesh, Float64Array.from(gridNorth, (bearing) => -bearing), 'wind rotation from geographic to mesh axes, degrees');
}

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
  const engine = record.inputs.site.model.engine ?? 'built-in';
  if (engine !== site.config.model.engine) return cold(`the site's model changed since the previous cycle (${engine}, now ${site.config.model.engine}): a hot start is one model's own state`);
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

/** How a forcing file's problem reads: `<kind> forcing <path> (from <origin>): <problem>`. */
function forcingError(kind: string, forcing: RunForcing | null): (message: string) => RunPreparationError {
  return (message) => new RunPreparationError(`${kind} forcing ${forcing?.path}${forcing?.origin ? ` (from ${forcing.origin})` : ''}: ${message}`);
}
