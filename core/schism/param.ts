/**
 * param.nml as the built-in model reads it: the documented subset of SCHISM's
 * parameters it supports (PARAM_KEYS, the one table used both for checking
 * and as documentation), extracted into ModelParameters, and the writer the
 * forecast engine uses to produce a param.nml that both the built-in model
 * and SCHISM run.
 *
 * Every key in the file must be in PARAM_KEYS, in its group:
 * - supported: read and range-checked;
 * - fixed: a switch for physics the built-in model does not have (baroclinic,
 *   tracers, sources, …), accepted only at the value that turns it off;
 * - inert: sizes SCHISM reads only inside optional modules (WWM, tracer
 *   modules), which the built-in model lacks just as a SCHISM build without
 *   them does; any integer is accepted.
 * Any other key is an error: the built-in model does not silently ignore
 * what it cannot honour. SCHISM's own numerics (ELM, Shapiro filter, solver
 * tolerances, turbulence, …) are such keys: they do not describe the
 * built-in model's scheme.
 *
 * SCHISM semantics kept here (schism_init.F90, sflux_9c.F90, the manual):
 * - utc_start is the number of hours local time is *behind* UTC (5 for US
 *   Eastern, −8 for Beijing): the start in UTC is start_year-month-day
 *   start_hour plus utc_start hours.
 * - the run has round(rnday·86400/dt) steps; output every nspool steps, a new
 *   output file every ihfskip steps (a multiple of nspool); with nhot = 1 a
 *   hotstart every nhot_write steps (a multiple of ihfskip).
 * - ramps (dramp, drampwind) are tanh(2t/(86400·d)) and are off when d ≤ 0;
 *   nramp and nrampwind no longer exist in SCHISM.
 * - ncor = −1 takes f = 2Ω sin(rlatitude) with SCHISM's Ω = 7.292e-5 s⁻¹.
 * - all three groups must be present (SCHISM reads each; one may be empty).
 */
import { readFile } from 'node:fs/promises';
import { formatNamelist, parseNamelist, NamelistError, type FormatEntry, type Namelist, type NamelistValue } from './namelist.js';
import { InputFileError, type InputProblem } from '../inputProblems.js';

export type ParamGroup = 'core' | 'opt' | 'schout';
export type ParamRole = 'supported' | 'fixed' | 'inert';

/** What values a key accepts: a test, and the same in words for messages and docs. */
export interface ParamRule {
  text: string;
  test(value: number): boolean;
}

export interface ParamKey {
  group: ParamGroup;
  /** SCHISM's name; a family of array elements is written `iof_hydro(k)`. */
  key: string;
  /** For families of array elements: the element keys (normal form) it covers. */
  pattern?: RegExp;
  role: ParamRole;
  type: 'integer' | 'real';
  /** Missing is an error: SCHISM has no default (&CORE), or its default is one the built-in model does not support. */
  required?: boolean;
  /** SCHISM's default, which applies when the key is absent. */
  default?: number;
  accepts: ParamRule;
  doc: string;
}

const positive: ParamRule = { text: '> 0', test: (v) => v > 0 };
const atLeastOne: ParamRule = { text: '>= 1', test: (v) => v >= 1 };
const anyNumber: ParamRule = { text: 'any number', test: () => true };
const anyInteger: ParamRule = { text: 'any integer', test: () => true };
const oneOf = (...values: number[]): ParamRule => ({ text: values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : String(values[0]), test: (v) => values.includes(v) });
const between = (min: number, max: number): ParamRule => ({ text: `${min} .. ${max}`, test: (v) => v >= min && v <= max });
const off = (group: ParamGroup, key: string, doc: string, value = 0): ParamKey => ({ group, key, role: 'fixed', type: 'integer', default: value, accepts: oneOf(value), doc });

/** Modules whose output flags (iof_<module>) SCHISM reads only when built with the module. */
const MODULE_OUTPUTS = ['wwm', 'gen', 'age', 'sed', 'eco', 'icm_core', 'icm_silica', 'icm_zb', 'icm_ph', 'icm_srm', 'icm_sav', 'icm_marsh', 'icm_sfm', 'icm_ba', 'icm_clam', 'cos', 'fib', 'sed2d', 'ice', 'mice', 'ana', 'marsh', 'dvd'];

/** The wave outputs the built-in wave step writes, by their index in SCHISM's iof_wwm. */
const WAVE_OUTPUTS = [
  { index: 1, field: 'sigWaveHeight' },
  { index: 7, field: 'meanWaveDirection' },
  { index: 9, field: 'peakPeriod' },
] as const;

/** SCHISM's Earth rotation rate (schism_glbl omega_e), used for ncor = -1. */
export const SCHISM_OMEGA = 7.292e-5;

/** The param.nml keys the built-in model reads; see the file comment for the roles. */
export const PARAM_KEYS: readonly ParamKey[] = [
  off('core', 'ipre', 'pre-processing flag; 1 only checks the grid and stops'),
  { group: 'core', key: 'ibc', role: 'fixed', type: 'integer', required: true, accepts: oneOf(1), doc: '1 barotropic; 0 (baroclinic) needs 3D T and S' },
  { group: 'core', key: 'ibtp', role: 'fixed', type: 'integer', required: true, accepts: oneOf(0), doc: '0 no T, S transport; 1 transports them as passive tracers' },
  { group: 'core', key: 'rnday', role: 'supported', type: 'real', required: true, accepts: positive, doc: 'run length (days)' },
  { group: 'core', key: 'dt', role: 'supported', type: 'real', required: true, accepts: positive, doc: 'time step (s)' },
  { group: 'core', key: 'nspool', role: 'supported', type: 'integer', required: true, accepts: atLeastOne, doc: 'output every nspool steps' },
  { group: 'core', key: 'ihfskip', role: 'supported', type: 'integer', required: true, accepts: atLeastOne, doc: 'new output file (out2d_<n>.nc) every ihfskip steps; a multiple of nspool' },
  ...['msc2', 'mdc2'].map((key): ParamKey => ({ group: 'core', key, role: 'inert', type: 'integer', accepts: anyInteger, doc: 'spectral grid of the WWM wave module, read only by WWM' })),
  ...['ntracer_gen', 'ntracer_age', 'sed_class', 'eco_class'].map((key): ParamKey => ({ group: 'core', key, role: 'inert', type: 'integer', accepts: anyInteger, doc: 'tracer classes, read only by SCHISM built with that tracer module' })),
  { group: 'core', key: 'nbins_veg_vert', role: 'inert', type: 'integer', accepts: atLeastOne, doc: 'vertical bins of the vegetation module (iveg != 0)' },

  { group: 'opt', key: 'start_year', role: 'supported', type: 'integer', default: 2000, accepts: between(1, 9999), doc: 'start date, local time (see utc_start)' },
  { group: 'opt', key: 'start_month', role: 'supported', type: 'integer', default: 1, accepts: between(1, 12), doc: 'start month' },
  { group: 'opt', key: 'start_day', role: 'supported', type: 'integer', default: 1, accepts: between(1, 31), doc: 'start day of the month' },
  { group: 'opt', key: 'start_hour', role: 'supported', type: 'real', default: 0, accepts: { text: '0 <= h < 24', test: (v) => v >= 0 && v < 24 }, doc: 'start hour, local time' },
  { group: 'opt', key: 'utc_start', role: 'supported', type: 'real', default: 0, accepts: between(-14, 12), doc: 'hours local time is behind UTC (5: US Eastern, -8: Beijing); UTC start = local start + utc_start h' },
  { group: 'opt', key: 'ics', role: 'supported', type: 'integer', default: 1, accepts: oneOf(1, 2), doc: 'coordinates: 1 projected metres, 2 degrees longitude/latitude' },
  { group: 'opt', key: 'ihot', role: 'supported', type: 'integer', default: 0, accepts: oneOf(0, 1, 2), doc: '0 cold start; 1 hotstart.nc with time reset to 0; 2 continue at the hotstart time' },
  { group: 'opt', key: 'ic_elev', role: 'supported', type: 'integer', default: 0, accepts: oneOf(0, 1), doc: 'cold start elevation: 0 zero, 1 from elev.ic' },
  { group: 'opt', key: 'h0', role: 'supported', type: 'real', default: 0.01, accepts: positive, doc: 'wetting and drying threshold depth (m)' },
  { group: 'opt', key: 'dramp', role: 'supported', type: 'real', default: 1, accepts: anyNumber, doc: 'ramp-up period (days) of tides and boundary forcing; <= 0 no ramp' },
  { group: 'opt', key: 'nchi', role: 'fixed', type: 'integer', required: true, default: 0, accepts: oneOf(-1), doc: 'bottom friction: -1 Manning n from manning.gr3 (SCHISM default 0 reads drag coefficients from drag.gr3, 1 roughness from rough.gr3)' },
  { group: 'opt', key: 'hmin_man', role: 'supported', type: 'real', default: 1, accepts: positive, doc: 'minimum depth (m) in the Manning formulation' },
  { group: 'opt', key: 'ncor', role: 'supported', type: 'integer', default: 0, accepts: oneOf(-1, 0, 1), doc: 'Coriolis: 0 constant coricoef, -1 from rlatitude, 1 from the latitude of each node (ics 2 only)' },
  { group: 'opt', key: 'coricoef', role: 'supported', type: 'real', default: 0, accepts: between(-2 * SCHISM_OMEGA, 2 * SCHISM_OMEGA), doc: 'Coriolis parameter f (1/s) for ncor = 0' },
  { group: 'opt', key: 'rlatitude', role: 'supported', type: 'real', default: 46, accepts: between(-90, 90), doc: 'latitude (degrees) for f = 2Omega sin phi with ncor = -1' },
  { group: 'opt', key: 'nws', role: 'supported', type: 'integer', default: 0, accepts: oneOf(0, 2), doc: 'atmospheric forcing: 0 none, 2 sflux/ NetCDF files (wind at 10 m, sea-level pressure)' },
  { group: 'opt', key: 'wtiminc', role: 'supported', type: 'real', accepts: positive, doc: 'atmospheric forcing time step (s), >= dt when nws != 0; SCHISM default: dt' },
  { group: 'opt', key: 'drampwind', role: 'supported', type: 'real', default: 1, accepts: anyNumber, doc: 'ramp-up period (days) of the atmospheric forcing; <= 0 no ramp' },
  off('opt', 'nramp_elev', 'boundary elevation ramp from elev.ic or hotstart.nc instead of from 0'),
  off('opt', 'ipre2', 'second pre-processing flag: diagnostic outputs, then stop'),
  off('opt', 'itransport_only', 'tracer transport only'),
  off('opt', 'ihydraulics', 'hydraulic structures (hydraulics.in)'),
  off('opt', 'if_source', 'point sources and sinks'),
  off('opt', 'imm', 'bed deformation'),
  off('opt', 'ihconsv', 'heat exchange'),
  off('opt', 'isconsv', 'evaporation and precipitation'),
  off('opt', 'ihdif', 'horizontal diffusivity (hdif.gr3)'),
  off('opt', 'iveg', 'vegetation'),
  off('opt', 'inu_elev', 'elevation sponge layer (elev_nudge.gr3)'),
  off('opt', 'inu_uv', 'velocity sponge layer (uv_nudge.gr3)'),
  off('opt', 'inv_atm_bnd', 'inverse barometer correction of boundary elevations'),
  off('opt', 'iloadtide', 'self-attraction and loading tide'),
  { group: 'opt', key: 'icou_elfe_wwm', role: 'supported', type: 'integer', default: 0, accepts: oneOf(0, 1), doc: 'waves: 1 runs the wave step at every output time from waves.th.nc (in SCHISM: coupling with WWM, which reads its own wwminput.nml)' },
  off('opt', 'iwindoff', 'wind scaling by windfactor.gr3'),
  off('opt', 'iharind', 'harmonic analysis (harm.in)'),
  off('opt', 'iflux', 'flux and conservation diagnostics (fluxflag.prop)'),

  { group: 'schout', key: 'nhot', role: 'supported', type: 'integer', default: 0, accepts: oneOf(0, 1), doc: '1 writes a hotstart every nhot_write steps' },
  { group: 'schout', key: 'nhot_write', role: 'supported', type: 'integer', default: 8640, accepts: atLeastOne, doc: 'hotstart interval in steps; a multiple of ihfskip when nhot = 1' },
  off('schout', 'nc_out', 'NetCDF outputs on', 1),
  off('schout', 'iout_sta', 'station outputs (station.in)'),
  { group: 'schout', key: 'iof_hydro(1)', role: 'supported', type: 'integer', default: 1, accepts: oneOf(0, 1), doc: 'output elevation' },
  { group: 'schout', key: 'iof_hydro(16)', role: 'supported', type: 'integer', default: 0, accepts: oneOf(0, 1), doc: 'output depthAverageVelX/Y (dryFlagNode is always written)' },
  {
    group: 'schout',
    key: 'iof_hydro(k)',
    pattern: /^iof_hydro\(([1-9]|[1-3]\d|40)\)$/,
    role: 'fixed',
    type: 'integer',
    default: 0,
    accepts: oneOf(0),
    doc: 'other SCHISM outputs (atmosphere, 3D); absent ones count as 0, although SCHISM writes 25 and 26 (zCoordinates, horizontalVelX/Y) by default',
  },
  ...WAVE_OUTPUTS.map(({ index, field }): ParamKey => ({
    group: 'schout',
    key: `iof_wwm(${index})`,
    role: 'supported',
    type: 'integer',
    default: 0,
    accepts: oneOf(0, 1),
    doc: `output ${field} (with icou_elfe_wwm = 1)`,
  })),
  {
    group: 'schout',
    key: 'iof_<module>(k)',
    pattern: new RegExp(`^iof_(${MODULE_OUTPUTS.join('|')})\\((?!(${WAVE_OUTPUTS.map((o) => o.index).join('|')})\\))\\d+\\)$`),
    role: 'fixed',
    type: 'integer',
    default: 0,
    accepts: oneOf(0),
    doc: `outputs of modules the built-in model does not have (${MODULE_OUTPUTS.join(', ')})`,
  },
];

/** Keys that SCHISM no longer reads: a ramp is now off when its period is ≤ 0. */
const REMOVED: Record<string, string> = {
  nramp: 'dramp',
  nrampwind: 'drampwind',
  nrampbc: 'drampbc',
  nramp_ss: 'dramp_ss',
  nrampwafo: 'drampwafo',
};

/** The SCHISM inputs of a run, as the forecast engine sets them. */
export interface ParamSettings {
  rnday: number;
  dt: number;
  nspool: number;
  ihfskip: number;
  /** The UTC instant of model time 0. */
  start: Date;
  /** Hours local time is behind UTC: param.nml's start_* are written in local time. */
  utcStart: number;
  ics: 1 | 2;
  ihot: 0 | 1 | 2;
  icElev: 0 | 1;
  h0: number;
  /** Days; ≤ 0 no ramp. */
  dramp: number;
  nchi: -1;
  hminMan: number;
  ncor: -1 | 0 | 1;
  coricoef: number;
  rlatitude: number;
  nws: 0 | 2;
  wtiminc: number;
  /** Days; ≤ 0 no ramp. */
  drampwind: number;
  nhot: 0 | 1;
  nhotWrite: number;
  /** The wave step (icou_elfe_wwm = 1), with its outputs iof_wwm(1, 7, 9). */
  waves: boolean;
  output: { elevation: boolean; depthAverageVel: boolean };
  /** For SCHISM: settings its build requires beyond these (a SCHISM installation's `param`), written as given; none may be one coastcast sets. */
  schism?: SchismParamSettings;
}

/** param.nml settings by group, for a SCHISM build (e.g. { core: { nbins_veg_vert: 2 } } for recent SCHISM). */
export type SchismParamSettings = Partial<Record<ParamGroup, Record<string, number>>>;

/** A checked param.nml: the settings and what follows from them. */
export interface ModelParameters extends ParamSettings {
  /** Time steps in the run: SCHISM's ntime = round(rnday·86400/dt). */
  steps: number;
  /** steps·dt (s). */
  runSeconds: number;
  /** Seconds between output frames: nspool·dt. */
  outputInterval: number;
  /** Output frames per out2d_<n>.nc: ihfskip/nspool. */
  framesPerFile: number;
  /** Seconds between hotstart outputs (nhot_write·dt), undefined when nhot = 0. */
  hotstartInterval: number | undefined;
  /** Constant Coriolis parameter f (1/s) for ncor 0 and −1; undefined for ncor 1 (per node, from latitude). */
  coriolis: number | undefined;
  /** Ramp periods in seconds, 0 when off: ramp(t) = tanh(2t/rampSeconds). */
  rampSeconds: number;
  windRampSeconds: number;
  /** The file read, and the line of each key found in it (normal form, e.g. `iof_hydro(1)`), for messages that point at it. */
  file: string;
  lines: ReadonlyMap<string, number>;
}

/** One thing wrong in a param.nml, always about a key. */
export interface ParamProblem extends InputProblem {
  key: string;
}

/** Thrown when a param.nml has problems; carries all of them, one per line of the message. */
export class ParamError extends InputFileError {
  override name = 'ParamError';
  constructor(
    file: string,
    override readonly problems: readonly ParamProblem[],
  ) {
    const n = problems.length;
    super(file, problems, `${file}: ${n} problem${n === 1 ? '' : 's'} for the built-in model`);
  }
}

export async function readParam(path: string, options: ParamReadOptions = {}): Promise<ModelParameters> {
  return parseParam(await readFile(path, 'utf8'), path, options);
}

export interface ParamReadOptions {
  /**
   * Whose param.nml it is. For SCHISM ('schism') keys outside PARAM_KEYS are
   * SCHISM's own (settings its build requires, e.g. nbins_veg_vert), accepted
   * unread; the built-in model refuses them.
   */
  engine?: 'built-in' | 'schism';
}

export function parseParam(text: string, file: string, options: ParamReadOptions = {}): ModelParameters {
  let namelist: Namelist;
  try {
    namelist = parseNamelist(text, file);
  } catch (e) {
    if (e instanceof NamelistError) throw new ParamError(file, [{ line: e.line, key: 'syntax', message: e.problem }]);
    throw e;
  }
  return new ParamReader(namelist, groupHeaderLines(text), file, options.engine ?? 'built-in').read();
}

/** The line of each `&NAME` that opens a group (the Namelist keeps only the lines of keys). */
function groupHeaderLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  for (const [i, line] of text.split('\n').entries()) {
    const name = /^\s*&(\w+)/.exec(line)?.[1].toLowerCase();
    if (name !== undefined && name !== 'end' && !lines.has(name)) lines.set(name, i + 1);
  }
  return lines;
}

const GROUPS: readonly ParamGroup[] = ['core', 'opt', 'schout'];
const byKey = new Map(PARAM_KEYS.filter((k) => !k.pattern).map((k) => [k.key, k]));
const families = PARAM_KEYS.filter((k) => k.pattern);

function specOf(key: string): ParamKey | undefined {
  return byKey.get(key) ?? families.find((f) => f.pattern?.test(key));
}

class ParamReader {
  private readonly problems: ParamProblem[] = [];
  private readonly values = new Map<string, number>();
  /** Keys present with a value already reported: checks that involve them are skipped. */
  private readonly invalid = new Set<string>();
  private readonly lines = new Map<string, number>();

  constructor(
    private readonly namelist: Namelist,
    private readonly groupLines: ReadonlyMap<string, number>,
    private readonly file: string,
    private readonly engine: 'built-in' | 'schism',
  ) {}

  read(): ModelParameters {
    this.readGroups();
    this.reportMissing();
    const params = this.settings();
    if (params === undefined) throw new ParamError(this.file, [...this.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
    return params;
  }

  private readGroups(): void {
    let latest = -1;
    for (const [group, entries] of this.namelist) {
      if (!isParamGroup(group)) {
        this.problem(this.groupLines.get(group), `&${group.toUpperCase()}`, "SCHISM's param.nml has no such group (&CORE, &OPT, &SCHOUT)");
        continue;
      }
      // SCHISM reads the three groups in one pass over the file: a group placed before an earlier one is never found.
      const order = GROUPS.indexOf(group);
      if (order < latest) this.problem(this.groupLines.get(group), `&${group.toUpperCase()}`, `comes after &${GROUPS[latest].toUpperCase()}; SCHISM reads &CORE, &OPT, &SCHOUT in that order`);
      latest = Math.max(latest, order);
      for (const [key, entry] of entries) {
        for (const [element, value] of elements(key, entry.value)) this.readKey(group, element, value, entry.line);
      }
    }
    for (const group of GROUPS) {
      if (!this.namelist.has(group)) this.problem(undefined, `&${group.toUpperCase()}`, 'group missing: SCHISM reads &CORE, &OPT and &SCHOUT, in that order (a group may be empty)');
    }
  }

  private readKey(group: ParamGroup, key: string, value: NamelistValue, line: number): void {
    const spec = specOf(key);
    if (spec === undefined && this.engine === 'schism' && !(key in REMOVED)) return;
    if (spec === undefined) {
      const period = REMOVED[key];
      if (period) this.problem(line, key, `no longer exists in SCHISM: a ramp is off when its period (${period}) is ≤ 0`);
      else this.problem(line, key, 'not supported by the built-in model');
      return;
    }
    if (spec.group !== group) {
      this.problem(line, key, `belongs in &${spec.group.toUpperCase()}, not &${group.toUpperCase()}`);
      return;
    }
    this.lines.set(key, line);
    if (typeof value !== 'number' || (spec.type === 'integer' && !Number.isInteger(value))) {
      this.invalid.add(key);
      this.problem(line, key, `expects ${spec.type === 'integer' ? 'an integer' : 'a number'}, found ${describe(value)}`);
      return;
    }
    if (!spec.accepts.test(value)) {
      this.invalid.add(key);
      if (spec.role === 'fixed') this.problem(line, key, `${key} = ${value} is not supported: the built-in model supports only ${key} = ${spec.accepts.text} (${spec.doc})`);
      else this.problem(line, key, `${key} = ${value} is out of range: ${spec.accepts.text} (${spec.doc})`);
      return;
    }
    this.values.set(key, value);
  }

  private reportMissing(): void {
    for (const spec of PARAM_KEYS) {
      // A missing group is reported once, not once per key.
      if (!spec.required || this.lines.has(spec.key) || !this.namelist.has(spec.group)) continue;
      const why = spec.default === undefined ? 'SCHISM has no default' : `SCHISM's default ${spec.default} is not supported; set ${spec.key} = ${spec.accepts.text} (${spec.doc})`;
      this.problem(this.groupLines.get(spec.group), spec.key, `missing from &${spec.group.toUpperCase()}: ${why}`);
    }
  }

  /** The settings, after the checks that involve several keys (each made when those keys are valid); undefined when there are problems. */
  private settings(): ModelParameters | undefined {
    const v = (key: string): number => (this.invalid.has(key) ? NaN : (this.values.get(key) ?? specOf(key)?.default ?? NaN));
    const valid = (...keys: string[]) => keys.every((key) => !Number.isNaN(v(key)));
    const line = (key: string) => this.lines.get(key);
    const dt = v('dt');
    const [nspool, ihfskip, nhot, nhotWrite, nws] = [v('nspool'), v('ihfskip'), v('nhot'), v('nhot_write'), v('nws')];
    const wtiminc = this.values.get('wtiminc') ?? dt;
    if (valid('ihfskip', 'nspool') && ihfskip % nspool !== 0) this.problem(line('ihfskip'), 'ihfskip', `ihfskip = ${ihfskip} must be a multiple of nspool = ${nspool}`);
    if (valid('nhot', 'nhot_write', 'ihfskip') && nhot === 1 && nhotWrite % ihfskip !== 0) {
      this.problem(line('nhot_write'), 'nhot_write', `nhot_write = ${nhotWrite} must be a multiple of ihfskip = ${ihfskip} when nhot = 1`);
    }
    if (valid('nws', 'dt') && nws !== 0 && wtiminc < dt) this.problem(line('wtiminc'), 'wtiminc', `wtiminc = ${wtiminc} must be >= dt = ${dt} when nws = ${nws}`);
    // The wave step exists only to write these three, so they go with it: on together or off together.
    const waveOutputs = WAVE_OUTPUTS.map((o) => `iof_wwm(${o.index})`);
    if (valid('icou_elfe_wwm', ...waveOutputs)) {
      const wrong = waveOutputs.find((key) => v(key) !== v('icou_elfe_wwm'));
      if (wrong !== undefined) {
        this.problem(line(wrong) ?? line('icou_elfe_wwm'), wrong, `${wrong} = ${v(wrong)} with icou_elfe_wwm = ${v('icou_elfe_wwm')}: the built-in wave step writes ${WAVE_OUTPUTS.map((o) => o.field).join(', ')} (${waveOutputs.join(', ')}) exactly when it runs; set them to ${v('icou_elfe_wwm')}`);
      }
    }
    if (valid('ncor', 'ics') && v('ncor') === 1 && v('ics') !== 2) {
      this.problem(line('ncor'), 'ncor', 'ncor = 1 needs ics = 2 (with ics = 1 SCHISM uses a beta plane from hgrid.ll, which the built-in model does not support)');
    }
    const [year, month, day] = [v('start_year'), v('start_month'), v('start_day')];
    const monthDays = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (valid('start_year', 'start_month', 'start_day') && day > monthDays) this.problem(line('start_day'), 'start_day', `${year}-${month} has ${monthDays} days, not ${day}`);
    const steps = Math.floor((v('rnday') * 86400) / dt + 0.5);
    if (valid('rnday', 'dt') && steps < 1) this.problem(line('rnday'), 'rnday', `rnday = ${v('rnday')} is shorter than half a time step (dt = ${dt} s)`);
    if (this.problems.length > 0) return undefined;

    const utcStart = v('utc_start');
    const start = new Date(Date.UTC(year, month - 1, day) + Math.round((v('start_hour') + utcStart) * 3_600_000));
    const ncor = v('ncor') as -1 | 0 | 1;
    const coriolis = ncor === 0 ? v('coricoef') : ncor === -1 ? 2 * SCHISM_OMEGA * Math.sin((v('rlatitude') * Math.PI) / 180) : undefined;
    return {
      rnday: v('rnday'),
      dt,
      nspool,
      ihfskip,
      start,
      utcStart,
      ics: v('ics') as 1 | 2,
      ihot: v('ihot') as 0 | 1 | 2,
      icElev: v('ic_elev') as 0 | 1,
      h0: v('h0'),
      dramp: v('dramp'),
      nchi: -1,
      hminMan: v('hmin_man'),
      ncor,
      coricoef: v('coricoef'),
      rlatitude: v('rlatitude'),
      nws: nws as 0 | 2,
      wtiminc,
      drampwind: v('drampwind'),
      nhot: nhot as 0 | 1,
      nhotWrite,
      waves: v('icou_elfe_wwm') === 1,
      output: { elevation: v('iof_hydro(1)') === 1, depthAverageVel: v('iof_hydro(16)') === 1 },
      steps,
      runSeconds: steps * dt,
      outputInterval: nspool * dt,
      framesPerFile: ihfskip / nspool,
      hotstartInterval: nhot === 1 ? nhotWrite * dt : undefined,
      coriolis,
      rampSeconds: Math.max(0, v('dramp')) * 86400,
      windRampSeconds: Math.max(0, v('drampwind')) * 86400,
      file: this.file,
      lines: this.lines,
    };
  }

  private problem(line: number | undefined, key: string, message: string): void {
    this.problems.push(line === undefined ? { key, message } : { line, key, message });
  }

}

function isParamGroup(group: string): group is ParamGroup {
  return (GROUPS as readonly string[]).includes(group);
}

/**
 * A whole-array assignment of an element family (`iof_hydro = 1, 0, …`) as
 * the elements it sets; in a namelist a single value sets the first element.
 */
function elements(key: string, value: NamelistValue): [string, NamelistValue][] {
  if (key.includes('(') || !families.some((f) => f.pattern?.test(`${key}(1)`))) return [[key, value]];
  return (Array.isArray(value) ? value : [value]).map((v, i) => [`${key}(${i + 1})`, v]);
}

function describe(value: NamelistValue): string {
  if (Array.isArray(value)) return `a list of ${value.length} values`;
  if (typeof value === 'string') return `the string '${value}'`;
  return String(value);
}

/**
 * param.nml text for `p`, in SCHISM's layout (&CORE, &OPT, &SCHOUT, a
 * comment on each line). It is checked by reading it back, so an invalid
 * setting throws a ParamError naming the key.
 */
export function formatParam(p: ParamSettings): string {
  const localMs = p.start.getTime() - Math.round(p.utcStart * 3_600_000);
  const local = new Date(localMs);
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const values: Record<string, number> = {
    ipre: 0,
    ibc: 1,
    ibtp: 0,
    rnday: p.rnday,
    dt: p.dt,
    // &CORE sizes SCHISM gives no default (schism_init leaves them at -huge, checked only by builds with WWM or the tracer
    // module, but sizing its output flag arrays in every build); the values of its sample param.nml.
    msc2: 24,
    mdc2: 30,
    ntracer_gen: 2,
    ntracer_age: 4,
    sed_class: 5,
    eco_class: 27,
    nspool: p.nspool,
    ihfskip: p.ihfskip,
    start_year: local.getUTCFullYear(),
    start_month: local.getUTCMonth() + 1,
    start_day: local.getUTCDate(),
    start_hour: (localMs - midnight) / 3_600_000,
    utc_start: p.utcStart,
    ics: p.ics,
    ihot: p.ihot,
    ic_elev: p.icElev,
    h0: p.h0,
    dramp: p.dramp,
    nchi: p.nchi,
    hmin_man: p.hminMan,
    ncor: p.ncor,
    coricoef: p.coricoef,
    rlatitude: p.rlatitude,
    nws: p.nws,
    wtiminc: p.wtiminc,
    drampwind: p.drampwind,
    nhot: p.nhot,
    nhot_write: p.nhotWrite,
    icou_elfe_wwm: p.waves ? 1 : 0,
    'iof_hydro(1)': p.output.elevation ? 1 : 0,
    'iof_hydro(16)': p.output.depthAverageVel ? 1 : 0,
    'iof_hydro(25)': 0,
    'iof_hydro(26)': 0,
    ...Object.fromEntries(WAVE_OUTPUTS.map((o) => [`iof_wwm(${o.index})`, p.waves ? 1 : 0])),
  };
  const groups = new Map<string, Map<string, FormatEntry>>(GROUPS.map((g) => [g, new Map()]));
  for (const [key, value] of Object.entries(values)) {
    const spec = specOf(key);
    if (spec === undefined) throw new Error(`${key} is not in PARAM_KEYS`);
    groups.get(spec.group)?.set(key, { value, comment: spec.doc });
  }
  for (const [group, settings] of Object.entries(p.schism ?? {}) as [ParamGroup, Record<string, number>][]) {
    for (const [key, value] of Object.entries(settings)) {
      if (key in values) throw new Error(`param.nml: ${key} is set by coastcast for every run; a SCHISM installation cannot set it`);
      groups.get(group)?.set(key, { value, comment: "the SCHISM installation's setting" });
    }
  }
  const text = formatNamelist(groups, {
    header: ['SCHISM param.nml written by coastcast for its built-in model; SCHISM runs it too.', 'Keys not listed take SCHISM defaults.'],
    groupComments: new Map([
      ['core', ['Core parameters (SCHISM has no defaults for these)']],
      ['opt', ['Optional parameters']],
      ['schout', ['Outputs']],
    ]),
  });
  parseParam(text, 'param.nml (as written by formatParam)', { engine: p.schism === undefined ? 'built-in' : 'schism' });
  return text;
}
