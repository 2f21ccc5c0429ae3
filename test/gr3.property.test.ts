import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRectangleMesh, type Side } from '../core/mesh/generate.js';
import { parseDecimal, readGr3Property, readMesh, writeGr3Property, writeMesh } from '../core/mesh/gr3.js';
import { hasErrors, type Mesh } from '../core/mesh/mesh.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-gr3-prop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
const nextPath = () => join(dir, `mesh${++fileCount}.gr3`);

/** Bit patterns, so that -0 ≠ 0 and every last bit counts. */
const bits = (a: Float64Array) => new BigInt64Array(a.buffer, a.byteOffset, a.length);

const anyFinite = fc.double({ noNaN: true, noDefaultInfinity: true });
const sides = fc.subarray<Side>(['south', 'east', 'north', 'west']);

/** A jittered rectangle mesh (jitter under a fifth of the spacing keeps every triangle counter-clockwise) with arbitrary depths and boundary lists. */
const rectangleMeshes = fc
  .record({
    nx: fc.integer({ min: 2, max: 7 }),
    ny: fc.integer({ min: 2, max: 7 }),
    dx: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
    aspect: fc.double({ min: 0.5, max: 2, noNaN: true }),
    origin: fc.record({ x: fc.double({ min: -1e6, max: 1e6, noNaN: true }), y: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }),
    openSides: sides,
    seed: fc.integer(),
    title: fc.string({ maxLength: 30 }).map((t) => t.replace(/[\r\n]/g, ' ').trim()),
  })
  .chain((spec) => {
    const np = spec.nx * spec.ny;
    const nodeLists = fc.array(fc.array(fc.integer({ min: 0, max: np - 1 }), { minLength: 1, maxLength: 8 }), { maxLength: 3 });
    return fc.record({
      spec: fc.constant(spec),
      jitter: fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 2 * np, maxLength: 2 * np }),
      depth: fc.array(anyFinite, { minLength: np, maxLength: np }),
      extraOpen: nodeLists,
      extraLand: fc.array(fc.record({ kind: fc.constantFrom(0, 1), nodes: fc.array(fc.integer({ min: 0, max: np - 1 }), { minLength: 1, maxLength: 8 }) }), {
        maxLength: 3,
      }),
      chunkSize: fc.integer({ min: 16, max: 300 }),
    });
  })
  .map(({ spec, jitter, depth, extraOpen, extraLand, chunkSize }) => {
    const dy = spec.dx * spec.aspect;
    const mesh = generateRectangleMesh({ ...spec, dy });
    const step = Math.min(spec.dx, dy);
    mesh.x.forEach((_, n) => {
      mesh.x[n] += jitter[2 * n] * step;
      mesh.y[n] += jitter[2 * n + 1] * step;
    });
    mesh.depth.set(depth);
    mesh.openBoundaries.push(...extraOpen.map((nodes) => ({ nodes: Int32Array.from(nodes) })));
    mesh.landBoundaries.push(...extraLand.map(({ kind, nodes }) => ({ kind, nodes: Int32Array.from(nodes) })));
    return { mesh, chunkSize };
  });

/**
 * Arbitrary points and triangles among them, each turned counter-clockwise;
 * degenerate triangles and repeated node sets are dropped, as a valid mesh
 * has none.
 */
const smallMeshes = fc
  .record({
    points: fc.array(fc.tuple(anyFinite.filter((v) => Math.abs(v) < 1e150), anyFinite.filter((v) => Math.abs(v) < 1e150), anyFinite), {
      minLength: 3,
      maxLength: 12,
    }),
    picks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 20 }),
  })
  .map(({ points, picks }): Mesh => {
    const x = Float64Array.from(points, (p) => p[0]);
    const y = Float64Array.from(points, (p) => p[1]);
    const seen = new Set<string>();
    const triangles: number[] = [];
    for (const pick of picks) {
      const [a, b, c] = pick.map((k) => k % points.length);
      const cross = (x[b] - x[a]) * (y[c] - y[a]) - (y[b] - y[a]) * (x[c] - x[a]);
      const scale = Math.hypot(x[b] - x[a], y[b] - y[a]) * Math.hypot(x[c] - x[a], y[c] - y[a]);
      const key = [a, b, c].sort((p, q) => p - q).join();
      if (!(Math.abs(cross) > 1e-9 * scale) || seen.has(key)) continue;
      seen.add(key);
      triangles.push(...(cross > 0 ? [a, b, c] : [a, c, b]));
    }
    return { title: 'small', x, y, depth: Float64Array.from(points, (p) => p[2]), triangles: Int32Array.from(triangles), openBoundaries: [], landBoundaries: [] };
  })
  .filter((mesh) => mesh.triangles.length > 0);

function expectSameMesh(read: Mesh | null, written: Mesh): void {
  expect(read).not.toBeNull();
  expect(read!.title).toBe(written.title);
  expect(bits(read!.x)).toEqual(bits(written.x));
  expect(bits(read!.y)).toEqual(bits(written.y));
  expect(bits(read!.depth)).toEqual(bits(written.depth));
  expect(read!.triangles).toEqual(written.triangles);
  expect(read!.openBoundaries).toEqual(written.openBoundaries);
  expect(read!.landBoundaries).toEqual(written.landBoundaries);
}

describe('write → read round trips exactly', () => {
  it('jittered rectangle meshes with arbitrary depths and boundary lists', async () => {
    await fc.assert(
      fc.asyncProperty(rectangleMeshes, async ({ mesh, chunkSize }) => {
        const path = nextPath();
        await writeMesh(path, mesh, { chunkSize: 256 });
        const { mesh: read, problems } = await readMesh(path, { chunkSize });
        expect(problems).toEqual([]);
        expectSameMesh(read, mesh);
      }),
      { numRuns: 150 },
    );
  });

  it('random small valid meshes', async () => {
    await fc.assert(
      fc.asyncProperty(smallMeshes, async (mesh) => {
        const path = nextPath();
        await writeMesh(path, mesh);
        const { mesh: read, problems } = await readMesh(path);
        expect(hasErrors(problems)).toBe(false);
        expectSameMesh(read, mesh);
      }),
      { numRuns: 150 },
    );
  });

  it('property files', async () => {
    await fc.assert(
      fc.asyncProperty(rectangleMeshes, fc.array(anyFinite, { minLength: 49, maxLength: 49 }), async ({ mesh, chunkSize }, pool) => {
        const values = Float64Array.from(mesh.x, (_, n) => pool[n]);
        const path = nextPath();
        await writeGr3Property(path, mesh, values, 'values');
        const reading = await readGr3Property(path, { mesh, chunkSize });
        expect(reading.problems).toEqual([]);
        expect(bits(reading.values!)).toEqual(bits(values));
      }),
      { numRuns: 100 },
    );
  });
});

describe('parseDecimal', () => {
  const parse = (text: string) => parseDecimal(Buffer.from(text, 'latin1'), 0, text.length);

  it('equals Number() on the shortest repr of any double', () => {
    fc.assert(
      fc.property(anyFinite, (v) => {
        expect(Object.is(parse(Object.is(v, -0) ? '-0' : String(v)), v)).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });

  it('equals Number() on any decimal text, fast path or not (D exponents read as E)', () => {
    const decimals = fc.stringMatching(/^[+-]?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})([eEdD][+-]?\d{1,3})?$/);
    fc.assert(
      fc.property(decimals, (text) => {
        expect(Object.is(parse(text), Number(text.replace(/[dD]/, 'e')))).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });

  it('equals Number() on fixed-point text as mesh tools write it', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), fc.integer({ min: 0, max: 15 }), (v, digits) => {
        const text = v.toFixed(digits);
        expect(Object.is(parse(text), Number(text))).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });

  it('rejects what is not a decimal number', () => {
    for (const text of ['', '-', '.', 'e5', '1e', '1e+', '1.2.3', '1x', 'NaN', 'Infinity', '0x10', '1_000', '--1']) {
      expect(parse(text), text).toBeNaN();
    }
  });
});
