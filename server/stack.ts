/**
 * The whole service on one machine (`npm start`): the Temporal dev server
 * (unless TEMPORAL_ADDRESS points at a cluster), the worker, and the API
 * serving web/, with the demo site installed and every site's daily
 * schedule made to match its config (server/schedules.ts). Settings from the environment:
 *
 * - PORT (API, default 8080), HOST (default 127.0.0.1)
 * - COASTCAST_DATA (default ./data)
 * - TEMPORAL_PORT (default 7233), TEMPORAL_UI_PORT (default 8233) for the dev server
 * - TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TLS settings (server/temporal.ts) for an existing cluster
 * - COASTCAST_MODEL_THREADS (default: all cores)
 * - COASTCAST_RETENTION_DAYS (default 30; 0 keeps every run directory whole): activities/retention.ts
 * - COASTCAST_BASEMAP_URL (a tile URL template; default none: the maps work offline),
 *   COASTCAST_BASEMAP_ATTRIBUTION, COASTCAST_BASEMAP_MAX_ZOOM (default 19)
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';

import { openCatalog } from '../activities/catalog.js';
import { readResources } from '../activities/jobs/resources.js';
import { smtpSettings } from '../activities/notify/email.js';
import { retentionDaysSetting } from '../activities/retention.js';
import { buildApi, type Basemap } from './api/app.js';
import { dataDirectory } from './dataDir.js';
import { threadsOption } from './commands/worker.js';
import { installDemoSite } from './demo/install.js';
import { startDevServer, type RunningDevServer } from './devServer.js';
import { projectRoot } from '../core/project.js';
import { temporalSettings } from './temporal.js';
import { TemporalCycles } from './temporalCycles.js';
import { TemporalSchedules } from './schedules.js';
import { createCycleWorker } from './worker.js';

export interface Stack {
  apiUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | null;
  stop(): Promise<void>;
}

export async function startStack(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<Stack> {
  const dataDir = dataDirectory(env);
  await mkdir(dataDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: Error) => log(`stopping: ${error.message}`));
  };
  try {
    let devServer: RunningDevServer | undefined;
    if (!env.TEMPORAL_ADDRESS) {
      devServer = await startDevServer({
        dataDir,
        port: portSetting(env, 'TEMPORAL_PORT', 7233),
        uiPort: portSetting(env, 'TEMPORAL_UI_PORT', 8233),
        log: (line) => log(`temporal: ${line}`),
      });
      cleanups.push(() => devServer!.stop());
    }
    const temporal = { ...temporalSettings(env), ...(devServer ? { address: devServer.address, tls: undefined, apiKey: undefined } : {}) };

    const catalog = openCatalog(dataDir);
    cleanups.push(async () => catalog.close());
    for (const done of catalog.recoverSiteFolders()) log(`recovered: ${done}`);
    await installDemoSite(catalog, join(dataDir, 'uploads'));

    const resources = await readResources(env.COASTCAST_RESOURCES);
    const worker = await createCycleWorker({ temporal, dataDir, catalog, modelThreads: threadsOption(env.COASTCAST_MODEL_THREADS), smtp: smtpSettings(env), retentionDays: retentionDaysSetting(env), resources });
    const running = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await running;
    });

    const connection = await Connection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.namespace });
    const schedules = new TemporalSchedules(client);
    await schedules.syncAll(catalog);
    const webRoot = join(projectRoot(), 'web', 'dist');
    const api = buildApi({ dataDir, catalog, resources, cycles: new TemporalCycles(client), schedules, webRoot: existsSync(webRoot) ? webRoot : undefined, basemap: basemapSetting(env) });
    cleanups.push(() => api.close());
    const apiUrl = await api.listen({ host: env.HOST || '127.0.0.1', port: portSetting(env, 'PORT', 8080) });
    return { apiUrl, temporalAddress: temporal.address, temporalUiUrl: devServer?.uiUrl ?? null, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function basemapSetting(env: NodeJS.ProcessEnv): Basemap | null {
  const url = env.COASTCAST_BASEMAP_URL?.trim();
  if (!url) return null;
  if (!/^https?:\/\/.*\{z\}.*\{x\}.*\{y\}/.test(url)) throw new Error(`COASTCAST_BASEMAP_URL "${url}" is not a tile URL template: expected http(s)://… with {z}, {x} and {y}`);
  const maxZoom = env.COASTCAST_BASEMAP_MAX_ZOOM ? Number(env.COASTCAST_BASEMAP_MAX_ZOOM) : 19;
  if (!Number.isInteger(maxZoom) || maxZoom < 0 || maxZoom > 24) throw new Error(`COASTCAST_BASEMAP_MAX_ZOOM "${env.COASTCAST_BASEMAP_MAX_ZOOM}" is not a zoom level (an integer 0..24)`);
  return { url, attribution: env.COASTCAST_BASEMAP_ATTRIBUTION ?? '', maxZoom };
}

function portSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error(`${name}=${value}: not a port number`);
  return Number(value);
}
