/**
 * The catalog: which sites exist and what happened to their forecast cycles,
 * in `<dataDir>/catalog.sqlite`, with each site's files in
 * `<dataDir>/sites/<id>/` (`hgrid.gr3`, `site.json`, and `observations/`,
 * which a config update carries over).
 *
 * A site is either stored whole or not at all. Its folder is built as
 * `<id>.partial/`, the row is committed, and only then is the folder renamed
 * into place. Committing first makes a crash recoverable without guessing: a
 * `.partial` folder whose site.json equals the row's config was committed
 * and only needs its rename; any other `.partial` never was
 * (see recoverSiteFolders).
 *
 * better-sqlite3 is synchronous on purpose: catalog statements take
 * microseconds, and a synchronous transaction cannot interleave with other
 * work on the event loop. Operations on one site are serialised in-process,
 * because building its folder awaits file I/O between the checks and the
 * commit; only one process (the API) is expected to write sites.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';

import { formatInputProblem } from '../core/inputProblems.js';
import { readMesh } from '../core/mesh/gr3.js';
import { hasErrors, type MeshProblem } from '../core/mesh/mesh.js';
import { meshStats, type MeshStats } from '../core/mesh/stats.js';
import { formatFieldProblem, meshFitProblems, validateSite, type FieldProblem, type Site, type SiteMeshFacts } from '../core/site.js';
import type { Alert } from './alerts.js';
import { siteResourceProblems, type ComputeResource } from './jobs/resources.js';
import { OBSERVATIONS_DIR } from './observations.js';

export const CYCLE_STATUSES = ['scheduled', 'running', 'completed', 'failed', 'cancelled'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

/** What the catalog keeps about a site's mesh, so that a config update can be checked without reading the mesh again. */
export interface SiteMesh {
  stats: MeshStats;
  /** Node count of each open boundary, in hgrid.gr3's order. */
  openBoundaryNodes: number[];
  /** Warnings found when the mesh was accepted. */
  warnings: MeshProblem[];
}

export interface SiteRecord {
  config: Site;
  mesh: SiteMesh;
  /** The site folder: hgrid.gr3 and site.json. */
  dir: string;
  createdAt: string;
  updatedAt: string;
}

export interface SiteListing {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  latestCycle: { cycle: string; status: CycleStatus } | null;
  /** The newest completed cycle's alerts (from its summary); null when none completed yet. */
  latestAlerts: { cycle: string; alerts: Alert[] } | null;
}

export interface CycleRecord {
  siteId: string;
  /** The cycle time, ISO 8601 UTC with milliseconds (sorts as it reads). */
  cycle: string;
  status: CycleStatus;
  /** What fell back (e.g. 'atmosphere', 'ocean'); empty when nothing did. */
  degraded: string[];
  stage: string | null;
  /** 0..1 */
  progress: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  runDir: string | null;
  summary: unknown;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What recordCycle and updateCycle change; times may be given as Dates. */
export type CycleFields = Partial<Omit<CycleRecord, 'siteId' | 'cycle' | 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt'>> & {
  startedAt?: Date | string | null;
  finishedAt?: Date | string | null;
};

/** A problem with the uploaded mesh carries its file and line; a problem with the config, its field. */
export type SiteProblem = FieldProblem | (MeshProblem & { file: 'hgrid.gr3' });

export function formatSiteProblem(problem: SiteProblem): string {
  return 'file' in problem ? formatInputProblem(problem.file, problem) : formatFieldProblem(problem);
}

/** Errors the API turns into responses: `status` is the HTTP status, `toJSON()` the body. */
export class CatalogError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message };
  }
}

/** A site config or mesh that cannot be stored; nothing was stored. */
export class SiteRejectedError extends CatalogError {
  override name = 'SiteRejectedError';
  constructor(readonly problems: readonly SiteProblem[]) {
    super(400, 'site-rejected', [`site rejected: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, ...problems.map(formatSiteProblem)].join('\n'));
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems.map((p) => ({ ...p, text: formatSiteProblem(p) })) };
  }
}

export class SiteNotFoundError extends CatalogError {
  override name = 'SiteNotFoundError';
  constructor(readonly siteId: string) {
    super(404, 'site-not-found', `no site "${siteId}"`);
  }
}

export class SiteConflictError extends CatalogError {
  override name = 'SiteConflictError';
  constructor(
    readonly siteId: string,
    reason: string,
  ) {
    super(409, 'site-conflict', `site "${siteId}": ${reason}`);
  }
}

export class CycleNotFoundError extends CatalogError {
  override name = 'CycleNotFoundError';
  constructor(
    readonly siteId: string,
    readonly cycle: string,
  ) {
    super(404, 'cycle-not-found', `site "${siteId}" has no cycle ${cycle}`);
  }
}

/** Cycle fields that cannot be stored (an unknown status, progress outside 0..1, a time that is not one). */
export class CycleRejectedError extends CatalogError {
  override name = 'CycleRejectedError';
  constructor(readonly problems: readonly FieldProblem[]) {
    super(400, 'cycle-rejected', problems.map(formatFieldProblem).join('\n'));
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems };
  }
}

/** Applied in order, each once, inside one transaction with its schema_version row. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    mesh TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE cycles (
    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    cycle TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'running', 'completed', 'failed', 'cancelled')),
    degraded TEXT NOT NULL DEFAULT '[]',
    stage TEXT,
    progress REAL CHECK (progress BETWEEN 0 AND 1),
    started_at TEXT,
    finished_at TEXT,
    run_dir TEXT,
    summary TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (site_id, cycle)
  ) STRICT, WITHOUT ROWID;
  -- The primary key answers "latest cycle of a site"; this answers "latest completed cycle".
  CREATE INDEX cycles_by_status ON cycles (site_id, status, cycle);
  `,
  `
  -- One row per alert and notification target of a cycle: a retried notification skips what is 'sent'.
  CREATE TABLE deliveries (
    site_id TEXT NOT NULL,
    cycle TEXT NOT NULL,
    rule_key TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    target TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    attempts INTEGER NOT NULL,
    last_error TEXT,
    sent_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (site_id, cycle, rule_key, channel, target),
    FOREIGN KEY (site_id, cycle) REFERENCES cycles(site_id, cycle) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;
  `,
];

export type DeliveryChannel = 'webhook' | 'email';

/** Where one alert of a cycle went: a webhook URL, or the e-mail recipients. */
export interface DeliveryRecord {
  siteId: string;
  cycle: string;
  ruleKey: string;
  channel: DeliveryChannel;
  /** The webhook's URL, or the recipients of the e-mail, comma-separated. */
  target: string;
  status: 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  updatedAt: string;
}

interface DeliveryRow {
  site_id: string;
  cycle: string;
  rule_key: string;
  channel: DeliveryChannel;
  target: string;
  status: 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  sent_at: string | null;
  updated_at: string;
}

export type DeliveryKey = Pick<DeliveryRecord, 'siteId' | 'cycle' | 'ruleKey' | 'channel' | 'target'>;

interface SiteRow {
  id: string;
  name: string;
  config: string;
  mesh: string;
  created_at: string;
  updated_at: string;
}

interface CycleRow {
  site_id: string;
  cycle: string;
  status: CycleStatus;
  degraded: string;
  stage: string | null;
  progress: number | null;
  started_at: string | null;
  finished_at: string | null;
  run_dir: string | null;
  summary: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

interface ListingRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  cycle: string | null;
  status: CycleStatus | null;
  completed_cycle: string | null;
  completed_summary: string | null;
}

/** publishCycle stores the alerts in the cycle's summary (activities/cycle.ts). */
function summaryAlerts(summary: string | null): Alert[] {
  const alerts = summary === null ? undefined : (JSON.parse(summary) as { alerts?: unknown }).alerts;
  return Array.isArray(alerts) ? (alerts as Alert[]) : [];
}

/** Opens (creating and migrating as needed) the catalog of a data directory. */
export function openCatalog(dataDir: string): Catalog {
  return new Catalog(dataDir);
}

export class Catalog {
  readonly dataDir: string;
  readonly sitesDir: string;
  private readonly db: Database.Database;
  private readonly siteLocks = new Map<string, Promise<unknown>>();
  private readonly statements;

  constructor(dataDir: string) {
    this.dataDir = resolve(dataDir);
    this.sitesDir = join(this.dataDir, 'sites');
    mkdirSync(this.sitesDir, { recursive: true });
    this.db = new Database(join(this.dataDir, 'catalog.sqlite'));
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      migrate(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    const db = this.db;
    this.statements = {
      site: db.prepare<[string], SiteRow>('SELECT * FROM sites WHERE id = ?'),
      insertSite: db.prepare<[SiteRow]>('INSERT INTO sites (id, name, config, mesh, created_at, updated_at) VALUES (@id, @name, @config, @mesh, @created_at, @updated_at)'),
      updateSite: db.prepare<[SiteRow]>('UPDATE sites SET name = @name, config = @config, mesh = @mesh, created_at = @created_at, updated_at = @updated_at WHERE id = @id'),
      deleteSite: db.prepare<[string]>('DELETE FROM sites WHERE id = ?'),
      listSites: db.prepare<[], ListingRow>(`
        SELECT s.id, s.name, s.created_at, s.updated_at, c.cycle, c.status, d.cycle AS completed_cycle, d.summary AS completed_summary
        FROM sites s
        LEFT JOIN cycles c ON c.site_id = s.id AND c.cycle = (SELECT max(cycle) FROM cycles WHERE site_id = s.id)
        LEFT JOIN cycles d ON d.site_id = s.id AND d.cycle = (SELECT max(cycle) FROM cycles WHERE site_id = s.id AND status = 'completed')
        ORDER BY s.id`),
      cycle: db.prepare<[string, string], CycleRow>('SELECT * FROM cycles WHERE site_id = ? AND cycle = ?'),
      insertCycle: db.prepare<[CycleRow]>(`
        INSERT INTO cycles (site_id, cycle, status, degraded, stage, progress, started_at, finished_at, run_dir, summary, error, created_at, updated_at)
        VALUES (@site_id, @cycle, @status, @degraded, @stage, @progress, @started_at, @finished_at, @run_dir, @summary, @error, @created_at, @updated_at)`),
      updateCycle: db.prepare<[CycleRow]>(`
        UPDATE cycles SET status = @status, degraded = @degraded, stage = @stage, progress = @progress, started_at = @started_at,
          finished_at = @finished_at, run_dir = @run_dir, summary = @summary, error = @error, updated_at = @updated_at
        WHERE site_id = @site_id AND cycle = @cycle`),
      listCycles: db.prepare<[string, number], CycleRow>('SELECT * FROM cycles WHERE site_id = ? ORDER BY cycle DESC LIMIT ?'),
      latestCycle: db.prepare<[string], CycleRow>('SELECT * FROM cycles WHERE site_id = ? ORDER BY cycle DESC LIMIT 1'),
      latestCycleWithStatus: db.prepare<[string, string], CycleRow>('SELECT * FROM cycles WHERE site_id = ? AND status = ? ORDER BY cycle DESC LIMIT 1'),
      runningCycles: db.prepare<[string], { cycle: string }>("SELECT cycle FROM cycles WHERE site_id = ? AND status = 'running'"),
      runDirs: db.prepare<[string], { run_dir: string }>('SELECT run_dir FROM cycles WHERE site_id = ? AND run_dir IS NOT NULL'),
      delivery: db.prepare<[string, string, string, string, string], DeliveryRow>('SELECT * FROM deliveries WHERE site_id = ? AND cycle = ? AND rule_key = ? AND channel = ? AND target = ?'),
      upsertDelivery: db.prepare<[DeliveryRow]>(`
        INSERT INTO deliveries (site_id, cycle, rule_key, channel, target, status, attempts, last_error, sent_at, updated_at)
        VALUES (@site_id, @cycle, @rule_key, @channel, @target, @status, 1, @last_error, @sent_at, @updated_at)
        ON CONFLICT (site_id, cycle, rule_key, channel, target) DO UPDATE SET
          status = excluded.status, attempts = attempts + 1, last_error = excluded.last_error, sent_at = excluded.sent_at, updated_at = excluded.updated_at`),
      cycleDeliveries: db.prepare<[string, string], DeliveryRow>('SELECT * FROM deliveries WHERE site_id = ? AND cycle = ? ORDER BY rule_key, channel, target'),
    };
  }

  close(): void {
    this.db.close();
  }

  siteDir(id: string): string {
    return join(this.sitesDir, id);
  }

  /**
   * Stores a new site: its config and the uploaded hgrid.gr3 at `meshFile`
   * (copied; the caller keeps the upload). Every problem with either is
   * reported at once in a SiteRejectedError, and then nothing is stored.
   * Given the installation's `resources`, the site's model must be able to
   * run on one of them.
   */
  async createSite(config: unknown, meshFile: string, resources?: Record<string, ComputeResource>): Promise<SiteRecord> {
    const { site, problems } = validateSite(config);
    if (site && resources) problems.push(...siteResourceProblems(site.model, resources));
    if (site && this.statements.site.get(site.id)) throw new SiteConflictError(site.id, 'a site with this id exists');
    const checked = await this.checkMesh(site, problems, meshFile, rawIcs(config));
    return this.exclusive(checked.site.id, async () => {
      const { id } = checked.site;
      if (this.statements.site.get(id)) throw new SiteConflictError(id, 'a site with this id exists');
      const partial = await this.buildFolder(checked.site, (target) => copyFile(meshFile, target));
      const now = new Date().toISOString();
      const row = siteRow(checked.site, checked.mesh, now, now);
      try {
        this.statements.insertSite.run(row);
      } catch (error) {
        await rm(partial, { recursive: true, force: true });
        // Another process may have created it since the check above.
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new SiteConflictError(id, 'a site with this id exists');
        throw error;
      }
      try {
        // A folder without a row can only be left by an interrupted delete.
        await rm(this.siteDir(id), { recursive: true, force: true });
        await rename(partial, this.siteDir(id));
      } catch (error) {
        this.statements.deleteSite.run(id);
        await rm(partial, { recursive: true, force: true });
        throw error;
      }
      return this.record(row);
    });
  }

  /**
   * Replaces a site's config, and its mesh when `meshFile` is given. The
   * config is checked against the mesh the site will have; on any problem
   * the site stays as it was. `resources` as for createSite.
   */
  async updateSite(id: string, config: unknown, meshFile?: string, resources?: Record<string, ComputeResource>): Promise<SiteRecord> {
    return this.exclusive(id, async () => {
      const old = this.statements.site.get(id);
      if (!old) throw new SiteNotFoundError(id);
      const { site, problems } = validateSite(config);
      if (site && resources) problems.push(...siteResourceProblems(site.model, resources));
      if (site && site.id !== id) problems.push({ path: '/id', message: `must be "${id}": a site's id cannot change` });
      const oldConfig = JSON.parse(old.config) as Site;
      const oldMesh = JSON.parse(old.mesh) as SiteMesh;
      const storedMesh = join(this.siteDir(id), 'hgrid.gr3');
      // The coordinate kind changes how a mesh reads (lon/lat checks, lengths), so the stored one is read again.
      const icsChanged = site !== undefined && site.coordinates.ics !== oldConfig.coordinates.ics;
      const source = meshFile ?? (icsChanged ? storedMesh : undefined);
      const checked = source
        ? await this.checkMesh(site, problems, source, rawIcs(config))
        : checkAgainstStoredMesh(site, problems, oldMesh);
      const partial = await this.buildFolder(checked.site, (target) =>
        // A hard link keeps an unchanged mesh without copying it; a file system without links gets a copy.
        meshFile ? copyFile(meshFile, target) : link(storedMesh, target).catch(() => copyFile(storedMesh, target)),
      );
      const row = siteRow(checked.site, checked.mesh, old.created_at, new Date().toISOString());
      this.statements.updateSite.run(row);
      try {
        await this.installFolder(id, partial);
      } catch (error) {
        this.statements.updateSite.run(old);
        await rm(partial, { recursive: true, force: true });
        throw error;
      }
      return this.record(row);
    });
  }

  hasSite(id: string): boolean {
    return this.statements.site.get(id) !== undefined;
  }

  getSite(id: string): SiteRecord {
    const row = this.statements.site.get(id);
    if (!row) throw new SiteNotFoundError(id);
    return this.record(row);
  }

  /** Every site by id, each with its latest cycle's time and status and the alerts of its latest completed cycle. */
  listSites(): SiteListing[] {
    return this.statements.listSites.all().map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      latestCycle: row.cycle === null || row.status === null ? null : { cycle: row.cycle, status: row.status },
      latestAlerts: row.completed_cycle === null ? null : { cycle: row.completed_cycle, alerts: summaryAlerts(row.completed_summary) },
    }));
  }

  /**
   * Removes a site: its row, its cycles' rows, its folder, and the run
   * directories of its cycles that lie inside the data directory (a run
   * directory elsewhere was not made by coastcast and is left alone). Refused
   * with a SiteConflictError while a cycle is running: cancel it first.
   * Returns the run directories removed.
   */
  async deleteSite(id: string): Promise<string[]> {
    return this.exclusive(id, async () => {
      if (!this.statements.site.get(id)) throw new SiteNotFoundError(id);
      const running = this.statements.runningCycles.all(id);
      if (running.length > 0) throw new SiteConflictError(id, `cycle ${running[0].cycle} is running; cancel it before deleting the site`);
      const runDirs = this.statements.runDirs
        .all(id)
        .map((r) => resolve(this.dataDir, r.run_dir))
        .filter((dir) => isInside(this.dataDir, dir));
      this.statements.deleteSite.run(id);
      await rm(this.siteDir(id), { recursive: true, force: true });
      for (const dir of runDirs) await rm(dir, { recursive: true, force: true });
      return runDirs;
    });
  }

  /**
   * Records a cycle, or updates it with `fields` when it is already recorded:
   * a retried activity may record the same cycle twice. A new cycle is
   * 'scheduled' unless `fields` says otherwise.
   */
  recordCycle(siteId: string, cycle: Date | string, fields: CycleFields = {}): CycleRecord {
    const key = cycleKey(cycle);
    checkCycleFields(fields);
    return this.db.transaction(() => {
      if (!this.statements.site.get(siteId)) throw new SiteNotFoundError(siteId);
      const existing = this.statements.cycle.get(siteId, key);
      const now = new Date().toISOString();
      if (existing) return this.writeCycle(existing, fields, now);
      const row: CycleRow = {
        site_id: siteId,
        cycle: key,
        status: 'scheduled',
        degraded: '[]',
        stage: null,
        progress: null,
        started_at: null,
        finished_at: null,
        run_dir: null,
        summary: null,
        error: null,
        created_at: now,
        updated_at: now,
      };
      this.statements.insertCycle.run(row);
      return this.writeCycle(row, fields, now);
    })();
  }

  /** Changes the given fields of a recorded cycle (null clears a field). */
  updateCycle(siteId: string, cycle: Date | string, fields: CycleFields): CycleRecord {
    const key = cycleKey(cycle);
    checkCycleFields(fields);
    return this.db.transaction(() => {
      const existing = this.statements.cycle.get(siteId, key);
      if (!existing) throw this.statements.site.get(siteId) ? new CycleNotFoundError(siteId, key) : new SiteNotFoundError(siteId);
      return this.writeCycle(existing, fields, new Date().toISOString());
    })();
  }

  getCycle(siteId: string, cycle: Date | string): CycleRecord {
    const key = cycleKey(cycle);
    const row = this.statements.cycle.get(siteId, key);
    if (!row) throw this.statements.site.get(siteId) ? new CycleNotFoundError(siteId, key) : new SiteNotFoundError(siteId);
    return cycleRecord(row);
  }

  /** A site's cycles, newest first. */
  listCycles(siteId: string, { limit = 50 }: { limit?: number } = {}): CycleRecord[] {
    if (!this.statements.site.get(siteId)) throw new SiteNotFoundError(siteId);
    if (!(Number.isInteger(limit) && limit > 0)) throw new CycleRejectedError([{ path: '/limit', message: `must be a positive integer, got ${limit}` }]);
    return this.statements.listCycles.all(siteId, limit).map(cycleRecord);
  }

  /** The newest cycle of a site (with that status, when given), or undefined when there is none. */
  latestCycle(siteId: string, { status }: { status?: CycleStatus } = {}): CycleRecord | undefined {
    if (!this.statements.site.get(siteId)) throw new SiteNotFoundError(siteId);
    const row = status === undefined ? this.statements.latestCycle.get(siteId) : this.statements.latestCycleWithStatus.get(siteId, status);
    return row && cycleRecord(row);
  }

  /** What was recorded of one alert's delivery to one target, or undefined when it was never tried. */
  getDelivery(key: DeliveryKey): DeliveryRecord | undefined {
    const row = this.statements.delivery.get(key.siteId, cycleKey(key.cycle), key.ruleKey, key.channel, key.target);
    return row && deliveryRecord(row);
  }

  /** Records an attempt at delivering an alert: sent, or failed with its error (counted either way). */
  recordDelivery(key: DeliveryKey, outcome: { sent: true } | { sent: false; error: string }): DeliveryRecord {
    const now = new Date().toISOString();
    const cycle = cycleKey(key.cycle);
    this.statements.upsertDelivery.run({
      site_id: key.siteId,
      cycle,
      rule_key: key.ruleKey,
      channel: key.channel,
      target: key.target,
      status: outcome.sent ? 'sent' : 'failed',
      attempts: 1,
      last_error: outcome.sent ? null : outcome.error,
      sent_at: outcome.sent ? now : null,
      updated_at: now,
    });
    return deliveryRecord(this.statements.delivery.get(key.siteId, cycle, key.ruleKey, key.channel, key.target) as DeliveryRow);
  }

  /** Every delivery recorded for a cycle's alerts. */
  listDeliveries(siteId: string, cycle: Date | string): DeliveryRecord[] {
    return this.statements.cycleDeliveries.all(siteId, cycleKey(cycle)).map(deliveryRecord);
  }

  /**
   * Finishes what a crash interrupted in the sites folder: a committed
   * `.partial` folder is put in place, an uncommitted one removed, a
   * `.replaced` one (the folder an update swapped out) removed or, when the
   * swap did not complete, restored, and a folder without a row (an
   * interrupted delete) removed. Call it from the one process that writes
   * sites, at start-up, before it serves requests. Returns what was done.
   */
  recoverSiteFolders(): string[] {
    const done: string[] = [];
    const entries = () => readdirSync(this.sitesDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const name of entries().filter((n) => n.endsWith(PARTIAL))) {
      const id = name.slice(0, -PARTIAL.length);
      const row = this.statements.site.get(id);
      const folder = join(this.sitesDir, name);
      if (row && readSiteJson(folder) === row.config) {
        if (existsSync(this.siteDir(id))) renameSync(this.siteDir(id), this.siteDir(id) + REPLACED);
        renameSync(folder, this.siteDir(id));
        done.push(`installed ${name}`);
      } else {
        rmSync(folder, { recursive: true, force: true });
        done.push(`removed ${name}`);
      }
    }
    for (const name of entries().filter((n) => n.endsWith(REPLACED))) {
      const id = name.slice(0, -REPLACED.length);
      if (!existsSync(this.siteDir(id)) && this.statements.site.get(id)) {
        renameSync(join(this.sitesDir, name), this.siteDir(id));
        done.push(`restored ${name}`);
      } else {
        rmSync(join(this.sitesDir, name), { recursive: true, force: true });
        done.push(`removed ${name}`);
      }
    }
    for (const name of entries().filter((n) => !n.endsWith(PARTIAL) && !n.endsWith(REPLACED))) {
      if (!this.statements.site.get(name)) {
        rmSync(join(this.sitesDir, name), { recursive: true, force: true });
        done.push(`removed ${name}`);
      }
    }
    return done;
  }

  /** Reads the mesh, checks it and the config against it, and throws every problem found; otherwise the site and its mesh facts. */
  private async checkMesh(site: Site | undefined, problems: FieldProblem[], meshFile: string, ics: 1 | 2 | undefined): Promise<{ site: Site; mesh: SiteMesh }> {
    const reading = await readMesh(meshFile, { ics: site?.coordinates.ics ?? ics });
    const meshProblems = reading.problems.map((p) => ({ file: 'hgrid.gr3' as const, ...p }));
    let mesh: SiteMesh | undefined;
    if (reading.mesh && !hasErrors(reading.problems)) {
      const stats = meshStats(reading.mesh, site?.coordinates.ics ?? ics);
      mesh = { stats, openBoundaryNodes: reading.mesh.openBoundaries.map((b) => b.nodes.length), warnings: reading.problems };
      if (site && problems.length === 0) problems.push(...meshFitProblems(site, meshFacts(mesh)));
    }
    if (!site || !mesh || problems.length > 0) throw new SiteRejectedError([...problems, ...meshProblems]);
    return { site, mesh };
  }

  /** `<id>.partial/` with the site's hgrid.gr3 (put there by `placeMesh`) and site.json; removed again if building fails. */
  private async buildFolder(site: Site, placeMesh: (target: string) => Promise<void>): Promise<string> {
    const partial = this.siteDir(site.id) + PARTIAL;
    await rm(partial, { recursive: true, force: true });
    try {
      await mkdir(partial);
      await placeMesh(join(partial, 'hgrid.gr3'));
      await writeFile(join(partial, 'site.json'), `${JSON.stringify(site, null, 2)}\n`);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw error;
    }
    return partial;
  }

  /** Swaps a committed `.partial` folder in for the site's folder. */
  private async installFolder(id: string, partial: string): Promise<void> {
    const current = this.siteDir(id);
    const replaced = current + REPLACED;
    await rm(replaced, { recursive: true, force: true });
    await rename(current, replaced);
    // Observed water levels (activities/observations.ts) belong to the site, not to one version of its config.
    const [observations, carriedObservations] = [join(replaced, OBSERVATIONS_DIR), join(partial, OBSERVATIONS_DIR)];
    let carried = false;
    try {
      carried = await rename(observations, carriedObservations).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
      await rename(partial, current);
    } catch (error) {
      if (carried) await rename(carriedObservations, observations);
      await rename(replaced, current);
      throw error;
    }
    await rm(replaced, { recursive: true, force: true });
  }

  private record(row: SiteRow): SiteRecord {
    return { config: JSON.parse(row.config) as Site, mesh: JSON.parse(row.mesh) as SiteMesh, dir: this.siteDir(row.id), createdAt: row.created_at, updatedAt: row.updated_at };
  }

  private writeCycle(existing: CycleRow, fields: CycleFields, now: string): CycleRecord {
    const row: CycleRow = {
      ...existing,
      ...(fields.status !== undefined && { status: fields.status }),
      ...(fields.degraded !== undefined && { degraded: JSON.stringify(fields.degraded) }),
      ...(fields.stage !== undefined && { stage: fields.stage }),
      ...(fields.progress !== undefined && { progress: fields.progress }),
      ...(fields.startedAt !== undefined && { started_at: fields.startedAt && isoTime(fields.startedAt) }),
      ...(fields.finishedAt !== undefined && { finished_at: fields.finishedAt && isoTime(fields.finishedAt) }),
      ...(fields.runDir !== undefined && { run_dir: fields.runDir }),
      ...(fields.summary !== undefined && { summary: fields.summary === null ? null : JSON.stringify(fields.summary) }),
      ...(fields.error !== undefined && { error: fields.error }),
      updated_at: now,
    };
    this.statements.updateCycle.run(row);
    return cycleRecord(row);
  }

  /** Runs `task` after every earlier task on the same site has settled. */
  private async exclusive<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.siteLocks.get(id) ?? Promise.resolve();
    const result = previous.then(task, task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.siteLocks.set(id, settled);
    void settled.then(() => {
      if (this.siteLocks.get(id) === settled) this.siteLocks.delete(id);
    });
    return result;
  }
}

const PARTIAL = '.partial';
const REPLACED = '.replaced';

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
  const applied = db.prepare<[], { version: number | null }>('SELECT max(version) AS version FROM schema_version');
  const record = db.prepare<[number, string]>('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)');
  // IMMEDIATE, and the version read inside: two processes opening a new catalog at once migrate it once.
  db.transaction(() => {
    const current = applied.get()?.version ?? 0;
    if (current > MIGRATIONS.length) throw new Error(`catalog schema version ${current} is newer than this coastcast knows (${MIGRATIONS.length}): upgrade coastcast`);
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v - 1]);
      record.run(v, new Date().toISOString());
    }
  }).immediate();
}

function siteRow(site: Site, mesh: SiteMesh, createdAt: string, updatedAt: string): SiteRow {
  return { id: site.id, name: site.name, config: JSON.stringify(site), mesh: JSON.stringify(mesh), created_at: createdAt, updated_at: updatedAt };
}

function meshFacts(mesh: SiteMesh): SiteMeshFacts {
  return { ics: mesh.stats.ics, openBoundaryNodes: mesh.openBoundaryNodes, bounds: mesh.stats.bounds };
}

/** A config update that keeps the stored mesh: checked against what the catalog kept about it. */
function checkAgainstStoredMesh(site: Site | undefined, problems: FieldProblem[], mesh: SiteMesh): { site: Site; mesh: SiteMesh } {
  if (site && problems.length === 0) problems.push(...meshFitProblems(site, meshFacts(mesh)));
  if (!site || problems.length > 0) throw new SiteRejectedError(problems);
  return { site, mesh };
}

/** The coordinate kind an invalid config asks for, so its mesh is still read the way the user meant. */
function rawIcs(config: unknown): 1 | 2 | undefined {
  const ics = (config as { coordinates?: { ics?: unknown } } | null)?.coordinates?.ics;
  return ics === 1 || ics === 2 ? ics : undefined;
}

/** site.json as the row stores the config (compact), or undefined when it cannot be read. */
function readSiteJson(folder: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(readFileSync(join(folder, 'site.json'), 'utf8')));
  } catch {
    return undefined;
  }
}

/** Whether `path` lies inside `parent` (not `parent` itself): coastcast removes only what it made in its data directory. */
export function isInside(parent: string, path: string): boolean {
  const rel = relative(parent, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function isTime(value: Date | string): boolean {
  return !Number.isNaN(new Date(value).getTime());
}

/** One spelling per instant, so that cycles compare and sort as text. */
function isoTime(value: Date | string): string {
  return new Date(value).toISOString();
}

function cycleKey(cycle: Date | string): string {
  if (!isTime(cycle)) throw new CycleRejectedError([{ path: '/cycle', message: `"${String(cycle)}" is not a time (expected ISO 8601, e.g. 2026-01-31T00:00:00Z)` }]);
  return isoTime(cycle);
}

function checkCycleFields(fields: CycleFields): void {
  const problems: FieldProblem[] = [];
  if (fields.status !== undefined && !CYCLE_STATUSES.includes(fields.status)) problems.push({ path: '/status', message: `must be one of ${CYCLE_STATUSES.join(', ')}` });
  if (fields.progress !== undefined && fields.progress !== null && !(fields.progress >= 0 && fields.progress <= 1)) problems.push({ path: '/progress', message: 'must be within 0..1' });
  if (fields.degraded !== undefined && !(Array.isArray(fields.degraded) && fields.degraded.every((d) => typeof d === 'string'))) problems.push({ path: '/degraded', message: 'must be a list of names' });
  for (const key of ['startedAt', 'finishedAt'] as const) {
    const value = fields[key];
    if (value !== undefined && value !== null && !isTime(value)) problems.push({ path: `/${key}`, message: `"${value}" is not a time` });
  }
  if (problems.length > 0) throw new CycleRejectedError(problems);
}

function cycleRecord(row: CycleRow): CycleRecord {
  return {
    siteId: row.site_id,
    cycle: row.cycle,
    status: row.status,
    degraded: JSON.parse(row.degraded) as string[],
    stage: row.stage,
    progress: row.progress,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    runDir: row.run_dir,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as unknown),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function deliveryRecord(row: DeliveryRow): DeliveryRecord {
  return {
    siteId: row.site_id,
    cycle: row.cycle,
    ruleKey: row.rule_key,
    channel: row.channel,
    target: row.target,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    sentAt: row.sent_at,
    updatedAt: row.updated_at,
  };
}
