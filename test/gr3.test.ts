import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectIcs, haversineDistance } from '../core/geodesy.js';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { loadGr3Property, loadMesh, readGr3Property, readMesh, writeGr3Property, writeMesh } from '../core/mesh/gr3.js';
import { formatInputProblem } from '../core/inputProblems.js';
import { MeshError, ProblemLog, countProblems, type MeshProblem } from '../core/mesh/mesh.js';
import { meshStats } from '../core/mesh/stats.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-gr3-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
async function fileWith(text: string): Promise<string> {
  const path = join(dir, `case${++fileCount}.gr3`);
  await writeFile(path, text);
  return path;
}

/** Five nodes on a 100 m square with a centre node; line numbers are quoted in the tests. */
const BASE = [
  'base mesh', //                                  1
  '4 5 ! ne np', //                                2
  '1 0 0 5', //                                    3
  '2 100 0 5.5', //                                4
  '3 100 100 6', //                                5
  '4 0 100 -1', //                                 6
  '5 50 50 2.25', //                               7
  '1 3 1 2 5', //                                  8
  '2 3 2 3 5', //                                  9
  '3 3 3 4 5', //                                  10
  '4 3 4 1 5', //                                  11
  '1 = Number of open boundaries', //              12
  '2 = Total number of open boundary nodes', //    13
  '2 = Number of nodes for open boundary 1', //    14
  '2', //                                          15
  '3', //                                          16
  '1 = Number of land boundaries', //              17
  '4 = Total number of land boundary nodes', //    18
  '4 0 = Number of nodes for land boundary 1', //  19
  '3', //                                          20
  '4', //                                          21
  '1', //                                          22
  '2', //                                          23
];

/** BASE with 1-based line numbers replaced; null deletes the line. */
function baseWith(changes: Record<number, string | null> = {}, upTo = BASE.length): string {
  const lines = BASE.slice(0, upTo).map((line, i) => (i + 1 in changes ? changes[i + 1] : line));
  return lines.filter((l) => l !== null).join('\n') + '\n';
}

async function problemsOf(text: string, options = {}): Promise<MeshProblem[]> {
  return (await readMesh(await fileWith(text), options)).problems;
}

function error(line: number, message: string): MeshProblem {
  return { line, severity: 'error', message };
}
function warning(line: number, message: string): MeshProblem {
  return { line, severity: 'warning', message };
}

describe('reading a valid hgrid.gr3', () => {
  it('stores nodes, CCW triangles (0-based) and boundaries exactly', async () => {
    const { mesh, problems } = await readMesh(await fileWith(baseWith()));
    expect(problems).toEqual([]);
    expect(mesh!.title).toBe('base mesh');
    expect([...mesh!.x]).toEqual([0, 100, 100, 0, 50]);
    expect([...mesh!.y]).toEqual([0, 0, 100, 100, 50]);
    expect([...mesh!.depth]).toEqual([5, 5.5, 6, -1, 2.25]);
    expect([...mesh!.triangles]).toEqual([0, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4]);
    expect(mesh!.openBoundaries.map((b) => [...b.nodes])).toEqual([[1, 2]]);
    expect(mesh!.landBoundaries.map((b) => ({ kind: b.kind, nodes: [...b.nodes] }))).toEqual([{ kind: 0, nodes: [2, 3, 0, 1] }]);
  });

  it('gives the same result whatever the chunk size (lines split across reads, buffer growth)', async () => {
    const path = await fileWith(baseWith());
    const whole = await readMesh(path);
    for (const chunkSize of [16, 17, 33, 100]) expect(await readMesh(path, { chunkSize })).toEqual(whole);
  });

  it('accepts CRLF line ends, tabs, blank lines, `!` comments, Fortran D exponents and a missing final newline', async () => {
    const text = baseWith({ 3: '1\t0.0D0  0 5d0 ! corner', 5: '\n3 1.0E2 1.e2 6' }).replace(/\n/g, '\r\n').trimEnd();
    const { mesh, problems } = await readMesh(await fileWith(text));
    expect(problems).toEqual([]);
    expect([...mesh!.x]).toEqual([0, 100, 100, 0, 50]);
    expect([...mesh!.depth]).toEqual([5, 5.5, 6, -1, 2.25]);
    expect([...mesh!.landBoundaries[0].nodes]).toEqual([2, 3, 0, 1]);
  });

  it('reads a mesh without boundary sections', async () => {
    const { mesh, problems } = await readMesh(await fileWith(baseWith({}, 11)));
    expect(problems).toEqual([]);
    expect(mesh!.openBoundaries).toEqual([]);
    expect(mesh!.landBoundaries).toEqual([]);
  });

  it('reads an open boundary ibtype and a comment after nvdll without taking them for nodes', async () => {
    const { mesh, problems } = await readMesh(await fileWith(baseWith({ 14: '2 0 ! nvdll ibtype' })));
    expect(problems).toEqual([]);
    expect([...mesh!.openBoundaries[0].nodes]).toEqual([1, 2]);
  });
});

describe('syntax errors stop the read and name the line', () => {
  const stops = async (text: string, line: number, message: string) => {
    const { mesh, problems } = await readMesh(await fileWith(text));
    expect(mesh).toBeNull();
    expect(problems.at(-1)).toEqual(error(line, message));
  };

  it('empty file', () => stops('', 1, 'the file is empty'));
  it('title only', () => stops('just a title\n', 1, 'file ends before the `ne np` line'));
  it('truncated inside the nodes', () => stops(baseWith({}, 5), 5, 'file ends after 3 of 5 nodes (np = 5)'));
  it('truncated inside the elements', () => stops(baseWith({}, 9), 9, 'file ends after 2 of 4 elements (ne = 4)'));
  it('truncated after nope', () =>
    stops(baseWith({}, 12), 12, 'file ends inside the open boundary section: neta (total number of open boundary nodes) is missing'));
  it('truncated inside an open boundary', () => stops(baseWith({}, 15), 15, 'file ends inside open boundary 1: 1 of 2 nodes (nvdll = 2)'));
  it('truncated inside a land boundary', () => stops(baseWith({}, 21), 21, 'file ends inside land boundary 1: 2 of 4 nodes (nvel = 4)'));
  it('truncated before a land boundary', () => stops(baseWith({}, 18), 18, 'file ends before land boundary 1'));

  it('non-numeric node field', () => stops(baseWith({ 4: '2 1OO 0 5.5' }), 4, "node 2: x is not a number: '1OO'"));
  it('missing node field', () => stops(baseWith({ 4: '2 100 0' }), 4, 'node 2: depth is missing'));
  it('non-numeric element node', () => stops(baseWith({ 9: '2 3 2 x 5' }), 9, "element 2: node 2 is not an integer: 'x'"));
  it('non-integer element node', () => stops(baseWith({ 9: '2 3 2 3.5 5' }), 9, "element 2: node 2 is not an integer: '3.5'"));
  it('non-numeric np', () => stops(baseWith({ 2: '4 five' }), 2, "the `ne np` line (elements, nodes): np is not an integer: 'five'"));
  it('negative ne', () => stops(baseWith({ 2: '-4 5' }), 2, 'the `ne np` line (elements, nodes): ne = -4 is out of range 0..1073741824'));
  it('np = 0', () => stops(baseWith({ 2: '4 0' }), 2, 'np = 0: the file has no nodes'));
  it('element with 5 nodes', () => stops(baseWith({ 9: '2 5 2 3 5 1 4' }), 9, "element 2: nv must be 3 (triangle) or 4 (quad), found '5'"));
  it('non-numeric boundary node', () => stops(baseWith({ 16: 'three' }), 16, "open boundary 1, node 2: node id is not an integer: 'three'"));
  it('missing land boundary ibtype', () =>
    stops(baseWith({ 19: '4 = Number of nodes for land boundary 1' }), 19, "land boundary 1: ibtype (0 land, 1 island) is not an integer: '='"));
  it('mistyped huge boundary size', () =>
    stops(baseWith({ 14: '2000000000 = Number of nodes for open boundary 1' }), 23, 'file ends inside open boundary 1: 9 of 2000000000 nodes (nvdll = 2000000000)'));
});

describe('wrong counts', () => {
  it('np too small: a node line read as an element', async () => {
    expect(await problemsOf(baseWith({ 2: '4 4' }))).toEqual([
      error(7, "element 1: nv must be 3 (triangle) or 4 (quad), found '50' (this looks like a node record `id x y depth`: is np too small?)"),
    ]);
  });

  it('np too large: an element line read as a node, then a boundary header as an element', async () => {
    expect(await problemsOf(baseWith({ 2: '4 6' }))).toEqual([
      error(8, 'node id 1 out of sequence: expected 6 (ids must run 1..np in order)'),
      error(9, 'element id 2 out of sequence: expected 1 (ids must run 1..ne in order)'),
      error(10, 'element id 3 out of sequence: expected 2 (ids must run 1..ne in order)'),
      error(11, 'element id 4 out of sequence: expected 3 (ids must run 1..ne in order)'),
      error(12, "element 4: nv must be 3 (triangle) or 4 (quad), found '='"),
    ]);
  });

  it('ne too small: an element line where nope should be', async () => {
    expect(await problemsOf(baseWith({ 2: '3 5' }))).toEqual([
      error(11, "open boundary section: expected nope (number of open boundaries), found a record of 5 numbers: '4 3 4 1 5' (is ne too small?)"),
    ]);
  });

  it('ne too large: the nope line read as an element', async () => {
    expect(await problemsOf(baseWith({ 2: '5 5' }))).toEqual([error(12, "element 5: nv must be 3 (triangle) or 4 (quad), found '='")]);
  });

  it('neta not matching the open boundaries is an error, the mesh is still read', async () => {
    const { mesh, problems } = await readMesh(await fileWith(baseWith({ 13: '3 = Total number of open boundary nodes' })));
    expect(problems).toEqual([error(13, 'neta = 3, but the 1 open boundary list 2 nodes')]);
    expect(mesh!.openBoundaries[0].nodes.length).toBe(2);
  });

  it('nvel not matching the land boundaries', async () => {
    expect(await problemsOf(baseWith({ 18: '5 = Total number of land boundary nodes' }))).toEqual([
      error(18, 'nvel = 5, but the 1 land boundary list 4 nodes'),
    ]);
  });
});

describe('validation collects every problem', () => {
  it('non-contiguous node and element ids', async () => {
    expect(await problemsOf(baseWith({ 5: '7 100 100 6', 9: '9 3 2 3 5' }))).toEqual([
      error(5, 'node id 7 out of sequence: expected 3 (ids must run 1..np in order)'),
      error(9, 'element id 9 out of sequence: expected 2 (ids must run 1..ne in order)'),
    ]);
  });

  it('element referencing a missing node is left out of the mesh', async () => {
    const { mesh, problems } = await readMesh(await fileWith(baseWith({ 9: '2 3 2 9 5' })));
    expect(problems).toEqual([error(9, 'element 2 references node 9, which does not exist (np = 5)')]);
    expect(mesh!.triangles.length).toBe(9);
  });

  it('element with a repeated node', async () => {
    expect(await problemsOf(baseWith({ 9: '2 3 2 2 5' }))).toEqual([error(9, 'element 2 is degenerate: node 2 appears twice')]);
  });

  it('element with zero area', async () => {
    expect(await problemsOf(baseWith({ 9: '2 3 1 5 3' }))).toEqual([error(9, 'element 2 is degenerate: zero area (nodes 1, 5, 3 are collinear)')]);
  });

  it('duplicate element (same node set, any order)', async () => {
    expect(await problemsOf(baseWith({ 11: '4 3 2 5 1' }))).toEqual([error(11, 'element 4 duplicates element 1 (line 8): same nodes')]);
  });

  it('duplicates around a node shared by many elements (a fan of 24)', async () => {
    const rim = Array.from({ length: 24 }, (_, k) => `${k + 2} ${Math.cos(k * Math.PI / 12)} ${Math.sin(k * Math.PI / 12)} 3`);
    const fan = Array.from({ length: 24 }, (_, k) => `${k + 1} 3 1 ${k + 2} ${((k + 1) % 24) + 2}`);
    const text = ['fan', '27 25', '1 0 0 3', ...rim, ...fan, '25 3 3 1 2', '26 3 1 2 3', '27 3 14 15 1'].join('\n');
    expect(await problemsOf(text)).toEqual([
      error(52, 'element 25 duplicates element 1 (line 28): same nodes'),
      error(53, 'element 26 duplicates element 1 (line 28): same nodes'),
      error(54, 'element 27 duplicates element 13 (line 40): same nodes'),
    ]);
  });

  it('clockwise triangle: warning, stored counter-clockwise', async () => {
    const { mesh, problems } = await readMesh(await fileWith(baseWith({ 8: '1 3 1 5 2' })));
    expect(problems).toEqual([warning(8, 'element 1 is clockwise; re-oriented counter-clockwise')]);
    expect([...mesh!.triangles.subarray(0, 3)]).toEqual([0, 1, 4]);
  });

  it('a mesh without elements', async () => {
    expect(await problemsOf(['no elements', '0 3', '1 0 0 1', '2 1 0 1', '3 0 1 1'].join('\n'))).toEqual([
      error(2, 'the mesh has no elements (ne = 0)'),
      warning(3, 'node 1 is not part of any element'),
      warning(4, 'node 2 is not part of any element'),
      warning(5, 'node 3 is not part of any element'),
    ]);
  });

  it('boundary node ids out of range', async () => {
    expect(await problemsOf(baseWith({ 16: '6', 21: '0' }))).toEqual([
      error(16, 'open boundary 1: node 6 does not exist (np = 5)'),
      error(21, 'land boundary 1: node 0 does not exist (np = 5)'),
    ]);
  });

  it('unusual land boundary kind is a warning', async () => {
    expect(await problemsOf(baseWith({ 19: '4 20 = Number of nodes for land boundary 1' }))).toEqual([
      warning(19, 'land boundary 1: ibtype 20 is not a SCHISM kind (0 land, 1 island)'),
    ]);
  });

  it('content after the land boundaries is a warning', async () => {
    expect(await problemsOf(baseWith() + '\n7 extra\n')).toEqual([warning(25, "unexpected content after the land boundaries, ignored: '7 extra'")]);
  });

  it('caps each kind of problem and says how many more', async () => {
    const mesh = generateRectangleMesh({ nx: 4, ny: 3, dx: 1000, origin: { x: 500000, y: 4000000 } });
    for (let t = 0; t < mesh.triangles.length; t += 3) mesh.triangles.set([mesh.triangles[t], mesh.triangles[t + 2], mesh.triangles[t + 1]], t);
    const path = join(dir, 'clockwise.gr3');
    await writeMesh(path, mesh);
    const { problems } = await readMesh(path, { problemCap: 5 });
    expect(problems.length).toBe(6);
    expect(problems[5]).toEqual({
      ...warning(20, '7 more problems like the 5 above not listed (first: element 6 is clockwise; re-oriented counter-clockwise)'),
      omitted: 7,
    });
    expect(countProblems(problems, 'warning')).toBe(12);
    expect(countProblems(problems, 'error')).toBe(0);
  });
});

describe('quads', () => {
  // Diagonal 2–4 (141 m) is shorter than 1–3 (180 m).
  const QUAD = ['one quad', '1 4', '1 0 0 1', '2 100 0 1', '3 150 100 1', '4 0 100 1'];
  const quadFile = (element: string) => fileWith([...QUAD, element].join('\n'));

  it('split along the shorter diagonal by default', async () => {
    const { mesh, problems } = await readMesh(await quadFile('1 4 1 2 3 4'));
    expect(problems).toEqual([warning(7, 'element 1 is a quad; split into two triangles along its shorter diagonal 2–4')]);
    expect([...mesh!.triangles]).toEqual([0, 1, 3, 1, 2, 3]);
  });

  it('a clockwise quad is split and re-oriented', async () => {
    const { mesh, problems } = await readMesh(await quadFile('1 4 1 4 3 2'));
    expect(problems).toEqual([
      warning(7, 'element 1 is a quad; split into two triangles along its shorter diagonal 4–2; it was clockwise and is re-oriented counter-clockwise'),
    ]);
    expect([...mesh!.triangles]).toEqual([0, 1, 3, 3, 1, 2]);
  });

  it('a non-convex quad is split along the diagonal inside it', async () => {
    const dart = ['dart', '1 4', '1 0 0 1', '2 100 -10 1', '3 80 0 1', '4 100 10 1', '1 4 1 2 3 4'].join('\n');
    const { mesh, problems } = await readMesh(await fileWith(dart));
    expect(problems).toEqual([
      warning(7, 'element 1 is a quad; split into two triangles along its longer (the shorter lies outside the quad) diagonal 1–3'),
    ]);
    expect([...mesh!.triangles]).toEqual([0, 1, 2, 0, 2, 3]);
  });

  it('measures the diagonals on the sphere for lon/lat (at 60°N a degree of longitude is half a degree of latitude)', async () => {
    const kite = await fileWith(['kite', '1 4', '1 0 60 1', '2 0.01 59.9925 1', '3 0.02 60 1', '4 0.01 60.0075 1', '1 4 1 2 3 4'].join('\n'));
    const lonLat = await readMesh(kite);
    expect(lonLat.problems).toEqual([warning(7, 'element 1 is a quad; split into two triangles along its shorter diagonal 1–3')]);
    expect([...lonLat.mesh!.triangles]).toEqual([0, 1, 2, 0, 2, 3]);
    const planar = await readMesh(kite, { ics: 1 });
    expect(planar.problems).toEqual([warning(7, 'element 1 is a quad; split into two triangles along its shorter diagonal 2–4')]);
    expect([...planar.mesh!.triangles]).toEqual([0, 1, 3, 1, 2, 3]);
  });

  it("rejected with quads: 'reject'", async () => {
    const { mesh, problems } = await readMesh(await quadFile('1 4 1 2 3 4'), { quads: 'reject' });
    expect(problems).toEqual([error(7, "element 1 is a quad (4 nodes); quads are not accepted (quads: 'reject')")]);
    expect(mesh!.triangles.length).toBe(0);
  });
});

describe('loadMesh and problem formatting', () => {
  it('returns a usable mesh, keeping warnings out of the way', async () => {
    const mesh = await loadMesh(await fileWith(baseWith({ 8: '1 3 1 5 2' })));
    expect(mesh.triangles.length).toBe(12);
  });

  it('throws a MeshError listing the problems as file:line: lines', async () => {
    const path = await fileWith(baseWith({ 9: '2 3 2 2 5', 13: '3' }));
    const thrown = await loadMesh(path).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(MeshError);
    const meshError = thrown as MeshError;
    expect(meshError.problems).toEqual([error(9, 'element 2 is degenerate: node 2 appears twice'), error(13, 'neta = 3, but the 1 open boundary list 2 nodes')]);
    expect(meshError.message).toBe(
      [`${path}: 2 errors in mesh`, `${path}:9: error: element 2 is degenerate: node 2 appears twice`, `${path}:13: error: neta = 3, but the 1 open boundary list 2 nodes`].join('\n'),
    );
  });

  it('throws a MeshError for a syntax error', async () => {
    const path = await fileWith(baseWith({}, 5));
    await expect(loadMesh(path)).rejects.toThrow(`${path}:5: error: file ends after 3 of 5 nodes (np = 5)`);
  });

  it('formats a problem as <file>:<line>: <severity>: <message>', () => {
    expect(formatInputProblem('hgrid.gr3', warning(3, 'x'))).toBe('hgrid.gr3:3: warning: x');
  });

  it('ProblemLog sorts by line and summarises each kind past its cap', () => {
    const log = new ProblemLog(2);
    for (const line of [9, 4, 7]) log.error('a', line, `a${line}`);
    log.warning('b', 1, 'b1');
    expect(log.list()).toEqual([warning(1, 'b1'), error(4, 'a4'), { ...error(7, '1 more problem like the 2 above not listed (first: a7)'), omitted: 1 }, error(9, 'a9')]);
  });
});

describe('gr3 property files', () => {
  const mesh = generateRectangleMesh({ nx: 3, ny: 2, dx: 0.01, origin: { x: -9.2, y: 38.6 }, openSides: ['east'] });
  const manning = Float64Array.from([0.02, 0.025, 0.03, 0.021, 0.0225, 1e-7]);

  it('round-trips through the writer and matches its mesh', async () => {
    const path = join(dir, 'manning.gr3');
    await writeGr3Property(path, mesh, manning, 'manning n');
    const reading = await readGr3Property(path, { mesh });
    expect(reading).toEqual({ title: 'manning n', values: manning, problems: [] });
  });

  it('reads a file with ne = 0 and no element lines', async () => {
    const path = await fileWith(['elev.ic', '0 2', '1 0 0 0.5', '2 1 0 -0.25'].join('\n'));
    expect([...(await loadGr3Property(path))]).toEqual([0.5, -0.25]);
  });

  it('reads a file with ne > 0 but no element lines', async () => {
    const path = await fileWith(['elev.ic', '7 2', '1 0 0 0.5', '2 1 0 -0.25', ''].join('\n'));
    expect([...(await loadGr3Property(path))]).toEqual([0.5, -0.25]);
  });

  it('reports a node count that does not match the mesh', async () => {
    const path = await fileWith(['elev.ic', '0 2', '1 -9.2 38.6 0.5', '2 -9.19 38.6 -0.25'].join('\n'));
    const reading = await readGr3Property(path, { mesh });
    expect(reading.problems).toEqual([error(2, 'np = 2, but the mesh has 6 nodes')]);
    await expect(loadGr3Property(path, { mesh })).rejects.toBeInstanceOf(MeshError);
  });

  it('accepts coordinates written with fewer digits, reports a node that moved', async () => {
    const rows = [...mesh.x].map((x, i) => `${i + 1} ${x.toFixed(8)} ${mesh.y[i].toFixed(8)} ${manning[i]}`);
    rows[4] = `5 ${mesh.x[4]} 38.62 0.0225`;
    const path = await fileWith(['manning', '0 6', ...rows].join('\n'));
    const reading = await readGr3Property(path, { mesh });
    expect(reading.problems).toEqual([error(7, 'node 5 is at (-9.19, 38.62), but the mesh node is at (-9.19, 38.61)')]);
    expect(reading.values).toEqual(manning);
  });
});

describe('statistics', () => {
  it('counts and measures a metre mesh', () => {
    const mesh = generateRectangleMesh({ nx: 11, ny: 6, dx: 100, dy: 50, origin: { x: 500000, y: 4200000 }, depth: (x) => (x - 500000) / 100 - 2, openSides: ['east', 'north'] });
    expect(meshStats(mesh)).toEqual({
      ics: 1,
      icsDetected: true,
      nodes: 66,
      triangles: 100,
      openBoundaries: { count: 1, nodes: 16 },
      landBoundaries: { count: 1, islands: 0, nodes: 16 },
      bounds: { x: { min: 500000, max: 501000 }, y: { min: 4200000, max: 4200250 } },
      depth: { min: -2, max: 8 },
      edgeLength: { min: 50, max: Math.hypot(100, 50) },
      area: 250000,
    });
  });

  it('measures a lon/lat mesh on the sphere', () => {
    const mesh = generateRectangleMesh({ nx: 3, ny: 3, dx: 0.01, origin: { x: -9, y: 38 } });
    const stats = meshStats(mesh);
    expect(stats.ics).toBe(2);
    expect(stats.edgeLength!.min).toBeCloseTo(haversineDistance(-9, 38.02, -8.99, 38.02), 6);
    expect(stats.edgeLength!.max).toBeCloseTo(haversineDistance(-9, 38, -8.99, 38.01), 6);
    const side = (0.02 * Math.PI * 6371000) / 180;
    expect(stats.area / (side * side * Math.cos((38.01 * Math.PI) / 180))).toBeCloseTo(1, 6);
  });

  it('haversine: one degree of latitude is 111194.93 m on a 6371 km sphere', () => {
    expect(haversineDistance(0, 0, 0, 1)).toBeCloseTo(111194.926645, 5);
    expect(haversineDistance(10, 60, 11, 60)).toBeCloseTo(55596.5, 0);
  });

  it('detects ics from the coordinate ranges, and takes a given ics', () => {
    expect(detectIcs(Float64Array.of(-9, 359), Float64Array.of(-90, 90))).toBe(2);
    expect(detectIcs(Float64Array.of(-9, 361), Float64Array.of(0, 0))).toBe(1);
    expect(detectIcs(Float64Array.of(0), Float64Array.of(91))).toBe(1);
    const mesh = generateRectangleMesh({ nx: 2, ny: 2, dx: 10 });
    expect(meshStats(mesh, 1)).toMatchObject({ ics: 1, icsDetected: false, area: 100, edgeLength: { min: 10, max: Math.SQRT2 * 10 } });
  });
});

describe('rectangle generator', () => {
  it('numbers nodes row by row and splits boundaries by open sides', () => {
    const mesh = generateRectangleMesh({ nx: 3, ny: 2, dx: 1, openSides: ['west', 'south'] });
    expect([...mesh.triangles]).toEqual([0, 1, 4, 0, 4, 3, 1, 2, 5, 1, 5, 4]);
    expect(mesh.openBoundaries.map((b) => [...b.nodes])).toEqual([[3, 0, 1, 2]]);
    expect(mesh.landBoundaries.map((b) => [...b.nodes])).toEqual([[2, 5, 4, 3]]);
  });

  it('opposite open sides give two open and two land boundaries', () => {
    const mesh = generateRectangleMesh({ nx: 3, ny: 3, dx: 1, openSides: ['east', 'west'] });
    expect(mesh.openBoundaries.map((b) => [...b.nodes])).toEqual([[2, 5, 8], [6, 3, 0]]);
    expect(mesh.landBoundaries.map((b) => [...b.nodes])).toEqual([[0, 1, 2], [8, 7, 6]]);
  });

  it('no open side: the perimeter is one land boundary', () => {
    const mesh = generateRectangleMesh({ nx: 2, ny: 2, dx: 1 });
    expect(mesh.openBoundaries).toEqual([]);
    expect(mesh.landBoundaries.map((b) => [...b.nodes])).toEqual([[0, 1, 3, 2]]);
  });
});
