/**
 * The embedded Temporal dev server of a one-machine stack: the official
 * `temporal` CLI's `server start-dev`, its SQLite file in the data directory
 * (so cycles and schedules survive a restart), listening on 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';

import { resolveTemporalCli } from './temporalCli.js';

export interface DevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  /** Where the server's own log lines go. */
  log: (line: string) => void;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

export async function startDevServer({ dataDir, port, uiPort, log }: DevServerOptions): Promise<RunningDevServer> {
  const cli = resolveTemporalCli();
  const address = `127.0.0.1:${port}`;
  const child = spawn(
    cli.path,
    ['server', 'start-dev', '--db-filename', join(dataDir, 'temporal.db'), '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (text: string) => text.split('\n').filter(Boolean).forEach((line) => log(line)));
  }
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }) as { code: number | null; signal: string | null });
  try {
    await waitUntilServing(address, exited);
  } catch (error) {
    await stop(child, exited);
    throw error;
  }
  return { address, uiUrl: `http://127.0.0.1:${uiPort}`, stop: () => stop(child, exited) };
}

async function waitUntilServing(address: string, exited: Promise<{ code: number | null; signal: string | null }>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let early: { code: number | null; signal: string | null } | undefined;
  exited.then((how) => (early = how));
  for (;;) {
    if (early) throw new Error(`the Temporal dev server exited before serving (code ${early.code}, signal ${early.signal}); is port ${address} taken?`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server did not serve ${address} within ${START_TIMEOUT_MS / 1000} s: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
