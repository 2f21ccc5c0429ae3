import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEFAULT_TEMPORAL_ADDRESS, temporalSettings } from '../server/temporal.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-tls-'));
  await writeFile(join(dir, 'client.pem'), 'CERT');
  await writeFile(join(dir, 'client.key'), 'KEY');
  await writeFile(join(dir, 'ca.pem'), 'CA');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Temporal settings from the environment', () => {
  it('defaults to the stack’s dev server without TLS', () => {
    expect(temporalSettings({})).toEqual({ address: DEFAULT_TEMPORAL_ADDRESS, namespace: 'default', tls: undefined, apiKey: undefined });
  });

  it('takes a cluster with mTLS from files', () => {
    const settings = temporalSettings({
      TEMPORAL_ADDRESS: 'temporal.example.org:7233',
      TEMPORAL_NAMESPACE: 'coastal',
      TEMPORAL_TLS_CERT: join(dir, 'client.pem'),
      TEMPORAL_TLS_KEY: join(dir, 'client.key'),
      TEMPORAL_TLS_CA: join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal',
    });
    expect(settings.address).toBe('temporal.example.org:7233');
    expect(settings.namespace).toBe('coastal');
    expect(Buffer.from(settings.tls!.clientCertPair!.crt).toString()).toBe('CERT');
    expect(Buffer.from(settings.tls!.clientCertPair!.key).toString()).toBe('KEY');
    expect(Buffer.from(settings.tls!.serverRootCACertificate!).toString()).toBe('CA');
    expect(settings.tls!.serverNameOverride).toBe('temporal');
  });

  it('turns TLS on for an API key (Temporal Cloud) with the system roots', () => {
    const settings = temporalSettings({ TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret' });
    expect(settings.apiKey).toBe('secret');
    expect(settings.tls).toEqual({ serverNameOverride: undefined, serverRootCACertificate: undefined, clientCertPair: undefined });
  });

  it('names the variable when a file is missing or half of a pair is given', () => {
    expect(() => temporalSettings({ TEMPORAL_TLS_CA: join(dir, 'nope.pem') })).toThrow(/TEMPORAL_TLS_CA=.*nope\.pem: ENOENT/);
    expect(() => temporalSettings({ TEMPORAL_TLS_CERT: join(dir, 'client.pem') })).toThrow('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together');
  });
});
