/**
 * hotstart.nc: side order against SCHISM's rule worked by hand, round trips
 * through our writer and reader, the layout as the real ncdump sees it, a
 * SCHISM-style NetCDF-4 hot start made by ncgen, and every error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { meshSides, readHotstart, writeHotstart, type HotstartState } from '../core/schism/hotstart.js';

const dir = mkdtempSync(join(tmpdir(), 'schism-hotstart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const newPath = (): string => join(dir, `hotstart${counter++}.nc`);

/** The unit square cut along 0–3: nodes 0 (0,0), 1 (1,0), 2 (0,1), 3 (1,1). */
const square = {
  x: Float64Array.of(0, 1, 0, 1),
  y: Float64Array.of(0, 0, 1, 1),
  triangles: Int32Array.of(0, 1, 3, 0, 3, 2),
};

function ncdump(...args: string[]): string {
  return execFileSync('ncdump', args, { encoding: 'utf8' });
}

function ncgen(cdl: string, kind: 'nc4' | 'classic' = 'nc4'): string {
  const cdlPath = join(dir, `made${counter}.cdl`);
  const path = join(dir, `made${counter++}.nc`);
  writeFileSync(cdlPath, cdl);
  execFileSync('ncgen', ['-k', kind, '-o', path, cdlPath]);
  return path;
}

function state(np: number, seed = 1): HotstartState {
  const wave = (n: number, k: number) => Math.sin(seed * 0.37 * n + k) * 0.8;
  return {
    time: 86_400.5,
    step: 960,
    eta: Float64Array.from({ length: np }, (_, n) => wave(n, 0)),
    u: Float64Array.from({ length: np }, (_, n) => wave(n, 1)),
    v: Float64Array.from({ length: np }, (_, n) => wave(n, 2)),
    dry: Uint8Array.from({ length: np }, (_, n) => (n % 7 === 3 ? 1 : 0)),
  };
}

describe('meshSides', () => {
  it('numbers sides as SCHISM does: by triangle, side k facing corner k, first meeting wins', () => {
    // T0 = (0 1 3): sides 1–3, 3–0, 0–1; T1 = (0 3 2): 3–2, 2–0, and 0–3 already numbered.
    const sides = meshSides(square);
    expect(sides.count).toBe(5);
    expect(Array.from(sides.nodes)).toEqual([1, 3, 3, 0, 0, 1, 3, 2, 2, 0]);
    expect(Array.from(sides.triangles)).toEqual([0, -1, 0, 1, 0, -1, 1, -1, 1, -1]);
  });

  it('finds every edge of a rectangle mesh once, interior edges with both triangles', () => {
    const mesh = generateRectangleMesh({ nx: 13, ny: 9, dx: 1 });
    const sides = meshSides(mesh);
    expect(sides.count).toBe(12 * 9 + 13 * 8 + 12 * 8);
    const keys = new Set<string>();
    for (let s = 0; s < sides.count; s++) {
      const [a, b] = [sides.nodes[2 * s], sides.nodes[2 * s + 1]];
      keys.add(`${Math.min(a, b)}-${Math.max(a, b)}`);
    }
    expect(keys.size).toBe(sides.count);
    const boundary = Array.from({ length: sides.count }, (_, s) => sides.triangles[2 * s + 1]).filter((t) => t < 0).length;
    expect(boundary).toBe(2 * 12 + 2 * 8);
  });

  it('refuses an edge shared by three triangles', () => {
    const mesh = { x: new Float64Array(5), triangles: Int32Array.of(0, 1, 2, 1, 0, 3, 0, 1, 4) };
    expect(() => meshSides(mesh)).toThrow('mesh edge 1–2 is shared by more than two triangles (1, 2, 3)');
  });
});

describe('hotstart.nc round trip', () => {
  const mesh = generateRectangleMesh({ nx: 6, ny: 5, dx: 100 });
  const np = mesh.x.length;

  it('gives back our own state exactly, node velocities included', async () => {
    const path = newPath();
    const written = { ...state(np), ifile: 4, stepsFromCold: 2880 };
    await writeHotstart(path, mesh, written);
    const read = await readHotstart(path, mesh);
    expect(read.time).toBe(86_400.5);
    expect(read.step).toBe(960);
    expect(read.ifile).toBe(4);
    expect(read.stepsFromCold).toBe(2880);
    expect(read.velocityFrom).toBe('nodes');
    expect(read.eta).toEqual(written.eta);
    expect(read.u).toEqual(written.u);
    expect(read.v).toEqual(written.v);
    expect(read.dry).toEqual(written.dry);
  });

  it('defaults ifile to 1 and nsteps_from_cold to the step', async () => {
    const path = newPath();
    await writeHotstart(path, mesh, state(np));
    const read = await readHotstart(path, mesh);
    expect(read.ifile).toBe(1);
    expect(read.stepsFromCold).toBe(960);
  });

  it('has SCHISM\'s layout, as ncdump reads it', async () => {
    const path = newPath();
    const sides = meshSides(mesh);
    await writeHotstart(path, mesh, state(np));
    const header = ncdump('-h', path);
    const ne = mesh.triangles.length / 3;
    for (const dim of [`node = ${np}`, `elem = ${ne}`, `side = ${sides.count}`, 'nVert = 2', 'ntracers = 2', 'one = 1']) expect(header).toContain(`\t${dim} ;`);
    for (const declaration of [
      'double time(one)',
      'int iths(one)',
      'int ifile(one)',
      'int nsteps_from_cold(one)',
      'int idry_e(elem)',
      'int idry_s(side)',
      'int idry(node)',
      'double eta2(node)',
      'double cumsum_eta(node)',
      'double we(elem, nVert)',
      'double tr_el(elem, nVert, ntracers)',
      'double tr_nd(node, nVert, ntracers)',
      'double tr_nd0(node, nVert, ntracers)',
      'double su2(side, nVert)',
      'double sv2(side, nVert)',
      'double q2(node, nVert)',
      'double xl(node, nVert)',
      'double dfv(node, nVert)',
      'double dfh(node, nVert)',
      'double dfq1(node, nVert)',
      'double dfq2(node, nVert)',
      'double coastcast_u(node)',
      'double coastcast_v(node)',
    ]) {
      expect(header).toContain(`\t${declaration} ;`);
    }
    expect(header).toContain('eta2:units = "m"');
    expect(header).toContain('su2:units = "m s-1"');
    expect(header).toContain('time:units = "s"');
  });

  it('writes side velocities as the mean of their nodes on both levels, and SCHISM\'s dry flags', async () => {
    const path = newPath();
    await writeHotstart(path, square, {
      time: 0,
      step: 0,
      eta: [0, 0, 0, -1],
      u: [1, 3, 5, 7],
      v: [-2, 0, 2, 4],
      dry: [0, 0, 0, 1],
    });
    const data = ncdump('-v', 'su2,sv2,idry_e,idry_s,we,tr_nd', path);
    // Sides 1–3, 3–0, 0–1, 3–2, 2–0.
    expect(data).toMatch(/su2 =\s+5, 5,\s+4, 4,\s+2, 2,\s+6, 6,\s+3, 3 ;/);
    expect(data).toMatch(/sv2 =\s+2, 2,\s+1, 1,\s+-1, -1,\s+3, 3,\s+0, 0 ;/);
    // Node 3 is dry, so both triangles are; only a side whose every triangle is dry is dry.
    expect(data).toMatch(/idry_e = 1, 1 ;/);
    expect(data).toMatch(/idry_s = 1, 1, 1, 1, 1 ;/);
    expect(data).toMatch(/we =\s+0, 0,\s+0, 0 ;/);
    expect(data).toMatch(/tr_nd =\s+(0, 0,\s+)+0, 0 ;/);
  });

  it('keeps a side wet while one of its triangles is', async () => {
    const path = newPath();
    await writeHotstart(path, square, { time: 0, step: 0, eta: [0, 0, 0, 0], u: [0, 0, 0, 0], v: [0, 0, 0, 0], dry: [0, 1, 0, 0] });
    const data = ncdump('-v', 'idry_e,idry_s', path);
    expect(data).toMatch(/idry_e = 1, 0 ;/);
    expect(data).toMatch(/idry_s = 1, 0, 1, 0, 0 ;/);
  });
});

/** A hot start as SCHISM writes it (NetCDF-4, no node velocities) for `square`. */
function schismHotstart(overrides: { dims?: string; su2?: string; extra?: string; values?: string } = {}): string {
  return ncgen(`netcdf hotstart {
dimensions:
${overrides.dims ?? 'node = 4 ; elem = 2 ; side = 5 ; nVert = 2 ; ntracers = 2 ; one = 1 ;'}
variables:
  double time(one) ; int iths(one) ; int ifile(one) ; int nsteps_from_cold(one) ;
  int idry_e(elem) ; int idry_s(side) ; int idry(node) ;
  double eta2(node) ; double cumsum_eta(node) ;
  ${overrides.su2 ?? 'double su2(side, nVert) ; double sv2(side, nVert) ;'}
  ${overrides.extra ?? ''}
data:
  time = 3600 ; iths = 24 ; ifile = 1 ; nsteps_from_cold = 48 ;
  idry_e = 0, 0 ; idry_s = 0, 0, 0, 0, 0 ; idry = ${overrides.values ?? '0, 0, 1, 0'} ;
  eta2 = 0.5, -0.25, 1, 2 ;
  su2 = 1, 3, 2, 2, -1, -1, 4, 4, 0, 0 ;
  sv2 = 0, 0, 1, 1, 2, 2, 3, 3, 4, 4 ;
}
`);
}

describe('SCHISM hot starts', () => {
  it('reads a NetCDF-4 hot start made by ncgen; node velocity is the mean of its sides over both levels', async () => {
    const read = await readHotstart(schismHotstart(), square);
    expect(read.time).toBe(3600);
    expect(read.step).toBe(24);
    expect(read.stepsFromCold).toBe(48);
    expect(read.velocityFrom).toBe('sides');
    expect(Array.from(read.eta)).toEqual([0.5, -0.25, 1, 2]);
    expect(Array.from(read.dry)).toEqual([0, 0, 1, 0]);
    // Side means (u, v): 1–3 (2, 0), 3–0 (2, 1), 0–1 (−1, 2), 3–2 (4, 3), 2–0 (0, 4).
    // Node 0: sides 3–0, 0–1, 2–0; node 1: 1–3, 0–1; node 2: 3–2, 2–0; node 3: 1–3, 3–0, 3–2.
    expect(Array.from(read.u)).toEqual([(2 - 1 + 0) / 3, (2 - 1) / 2, (4 + 0) / 2, (2 + 2 + 4) / 3]);
    expect(Array.from(read.v)).toEqual([(1 + 2 + 4) / 3, (0 + 2) / 2, (3 + 4) / 2, (0 + 1 + 3) / 3]);
  });

  it('says which mesh a hot start was written for', async () => {
    const other = generateRectangleMesh({ nx: 3, ny: 2, dx: 1 });
    await expect(readHotstart(schismHotstart(), other)).rejects.toThrow('hotstart.nc was written for a mesh of 4 nodes, this mesh has 6');
    const path = schismHotstart({ dims: 'node = 4 ; elem = 3 ; side = 5 ; nVert = 2 ; ntracers = 2 ; one = 1 ;' });
    await expect(readHotstart(path, square)).rejects.toThrow('hotstart.nc was written for a mesh of 3 elements, this mesh has 2');
    const sides = schismHotstart({ dims: 'node = 4 ; elem = 2 ; side = 6 ; nVert = 2 ; ntracers = 2 ; one = 1 ;' });
    await expect(readHotstart(sides, square)).rejects.toThrow('hotstart.nc was written for a mesh of 6 sides, this mesh has 5');
  });

  it('refuses a 3D hot start', async () => {
    const path = ncgen(`netcdf h { dimensions: node = 4 ; elem = 2 ; side = 5 ; nVert = 21 ; one = 1 ; variables: double time(one) ; }`);
    await expect(readHotstart(path, square)).rejects.toThrow('hotstart.nc has nVert = 21 levels, a 3D hot start; the built-in model reads 2D ones (nVert = 2)');
  });

  it('names a missing dimension or variable', async () => {
    const noSide = ncgen(`netcdf h { dimensions: node = 4 ; elem = 2 ; one = 1 ; variables: double time(one) ; }`);
    await expect(readHotstart(noSide, square)).rejects.toThrow("not a SCHISM hotstart.nc: no dimension 'side'");
    const noSu2 = ncgen(schismCdlWith('iths = 0').replace('double su2(side, nVert) ;', '').replace(/\bsu2 = [^;]*;/, ''));
    await expect(readHotstart(noSu2, square)).rejects.toThrow("not a SCHISM hotstart.nc: no variable 'su2'");
  });

  it('names a variable laid out on the wrong dimensions', async () => {
    const path = schismHotstart({ su2: 'double su2(nVert, side) ; double sv2(side, nVert) ;' });
    await expect(readHotstart(path, square)).rejects.toThrow("variable 'su2' has dimensions (nVert, side), expected (side, nVert)");
  });

  it('refuses a wet/dry flag other than 0 or 1', async () => {
    await expect(readHotstart(schismHotstart({ values: '0, 0, 2, 0' }), square)).rejects.toThrow('idry of node 3 is 2; 0 (wet) or 1 (dry) expected');
  });

  it('refuses a step that is not a non-negative integer', async () => {
    const path = ncgen(schismCdlWith('iths = -3'));
    await expect(readHotstart(path, square)).rejects.toThrow("variable 'iths' is -3, a non-negative integer expected");
  });
});

function schismCdlWith(iths: string): string {
  return `netcdf hotstart {
dimensions: node = 4 ; elem = 2 ; side = 5 ; nVert = 2 ; one = 1 ;
variables: double time(one) ; int iths(one) ; int ifile(one) ; int nsteps_from_cold(one) ;
  int idry(node) ; double eta2(node) ; double su2(side, nVert) ; double sv2(side, nVert) ;
data: time = 0 ; ${iths} ; ifile = 1 ; nsteps_from_cold = 0 ; idry = 0, 0, 0, 0 ; eta2 = 0, 0, 0, 0 ;
  su2 = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 ; sv2 = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 ;
}
`;
}

describe('writeHotstart errors', () => {
  const base = (): HotstartState => ({ time: 0, step: 0, eta: [0, 0, 0, 0], u: [0, 0, 0, 0], v: [0, 0, 0, 0], dry: [0, 0, 0, 0] });

  it('names a field whose length is not the node count', async () => {
    await expect(writeHotstart(newPath(), square, { ...base(), v: [0, 0, 0] })).rejects.toThrow('hot start v has 3 values, the mesh has 4 nodes');
  });

  it('refuses a dry flag other than 0 or 1', async () => {
    await expect(writeHotstart(newPath(), square, { ...base(), dry: [0, 0, 0, 5] })).rejects.toThrow('hot start dry flag of node 4 is 5; 0 (wet) or 1 (dry) expected');
  });

  it('refuses a negative or fractional step, file number or step count', async () => {
    await expect(writeHotstart(newPath(), square, { ...base(), step: -1 })).rejects.toThrow('hot start step must be a non-negative integer, got -1');
    await expect(writeHotstart(newPath(), square, { ...base(), ifile: 1.5 })).rejects.toThrow('hot start ifile must be a non-negative integer, got 1.5');
    await expect(writeHotstart(newPath(), square, { ...base(), stepsFromCold: -2 })).rejects.toThrow('hot start stepsFromCold must be a non-negative integer, got -2');
  });

  it('refuses a time that is not finite', async () => {
    await expect(writeHotstart(newPath(), square, { ...base(), time: Number.NaN })).rejects.toThrow('hot start time must be finite, got NaN');
  });
});
