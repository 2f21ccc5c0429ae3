import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  CycleNotFoundError,
  CycleRejectedError,
  SiteConflictError,
  SiteNotFoundError,
  SiteRejectedError,
  formatSiteProblem,
  openCatalog,
  type Catalog,
} from '../activities/catalog.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';
import { exampleSite, writeSiteMeshes } from './support/sites.js';

let root: string;
let uploads: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coastcast-catalog-'));
  uploads = join(root, 'uploads');
  await mkdir(uploads);
  await writeSiteMeshes(uploads);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dataDir: string;
let catalog: Catalog;
beforeEach(async () => {
  dataDir = await mkdtemp(join(root, 'data-'));
  catalog = openCatalog(dataDir);
});
afterEach(() => {
  catalog.close();
});

const mesh = (name: string) => join(uploads, name);

const siteConfig = exampleSite;

async function rejection(promise: Promise<unknown>): Promise<SiteRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SiteRejectedError);
  return error as SiteRejectedError;
}

/** Everything under sites/ and the rows of sites: what a rejected request must not have changed. */
async function stored(): Promise<{ folders: string[]; sites: string[] }> {
  return { folders: (await readdir(join(dataDir, 'sites'))).sort(), sites: catalog.listSites().map((s) => s.id) };
}

describe('sites', () => {
  it('creates a site: row, folder with hgrid.gr3 and site.json, mesh statistics', async () => {
    const created = await catalog.createSite(siteConfig(), mesh('small.gr3'));
    expect(created.config.model.resource).toBe('local');
    expect(created.mesh.stats.nodes).toBe(16);
    expect(created.mesh.stats.ics).toBe(2);
    expect(created.mesh.openBoundaryNodes).toEqual([4]);
    expect(created.dir).toBe(join(dataDir, 'sites', 'ria-aveiro'));
    expect(await readFile(join(created.dir, 'hgrid.gr3'), 'utf8')).toBe(await readFile(mesh('small.gr3'), 'utf8'));
    expect(JSON.parse(await readFile(join(created.dir, 'site.json'), 'utf8'))).toEqual(created.config);
    expect(catalog.getSite('ria-aveiro')).toEqual(created);
    expect(catalog.listSites()).toEqual([{ id: 'ria-aveiro', name: 'Ria de Aveiro', createdAt: created.createdAt, updatedAt: created.updatedAt, latestCycle: null, latestAlerts: null }]);
    expect(await stored()).toEqual({ folders: ['ria-aveiro'], sites: ['ria-aveiro'] });
  });

  it('refuses a second site with the same id (409), also when both arrive at once', async () => {
    await catalog.createSite(siteConfig(), mesh('small.gr3'));
    const again = await catalog.createSite(siteConfig(), mesh('large.gr3')).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(SiteConflictError);
    expect((again as SiteConflictError).status).toBe(409);
    expect(catalog.getSite('ria-aveiro').mesh.stats.nodes).toBe(16);

    const both = await Promise.allSettled([catalog.createSite(siteConfig('ovar'), mesh('small.gr3')), catalog.createSite(siteConfig('ovar'), mesh('large.gr3'))]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(SiteConflictError);
    expect(await stored()).toEqual({ folders: ['ovar', 'ria-aveiro'], sites: ['ovar', 'ria-aveiro'] });
  });

  it('rejects a broken mesh by line and stores nothing', async () => {
    const error = await rejection(catalog.createSite(siteConfig(), mesh('broken.gr3')));
    expect(error.status).toBe(400);
    const lines = error.problems.map(formatSiteProblem);
    expect(lines.some((line) => line.startsWith('hgrid.gr3:19: error: ')), lines.join('\n')).toBe(true);
    expect(error.message).toContain('hgrid.gr3:19:');
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ error: 'site-rejected', problems: [{ file: 'hgrid.gr3', line: 19, severity: 'error' }] });
    expect(await stored()).toEqual({ folders: [], sites: [] });
    expect(() => catalog.getSite('ria-aveiro')).toThrow(SiteNotFoundError);
  });

  it('rejects a bad config and a bad mesh together, listing both, and stores nothing', async () => {
    const config = { ...siteConfig(), stations: [{ id: 'barra', name: 'Barra', lon: 200, lat: 40.64 }] };
    const error = await rejection(catalog.createSite(config, mesh('broken.gr3')));
    const lines = error.problems.map(formatSiteProblem);
    expect(lines[0]).toBe('/stations/0/lon: must be ≤ 180');
    expect(lines.some((line) => line.startsWith('hgrid.gr3:19:'))).toBe(true);
    expect(await stored()).toEqual({ folders: [], sites: [] });
  });

  it('rejects a config that does not fit its mesh', async () => {
    const config = siteConfig();
    config.stations[0].lon = -9.5;
    if (config.tide.type === 'harmonic') config.tide.boundaries.push(config.tide.boundaries[0]);
    const error = await rejection(catalog.createSite(config, mesh('small.gr3')));
    expect(error.problems.map(formatSiteProblem)).toEqual([
      '/tide/boundaries: 2 entries, but hgrid.gr3 has 1 open boundary',
      '/stations/0: (-9.5, 40.64) lies outside the mesh (lon -8.8..-8.65, lat 40.55..40.7)',
    ]);
    expect(await stored()).toEqual({ folders: [], sites: [] });
  });

  it('updates the config alone, keeping the mesh and the creation time', async () => {
    const created = await catalog.createSite(siteConfig(), mesh('small.gr3'));
    const updated = await catalog.updateSite('ria-aveiro', { ...siteConfig(), name: 'Aveiro lagoon' });
    expect(updated.config.name).toBe('Aveiro lagoon');
    expect(updated.createdAt).toBe(created.createdAt);
    expect(updated.mesh).toEqual(created.mesh);
    expect(await readFile(join(updated.dir, 'hgrid.gr3'), 'utf8')).toBe(await readFile(mesh('small.gr3'), 'utf8'));
    expect(JSON.parse(await readFile(join(updated.dir, 'site.json'), 'utf8')).name).toBe('Aveiro lagoon');
    expect(catalog.listSites()[0].name).toBe('Aveiro lagoon');
    expect(await stored()).toEqual({ folders: ['ria-aveiro'], sites: ['ria-aveiro'] });
  });

  it('updates config and mesh together', async () => {
    await catalog.createSite(siteConfig(), mesh('small.gr3'));
    const updated = await catalog.updateSite('ria-aveiro', siteConfig(), mesh('large.gr3'));
    expect(updated.mesh.stats.nodes).toBe(30);
    expect(await readFile(join(updated.dir, 'hgrid.gr3'), 'utf8')).toBe(await readFile(mesh('large.gr3'), 'utf8'));
    expect(await stored()).toEqual({ folders: ['ria-aveiro'], sites: ['ria-aveiro'] });
  });

  it('keeps the old site when an update brings a broken mesh or a bad config', async () => {
    const created = await catalog.createSite(siteConfig(), mesh('small.gr3'));
    const error = await rejection(catalog.updateSite('ria-aveiro', { ...siteConfig(), name: 'changed' }, mesh('broken.gr3')));
    expect(error.problems.map(formatSiteProblem).some((line) => line.startsWith('hgrid.gr3:19:'))).toBe(true);
    const renamed = await rejection(catalog.updateSite('ria-aveiro', siteConfig('ovar')));
    expect(renamed.problems.map(formatSiteProblem)).toEqual([`/id: must be "ria-aveiro": a site's id cannot change`]);
    // Two open boundaries' worth of tide for a mesh that has one: checked against the stored mesh.
    const config = siteConfig();
    if (config.tide.type === 'harmonic') config.tide.boundaries.push(config.tide.boundaries[0]);
    await rejection(catalog.updateSite('ria-aveiro', config));

    expect(catalog.getSite('ria-aveiro')).toEqual(created);
    expect(await readFile(join(created.dir, 'hgrid.gr3'), 'utf8')).toBe(await readFile(mesh('small.gr3'), 'utf8'));
    expect(JSON.parse(await readFile(join(created.dir, 'site.json'), 'utf8'))).toEqual(created.config);
    expect(await stored()).toEqual({ folders: ['ria-aveiro'], sites: ['ria-aveiro'] });
  });

  it('re-reads the stored mesh when the coordinate kind changes', async () => {
    await catalog.createSite(siteConfig(), mesh('small.gr3'));
    const projected = { ...siteConfig(), coordinates: { ics: 1 as const, crs: 'EPSG:3763' } };
    const updated = await catalog.updateSite('ria-aveiro', projected);
    expect(updated.mesh.stats.ics).toBe(1);
    expect(updated.mesh.stats.area).toBeCloseTo(0.15 * 0.15, 10);
  });

  it('answers unknown ids with SiteNotFoundError (404)', async () => {
    expect(() => catalog.getSite('nowhere')).toThrow(SiteNotFoundError);
    const error = await catalog.updateSite('nowhere', siteConfig('nowhere')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SiteNotFoundError);
    expect((error as SiteNotFoundError).status).toBe(404);
    await expect(catalog.deleteSite('nowhere')).rejects.toThrow(SiteNotFoundError);
  });

  it('deletes a site with its cycles and the run directories inside the data directory', async () => {
    await catalog.createSite(siteConfig(), mesh('small.gr3'));
    await catalog.createSite(siteConfig('ovar'), mesh('small.gr3'));
    const inside = join(dataDir, 'runs', 'ria-aveiro', '2026-01-01T00');
    const outside = join(root, 'elsewhere-run');
    await mkdir(inside, { recursive: true });
    await mkdir(outside, { recursive: true });
    catalog.recordCycle('ria-aveiro', '2026-01-01T00:00:00Z', { status: 'completed', runDir: inside });
    catalog.recordCycle('ria-aveiro', '2026-01-02T00:00:00Z', { status: 'failed', runDir: outside });
    catalog.recordCycle('ria-aveiro', '2026-01-03T00:00:00Z', { status: 'running' });

    const busy = await catalog.deleteSite('ria-aveiro').catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(SiteConflictError);
    expect((busy as Error).message).toContain('2026-01-03T00:00:00.000Z is running');

    catalog.updateCycle('ria-aveiro', '2026-01-03T00:00:00Z', { status: 'cancelled' });
    expect(await catalog.deleteSite('ria-aveiro')).toEqual([inside]);
    expect(() => catalog.getSite('ria-aveiro')).toThrow(SiteNotFoundError);
    expect(existsSync(inside)).toBe(false);
    expect(existsSync(outside)).toBe(true);
    expect(await stored()).toEqual({ folders: ['ovar'], sites: ['ovar'] });
    const db = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM cycles WHERE site_id = 'ria-aveiro'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('keeps its data across reopening and applies each migration once', async () => {
    const created = await catalog.createSite(siteConfig(), mesh('small.gr3'));
    catalog.recordCycle('ria-aveiro', '2026-01-01T00:00:00Z');
    const versions = () => {
      const db = new Database(join(dataDir, 'catalog.sqlite'), { readonly: true });
      const rows = db.prepare('SELECT version, applied_at FROM schema_version ORDER BY version').all();
      const journal = db.pragma('journal_mode', { simple: true });
      db.close();
      return { rows, journal };
    };
    const before = versions();
    expect(before.rows.map((r) => (r as { version: number }).version)).toEqual([1, 2]);
    expect(before.journal).toBe('wal');
    catalog.close();

    catalog = openCatalog(dataDir);
    expect(versions()).toEqual(before);
    expect(catalog.getSite('ria-aveiro')).toEqual(created);
    expect(catalog.listCycles('ria-aveiro').map((c) => c.cycle)).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it('refuses a catalog made by a newer coastcast', () => {
    catalog.close();
    const db = new Database(join(dataDir, 'catalog.sqlite'));
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (99, ?)').run(new Date().toISOString());
    db.close();
    expect(() => openCatalog(dataDir)).toThrow(/schema version 99 is newer/);
    catalog = openCatalog(join(dataDir, 'fresh'));
  });

  it('finishes or undoes site folder changes a crash interrupted', async () => {
    await catalog.createSite(siteConfig(), mesh('small.gr3'));
    await catalog.createSite(siteConfig('ovar'), mesh('small.gr3'));
    const sites = join(dataDir, 'sites');
    // Committed but not yet renamed into place; an update's swap cut half-way; never committed; an interrupted delete.
    await rename(join(sites, 'ria-aveiro'), join(sites, 'ria-aveiro.partial'));
    await rename(join(sites, 'ovar'), join(sites, 'ovar.replaced'));
    await mkdir(join(sites, 'mira.partial'));
    await mkdir(join(sites, 'vagos'));

    expect(catalog.recoverSiteFolders().sort()).toEqual(['installed ria-aveiro.partial', 'removed mira.partial', 'removed vagos', 'restored ovar.replaced']);
    expect(await stored()).toEqual({ folders: ['ovar', 'ria-aveiro'], sites: ['ovar', 'ria-aveiro'] });
    expect(existsSync(join(sites, 'ria-aveiro', 'hgrid.gr3'))).toBe(true);
  });
});

describe('cycles', () => {
  beforeEach(async () => {
    await catalog.createSite(siteConfig(), mesh('small.gr3'));
  });

  it('records a cycle, updates it, and records it again without losing what it has', () => {
    const scheduled = catalog.recordCycle('ria-aveiro', new Date('2026-03-01T00:00:00Z'));
    expect(scheduled).toMatchObject({ siteId: 'ria-aveiro', cycle: '2026-03-01T00:00:00.000Z', status: 'scheduled', degraded: [], progress: null, summary: null });

    const running = catalog.updateCycle('ria-aveiro', '2026-03-01T00:00:00Z', { status: 'running', stage: 'model', progress: 0.4, startedAt: '2026-03-01T04:00:00Z', degraded: ['atmosphere'], runDir: 'runs/ria-aveiro/x' });
    expect(running).toMatchObject({ status: 'running', stage: 'model', progress: 0.4, startedAt: '2026-03-01T04:00:00.000Z', degraded: ['atmosphere'] });

    const retried = catalog.recordCycle('ria-aveiro', '2026-03-01T00:00:00.000Z', { progress: 0.5 });
    expect(retried).toMatchObject({ status: 'running', stage: 'model', progress: 0.5, degraded: ['atmosphere'], createdAt: scheduled.createdAt });

    catalog.updateCycle('ria-aveiro', '2026-03-01T00:00:00Z', { status: 'completed', progress: 1, finishedAt: new Date('2026-03-01T05:00:00Z'), summary: { alerts: 1, floodedKm2: 0.7 }, error: null });
    expect(catalog.getCycle('ria-aveiro', '2026-03-01T00:00:00Z')).toMatchObject({ status: 'completed', finishedAt: '2026-03-01T05:00:00.000Z', summary: { alerts: 1, floodedKm2: 0.7 }, error: null, runDir: 'runs/ria-aveiro/x' });
  });

  it('lists cycles newest first and finds the latest, by status too', () => {
    expect(catalog.latestCycle('ria-aveiro')).toBeUndefined();
    for (const [day, status] of [['03', 'completed'], ['01', 'completed'], ['04', 'failed'], ['02', 'completed'], ['05', 'running']] as const) {
      catalog.recordCycle('ria-aveiro', `2026-03-${day}T00:00:00Z`, { status });
    }
    expect(catalog.listCycles('ria-aveiro').map((c) => c.cycle.slice(8, 10))).toEqual(['05', '04', '03', '02', '01']);
    expect(catalog.listCycles('ria-aveiro', { limit: 2 }).map((c) => c.cycle.slice(8, 10))).toEqual(['05', '04']);
    expect(catalog.latestCycle('ria-aveiro')?.status).toBe('running');
    expect(catalog.latestCycle('ria-aveiro', { status: 'completed' })?.cycle).toBe('2026-03-03T00:00:00.000Z');
    expect(catalog.latestCycle('ria-aveiro', { status: 'cancelled' })).toBeUndefined();
    expect(catalog.listSites()[0].latestCycle).toEqual({ cycle: '2026-03-05T00:00:00.000Z', status: 'running' });
    // The overview shows the alerts of the newest completed cycle, not of the running one.
    const alert = { kind: 'floodedArea', name: 'flooded area', threshold: 1, value: 1.4, firstExceededAt: '2026-03-03T06:00:00.000Z', peakAt: '2026-03-03T07:00:00.000Z' };
    catalog.updateCycle('ria-aveiro', '2026-03-03T00:00:00Z', { summary: { alerts: [alert] } });
    catalog.updateCycle('ria-aveiro', '2026-03-02T00:00:00Z', { summary: { alerts: [] } });
    expect(catalog.listSites()[0].latestAlerts).toEqual({ cycle: '2026-03-03T00:00:00.000Z', alerts: [alert] });
  });

  it('names what is unknown or wrong', () => {
    expect(() => catalog.recordCycle('nowhere', '2026-03-01T00:00:00Z')).toThrow(SiteNotFoundError);
    expect(() => catalog.getCycle('ria-aveiro', '2026-03-01T00:00:00Z')).toThrow(CycleNotFoundError);
    expect(() => catalog.updateCycle('ria-aveiro', '2026-03-01T00:00:00Z', { status: 'running' })).toThrow(CycleNotFoundError);
    expect(() => catalog.latestCycle('nowhere')).toThrow(SiteNotFoundError);
    expect(() => catalog.recordCycle('ria-aveiro', 'yesterday')).toThrow(CycleRejectedError);
    const bad = (() => {
      try {
        catalog.recordCycle('ria-aveiro', '2026-03-01T00:00:00Z', { status: 'done' as never, progress: 2 });
      } catch (error) {
        return error as CycleRejectedError;
      }
    })();
    expect(bad?.status).toBe(400);
    expect(bad?.problems.map((p) => p.path)).toEqual(['/status', '/progress']);
    expect(catalog.listCycles('ria-aveiro')).toEqual([]);
  });
});
