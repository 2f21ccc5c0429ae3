import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { writeMesh } from '../core/mesh/gr3.js';

const meshCheck = (...args: string[]) => runCli('mesh', 'check', ...args);

let dir: string;
let good: string;
let lonLat: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-meshcheck-'));
  good = join(dir, 'hgrid.gr3');
  await writeMesh(
    good,
    generateRectangleMesh({ nx: 11, ny: 6, dx: 100, dy: 50, origin: { x: 500000, y: 4200000 }, depth: (x) => (x - 500000) / 100 - 2, openSides: ['east', 'north'], title: 'basin' }),
  );
  lonLat = join(dir, 'lonlat.gr3');
  await writeMesh(lonLat, generateRectangleMesh({ nx: 3, ny: 3, dx: 0.01, origin: { x: -9, y: 38 } }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('coastcast mesh check', () => {
  it('exit 0 and the statistics for a good mesh', async () => {
    const run = await meshCheck(good);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `mesh: ${good}`,
        'title: basin',
        'coordinates: metres (ics 1), detected: lon/lat when every x is in [-180, 360] and every y in [-90, 90], metres otherwise',
        'nodes: 66',
        'triangles: 100',
        'open boundaries: 1 (16 nodes)',
        'land boundaries: 1 (0 islands, 16 nodes)',
        'x: 500000 .. 501000 m',
        'y: 4200000 .. 4200250 m',
        'depth: -2 .. 8 m',
        'edge length: 50 .. 111.8034 m',
        'area: 250000 m²',
        'problems: 0 errors, 0 warnings',
        'result: usable',
        '',
      ].join('\n'),
    });
  });

  it('detects lon/lat, and takes --ics from the user', async () => {
    const detected = await meshCheck(lonLat);
    expect(detected.code).toBe(0);
    expect(detected.stdout).toContain('\ncoordinates: lon/lat (ics 2), detected:');
    expect(detected.stdout).toContain('\nedge length: 875.989 .. 1415.663 m\narea: 3896753 m²\n');
    const given = await meshCheck('--ics', '1', lonLat);
    expect(given.stdout).toContain('\ncoordinates: metres (ics 1), as given\n');
    expect(given.stdout).toContain('\nedge length: 0.01 .. 0.01414214 m\n');
  });

  it('exit 0 with warnings listed as file:line:', async () => {
    const path = join(dir, 'clockwise.gr3');
    await writeFile(path, ['clockwise', '1 3', '1 0 0 1', '2 0 1000 1', '3 1000 0 1', '1 3 1 2 3'].join('\n'));
    const run = await meshCheck(path);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`\nproblems: 0 errors, 1 warning\n${path}:6: warning: element 1 is clockwise; re-oriented counter-clockwise\nresult: usable\n`);
  });

  it('exit 1 and every problem as file:line: for a bad mesh', async () => {
    const path = join(dir, 'bad.gr3');
    await writeFile(path, ['bad', '2 4', '1 0 0 1', '2 1000 0 1', '3 1000 1000 1', '4 0 1000 1', '1 3 1 2 2', '2 3 1 3 9', '0 = nope', '1 = neta'].join('\n'));
    const run = await meshCheck(path);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('\ntriangles: 0\n');
    expect(run.stdout).toContain(
      [
        'problems: 3 errors, 1 warning',
        `${path}:6: warning: node 4 is not part of any element`,
        `${path}:7: error: element 1 is degenerate: node 2 appears twice`,
        `${path}:8: error: element 2 references node 9, which does not exist (np = 4)`,
        `${path}:10: error: neta = 1, but the 0 open boundaries list 0 nodes`,
        'result: not usable',
        '',
      ].join('\n'),
    );
  });

  it('exit 1 and no statistics when the file cannot be read as gr3', async () => {
    const path = join(dir, 'truncated.gr3');
    await writeFile(path, ['truncated', '1 3', '1 0 0 1', '2 1 0 1'].join('\n'));
    const run = await meshCheck(path);
    expect(run).toEqual({
      code: 1,
      stderr: '',
      stdout: `problems: 1 error, 0 warnings\n${path}:4: error: file ends after 2 of 3 nodes (np = 3)\nresult: not usable\n`,
    });
  });

  it('exit 1 for a file that does not exist', async () => {
    const run = await meshCheck(join(dir, 'missing.gr3'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no such file or directory');
  });

  it('exit 2 for a missing argument, an unknown option or a bad --ics', async () => {
    const missing = await meshCheck();
    expect(missing).toEqual({
      code: 2,
      stdout: '',
      stderr: 'missing the hgrid.gr3 file to check\nusage: coastcast mesh check <hgrid.gr3> [--ics 1|2]\n',
    });
    expect((await meshCheck(good, '--quads')).stderr).toContain('unknown option --quads\n');
    expect((await meshCheck(good, '--ics', '3')).stderr).toContain('--ics takes 1 (metres) or 2 (lon/lat), got 3\n');
    expect((await meshCheck(good, '--ics')).code).toBe(2);
  });
});
