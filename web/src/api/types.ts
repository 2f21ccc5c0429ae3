/**
 * The shapes the API sends and takes, as the web app uses them. The API's
 * OpenAPI document (/api/openapi.json) is the reference; the web app keeps
 * its own copy of the types because it builds apart from the server.
 */

/** One thing wrong: `path` (JSON pointer) for a config field, `file`/`line` for an uploaded file, `field` for a form field. */
export interface ApiProblem {
  path?: string;
  file?: string;
  line?: number;
  field?: string;
  severity?: 'error' | 'warning';
  message: string;
}

export interface AppConfig {
  version: string;
  /** A tile layer to draw under the mesh; null: no basemap (works offline), the mesh's land boundary is the coastline. */
  basemap: { url: string; attribution: string; maxZoom: number } | null;
}

export type ModelEngine = 'built-in' | 'schism';

/** GET /api/resources: a compute resource a site's model may run on. */
export interface ComputeResource {
  name: string;
  type: 'local' | 'slurm' | 'container';
  /** Whether it installs SCHISM, which a site on it may then run instead of the built-in model. */
  schism: boolean;
}

export interface TideConstituent {
  name: string;
  amplitude: number;
  phase: number;
}

export type SiteTide =
  | { type: 'harmonic'; z0?: number; boundaries: ({ type: 'uniform'; constituents: TideConstituent[] } | { type: 'perNode'; constituents: { name: string; amplitude: number[]; phase: number[] }[] })[] }
  | { type: 'atlas'; path: string; constituents: string[]; z0?: number };

export type SiteForcing =
  | { type: 'file'; path: string; deadlineHours: number }
  | { type: 'ncss'; url: string; timeoutMs?: number; retries?: number; retryDelayMs?: number; variableNames?: Record<string, string>; deadlineHours: number };

/** Waves at the open boundary: a forcing like the others (grids of hs, tp, dir), or one sea state for the whole run (scenarios). */
export type WavesForcing =
  | SiteForcing
  | {
      type: 'constant';
      /** m, > 0 */
      sigWaveHeight: number;
      /** s, > 0 */
      peakPeriod: number;
      /** Degrees clockwise from true north that the waves come from (nautical), 0..360. */
      meanWaveDirection: number;
    };

export interface SiteStation {
  id: string;
  name: string;
  lon: number;
  lat: number;
}

export interface StationLevelThreshold {
  stationId: string;
  level: number;
  name: string;
}

export interface WaveHeightThreshold {
  stationId: string;
  /** Significant wave height, m. */
  height: number;
  name: string;
}

/** The site config (components/schemas/Site in the OpenAPI document). */
export interface SiteConfig {
  id: string;
  name: string;
  coordinates: { ics: 2 } | { ics: 1; crs: string };
  tide: SiteTide;
  forcings: { atmosphere?: SiteForcing; ocean?: SiteForcing; waves?: WavesForcing };
  stations: SiteStation[];
  thresholds: { stationLevel?: StationLevelThreshold[]; floodedArea?: number; waveHeight?: WaveHeightThreshold[] };
  model: {
    resource?: string;
    engine?: ModelEngine;
    dt: number;
    nspool: number;
    outputIntervalMinutes?: number;
    h0?: number;
    manning?: number;
    /** The built-in wave step, run when the site has wave forcing: breaker index γ (default 0.73), and whether wind grows its own sea (default false). */
    waves?: { breakerIndex?: number; windSea?: boolean };
  };
  schedule: { enabled: boolean; hourUtc: number; cycleHourUtc?: number; forecastHours?: number; spinUpHours?: number };
}

export interface Range {
  min: number;
  max: number;
}

export interface MeshStats {
  ics: 1 | 2;
  icsDetected: boolean;
  nodes: number;
  triangles: number;
  openBoundaries: { count: number; nodes: number };
  landBoundaries: { count: number; islands: number; nodes: number };
  bounds: { x: Range; y: Range };
  depth: Range;
  edgeLength: Range | null;
  area: number;
}

export interface MeshWarning {
  line: number;
  severity: 'error' | 'warning';
  key?: string;
  message: string;
  omitted?: number;
}

export interface SiteView {
  config: SiteConfig;
  mesh: { stats: MeshStats; openBoundaryNodes: number[]; warnings: MeshWarning[] };
  createdAt: string;
  updatedAt: string;
}

export const CYCLE_STATUSES = ['scheduled', 'running', 'completed', 'failed', 'cancelled'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

export interface SiteListing {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  latestCycle: { cycle: string; status: CycleStatus } | null;
  /** The newest completed cycle's alerts; null when no cycle completed yet. */
  latestAlerts: { cycle: string; alerts: Alert[] } | null;
}

export interface CycleProgress {
  stage: string;
  percent: number;
  modelPercent: number | null;
  messages: string[];
}

/** How a cycle's run started (activities/prepareRun.ts RunStart): from the previous cycle's hot start, or cold and why. */
export type RunStart = { kind: 'hot'; from: string } | { kind: 'cold'; spinUpHours: number; reason: string };

export interface CycleView {
  siteId: string;
  cycle: string;
  status: CycleStatus;
  degraded: string[];
  stage: string | null;
  progress: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  summary: { alerts?: Alert[]; flood?: { areaKm2: number; maxDepthM: number | null }; degraded?: string[]; degradedReasons?: string[]; initialState?: RunStart } | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  live: CycleProgress | null;
}

export interface CycleStart {
  workflowId: string;
  cycle: string;
  started: boolean;
}

export interface Alert {
  kind: 'stationLevel' | 'waveHeight' | 'floodedArea' | 'floodedPolygon';
  name: string;
  stationId?: string;
  threshold: number;
  value: number;
  firstExceededAt: string;
  peakAt: string;
}

/** A checked mesh: POST /api/meshes/check. */
export interface MeshCheck {
  /** False when any problem is an error: such a mesh cannot be saved. */
  ok: boolean;
  stats: MeshStats | null;
  /** Every problem found, by line of hgrid.gr3. */
  problems: MeshWarning[];
  /** What the site config must agree with (open boundaries for the tide, bounds for stations). */
  facts: { ics: 1 | 2; openBoundaryNodes: number[]; bounds: { x: Range; y: Range } } | null;
  /** The mesh in WGS84 to draw; null when it could not be read. */
  preview: MeshPreview | null;
}

export interface MeshPreview {
  lon: number[];
  lat: number[];
  /** Three 0-based node indices per triangle. */
  triangles: number[];
  /** Boundary node chains: open boundaries, land boundaries and islands, in hgrid.gr3's order. */
  boundaries: { kind: 'open' | 'land' | 'island'; nodes: number[] }[];
}

/** GET /api/sites/:id/outline: the mesh's boundaries in WGS84. */
export interface MeshOutline {
  type: 'FeatureCollection';
  features: { type: 'Feature'; properties: { kind: 'open' | 'land' | 'island' }; geometry: { type: 'LineString'; coordinates: [number, number][] } }[];
}

/** products/frames/index.json */
export interface FrameIndex {
  nodeCount: number;
  times: string[];
  /** `kind: 'direction'`: degrees clockwise from true north that something comes from (meanWaveDirection), drawn as arrows, not colours. */
  variables: { name: string; units: string; description: string; min: number | null; max: number | null; frames: string; kind?: 'direction' }[];
  max: { variable: string; units: string; description: string; min: number | null; max: number | null; file: string }[];
}

/** products/stations.json */
export interface StationsProduct {
  times: string[];
  stations: (
    | ({ id: string; name: string; lon: number; lat: number; inMesh: true; elevation: (number | null)[]; velocityX: (number | null)[]; velocityY: (number | null)[]; maxLevel: number | null; maxLevelAt: string | null } & Partial<StationWaves>)
    | { id: string; name: string; lon: number; lat: number; inMesh: false; problem: string }
  )[];
}

/** A station's waves in stations.json, present when the cycle ran with waves; null while any node of its triangle is dry. */
export interface StationWaves {
  /** m */
  sigWaveHeight: (number | null)[];
  /** s */
  peakPeriod: (number | null)[];
  /** Degrees clockwise from true north that the waves come from. */
  meanWaveDirection: (number | null)[];
  maxWaveHeight: number | null;
  maxWaveHeightAt: string | null;
}

/** products/summary.json (what the viewer reads of it). */
export interface CycleSummary {
  siteId: string;
  cycle: string;
  degraded: string[];
  /** Why each of `degraded` fell back; absent in cycles from before forcing deadlines. */
  degradedReasons?: string[];
  stages: { stage: string; startedAt: string; finishedAt: string | null }[];
  products: {
    times: string[];
    flood: { minDepthM: number; perTime: { time: string; areaKm2: number; maxDepthM: number | null }[]; max: { areaKm2: number; maxDepthM: number | null } };
    alerts: Alert[];
    products: string[];
  };
  messages: string[];
}

/** One entry of GET /api/sites/:siteId/cycles/:cycle/downloads. */
export interface Download {
  name: string;
  description: string;
  bytes: number;
  mediaType: string;
  url: string;
}

/** GET /api/sites/:siteId/stations/:stationId/observations: observed water levels, m above the model datum, null where missing. */
export interface StationObservations {
  stationId: string;
  times: string[];
  water_level_m: (number | null)[];
}

/** One lead-time day of a station's skill: (from, to], the cycle time in day 1; figures null below 2 pairs. */
export interface LeadDaySkill {
  day: number;
  from: string;
  to: string;
  n: number;
  bias: number | null;
  rmse: number | null;
  correlation: number | null;
  /** Willmott's index of agreement d. */
  skill: number | null;
}

/** GET /api/sites/:siteId/cycles/:cycle/skill */
export interface CycleSkill {
  siteId: string;
  cycle: string;
  stations: { stationId: string; name: string; observations: number; fetched: boolean; fetchProblem: string | null; days: LeadDaySkill[] }[];
}
