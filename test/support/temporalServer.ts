import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTemporalCli } from '../../server/temporalCli.js';

export interface DevServer {
  env: TestWorkflowEnvironment;
  stop: () => Promise<void>;
}

/** Starts the real Temporal dev server (the CLI set-up installed) on 127.0.0.1, with its SQLite file in a temp dir. */
export async function startDevServer(): Promise<DevServer> {
  const cli = resolveTemporalCli();
  const dir = mkdtempSync(join(tmpdir(), 'coastcast-temporal-'));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      ip: '127.0.0.1',
      dbFilename: join(dir, 'temporal.db'),
      extraArgs: ['--log-level', 'error'],
    },
  });
  return {
    env,
    stop: async () => {
      await env.teardown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
