/**
 * The HTTP API as the app uses it. Every failure becomes an ApiError holding
 * the API's error body (code, message, problems by field or line), so views
 * can show what is wrong where it is wrong.
 */
import type { ApiProblem, AppConfig, ComputeResource, CycleSkill, CycleStart, CycleView, Download, MeshCheck, MeshOutline, SiteConfig, SiteListing, SiteView, StationObservations } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: ApiProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function failure(response: Response): Promise<ApiError> {
  let body: { error?: string; message?: string; problems?: ApiProblem[] } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not the API's JSON (a proxy's page, a cut connection): the status line says what there is to say.
  }
  return new ApiError(response.status, body.error ?? `http-${response.status}`, body.message ?? `${response.status} ${response.statusText}`, body.problems ?? []);
}

async function request(path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  return response;
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await request(path, init)).json()) as T;
}

function postJson<T>(path: string, body: unknown): Promise<T> {
  return json<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const site = (siteId: string) => `/api/sites/${encodeURIComponent(siteId)}`;
const cycle = (siteId: string, cycleTime: string) => `${site(siteId)}/cycles/${encodeURIComponent(cycleTime)}`;

function siteForm(config: SiteConfig, mesh: Blob | undefined): FormData {
  const form = new FormData();
  form.append('config', JSON.stringify(config));
  if (mesh) form.append('mesh', mesh, 'hgrid.gr3');
  return form;
}

export const api = {
  config: () => json<AppConfig>('/api/config'),
  /** The installation's compute resources: their names, types, and which install SCHISM. */
  resources: () => json<ComputeResource[]>('/api/resources'),
  sites: () => json<SiteListing[]>('/api/sites'),
  site: (siteId: string) => json<SiteView>(site(siteId)),
  /** The mesh's open and land boundaries in WGS84, GeoJSON. */
  outline: (siteId: string) => json<MeshOutline>(`${site(siteId)}/outline`),
  createSite: (config: SiteConfig, mesh: Blob) => json<SiteView>('/api/sites', { method: 'POST', body: siteForm(config, mesh) }),
  /** Checks a draft config (and, when given, its fit with a checked mesh) without storing anything. */
  checkSite: (config: unknown, mesh?: MeshCheck['facts']) => postJson<{ problems: ApiProblem[] }>('/api/sites/check', mesh ? { config, mesh } : { config }),
  /** Reads and validates an hgrid.gr3 without storing it: statistics, problems by line, and the mesh to draw. */
  checkMesh: (mesh: Blob, coordinates: SiteConfig['coordinates']) => {
    const form = new FormData();
    form.append('coordinates', JSON.stringify(coordinates));
    form.append('mesh', mesh, 'hgrid.gr3');
    return json<MeshCheck>('/api/meshes/check', { method: 'POST', body: form });
  },
  cycles: (siteId: string, limit = 50) => json<CycleView[]>(`${site(siteId)}/cycles?limit=${limit}`),
  cycle: (siteId: string, cycleTime: string) => json<CycleView>(cycle(siteId, cycleTime)),
  latest: (siteId: string) => json<CycleView>(`${site(siteId)}/latest`),
  startCycle: (siteId: string, cycleTime?: string) => postJson<CycleStart>(`${site(siteId)}/cycles`, cycleTime ? { cycle: cycleTime } : {}),
  cancelCycle: (siteId: string, cycleTime: string) => postJson<{ cycle: string; cancelling: true }>(`${cycle(siteId, cycleTime)}/cancel`, {}),
  /** URL of a product file of a completed cycle (products contract, ARCHITECTURE.md). */
  productUrl: (siteId: string, cycleTime: string, path: string) => `${cycle(siteId, cycleTime)}/products/${path}`,
  /** A completed cycle's files to take away: station series (CSV), model output (NetCDF), flood extent (GeoJSON). */
  downloads: (siteId: string, cycleTime: string) => json<Download[]>(`${cycle(siteId, cycleTime)}/downloads`),
  /** A station's observed water levels from `from` to `to` (ISO). */
  observations: (siteId: string, stationId: string, from: string, to: string) =>
    json<StationObservations>(`${site(siteId)}/stations/${encodeURIComponent(stationId)}/observations?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
  /** A completed cycle's forecast against the observations, per station and lead-time day. */
  skill: (siteId: string, cycleTime: string) => json<CycleSkill>(`${cycle(siteId, cycleTime)}/skill`),
};
