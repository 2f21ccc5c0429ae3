/**
 * A site's configuration: one typebox schema gives the TypeScript type, the
 * validation here and the JSON schema the HTTP API publishes, so the three
 * cannot drift apart. ajv checks the shape; the checks a JSON schema cannot
 * express (names of tidal constituents, cross-references between stations
 * and thresholds, time steps that must divide each other) follow, and every
 * problem names its field by JSON pointer: `/stations/2/lon: must be ≤ 180`.
 *
 * Unions are tagged (`type`, or `ics` for coordinates) and stay plain
 * `anyOf`, so any JSON-schema consumer can use the schema without the ajv
 * `discriminator` extension; the tag is used here to report the problems of
 * the one alternative the user meant instead of those of every alternative.
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Type, type Static } from 'typebox';

import type { Ics } from './geodesy.js';
import type { Range } from './mesh/stats.js';
import { BREAKER_INDEX_RANGE, type WaveSettings } from './schism/wavesTh.js';
import { CONSTITUENT_NAMES, findConstituent } from './tide/constituents.js';

const SiteId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'slug: lower-case letters, digits and hyphens, 2 to 63 characters' });
const Text = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'not blank' });
const Longitude = Type.Number({ minimum: -180, maximum: 180, description: 'degrees east (WGS84)' });
const Latitude = Type.Number({ minimum: -90, maximum: 90, description: 'degrees north (WGS84)' });

const Coordinates = Type.Union([
  Type.Object({ ics: Type.Literal(2) }, { additionalProperties: false, description: 'mesh in longitude/latitude degrees' }),
  Type.Object(
    {
      ics: Type.Literal(1),
      crs: Type.String({ pattern: '^(EPSG:[0-9]{4,6}|\\+proj=\\S.*)$', description: "the mesh's projected CRS: 'EPSG:<code>' or a proj string" }),
    },
    { additionalProperties: false, description: 'mesh in metres of a projected CRS' },
  ),
]);

const ConstituentName = Type.String({ minLength: 1, maxLength: 16, description: 'a tidal constituent (M2, S2, K1, …), any letter case' });
const Amplitude = Type.Number({ minimum: 0, description: 'metres' });
const Phase = Type.Number({ minimum: -360, maximum: 360, description: 'Greenwich phase lag, degrees (UTC)' });

const UniformBoundaryTide = Type.Object(
  {
    type: Type.Literal('uniform'),
    constituents: Type.Array(Type.Object({ name: ConstituentName, amplitude: Amplitude, phase: Phase }, { additionalProperties: false }), { minItems: 1 }),
  },
  { additionalProperties: false, description: 'the same constants at every node of the open boundary' },
);

const PerNodeBoundaryTide = Type.Object(
  {
    type: Type.Literal('perNode'),
    constituents: Type.Array(
      Type.Object(
        { name: ConstituentName, amplitude: Type.Array(Amplitude, { minItems: 1 }), phase: Type.Array(Phase, { minItems: 1 }) },
        { additionalProperties: false, description: 'one amplitude and phase per open-boundary node, in the order hgrid.gr3 lists them' },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

const Tide = Type.Union([
  Type.Object(
    {
      type: Type.Literal('harmonic'),
      /** Metres above the model datum; added to the tide at every boundary node. */
      z0: Type.Optional(Type.Number({ description: 'mean level above the model datum, metres' })),
      boundaries: Type.Array(Type.Union([UniformBoundaryTide, PerNodeBoundaryTide]), {
        minItems: 1,
        description: "one entry per open boundary, in hgrid.gr3's order; every boundary uses the same constituents (bctides.in lists them once)",
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('atlas'),
      path: Type.String({ minLength: 1, description: 'FES-style NetCDF grids of amplitude and phase, interpolated at the open-boundary nodes' }),
      constituents: Type.Array(ConstituentName, { minItems: 1 }),
      z0: Type.Optional(Type.Number({ description: 'mean level above the model datum, metres' })),
    },
    { additionalProperties: false },
  ),
]);

const DeadlineHours = Type.Number({
  exclusiveMinimum: 0,
  maximum: 48,
  description: 'hours after the cycle time by which this forcing must have arrived; past it the cycle falls back and is marked degraded',
});

/** Mirrors activities/forcing/source.ts ForcingSourceConfig (core may not import activities; test/site.test.ts checks they agree). */
const Forcing = Type.Union([
  Type.Object({ type: Type.Literal('file'), path: Type.String({ minLength: 1 }), deadlineHours: DeadlineHours }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('ncss'),
      url: Type.String({ format: 'uri', pattern: '^https?://', description: "the dataset's NCSS endpoint" }),
      timeoutMs: Type.Optional(Type.Integer({ minimum: 1000, description: 'per attempt, body included (default 120 s)' })),
      retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: 'attempts after the first one (default 3)' })),
      retryDelayMs: Type.Optional(Type.Integer({ minimum: 0, description: 'first backoff delay, doubled at each retry (default 1 s)' })),
      variableNames: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: "our variable name → the dataset's name, for those that differ" })),
      deadlineHours: DeadlineHours,
    },
    { additionalProperties: false },
  ),
]);

/** The wave step's settings where a site leaves them out. */
export const WAVE_STEP_DEFAULTS: Readonly<WaveSettings> = { breakerIndex: 0.73, windSea: false };

/** Our names of the wave fields a wave forcing file delivers: significant wave height (m), peak period (s), mean direction (degrees, coming from, clockwise from true north). */
export const WAVE_FORCING_FIELDS = ['hs', 'tp', 'dir'] as const;

/**
 * A fetched wave forcing, or one sea state held at the boundary for the
 * whole run: a scenario (a design storm, a typical winter swell) that needs
 * no forecast to be available and works for any cycle date.
 */
const WaveForcing = Type.Union([
  ...Forcing.anyOf,
  Type.Object(
    {
      type: Type.Literal('constant'),
      sigWaveHeight: Type.Number({ exclusiveMinimum: 0, description: 'significant wave height, metres' }),
      peakPeriod: Type.Number({ exclusiveMinimum: 0, description: 'peak period, seconds' }),
      meanWaveDirection: Type.Number({ minimum: 0, maximum: 360, description: 'degrees the waves come from, clockwise from true north (270: from the west)' }),
    },
    { additionalProperties: false, description: 'the same sea state at every open-boundary node for the whole run' },
  ),
]);

/** Settings of the built-in wave step; what is left out takes WAVE_STEP_DEFAULTS. */
const WaveStep = Type.Object(
  {
    breakerIndex: Type.Optional(Type.Number({ minimum: BREAKER_INDEX_RANGE.min, maximum: BREAKER_INDEX_RANGE.max, description: `γ of depth-induced breaking: waves higher than γ × depth break (default ${WAVE_STEP_DEFAULTS.breakerIndex})` })),
    windSea: Type.Optional(Type.Boolean({ description: 'grow wind sea from the atmosphere forcing on top of the waves from the boundary (default false)' })),
  },
  { additionalProperties: false },
);

/** Where a station's observed water levels can be fetched (formats: core/observations.ts). */
const ObservationsSource = Type.Object(
  {
    url: Type.String({ format: 'uri', pattern: '^https?://', description: 'answers GET with the observations in `format`; fetched when a cycle\'s skill is asked for and the stored observations do not span its period' }),
    format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { description: "csv: header time,water_level_m; json: { times: [...], water_level_m: [...] }" }),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000, description: 'per fetch, body included (default 10 s)' })),
  },
  { additionalProperties: false },
);

const Station = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }),
    name: Text,
    lon: Longitude,
    lat: Latitude,
    observations: Type.Optional(ObservationsSource),
  },
  { additionalProperties: false },
);

const StationLevelThreshold = Type.Object(
  { stationId: Type.String(), level: Type.Number({ description: 'water level above the model datum, metres' }), name: Text },
  { additionalProperties: false },
);

const WaveHeightThreshold = Type.Object(
  { stationId: Type.String(), height: Type.Number({ exclusiveMinimum: 0, description: 'significant wave height, metres' }), name: Text },
  { additionalProperties: false },
);

const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[longitude, latitude], degrees (WGS84)' });

const FloodedPolygonThreshold = Type.Object(
  {
    name: Text,
    polygon: Type.Object(
      {
        type: Type.Literal('Polygon'),
        coordinates: Type.Array(Type.Array(Position, { minItems: 4, description: 'a closed ring: the last position repeats the first' }), {
          minItems: 1,
          description: 'the outer ring, then any holes',
        }),
      },
      { additionalProperties: false, description: 'GeoJSON Polygon in longitude/latitude' },
    ),
    minAreaKm2: Type.Optional(Type.Number({ minimum: 0, description: 'flooded area inside the polygon that raises an alert, km²; without it, any flooded area does' })),
  },
  { additionalProperties: false, description: 'land flooded inside a named area: the flooded triangles whose centroid lies inside the polygon' },
);

const Notifications = Type.Object(
  {
    webhooks: Type.Optional(
      Type.Array(
        Type.Object(
          {
            url: Type.String({ format: 'uri', pattern: '^https?://', description: 'receives an HTTP POST of JSON per alert' }),
            secret: Type.String({ minLength: 16, description: 'HMAC-SHA256 key of the X-Coastcast-Signature header, shared with the receiver' }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    email: Type.Optional(
      Type.Object(
        { to: Type.Array(Type.String({ pattern: '^[^\\s@]+@[^\\s@]+$', description: 'an e-mail address' }), { minItems: 1 }) },
        { additionalProperties: false, description: "sent through the installation's SMTP server (COASTCAST_SMTP_URL)" },
      ),
    ),
  },
  { additionalProperties: false, description: 'where alerts are sent' },
);

const Model = Type.Object(
  {
    resource: Type.Optional(Type.String({ minLength: 1, default: 'local', description: 'the compute resource that runs the model job' })),
    engine: Type.Optional(
      Type.Union([Type.Literal('built-in'), Type.Literal('schism')], {
        default: 'built-in',
        description: "the model program: coastcast's built-in model, or SCHISM (pschism) as the chosen resource installs it",
      }),
    ),
    dt: Type.Number({ exclusiveMinimum: 0, maximum: 3600, description: 'time step, seconds' }),
    nspool: Type.Integer({ minimum: 1, description: 'time steps between model outputs' }),
    outputIntervalMinutes: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'interval of the products; a multiple of the model output interval (dt × nspool)' })),
    h0: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'minimum wet depth, metres' })),
    manning: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: "Manning's n, s m^-1/3" })),
    waves: Type.Optional(WaveStep),
  },
  { additionalProperties: false },
);

const Schedule = Type.Object(
  {
    enabled: Type.Boolean({ description: 'run a cycle every day' }),
    hourUtc: Type.Integer({ minimum: 0, maximum: 23, description: 'hour of the day (UTC) the daily run starts' }),
    cycleHourUtc: Type.Optional(Type.Integer({ minimum: 0, maximum: 23, default: 0, description: "hour (UTC) of the cycle: the forecast's start time" })),
    forecastHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 240, default: 72 })),
    spinUpHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 240, default: 24, description: 'hours run before the cycle time when there is no hot start' })),
  },
  { additionalProperties: false },
);

export const SiteSchema = Type.Object(
  {
    id: SiteId,
    name: Text,
    coordinates: Coordinates,
    tide: Tide,
    forcings: Type.Object({ atmosphere: Type.Optional(Forcing), ocean: Type.Optional(Forcing), waves: Type.Optional(WaveForcing) }, { additionalProperties: false }),
    stations: Type.Array(Station),
    thresholds: Type.Object(
      {
        stationLevel: Type.Optional(Type.Array(StationLevelThreshold)),
        floodedArea: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'flooded area that raises an alert, km²' })),
        waveHeight: Type.Optional(
          Type.Array(WaveHeightThreshold, {
            description: "significant wave height at a station; evaluated on the station's sigWaveHeight series, so it never fires while the model runs without waves",
          }),
        ),
        floodedPolygons: Type.Optional(Type.Array(FloodedPolygonThreshold)),
      },
      { additionalProperties: false },
    ),
    notifications: Type.Optional(Notifications),
    model: Model,
    schedule: Schedule,
  },
  { additionalProperties: false },
);

/** What a user sends: fields with defaults may be left out. */
export type SiteInput = Static<typeof SiteSchema>;
/** A validated site: every default filled in. */
export type Site = SiteInput & {
  model: SiteInput['model'] & { resource: string; engine: ModelEngine };
  schedule: Required<SiteInput['schedule']>;
};
export type ModelEngine = 'built-in' | 'schism';
export type SiteForcing = Static<typeof Forcing>;
export type SiteWaveForcing = Static<typeof WaveForcing>;
export type SiteTide = Static<typeof Tide>;
export type SiteStation = Static<typeof Station>;
export type StationObservationsSource = Static<typeof ObservationsSource>;

/** One thing wrong with a field of a site config; `path` is a JSON pointer ('' for the whole config). */
export interface FieldProblem {
  path: string;
  message: string;
}

export function formatFieldProblem(problem: FieldProblem): string {
  return `${problem.path || '/'}: ${problem.message}`;
}

// ajv-formats is CommonJS: under NodeNext its plugin is the module's `default` property.
const addFormats = addFormatsModule.default;
const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true });
addFormats(ajv, ['uri']);
const checkShape = ajv.compile(SiteSchema);

/**
 * Checks a site config. On success `site` is a copy with defaults filled in;
 * the input is never modified. Semantic checks run only on a config of the
 * right shape, so a config can come back twice with different problems.
 */
export function validateSite(input: unknown): { site?: Site; problems: FieldProblem[] } {
  const copy = structuredClone(input);
  if (!checkShape(copy)) return { problems: shapeProblems(checkShape.errors ?? [], copy) };
  const site = copy as Site;
  const problems = semanticProblems(site);
  return problems.length > 0 ? { problems } : { site, problems };
}

/** The facts about a site's mesh that its config must agree with. */
export interface SiteMeshFacts {
  ics: Ics;
  /** Node count of each open boundary, in hgrid.gr3's order. */
  openBoundaryNodes: readonly number[];
  /** In the mesh's own units. */
  bounds: { x: Range; y: Range };
}

/** Where a valid config disagrees with its mesh: open boundaries for the tide, stations outside the mesh. */
export function meshFitProblems(site: Site, mesh: SiteMeshFacts): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (site.tide.type === 'harmonic') {
    const open = mesh.openBoundaryNodes.length;
    if (site.tide.boundaries.length !== open) {
      problems.push({ path: '/tide/boundaries', message: `${count(site.tide.boundaries.length, 'entry', 'entries')}, but hgrid.gr3 has ${count(open, 'open boundary', 'open boundaries')}` });
    }
    site.tide.boundaries.forEach((boundary, b) => {
      if (boundary.type !== 'perNode' || b >= open) return;
      const nodes = mesh.openBoundaryNodes[b];
      boundary.constituents.forEach((c, k) => {
        for (const field of ['amplitude', 'phase'] as const) {
          if (c[field].length !== nodes) {
            problems.push({ path: `/tide/boundaries/${b}/constituents/${k}/${field}`, message: `${count(c[field].length, 'value', 'values')}, but open boundary ${b + 1} has ${count(nodes, 'node', 'nodes')}` });
          }
        }
      });
    });
  }
  // A projected mesh needs the CRS conversion to place stations; a lon/lat mesh can be checked directly.
  if (mesh.ics === 2) {
    const { x, y } = mesh.bounds;
    site.stations.forEach((station, s) => {
      const lonInside = [station.lon, station.lon + 360].some((lon) => lon >= x.min && lon <= x.max);
      if (!lonInside || station.lat < y.min || station.lat > y.max) {
        problems.push({ path: `/stations/${s}`, message: `(${station.lon}, ${station.lat}) lies outside the mesh (lon ${degrees(x.min)}..${degrees(x.max)}, lat ${degrees(y.min)}..${degrees(y.max)})` });
      }
    });
  }
  return problems;
}

/** Mesh coordinates carry generator round-off (40.699999999999996); ten digits say where the mesh ends. */
function degrees(value: number): number {
  return Number(value.toPrecision(10));
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function semanticProblems(site: Site): FieldProblem[] {
  return [...tideProblems(site.tide), ...stationProblems(site), ...alertRuleProblems(site), ...timingProblems(site), ...waveProblems(site)];
}

/** Deep-water waves break beyond a height of about a seventh of their length (Miche); a sea state steeper than that does not exist. */
const STEEPEST_WAVE = 1 / 7;
const GRAVITY = 9.81;

function waveProblems({ forcings, model }: Site): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const waves = forcings.waves;
  if (waves?.type === 'constant') {
    const wavelength = (GRAVITY * waves.peakPeriod ** 2) / (2 * Math.PI);
    const steepness = waves.sigWaveHeight / wavelength;
    if (steepness > STEEPEST_WAVE) {
      problems.push({
        path: '/forcings/waves/sigWaveHeight',
        message: `${waves.sigWaveHeight} m at a peak period of ${waves.peakPeriod} s is steeper than waves can be (height ${steepness.toFixed(2)} of the ${wavelength.toFixed(1)} m deep-water wavelength; they break beyond 1/7): is the period in seconds?`,
      });
    }
  } else if (waves?.type === 'ncss') {
    for (const name of Object.keys(waves.variableNames ?? {})) {
      if (!(WAVE_FORCING_FIELDS as readonly string[]).includes(name)) {
        problems.push({ path: `/forcings/waves/variableNames/${pointerToken(name)}`, message: `"${name}" is not a wave field (${WAVE_FORCING_FIELDS.join(', ')}): the names to map are ours, the values the dataset's` });
      }
    }
  }
  if (waves && model.engine === 'schism') {
    problems.push({
      path: '/forcings/waves',
      message: "SCHISM computes waves in its WWM-III module, whose inputs (wwminput.nml, wwmbnd.gr3, boundary spectra) coastcast does not write: leave out the wave forcing, or run the site on the built-in model (/model/engine)",
    });
  }
  if (model.waves && !waves) problems.push({ path: '/model/waves', message: 'settings of the wave step, but /forcings/waves is not set, so the model runs without waves' });
  if (model.waves?.windSea && !forcings.atmosphere) problems.push({ path: '/model/waves/windSea', message: 'wind sea grows from the wind, but /forcings/atmosphere is not set' });
  return problems;
}

/** Each alert is delivered once per cycle and rule, so a rule's key (kind, station, name) must name one rule. */
function alertRuleProblems({ stations, thresholds }: Site): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const ids = new Set(stations.map((s) => s.id));
  const waveRules = new Map<string, number>();
  thresholds.waveHeight?.forEach((rule, r) => {
    const at = `/thresholds/waveHeight/${r}`;
    if (!ids.has(rule.stationId)) problems.push({ path: `${at}/stationId`, message: `no station has the id "${rule.stationId}"` });
    const key = JSON.stringify([rule.stationId, rule.name]);
    const earlier = waveRules.get(key);
    if (earlier !== undefined) problems.push({ path: `${at}/name`, message: `station "${rule.stationId}" already has a wave height threshold "${rule.name}" at /thresholds/waveHeight/${earlier}` });
    else waveRules.set(key, r);
  });
  const polygons = new Map<string, number>();
  thresholds.floodedPolygons?.forEach((rule, r) => {
    const at = `/thresholds/floodedPolygons/${r}`;
    const earlier = polygons.get(rule.name);
    if (earlier !== undefined) problems.push({ path: `${at}/name`, message: `"${rule.name}" is already the name of /thresholds/floodedPolygons/${earlier}` });
    else polygons.set(rule.name, r);
    rule.polygon.coordinates.forEach((ring, i) => {
      const [first, last] = [ring[0], ring[ring.length - 1]];
      if (first[0] !== last[0] || first[1] !== last[1]) problems.push({ path: `${at}/polygon/coordinates/${i}`, message: 'ring is not closed: its last position must repeat the first (GeoJSON)' });
      ring.forEach(([lon, lat], k) => {
        if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) problems.push({ path: `${at}/polygon/coordinates/${i}/${k}`, message: `[${lon}, ${lat}] is not a longitude/latitude position` });
      });
    });
  });
  return problems;
}

function tideProblems(tide: SiteTide): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const names = (list: readonly string[], path: (k: number) => string): string[] => {
    const seen = new Map<string, number>();
    list.forEach((name, k) => {
      const constituent = findConstituent(name);
      if (!constituent) {
        problems.push({ path: path(k), message: `unknown constituent "${name}" (known: ${CONSTITUENT_NAMES.join(', ')})` });
        return;
      }
      const earlier = seen.get(constituent.name);
      if (earlier !== undefined) problems.push({ path: path(k), message: `${constituent.name} is already listed at ${path(earlier)}` });
      else seen.set(constituent.name, k);
    });
    return [...seen.keys()].sort();
  };
  if (tide.type === 'atlas') {
    names(tide.constituents, (k) => `/tide/constituents/${k}`);
    return problems;
  }
  let first: string[] | undefined;
  tide.boundaries.forEach((boundary, b) => {
    const at = `/tide/boundaries/${b}/constituents`;
    const set = names(
      boundary.constituents.map((c) => c.name),
      (k) => `${at}/${k}/name`,
    );
    if (boundary.type === 'perNode') {
      boundary.constituents.forEach((c, k) => {
        if (c.phase.length !== c.amplitude.length) problems.push({ path: `${at}/${k}/phase`, message: `${c.phase.length} phases for ${c.amplitude.length} amplitudes` });
      });
    }
    if (first === undefined) first = set;
    else if (set.join() !== first.join()) problems.push({ path: at, message: `constituents ${set.join(', ')} differ from those of open boundary 1 (${first.join(', ')}): every boundary must use the same` });
  });
  return problems;
}

function stationProblems(site: Site): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stations = new Map<string, number>();
  site.stations.forEach((station, s) => {
    const earlier = stations.get(station.id);
    if (earlier !== undefined) problems.push({ path: `/stations/${s}/id`, message: `"${station.id}" is already the id of /stations/${earlier}` });
    else stations.set(station.id, s);
  });
  const levels = new Map<string, number>();
  site.thresholds.stationLevel?.forEach((threshold, t) => {
    const at = `/thresholds/stationLevel/${t}`;
    if (!stations.has(threshold.stationId)) {
      problems.push({ path: `${at}/stationId`, message: `no station has the id "${threshold.stationId}"${stations.size ? ` (stations: ${[...stations.keys()].join(', ')})` : ''}` });
    }
    const key = JSON.stringify([threshold.stationId, threshold.name]);
    const earlier = levels.get(key);
    if (earlier !== undefined) problems.push({ path: `${at}/name`, message: `station "${threshold.stationId}" already has a threshold "${threshold.name}" at /thresholds/stationLevel/${earlier}` });
    else levels.set(key, t);
  });
  return problems;
}

/** Whether a is a whole multiple of b, allowing for decimal time steps such as 0.1 s. */
function isMultiple(a: number, b: number): boolean {
  const ratio = a / b;
  return Math.abs(ratio - Math.round(ratio)) <= 1e-9 * Math.max(1, ratio);
}

function timingProblems({ model, schedule }: Site): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const modelOutput = model.dt * model.nspool;
  if (model.outputIntervalMinutes !== undefined && !isMultiple(model.outputIntervalMinutes * 60, modelOutput)) {
    problems.push({ path: '/model/outputIntervalMinutes', message: `${model.outputIntervalMinutes * 60} s is not a multiple of the model output interval dt × nspool = ${modelOutput} s` });
  }
  const output = model.outputIntervalMinutes === undefined ? modelOutput : model.outputIntervalMinutes * 60;
  if (!isMultiple(schedule.forecastHours * 3600, output)) {
    const which = model.outputIntervalMinutes === undefined ? 'dt × nspool' : 'outputIntervalMinutes';
    problems.push({ path: '/schedule/forecastHours', message: `${schedule.forecastHours} h is not a multiple of the output interval (${which} = ${output} s)` });
  }
  if (!isMultiple(schedule.spinUpHours * 3600, model.dt)) {
    problems.push({ path: '/schedule/spinUpHours', message: `${schedule.spinUpHours} h is not a multiple of dt = ${model.dt} s, so the cycle time would fall between steps` });
  }
  return problems;
}

/** The property every alternative of a union fixes with `const`, if any. */
function unionTag(branches: readonly unknown[]): { name: string; values: unknown[] } | undefined {
  const props = branches.map((b) => (b as { properties?: Record<string, { const?: unknown }> }).properties ?? {});
  const name = Object.keys(props[0] ?? {}).find((key) => props.every((p) => p[key] && 'const' in p[key]));
  return name === undefined ? undefined : { name, values: props.map((p) => p[name].const) };
}

function valueAt(data: unknown, pointer: string): unknown {
  let value = data;
  for (const token of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * ajv's errors as field problems. For a failed union only the alternative
 * the tag selects is reported; without a usable tag, the tag itself is.
 */
function shapeProblems(errors: readonly ErrorObject[], data: unknown): FieldProblem[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const hidden = new Set<ErrorObject>();
  const replacements = new Map<ErrorObject, FieldProblem>();
  for (const union of unions) {
    const branches = union.schema as unknown[];
    const tag = unionTag(branches);
    const value = valueAt(data, union.instancePath);
    const chosen = tag && typeof value === 'object' && value !== null ? tag.values.indexOf((value as Record<string, unknown>)[tag.name]) : -1;
    for (const e of errors) {
      // The same schema path recurs for every item of an array: the instance path tells them apart.
      const inside = e.instancePath === union.instancePath || e.instancePath.startsWith(`${union.instancePath}/`);
      if (inside && e.schemaPath.startsWith(`${union.schemaPath}/`) && (chosen < 0 || !e.schemaPath.startsWith(`${union.schemaPath}/${chosen}/`))) hidden.add(e);
    }
    const constants = branches.every((b) => typeof b === 'object' && b !== null && 'const' in b) ? branches.map((b) => (b as { const: unknown }).const) : undefined;
    if (chosen >= 0) hidden.add(union);
    else if (constants) replacements.set(union, { path: union.instancePath, message: `must be one of ${constants.map((v) => JSON.stringify(v)).join(', ')}` });
    else if (tag) {
      const present = typeof value === 'object' && value !== null && tag.name in value;
      replacements.set(union, {
        path: typeof value === 'object' && value !== null ? `${union.instancePath}/${tag.name}` : union.instancePath,
        message:
          typeof value !== 'object' || value === null
            ? 'must be an object'
            : `${present ? 'must be' : 'is required:'} one of ${tag.values.map((v) => JSON.stringify(v)).join(', ')}`,
      });
    } else replacements.set(union, { path: union.instancePath, message: 'does not match any allowed form' });
  }
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (hidden.has(e)) continue;
    const problem = replacements.get(e) ?? shapeProblem(e);
    const key = formatFieldProblem(problem);
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

function shapeProblem(e: ErrorObject): FieldProblem {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${e.instancePath}/${pointerToken(String(params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      return { path: `${e.instancePath}/${pointerToken(String(params.additionalProperty))}`, message: `is not a known field (known: ${known.join(', ')})` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const symbol = { minimum: '≥', maximum: '≤', exclusiveMinimum: '>', exclusiveMaximum: '<' }[e.keyword];
      return { path: e.instancePath, message: `must be ${symbol} ${String(params.limit)}` };
    }
    case 'const':
      return { path: e.instancePath, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'pattern':
      return { path: e.instancePath, message: `must match ${String(params.pattern)}${(e.parentSchema as { description?: string }).description ? ` (${(e.parentSchema as { description: string }).description})` : ''}` };
    default:
      return { path: e.instancePath, message: e.message ?? e.keyword };
  }
}
