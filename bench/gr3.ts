/**
 * hgrid.gr3 write and read+validate throughput against the raw I/O floor.
 *   node --import tsx bench/gr3.ts [--nodes N]        (default 1 000 000 nodes)
 * Add --expose-gc to node so that the generated mesh is collected before the
 * read, and the read's peak RSS shows only what the reader holds.
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateRectangleMesh } from '../core/mesh/generate.js';
import { readMesh, writeMesh } from '../core/mesh/gr3.js';
import type { Mesh } from '../core/mesh/mesh.js';
import { meshStats } from '../core/mesh/stats.js';

const CHUNK = 4 << 20;

function nodesArgument(argv: string[]): number {
  const k = argv.indexOf('--nodes');
  const nodes = k < 0 ? 1_000_000 : Number(argv[k + 1]);
  if (!Number.isInteger(nodes) || nodes < 4) throw new Error(`--nodes takes an integer ≥ 4, got ${argv[k + 1]}`);
  return nodes;
}

/** A lon/lat basin off Portugal with depths given to 0.1 mm, like meshes exported by mesh tools. */
function benchMesh(nodes: number): Mesh {
  const side = Math.round(Math.sqrt(nodes));
  return generateRectangleMesh({
    nx: side,
    ny: side,
    dx: 0.0005,
    origin: { x: -9.5, y: 38.4 },
    depth: (x, y) => Math.round((20 + 15 * Math.sin(x * 40) * Math.cos(y * 30)) * 1e4) / 1e4,
    openSides: ['west', 'south'],
    title: `bench ${side} x ${side}`,
  });
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await run();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/** The floor: the same bytes through the same size of buffer, no parsing. */
async function readRaw(path: string): Promise<number> {
  const file = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let total = 0;
  try {
    for (let n; (n = (await file.read(buffer, 0, CHUNK, null)).bytesRead) > 0; ) total += n;
  } finally {
    await file.close();
  }
  return total;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const peakRss = () => `${mib(process.resourceUsage().maxRSS * 1024)} MiB`;
const rate = (bytes: number, seconds: number) => `${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;

function sameMesh(a: Mesh, b: Mesh): boolean {
  const equal = (p: ArrayLike<number>, q: ArrayLike<number>) => p.length === q.length && Array.prototype.every.call(p, (v: number, i: number) => Object.is(v, q[i]));
  return equal(a.x, b.x) && equal(a.y, b.y) && equal(a.depth, b.depth) && equal(a.triangles, b.triangles);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'coastcast-bench-gr3-'));
  try {
    const path = join(dir, 'hgrid.gr3');
    const generated = await timed(async () => benchMesh(nodesArgument(process.argv)));
    let mesh: Mesh | null = generated.value;
    console.log(`mesh: ${mesh.x.length} nodes, ${mesh.triangles.length / 3} triangles, generated in ${generated.seconds.toFixed(2)} s`);

    const written = await timed(() => writeMesh(path, mesh!));
    const bytes = (await stat(path)).size;
    console.log(`file: ${mib(bytes)} MiB`);
    console.log(`write: ${written.seconds.toFixed(2)} s, ${rate(bytes, written.seconds)}`);
    console.log(`peak RSS after generate+write: ${peakRss()}`);

    const sample = { x: mesh.x.slice(), y: mesh.y.slice(), depth: mesh.depth.slice(), triangles: mesh.triangles.slice() };
    mesh = null;
    globalThis.gc?.();
    console.log(`RSS before read: ${mib(process.memoryUsage().rss)} MiB (generated mesh ${globalThis.gc ? 'collected' : 'not collected: run node with --expose-gc'}; a copy of its arrays kept to compare)`);

    const raw = await timed(() => readRaw(path));
    console.log(`raw read floor: ${raw.seconds.toFixed(2)} s, ${rate(raw.value, raw.seconds)}`);
    const read = await timed(() => readMesh(path));
    const { mesh: back, problems } = read.value;
    console.log(`read+validate: ${read.seconds.toFixed(2)} s, ${rate(bytes, read.seconds)}, ${(read.seconds / raw.seconds).toFixed(1)}× the raw floor`);
    console.log(`problems: ${problems.length}; round trip exact: ${back !== null && sameMesh(back, { ...back, ...sample })}`);
    console.log(`peak RSS after read: ${peakRss()} (file ${mib(bytes)} MiB)`);

    const stats = await timed(async () => meshStats(back!));
    console.log(`stats: ${stats.seconds.toFixed(2)} s (edge ${stats.value.edgeLength!.min.toFixed(1)} .. ${stats.value.edgeLength!.max.toFixed(1)} m)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
