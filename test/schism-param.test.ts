import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatParam, parseParam, readParam, ParamError, PARAM_KEYS, SCHISM_OMEGA, type ParamSettings } from '../core/schism/param.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-param-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small param.nml in SCHISM's layout and comment style; line numbers are quoted in the tests. */
const SAMPLE = [
  '!parameter inputs via namelist convention.', //                                     1
  "!(1) Use ' ' (single quotes) for chars;", //                                          2
  '', //                                                                                 3
  '&CORE', //                                                                            4
  '!+++++++++++++++++++++++++++++++++++++++++++++', //                                   5
  '! Core (mandatory) parameters; no defaults', //                                       6
  '!+++++++++++++++++++++++++++++++++++++++++++++', //                                   7
  '  ipre = 0 !Pre-processor flag (1: on; 0: off)', //                                   8
  '  ibc = 1 !Baroclinic option', //                                                     9
  '  ibtp = 0', //                                                                       10
  '  rnday = 3 !total run time in days', //                                              11
  '  dt = 120. !Time step in sec', //                                                    12
  '  msc2 = 24     !same as msc in .nml ... for consitency check between SCHISM and WWM', // 13
  '  mdc2 = 30     !same as mdc in .nml', //                                              14
  '  ntracer_gen = 2 !user defined module (USE_GEN)', //                                 15
  '  nspool = 30 !output step spool', //                                                 16
  '  ihfskip = 720 !stack spool', //                                                     17
  '/', //                                                                                18
  '', //                                                                                 19
  '&OPT', //                                                                             20
  '! Starting time', //                                                                  21
  '  start_year = 2024 !int', //                                                         22
  '  start_month = 2 !int', //                                                           23
  '  start_day = 29 !int', //                                                            24
  '  start_hour = 6.5 !double', //                                                       25
  '  utc_start = -1 !double', //                                                         26
  '  ics = 2 !Coordinate option', //                                                     27
  '  ihot = 1', //                                                                       28
  '  dramp = 0.5 !ramp-up period in days', //                                            29
  '  nchi = -1', //                                                                      30
  '  hmin_man = 0.5 !needed if nchi=-1: min. depth in Manning formulation [m]', //      31
  '  ncor = -1 !should usually be 1 if ics=2', //                                        32
  '  rlatitude = 30 !if ncor=-1', //                                                     33
  '  coricoef = 0 !if ncor=0', //                                                        34
  '  h0 = 0.02     !min. water depth for wetting/drying [m]', //                         35
  '  nws = 2', //                                                                        36
  '  wtiminc = 3600. !time step for atmos. forcing', //                                  37
  '  drampwind = 0. !no ramp', //                                                        38
  '  if_source = 0', //                                                                  39
  '/', //                                                                                40
  '', //                                                                                 41
  '&SCHOUT', //                                                                          42
  '  nhot = 1 !1: output *_hotstart every nhot_write steps', //                          43
  '  nhot_write = 1440', //                                                              44
  '  iof_hydro(1) = 1 !0: off; 1: on - elev. [m]  {elevation}  2D', //                  45
  '  iof_hydro(2) = 0 !air pressure [Pa]  {airPressure}   2D', //                        46
  '  iof_hydro(16) = 1 !depth-averaged vel vector [m/s] {depthAverageVelX,Y}  2D vector', // 47
  '  iof_hydro(25) = 0 !z-coord {zCoordinates} 3D', //                                   48
  '  iof_hydro(26) = 0 !horizontal vel vector [m/s] {horizontalVelX,Y} 3D vector', //   49
  '  iof_wwm(1) = 0 !sig. height (m) {sigWaveHeight}   2D', //                           50
  '/', //                                                                                51
];

/** SAMPLE with 1-based lines replaced; null deletes a line; extra lines can be inserted before a line with `insert`. */
function sampleWith(changes: Record<number, string | null> = {}, insert: Record<number, string[]> = {}): string {
  return SAMPLE.flatMap((line, i) => [...(insert[i + 1] ?? []), ...(i + 1 in changes ? [changes[i + 1]] : [line])])
    .filter((l): l is string => l !== null)
    .join('\n');
}

function problemsOf(text: string): string[] {
  try {
    parseParam(text, 'param.nml');
  } catch (e) {
    if (e instanceof ParamError) return e.message.split('\n').slice(1);
    throw e;
  }
  throw new Error('expected a ParamError');
}

const SETTINGS: ParamSettings = {
  rnday: 3,
  dt: 120,
  nspool: 30,
  ihfskip: 720,
  start: new Date('2024-02-29T07:30:00Z'),
  utcStart: -1,
  ics: 2,
  ihot: 1,
  icElev: 0,
  h0: 0.02,
  dramp: 0.5,
  nchi: -1,
  hminMan: 0.5,
  ncor: -1,
  coricoef: 0,
  rlatitude: 30,
  nws: 2,
  wtiminc: 3600,
  drampwind: 0,
  nhot: 1,
  nhotWrite: 1440,
  waves: false, output: { elevation: true, depthAverageVel: true },
};

describe('parseParam', () => {
  it('reads a SCHISM-style param.nml into ModelParameters', () => {
    const p = parseParam(SAMPLE.join('\n'), 'param.nml');
    const { lines, ...rest } = p;
    expect(rest).toEqual({
      ...SETTINGS,
      // 2024-02-29 06:30 local, one hour ahead of UTC (utc_start = -1)
      start: new Date('2024-02-29T05:30:00Z'),
      steps: 2160,
      runSeconds: 259200,
      outputInterval: 3600,
      framesPerFile: 24,
      hotstartInterval: 172800,
      coriolis: 2 * SCHISM_OMEGA * Math.sin(Math.PI / 6),
      rampSeconds: 43200,
      windRampSeconds: 0,
      file: 'param.nml',
    });
    expect(lines.get('dt')).toBe(12);
    expect(lines.get('iof_hydro(16)')).toBe(47);
    expect(lines.get('msc2')).toBe(13);
  });

  it('applies utc_start as hours behind UTC (5 = US Eastern)', () => {
    const p = parseParam(sampleWith({ 26: '  utc_start = 5' }), 'param.nml');
    expect(p.start.toISOString()).toBe('2024-02-29T11:30:00.000Z');
  });

  it("takes SCHISM's defaults for absent optional keys", () => {
    const minimal = ['&CORE', ' ibc = 1, ibtp = 0, rnday = 1, dt = 100, nspool = 1, ihfskip = 864', '/', '&OPT', ' nchi = -1', '/', '&SCHOUT', '/'].join('\n');
    const p = parseParam(minimal, 'param.nml');
    expect(p).toMatchObject({
      start: new Date('2000-01-01T00:00:00Z'),
      utcStart: 0,
      ics: 1,
      ihot: 0,
      icElev: 0,
      h0: 0.01,
      dramp: 1,
      hminMan: 1,
      ncor: 0,
      coricoef: 0,
      coriolis: 0,
      rlatitude: 46,
      nws: 0,
      wtiminc: 100,
      drampwind: 1,
      nhot: 0,
      nhotWrite: 8640,
      hotstartInterval: undefined,
      waves: false, output: { elevation: true, depthAverageVel: false },
      steps: 864,
    });
  });

  it('rounds the number of steps as SCHISM does, and leaves f to the nodes for ncor = 1', () => {
    const p = parseParam(sampleWith({ 11: '  rnday = 0.0101', 32: '  ncor = 1' }), 'param.nml');
    expect(p.steps).toBe(7); // 872.64 s / 120 s = 7.27
    expect(p.runSeconds).toBe(840);
    expect(p.coriolis).toBeUndefined();
  });

  it('reads whole-array output flags element by element', () => {
    const p = parseParam(sampleWith({ 45: '  iof_hydro = 0, 14*0, 1', 46: null, 47: null, 48: null, 49: null }), 'param.nml');
    expect(p.output).toEqual({ elevation: false, depthAverageVel: true });
  });

  it('reads a file', async () => {
    const path = join(dir, 'param.nml');
    await writeFile(path, SAMPLE.join('\n'));
    const p = await readParam(path);
    expect(p.file).toBe(path);
    expect(p.dt).toBe(120);
  });

  it('lists every problem at once, by line, each naming file, line and key', () => {
    const text = sampleWith({
      9: '  ibc = 0 !Baroclinic option',
      12: '  dt = -1',
      17: '  ihfskip = 100',
      27: '  ics = 3',
      30: null,
      39: '  if_source = 1',
    }, { 36: ['  thetai = 0.6', '  nramp = 1'] });
    expect(problemsOf(text)).toEqual([
      'param.nml:9: ibc: ibc = 0 is not supported: the built-in model supports only ibc = 1 (1 barotropic; 0 (baroclinic) needs 3D T and S)',
      'param.nml:12: dt: dt = -1 is out of range: > 0 (time step (s))',
      'param.nml:17: ihfskip: ihfskip = 100 must be a multiple of nspool = 30',
      'param.nml:20: nchi: missing from &OPT: SCHISM\'s default 0 is not supported; set nchi = -1 (bottom friction: -1 Manning n from manning.gr3 (SCHISM default 0 reads drag coefficients from drag.gr3, 1 roughness from rough.gr3))',
      'param.nml:27: ics: ics = 3 is out of range: 1 or 2 (coordinates: 1 projected metres, 2 degrees longitude/latitude)',
      'param.nml:35: thetai: not supported by the built-in model',
      'param.nml:36: nramp: no longer exists in SCHISM: a ramp is off when its period (dramp) is ≤ 0',
      'param.nml:40: if_source: if_source = 1 is not supported: the built-in model supports only if_source = 0 (point sources and sinks)',
      'param.nml:45: nhot_write: nhot_write = 1440 must be a multiple of ihfskip = 100 when nhot = 1',
    ]);
  });

  it('starts the message with the file and the count', () => {
    expect(() => parseParam(sampleWith({ 12: '  dt = 0' }), 'run/param.nml')).toThrow(/^run\/param\.nml: 1 problem for the built-in model\nrun\/param\.nml:12: dt: /);
  });

  it.each([
    ['a required core key', { 11: null }, 'param.nml:4: rnday: missing from &CORE: SCHISM has no default'],
    ['ibtp', { 10: null }, 'param.nml:4: ibtp: missing from &CORE: SCHISM has no default'],
    ['a 3D/tracer switch at another value', { 10: '  ibtp = 1' }, 'param.nml:10: ibtp: ibtp = 1 is not supported: the built-in model supports only ibtp = 0'],
    ['drag.gr3 friction', { 30: '  nchi = 0' }, 'param.nml:30: nchi: nchi = 0 is not supported: the built-in model supports only nchi = -1 (bottom friction'],
    ['a real for an integer key', { 16: '  nspool = 30.5' }, 'param.nml:16: nspool: expects an integer, found 30.5'],
    ['a string for a number', { 12: "  dt = '120'" }, "param.nml:12: dt: expects a number, found the string '120'"],
    ['a logical for a number', { 28: '  ihot = .true.' }, 'param.nml:28: ihot: expects an integer, found true'],
    ['a list for a scalar', { 12: '  dt = 1, 2' }, 'param.nml:12: dt: expects a number, found a list of 2 values'],
    ['an impossible date', { 23: '  start_month = 2', 24: '  start_day = 30' }, 'param.nml:24: start_day: 2024-2 has 29 days, not 30'],
    ['a month out of range', { 23: '  start_month = 13' }, 'param.nml:23: start_month: start_month = 13 is out of range: 1 .. 12'],
    ['start_hour of 24', { 25: '  start_hour = 24' }, 'param.nml:25: start_hour: start_hour = 24 is out of range: 0 <= h < 24'],
    ['wtiminc below dt', { 37: '  wtiminc = 60' }, 'param.nml:37: wtiminc: wtiminc = 60 must be >= dt = 120 when nws = 2'],
    ['unsupported atmospheric forcing', { 36: '  nws = 1' }, 'param.nml:36: nws: nws = 1 is out of range: 0 or 2'],
    ['ncor = 1 with projected coordinates', { 27: '  ics = 1', 32: '  ncor = 1' }, 'param.nml:32: ncor: ncor = 1 needs ics = 2'],
    ['a run shorter than half a step', { 11: '  rnday = 0.0001' }, 'param.nml:11: rnday: rnday = 0.0001 is shorter than half a time step (dt = 120 s)'],
    ['a key in the wrong group', { 39: '  nhot = 0' }, 'param.nml:39: nhot: belongs in &SCHOUT, not &OPT'],
    ['a 3D output', { 49: '  iof_hydro(26) = 1' }, 'param.nml:49: iof_hydro(26): iof_hydro(26) = 1 is not supported: the built-in model supports only iof_hydro(26) = 0'],
    ['an output index SCHISM does not have', { 46: '  iof_hydro(41) = 0' }, 'param.nml:46: iof_hydro(41): not supported by the built-in model'],
    ['a module output', { 50: '  iof_wwm(2) = 1' }, 'param.nml:50: iof_wwm(2): iof_wwm(2) = 1 is not supported: the built-in model supports only iof_wwm(2) = 0'],
    ['a wave output without the wave step', { 50: '  iof_wwm(1) = 1' }, 'param.nml:50: iof_wwm(1): iof_wwm(1) = 1 with icou_elfe_wwm = 0: the built-in wave step writes sigWaveHeight, meanWaveDirection, peakPeriod'],
    ['a latitude out of range', { 33: '  rlatitude = 91' }, 'param.nml:33: rlatitude: rlatitude = 91 is out of range: -90 .. 90'],
    ['a removed wind ramp flag', { 38: '  nrampwind = 1' }, 'param.nml:38: nrampwind: no longer exists in SCHISM: a ramp is off when its period (drampwind) is ≤ 0'],
  ])('reports %s', (_, changes, message) => {
    const problems = problemsOf(sampleWith(changes));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('reports unknown and missing groups', () => {
    const text = ['&CORE', ' ibc = 1, ibtp = 0, rnday = 1, dt = 100, nspool = 1, ihfskip = 1', '/', '&OPTS', ' nchi = -1', '/'].join('\n');
    expect(problemsOf(text)).toEqual([
      'param.nml: &OPT: group missing: SCHISM reads &CORE, &OPT and &SCHOUT, in that order (a group may be empty)',
      'param.nml: &SCHOUT: group missing: SCHISM reads &CORE, &OPT and &SCHOUT, in that order (a group may be empty)',
      "param.nml:4: &OPTS: SCHISM's param.nml has no such group (&CORE, &OPT, &SCHOUT)",
    ]);
  });

  it('reports groups out of the order SCHISM reads them in', () => {
    const text = ['&OPT', ' nchi = -1', '/', '&CORE', ' ibc = 1, ibtp = 0, rnday = 1, dt = 100, nspool = 1, ihfskip = 1', '/', '&SCHOUT', '/'].join('\n');
    expect(problemsOf(text)).toEqual(['param.nml:4: &CORE: comes after &OPT; SCHISM reads &CORE, &OPT, &SCHOUT in that order']);
  });

  it('reports a namelist syntax error as a ParamError naming the line', () => {
    expect(problemsOf(sampleWith({ 12: '  dt 120' }))).toEqual(["param.nml:12: syntax: 'dt' is neither a value of rnday nor a key (a key needs '=' after it; a string value needs quotes)"]);
  });
});

describe('formatParam', () => {
  it('writes a param.nml that reads back to the same settings', () => {
    const text = formatParam(SETTINGS);
    const { lines, file, steps, runSeconds, outputInterval, framesPerFile, hotstartInterval, coriolis, rampSeconds, windRampSeconds, ...settings } = parseParam(text, 'param.nml');
    expect(settings).toEqual(SETTINGS);
    expect(text).toMatch(/^&CORE$/m);
    expect(text).toContain('  start_hour = 8.5 ! start hour, local time');
    expect(text).toContain('  iof_hydro(26) = 0 !');
    expect(text).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it('switches the wave step on with its three outputs, and reads that back', () => {
    const text = formatParam({ ...SETTINGS, waves: true });
    expect(text).toContain('  icou_elfe_wwm = 1 !');
    for (const k of [1, 7, 9]) expect(text).toContain(`  iof_wwm(${k}) = 1 !`);
    expect(parseParam(text, 'param.nml').waves).toBe(true);
    expect(parseParam(formatParam(SETTINGS), 'param.nml').waves).toBe(false);
  });

  it('keeps a start instant that is not a whole number of seconds, across a date line in local time', () => {
    const settings = { ...SETTINGS, start: new Date(Date.UTC(2023, 11, 31, 20, 0, 0, 1)), utcStart: -8 };
    const p = parseParam(formatParam(settings), 'param.nml');
    expect(p.start).toEqual(settings.start);
    expect(formatParam(settings)).toContain('start_year = 2024');
  });

  it('refuses invalid settings with the problem of each key', () => {
    expect(() => formatParam({ ...SETTINGS, dt: 0, ihfskip: 45 })).toThrow(ParamError);
    expect(() => formatParam({ ...SETTINGS, dt: 0, ihfskip: 45 })).toThrow(/dt: dt = 0 is out of range[\s\S]*ihfskip: ihfskip = 45 must be a multiple of nspool = 30/);
  });
});

describe('formatParam for a SCHISM build', () => {
  const schism = { core: { nbins_veg_vert: 2, nmarsh_types: 2 }, opt: { indvel: 1 } };

  it("writes the build's own settings into their groups, which SCHISM's reading accepts and the built-in model's refuses", () => {
    const text = formatParam({ ...SETTINGS, schism });
    const core = text.slice(text.indexOf('&CORE'), text.indexOf('&OPT'));
    expect(core).toMatch(/^ {2}nbins_veg_vert = 2 /m);
    expect(core).toMatch(/^ {2}nmarsh_types = 2 /m);
    expect(text.slice(text.indexOf('&OPT'), text.indexOf('&SCHOUT'))).toMatch(/^ {2}indvel = 1 /m);
    expect(parseParam(text, 'param.nml', { engine: 'schism' })).toMatchObject({ dt: SETTINGS.dt, rnday: SETTINGS.rnday });
    expect(() => parseParam(text, 'param.nml')).toThrow(/nmarsh_types: not supported by the built-in model/);
  });

  it('refuses a setting coastcast makes for every run', () => {
    expect(() => formatParam({ ...SETTINGS, schism: { core: { dt: 60 } } })).toThrow('param.nml: dt is set by coastcast for every run; a SCHISM installation cannot set it');
  });
});

describe('PARAM_KEYS', () => {
  it('documents every key once, with a role, a rule and a doc', () => {
    const keys = PARAM_KEYS.map((k) => k.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of PARAM_KEYS) {
      expect(k.doc.length).toBeGreaterThan(5);
      expect(k.accepts.text.length).toBeGreaterThan(0);
      // the written param.nml carries the docs as comments: keep them plain ASCII
      expect(k.doc).toMatch(/^[\x20-\x7e]*$/);
      if (k.default !== undefined && !k.required) expect(k.accepts.test(k.default)).toBe(true);
    }
  });
});
