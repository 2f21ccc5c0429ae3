/**
 * Where Temporal is, from the environment, for every process that talks to
 * it (worker, API, command line):
 *
 * - TEMPORAL_ADDRESS (host:port, default 127.0.0.1:7233: the stack's dev server)
 * - TEMPORAL_NAMESPACE (default "default")
 * - TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (files: mTLS client pair),
 *   TEMPORAL_TLS_CA (file: the server's root CA), TEMPORAL_TLS_SERVER_NAME,
 *   TEMPORAL_TLS=1 (TLS with the system's roots, e.g. Temporal Cloud),
 *   TEMPORAL_API_KEY (Temporal Cloud API keys; implies TLS).
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

/** One task queue for the cycle's workflows and activities; model jobs get queues per resource when there is more than one. */
export const TASK_QUEUE = 'coastcast';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

export interface TemporalSettings {
  address: string;
  namespace: string;
  tls: TLSConfig | undefined;
  apiKey: string | undefined;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const file = (name: string): Uint8Array | undefined => {
    const path = env[name];
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`${name}=${path}: ${(error as Error).message}`);
    }
  };
  const crt = file('TEMPORAL_TLS_CERT');
  const key = file('TEMPORAL_TLS_KEY');
  if ((crt === undefined) !== (key === undefined)) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: give both or neither');
  const ca = file('TEMPORAL_TLS_CA');
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const wantsTls = crt !== undefined || ca !== undefined || apiKey !== undefined || env.TEMPORAL_TLS === '1' || !!env.TEMPORAL_TLS_SERVER_NAME;
  return {
    address: env.TEMPORAL_ADDRESS || DEFAULT_TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    tls: wantsTls
      ? {
        serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME || undefined,
        serverRootCACertificate: ca,
        clientCertPair: crt && key ? { crt, key } : undefined,
      }
      : undefined,
    apiKey,
  };
}
