/**
 * The whole service on one machine (`npm start`): the Temporal dev server
 * (unless TEMPORAL_ADDRESS points at a cluster), the worker, and the API
 * serving web/, with the demo site installed. Settings from the environment:
 *
 * - PORT (API, default 8080), HOST (default 127.0.0.1)
 * - COASTCAST_DATA (default ./data)
 * - TEMPORAL_PORT (default 7233), TEMPORAL_UI_PORT (default 8233) for the dev server
 * - TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TLS settings (server/temporal.ts) for an existing cluster
 * - COASTCAST_MODEL_THREADS (default: all cores)
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';

import { openCatalog } from '../activities/catalog.js';
import { buildApi } from './api/app.js';
import { dataDirectory } from './dataDir.js';
import { threadsOption } from './commands/worker.js';
import { installDemoSite } from './demo/install.js';
import { startDevServer, type RunningDevServer } from './devServer.js';
import { projectRoot } from '../core/project.js';
import { temporalSettings } from './temporal.js';
import { TemporalCycles } from './temporalCycles.js';
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

    const worker = await createCycleWorker({ temporal, dataDir, catalog, modelThreads: threadsOption(env.COASTCAST_MODEL_THREADS) });
    const running = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await running;
    });

    const connection = await Connection.connect({ address: temporal.address, tls: temporal.tls, apiKey: temporal.apiKey });
    cleanups.push(() => connection.close());
    const webRoot = join(projectRoot(), 'web', 'dist');
    const api = buildApi({ dataDir, catalog, cycles: new TemporalCycles(new Client({ connection, namespace: temporal.namespace })), webRoot: existsSync(webRoot) ? webRoot : undefined });
    cleanups.push(() => api.close());
    const apiUrl = await api.listen({ host: env.HOST || '127.0.0.1', port: portSetting(env, 'PORT', 8080) });
    return { apiUrl, temporalAddress: temporal.address, temporalUiUrl: devServer?.uiUrl ?? null, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function portSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error(`${name}=${value}: not a port number`);
  return Number(value);
}
