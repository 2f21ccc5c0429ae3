import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';

import type { ForcingSourceConfig } from '../activities/forcing/source.js';
import { SiteSchema, WAVE_FORCING_FIELDS, formatFieldProblem, meshFitProblems, validateSite, type Site, type SiteForcing, type SiteInput, type SiteWaveForcing } from '../core/site.js';

/** A small estuary site in lon/lat with two open boundaries of 3 nodes each. */
function goodSite(): SiteInput {
  return {
    id: 'ria-aveiro',
    name: 'Ria de Aveiro',
    coordinates: { ics: 2 },
    tide: {
      type: 'harmonic',
      boundaries: [
        { type: 'uniform', constituents: [{ name: 'M2', amplitude: 1.2, phase: 80 }, { name: 'S2', amplitude: 0.4, phase: 110 }] },
        { type: 'perNode', constituents: [{ name: 's2', amplitude: [0.4, 0.41, 0.42], phase: [110, 111, 112] }, { name: 'm2', amplitude: [1.2, 1.21, 1.22], phase: [80, 81, 82] }] },
      ],
    },
    forcings: {
      atmosphere: { type: 'ncss', url: 'https://thredds.example.org/thredds/ncss/grid/gfs', retries: 2, variableNames: { uwind: 'u10' }, deadlineHours: 6 },
      ocean: { type: 'file', path: '/srv/forcing/ocean.nc', deadlineHours: 12 },
    },
    stations: [
      { id: 'barra', name: 'Barra', lon: -8.75, lat: 40.64 },
      { id: 'cais', name: 'Cais do Bico', lon: -8.66, lat: 40.73 },
      { id: 'ilhavo', name: 'Ílhavo', lon: -8.67, lat: 40.6 },
    ],
    thresholds: { stationLevel: [{ stationId: 'cais', level: 2.1, name: 'flood' }], floodedArea: 0.5 },
    model: { dt: 60, nspool: 15 },
    schedule: { enabled: true, hourUtc: 4 },
  };
}

function problemsOf(mutate: (site: any) => void): string[] {
  const site = goodSite();
  mutate(site);
  const result = validateSite(site);
  expect(result.site).toBeUndefined();
  return result.problems.map(formatFieldProblem);
}

describe('validateSite', () => {
  it('accepts a good config, fills in defaults and leaves the input alone', () => {
    const input = goodSite();
    const before = structuredClone(input);
    const { site, problems } = validateSite(input);
    expect(problems).toEqual([]);
    expect(input).toEqual(before);
    expect(site?.model.resource).toBe('local');
    expect(site?.schedule).toEqual({ enabled: true, hourUtc: 4, cycleHourUtc: 0, forecastHours: 72, spinUpHours: 24 });
  });

  it('accepts a projected mesh with an EPSG code or a proj string, and a tidal atlas', () => {
    for (const crs of ['EPSG:3763', '+proj=utm +zone=29 +ellps=GRS80 +units=m']) {
      const site = { ...goodSite(), coordinates: { ics: 1 as const, crs }, tide: { type: 'atlas' as const, path: '/srv/fes2014', constituents: ['M2', 'S2', 'K1'] } };
      expect(validateSite(site).problems).toEqual([]);
    }
  });

  const cases: [string, (site: any) => void, string][] = [
    ['a site id that is not a slug', (s) => (s.id = '../etc'), '/id: must match'],
    ['a missing name', (s) => delete s.name, '/name: is required'],
    ['a blank name', (s) => (s.name = '   '), '/name: must match \\S (not blank)'],
    ['a projected mesh without its CRS', (s) => (s.coordinates = { ics: 1 }), '/coordinates/crs: is required'],
    ['an unknown coordinate kind', (s) => (s.coordinates = { ics: 3 }), '/coordinates/ics: must be one of 2, 1'],
    ['a CRS that is neither EPSG nor proj', (s) => (s.coordinates = { ics: 1, crs: 'WGS84' }), '/coordinates/crs: must match'],
    ['an unknown constituent', (s) => (s.tide.boundaries[0].constituents[1].name = 'X9'), '/tide/boundaries/0/constituents/1/name: unknown constituent "X9"'],
    ['a constituent listed twice', (s) => (s.tide.boundaries[0].constituents[1].name = 'm2'), '/tide/boundaries/0/constituents/1/name: M2 is already listed at /tide/boundaries/0/constituents/0/name'],
    ['boundaries with different constituents', (s) => s.tide.boundaries[1].constituents.pop(), '/tide/boundaries/1/constituents: constituents S2 differ from those of open boundary 1 (M2, S2)'],
    ['per-node phases that do not match the amplitudes', (s) => s.tide.boundaries[1].constituents[0].phase.pop(), '/tide/boundaries/1/constituents/0/phase: 2 phases for 3 amplitudes'],
    ['a negative amplitude', (s) => (s.tide.boundaries[0].constituents[0].amplitude = -1), '/tide/boundaries/0/constituents/0/amplitude: must be ≥ 0'],
    ['a boundary of an unknown kind', (s) => (s.tide.boundaries[1] = { type: 'spline' }), '/tide/boundaries/1/type: must be one of "uniform", "perNode"'],
    ['an unknown constituent in an atlas', (s) => (s.tide = { type: 'atlas', path: 'fes', constituents: ['M2', 'Q9'] }), '/tide/constituents/1: unknown constituent "Q9"'],
    ['a forcing of an unknown type', (s) => (s.forcings.ocean = { type: 'ftp', deadlineHours: 1 }), '/forcings/ocean/type: must be one of "file", "ncss"'],
    ['a forcing without a type', (s) => (s.forcings.ocean = { path: 'x.nc', deadlineHours: 1 }), '/forcings/ocean/type: is required: one of "file", "ncss"'],
    ['an NCSS url that is not http', (s) => (s.forcings.atmosphere.url = 'ftp://example.org/gfs'), '/forcings/atmosphere/url: must match ^https?://'],
    ['a forcing without a deadline', (s) => delete s.forcings.ocean.deadlineHours, '/forcings/ocean/deadlineHours: is required'],
    ['a forcing of an unknown kind', (s) => (s.forcings.rivers = { type: 'file', path: 'q.nc', deadlineHours: 1 }), '/forcings/rivers: is not a known field (known: atmosphere, ocean, waves)'],
    ['a wave forcing of an unknown type', (s) => (s.forcings.waves = { type: 'buoy', deadlineHours: 1 }), '/forcings/waves/type: must be one of "file", "ncss", "constant"'],
    ['a constant sea state without a period', (s) => (s.forcings.waves = { type: 'constant', sigWaveHeight: 2, meanWaveDirection: 270 }), '/forcings/waves/peakPeriod: is required'],
    ['a constant wave height of zero', (s) => (s.forcings.waves = { type: 'constant', sigWaveHeight: 0, peakPeriod: 10, meanWaveDirection: 270 }), '/forcings/waves/sigWaveHeight: must be > 0'],
    ['a wave direction past 360°', (s) => (s.forcings.waves = { type: 'constant', sigWaveHeight: 2, peakPeriod: 10, meanWaveDirection: 400 }), '/forcings/waves/meanWaveDirection: must be ≤ 360'],
    ['an unknown model engine', (s) => (s.model.engine = 'delft3d'), '/model/engine: must be one of "built-in", "schism"'],
    [
      'waves on SCHISM',
      (s) => {
        s.model.engine = 'schism';
        s.forcings.waves = { type: 'constant', sigWaveHeight: 2, peakPeriod: 10, meanWaveDirection: 270 };
      },
      '/forcings/waves: SCHISM computes waves in its WWM-III module, whose inputs (wwminput.nml, wwmbnd.gr3, boundary spectra) coastcast does not write: leave out the wave forcing, or run the site on the built-in model (/model/engine)',
    ],
    ['a sea state steeper than waves can be', (s) => (s.forcings.waves = { type: 'constant', sigWaveHeight: 3, peakPeriod: 1.5, meanWaveDirection: 270 }), '/forcings/waves/sigWaveHeight: 3 m at a peak period of 1.5 s is steeper than waves can be (height 0.85 of the 3.5 m deep-water wavelength; they break beyond 1/7): is the period in seconds?'],
    ['a wave field name that is not ours', (s) => (s.forcings.waves = { type: 'ncss', url: 'https://nrt.example.org/thredds/ncss/grid/mfwam', variableNames: { VHM0: 'hs' }, deadlineHours: 4 }), '/forcings/waves/variableNames/VHM0: "VHM0" is not a wave field (hs, tp, dir)'],
    ['a breaker index outside what beaches show', (s) => Object.assign(s, { forcings: { waves: { type: 'file', path: 'ww3.nc', deadlineHours: 3 } } }, { model: { ...s.model, waves: { breakerIndex: 1.5 } } }), '/model/waves/breakerIndex: must be ≤ 1.2'],
    ['wave settings without wave forcing', (s) => (s.model.waves = { breakerIndex: 0.8 }), '/model/waves: settings of the wave step, but /forcings/waves is not set'],
    ['wind sea without wind', (s) => Object.assign(s, { forcings: { waves: { type: 'constant', sigWaveHeight: 1, peakPeriod: 8, meanWaveDirection: 0 } } }, { model: { ...s.model, waves: { windSea: true } } }), '/model/waves/windSea: wind sea grows from the wind, but /forcings/atmosphere is not set'],
    ['a station longitude out of range', (s) => (s.stations[2].lon = 181), '/stations/2/lon: must be ≤ 180'],
    ['a station latitude out of range', (s) => (s.stations[0].lat = -91), '/stations/0/lat: must be ≥ -90'],
    ['a station latitude that is not a number', (s) => (s.stations[0].lat = '40.6'), '/stations/0/lat: must be number'],
    ['a station id used twice', (s) => (s.stations[2].id = 'barra'), '/stations/2/id: "barra" is already the id of /stations/0'],
    ['a threshold at an unknown station', (s) => (s.thresholds.stationLevel[0].stationId = 'porto'), '/thresholds/stationLevel/0/stationId: no station has the id "porto"'],
    ['the same threshold twice', (s) => s.thresholds.stationLevel.push({ stationId: 'cais', level: 3, name: 'flood' }), '/thresholds/stationLevel/1/name: station "cais" already has a threshold "flood"'],
    ['a flooded area of zero', (s) => (s.thresholds.floodedArea = 0), '/thresholds/floodedArea: must be > 0'],
    ['a time step of zero', (s) => (s.model.dt = 0), '/model/dt: must be > 0'],
    ['a fractional nspool', (s) => (s.model.nspool = 1.5), '/model/nspool: must be integer'],
    ['an unknown model setting', (s) => (s.model.theta = 0.6), '/model/theta: is not a known field'],
    ['an output interval that is not a multiple of dt × nspool', (s) => (s.model.outputIntervalMinutes = 20), '/model/outputIntervalMinutes: 1200 s is not a multiple of the model output interval dt × nspool = 900 s'],
    ['a forecast length that is not a multiple of the output interval', (s) => (s.model.outputIntervalMinutes = 75), '/schedule/forecastHours: 72 h is not a multiple of the output interval (outputIntervalMinutes = 4500 s)'],
    ['a spin-up that is not a multiple of dt', (s) => Object.assign(s.model, { dt: 7, nspool: 1 }), '/schedule/spinUpHours: 24 h is not a multiple of dt = 7 s'],
    ['a run hour past 23', (s) => (s.schedule.hourUtc = 24), '/schedule/hourUtc: must be ≤ 23'],
    ['a missing schedule', (s) => delete s.schedule, '/schedule: is required'],
  ];
  it.each(cases)('names the field of %s', (_, mutate, expected) => {
    const problems = problemsOf(mutate);
    expect(problems.some((p) => p.startsWith(expected)), `${expected}\nin\n${problems.join('\n')}`).toBe(true);
  });

  it('reports only the problems of the alternative a union tag selects', () => {
    expect(problemsOf((s) => (s.forcings.atmosphere = { type: 'file', deadlineHours: 2 }))).toEqual(['/forcings/atmosphere/path: is required']);
  });

  it('reports every shape problem at once, each on its own path', () => {
    const problems = problemsOf((s) => {
      s.stations[1].lon = 200;
      s.model.nspool = 0;
      s.schedule.enabled = 'yes';
    });
    expect(problems).toEqual(['/stations/1/lon: must be ≤ 180', '/model/nspool: must be ≥ 1', '/schedule/enabled: must be boolean']);
  });

  it('says what is wrong with something that is not a config at all', () => {
    expect(validateSite(null).problems.map(formatFieldProblem)).toEqual(['/: must be object']);
    expect(validateSite([]).problems.map(formatFieldProblem)).toEqual(['/: must be object']);
  });
});

describe('meshFitProblems', () => {
  const site = validateSite(goodSite()).site as Site;
  const lonLat = { ics: 2 as const, openBoundaryNodes: [3, 3], bounds: { x: { min: -8.8, max: -8.6 }, y: { min: 40.5, max: 40.8 } } };

  it('accepts a config that fits its mesh', () => {
    expect(meshFitProblems(site, lonLat)).toEqual([]);
  });

  it('counts open boundaries and per-node values against the mesh', () => {
    expect(meshFitProblems(site, { ...lonLat, openBoundaryNodes: [3, 4, 5] }).map(formatFieldProblem)).toEqual([
      '/tide/boundaries: 2 entries, but hgrid.gr3 has 3 open boundaries',
      '/tide/boundaries/1/constituents/0/amplitude: 3 values, but open boundary 2 has 4 nodes',
      '/tide/boundaries/1/constituents/0/phase: 3 values, but open boundary 2 has 4 nodes',
      '/tide/boundaries/1/constituents/1/amplitude: 3 values, but open boundary 2 has 4 nodes',
      '/tide/boundaries/1/constituents/1/phase: 3 values, but open boundary 2 has 4 nodes',
    ]);
  });

  it('finds stations outside a lon/lat mesh, in either longitude convention', () => {
    expect(meshFitProblems(site, { ...lonLat, bounds: { x: { min: 351.2, max: 351.4 }, y: { min: 40.5, max: 40.8 } } })).toEqual([]);
    const problems = meshFitProblems(site, { ...lonLat, bounds: { x: { min: -8.7, max: -8.6 }, y: { min: 40.5, max: 40.8 } } });
    expect(problems.map((p) => p.path)).toEqual(['/stations/0']);
  });

  it('leaves stations on a projected mesh to the CRS conversion', () => {
    expect(meshFitProblems(site, { ...lonLat, ics: 1, bounds: { x: { min: 0, max: 1 }, y: { min: 0, max: 1 } } })).toEqual([]);
  });
});

describe('SiteSchema', () => {
  it('is plain JSON schema that a stock ajv compiles (the API uses it as its route schema)', () => {
    expect(JSON.parse(JSON.stringify(SiteSchema))).toEqual(SiteSchema);
    const stock = new Ajv({ strict: false });
    stock.addFormat('uri', true);
    expect(stock.validate(SiteSchema, goodSite())).toBe(true);
  });

  it('types forcings as the forcing sources they configure', () => {
    expectTypeOf<SiteForcing>().toExtend<ForcingSourceConfig & { deadlineHours: number }>();
    expectTypeOf<Exclude<SiteWaveForcing, { type: 'constant' }>>().toExtend<ForcingSourceConfig & { deadlineHours: number }>();
  });

  it('accepts the wave forcings: a forecast under its dataset names, or one sea state with the wave step settings', () => {
    const copernicus = { type: 'ncss' as const, url: 'https://nrt.example.org/thredds/ncss/grid/mfwam', variableNames: { hs: 'VHM0', tp: 'VTPK', dir: 'VMDR' }, deadlineHours: 4 };
    expect(validateSite({ ...goodSite(), forcings: { waves: copernicus } }).problems).toEqual([]);
    const swell = { type: 'constant' as const, sigWaveHeight: 2.5, peakPeriod: 14, meanWaveDirection: 285 };
    const { site, problems } = validateSite({ ...goodSite(), forcings: { ...goodSite().forcings, waves: swell }, model: { dt: 60, nspool: 15, waves: { breakerIndex: 0.6, windSea: true } } });
    expect(problems).toEqual([]);
    expect(site?.forcings.waves).toEqual(swell);
    expect(site?.model.waves).toEqual({ breakerIndex: 0.6, windSea: true });
  });

  const name = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /\S/.test(s));
  const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  const constituentNames = fc.subarray(['M2', 'S2', 'N2', 'K2', 'K1', 'O1', 'P1', 'Q1', 'M4'], { minLength: 1 });
  const forcing = fc.oneof(
    fc.record({ type: fc.constant('file' as const), path: fc.string({ minLength: 1 }), deadlineHours: finite(0.5, 48) }),
    fc.record(
      {
        type: fc.constant('ncss' as const),
        url: fc.webUrl({ validSchemes: ['https', 'http'] }),
        timeoutMs: fc.integer({ min: 1000, max: 600_000 }),
        retries: fc.integer({ min: 0, max: 20 }),
        retryDelayMs: fc.integer({ min: 0, max: 60_000 }),
        variableNames: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ minLength: 1, maxLength: 8 })),
        deadlineHours: finite(0.5, 48),
      },
      { requiredKeys: ['type', 'url', 'deadlineHours'] },
    ),
  );
  const waveForcing = fc.oneof(
    fc.record({ type: fc.constant('file' as const), path: fc.string({ minLength: 1 }), deadlineHours: finite(0.5, 48) }),
    fc.record(
      {
        type: fc.constant('ncss' as const),
        url: fc.webUrl({ validSchemes: ['https', 'http'] }),
        variableNames: fc.dictionary(fc.constantFrom(...WAVE_FORCING_FIELDS), fc.string({ minLength: 1, maxLength: 8 })),
        deadlineHours: finite(0.5, 48),
      },
      { requiredKeys: ['type', 'url', 'deadlineHours'] },
    ),
    // Periods of 4 s and more carry any height up to 3 m without breaking.
    fc.record({ type: fc.constant('constant' as const), sigWaveHeight: finite(0.01, 3), peakPeriod: finite(4, 25), meanWaveDirection: finite(0, 360) }),
  );
  const tide = fc.oneof(
    fc.record({ type: fc.constant('atlas' as const), path: fc.string({ minLength: 1 }), constituents: constituentNames }),
    fc.tuple(constituentNames, fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 3 })).chain(([names, boundaries]) =>
      fc.record({
        type: fc.constant('harmonic' as const),
        boundaries: fc.tuple(
          ...boundaries.map(([uniform, nodes]) =>
            uniform
              ? fc.record({ type: fc.constant('uniform' as const), constituents: fc.tuple(...names.map((n) => fc.record({ name: fc.constant(n), amplitude: finite(0, 3), phase: finite(-360, 360) }))) })
              : fc.record({
                  type: fc.constant('perNode' as const),
                  constituents: fc.tuple(
                    ...names.map((n) => fc.record({ name: fc.constant(n), amplitude: fc.array(finite(0, 3), { minLength: nodes, maxLength: nodes }), phase: fc.array(finite(-360, 360), { minLength: nodes, maxLength: nodes }) })),
                  ),
                }),
          ),
        ),
      }),
    ),
  );
  /** Output intervals that divide an hour, and a dt × nspool that divides the interval: every forecast length fits. */
  const timing = fc
    .record({ interval: fc.constantFrom(600, 900, 1200, 1800, 3600), dt: fc.constantFrom(5, 10, 15, 20, 30, 60), explicit: fc.boolean() })
    .chain(({ interval, dt, explicit }) => {
      const steps = interval / dt;
      const divisors = Array.from({ length: steps }, (_, k) => k + 1).filter((k) => steps % k === 0);
      return fc.record({
        dt: fc.constant(dt),
        nspool: explicit ? fc.constantFrom(...divisors) : fc.constant(steps),
        ...(explicit && { outputIntervalMinutes: fc.constant(interval / 60) }),
      });
    });
  const config = fc
    .uniqueArray(fc.record({ id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/), name, lon: finite(-180, 180), lat: finite(-90, 90) }), { selector: (s) => s.id, maxLength: 5 })
    .chain((stations) =>
      fc.record(
        {
          id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,62}$/),
          name,
          coordinates: fc.oneof(fc.constant({ ics: 2 as const }), fc.record({ ics: fc.constant(1 as const), crs: fc.constantFrom('EPSG:3763', 'EPSG:25829', '+proj=utm +zone=29') })),
          tide,
          forcings: fc.record({ atmosphere: forcing, ocean: forcing, waves: waveForcing }, { requiredKeys: [] }),
          stations: fc.constant(stations),
          thresholds: fc.record(
            {
              stationLevel: stations.length === 0 ? fc.constant([]) : fc.uniqueArray(fc.record({ stationId: fc.constantFrom(...stations.map((s) => s.id)), level: finite(-5, 10), name }), { selector: (t) => JSON.stringify([t.stationId, t.name]) }),
              floodedArea: finite(0.001, 1e4),
            },
            { requiredKeys: [] },
          ),
          model: fc.tuple(timing, fc.record({ resource: fc.constantFrom('local', 'slurm-hpc'), engine: fc.constant('built-in'), h0: finite(0.001, 1), manning: finite(0, 1) }, { requiredKeys: ['resource', 'engine'] })).map(([t, rest]) => ({ ...t, ...rest })),
          schedule: fc.record({
            enabled: fc.boolean(),
            hourUtc: fc.integer({ min: 0, max: 23 }),
            cycleHourUtc: fc.integer({ min: 0, max: 23 }),
            forecastHours: fc.integer({ min: 1, max: 240 }),
            spinUpHours: fc.integer({ min: 0, max: 240 }),
          }),
        },
        { noNullPrototype: true },
      ),
    );

  it('round-trips any valid config through JSON and validation unchanged', () => {
    fc.assert(
      fc.property(config, (generated) => {
        const json = JSON.parse(JSON.stringify(generated));
        const { site, problems } = validateSite(json);
        expect(problems).toEqual([]);
        expect(site).toEqual(json);
        expect(validateSite(JSON.parse(JSON.stringify(site))).site).toEqual(site);
      }),
      { numRuns: 200 },
    );
  });
});
