import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BctidesError, checkBuiltInSupport, formatBctides, parseBctides, readBctides, type Bctides } from '../core/schism/bctides.js';
import type { Mesh } from '../core/mesh/mesh.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-bctides-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A bctides.in in SCHISM's layout: two constituents, a tidal boundary of 3 nodes and a constant-elevation one of 2. */
const SAMPLE = [
  '2024-03-01 00:00:00 UTC', //                                    1
  '1 40. !ntip, tip_dp', //                                        2
  'M2', //                                                         3
  '2 0.242339 1.405189e-04  0.98160 98.26966 !species...', //      4
  '2 !nbfr', //                                                    5
  'M2 ! principal lunar', //                                       6
  ' 1.405189e-04  0.98160 98.26966 !freq, nodal factor, argument', // 7
  'S2', //                                                         8
  ' 1.454441D-04, 1.00123, 239.89180', //                          9
  '2 !nope', //                                                    10
  '3 3 0 0 0 !neta iettype ifltype itetype isatype', //            11
  'M2', //                                                         12
  '1.10 100.', //                                                  13
  '1.20 101.5', //                                                 14
  '1.30 103', //                                                   15
  's2', //                                                         16
  '0.40 130', //                                                   17
  '0.41 131', //                                                   18
  '0.42 132', //                                                   19
  '2 2 0 0 0 !second boundary', //                                 20
  '0.25 !elevation', //                                            21
];

function sampleWith(changes: Record<number, string | null> = {}, insert: Record<number, string[]> = {}): string {
  return SAMPLE.flatMap((line, i) => [...(insert[i + 1] ?? []), ...(i + 1 in changes ? [changes[i + 1]] : [line])])
    .filter((l): l is string => l !== null)
    .join('\n');
}

function errorOf(run: () => unknown): BctidesError {
  try {
    run();
  } catch (e) {
    if (e instanceof BctidesError) return e;
    throw e;
  }
  throw new Error('expected a BctidesError');
}

/** A mesh whose open boundaries have the given node counts (the rest of the mesh does not matter here). */
function meshWith(...boundarySizes: number[]): Mesh {
  const empty = new Float64Array(0);
  return {
    title: 't',
    x: empty,
    y: empty,
    depth: empty,
    triangles: new Int32Array(0),
    openBoundaries: boundarySizes.map((n) => ({ nodes: Int32Array.from({ length: n }, (_, i) => i) })),
    landBoundaries: [],
  };
}

describe('parseBctides', () => {
  it('reads the date line, tidal potential, frequencies and per-boundary forcing', () => {
    const b = parseBctides(SAMPLE.join('\n'), 'bctides.in');
    expect(b.dateLine).toBe('2024-03-01 00:00:00 UTC');
    expect(b.tipDp).toBe(40);
    expect(b.tidalPotential).toEqual([{ name: 'M2', species: 2, amplitude: 0.242339, frequency: 1.405189e-4, nodalFactor: 0.9816, equilibriumArgument: 98.26966, line: 3 }]);
    expect(b.frequencies).toEqual([
      { name: 'M2', frequency: 1.405189e-4, nodalFactor: 0.9816, equilibriumArgument: 98.26966, line: 6 },
      { name: 'S2', frequency: 1.454441e-4, nodalFactor: 1.00123, equilibriumArgument: 239.8918, line: 8 },
    ]);
    expect(b.lines).toEqual({ ntip: 2, nbfr: 5, nope: 10 });
    const [tidal, constant] = b.boundaries;
    expect(tidal).toMatchObject({ neta: 3, iettype: 3, ifltype: 0, itetype: 0, isatype: 0, otherLines: [], line: 11 });
    expect(tidal.tides.map((t) => [t.name, t.frequency, t.nodalFactor, t.equilibriumArgument, t.line])).toEqual([
      ['M2', 1.405189e-4, 0.9816, 98.26966, 12],
      ['S2', 1.454441e-4, 1.00123, 239.8918, 16],
    ]);
    expect(tidal.tides[0].amplitude).toEqual(Float64Array.from([1.1, 1.2, 1.3]));
    expect(tidal.tides[0].phase).toEqual(Float64Array.from([100, 101.5, 103]));
    expect(tidal.tides[1].amplitude).toEqual(Float64Array.from([0.4, 0.41, 0.42]));
    expect(constant).toMatchObject({ neta: 2, iettype: 2, elevation: 0.25, tides: [], line: 20 });
  });

  it('reads elev2D.th.nc boundaries (4), tides plus elev2D.th.nc (5) and CRLF files', () => {
    const text = sampleWith({ 11: '3 5 0 0 0', 20: '2 4 0 0 0', 21: null }).replace(/\n/g, '\r\n') + '\r\n\r\n';
    const b = parseBctides(text, 'bctides.in');
    expect(b.boundaries.map((x) => [x.iettype, x.tides.length])).toEqual([
      [5, 2],
      [4, 0],
    ]);
  });

  it('keeps the blocks of flow and tracer types verbatim (the layout of SCHISM’s own sample)', () => {
    const text = [
      '!user comments here',
      '0 40. !ntip',
      '1  !nbfr',
      'K1',
      ' 7.292117e-05  1.06837 328.40845',
      '4 !nope',
      '2 0 1 0 2 !flow from flux.th; S from a constant',
      '0.',
      '1. !nudging factor for S',
      '8 0 2 0 0 !constant discharge',
      '-100.',
      '2 0 -1 0 0 !Flather',
      "'eta_mean'",
      '0.1',
      '0.2',
      "'vn_mean'",
      '0.0',
      '0.0',
      '1 0 3 1 3 !tidal velocities; T from temp.th, S to initial',
      'K1',
      '0.1 10 0.2 20',
      '1.',
      '0.5',
    ].join('\n');
    const b = parseBctides(text, 'bctides.in');
    expect(b.boundaries.map((x) => x.otherLines)).toEqual([['0.', '1. !nudging factor for S'], ['-100.'], ["'eta_mean'", '0.1', '0.2', "'vn_mean'", '0.0', '0.0'], ['K1', '0.1 10 0.2 20', '1.', '0.5']]);
    expect(parseBctides(formatBctides(b), 'again').boundaries.map((x) => x.otherLines)).toEqual(b.boundaries.map((x) => x.otherLines));
  });

  it('reads a file and checks it against the mesh', async () => {
    const path = join(dir, 'bctides.in');
    await writeFile(path, SAMPLE.join('\n'));
    expect((await readBctides(path, meshWith(3, 2))).boundaries).toHaveLength(2);
    expect(errorOf(() => parseBctides(SAMPLE.join('\n'), path, meshWith(3))).message).toBe(`${path}:10: nope = 2, but the mesh has 1 open boundaries`);
    await expect(readBctides(path, meshWith(4, 1))).rejects.toThrow(
      [`${path}: 2 problems`, `${path}:11: open boundary 1: neta = 3, but the mesh's open boundary 1 has 4 nodes`, `${path}:20: open boundary 2: neta = 2, but the mesh's open boundary 2 has 1 nodes`].join('\n'),
    );
  });

  it.each([
    ['an empty file', '', 1, 'the file is empty'],
    ['a missing ntip line', SAMPLE[0], 1, 'file ends where ntip tip_dp should follow'],
    ['a non-numeric ntip', sampleWith({ 2: 'one 40.' }), 2, "ntip tip_dp: expected 2 numbers, found 'one 40.'"],
    ['a missing cut-off depth', sampleWith({ 2: '1' }), 2, "ntip tip_dp: expected 2 numbers, found '1'"],
    ['a fractional ntip', sampleWith({ 2: '1.5 40.' }), 2, 'ntip tip_dp: ntip must be an integer, found 1.5'],
    ['a negative nbfr', sampleWith({ 5: '-2' }), 5, 'nbfr: nbfr = -2 is negative'],
    ['a bad species', sampleWith({ 4: '3 0.24 1.4e-4 0.98 98.' }), 4, 'tidal potential M2: species 3 must be 0 (long period), 1 (diurnal) or 2 (semi-diurnal)'],
    ['a number where a name belongs', sampleWith({ 3: '2 0.24 1.4e-4 0.98 98.' }), 3, "expected tidal potential constituent 1 of 1, found '2 0.24 1.4e-4 0.98 98.' (is a count above too large or too small?)"],
    ['a frequency listed twice', sampleWith({ 8: 'm2' }), 8, 'frequency m2 is listed twice (also at line 6)'],
    ['a short frequency record', sampleWith({ 9: ' 1.454441D-04, 1.00123' }), 9, 'frequency S2: frequency nodal_factor equilibrium_argument: expected 3 numbers'],
    ['a blank line', sampleWith({}, { 10: [''] }), 10, 'blank line where nope should be (bctides.in has one record per line)'],
    ['constituents out of order on a boundary', sampleWith({ 12: 'S2', 16: 'M2' }), 12, 'open boundary 1: found constituent S2 where frequency 1 of the nbfr list, M2, belongs (SCHISM pairs the blocks with the list by position)'],
    ['a constituent not in the list', sampleWith({ 16: 'K1' }), 16, 'open boundary 1: found constituent K1 where frequency 2 of the nbfr list, S2, belongs'],
    ['a missing amplitude/phase line', sampleWith({ 15: null }), 15, "open boundary 1, M2, node 3 of 3: amplitude phase: expected 2 numbers, found 's2'"],
    ['a missing phase', sampleWith({ 14: '1.20' }), 14, "open boundary 1, M2, node 2 of 3: amplitude phase: expected 2 numbers, found '1.20'"],
    ['a negative amplitude', sampleWith({ 14: '-1.20 101.5' }), 14, 'open boundary 1, M2, node 2: amplitude -1.2 is negative'],
    ['an unknown iettype', sampleWith({ 20: '2 6 0 0 0' }), 20, 'open boundary 2: iettype 6 is not a SCHISM elevation type (0 to 5)'],
    ['an unknown ifltype', sampleWith({ 20: '2 2 7 0 0' }), 20, 'open boundary 2: ifltype 7 is not a SCHISM flow type'],
    ['an unknown tracer type', sampleWith({ 20: '2 2 0 0 5' }), 20, 'open boundary 2: isatype 5 is not a SCHISM tracer type (0 to 4)'],
    ['a missing elevation', sampleWith({ 21: null }), 20, 'file ends where open boundary 2 (iettype 2): elevation should follow'],
    ['a missing tracer block', sampleWith({ 20: '2 2 0 1 0' }), 21, 'file ends where open boundary 2: the blocks of ifltype 0, itetype 1, isatype 0 should follow'],
    ['a short boundary header', sampleWith({ 20: '2 2 0' }), 20, "open boundary 2: neta iettype ifltype itetype isatype: expected 5 numbers, found '2 2 0'"],
    ['content after the last boundary', sampleWith({}, { 21: ['0.25', '0.3'] }), 22, "unexpected content after the last open boundary: '0.3' (is nope or a boundary's neta too small?)"],
  ])('rejects %s, naming file and line', (_, text, line, message) => {
    const e = errorOf(() => parseBctides(text, 'bctides.in'));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0].line).toBe(line);
    expect(e.message).toBe(`bctides.in:${line}: ${e.problems[0].message}`);
    expect(e.problems[0].message).toContain(message);
  });
});

describe('checkBuiltInSupport', () => {
  it('accepts elevation types 0, 2, 3, 4, 5 without tidal potential', () => {
    const text = sampleWith({ 2: '0 40.', 3: null, 4: null, 20: '2 2 0 0 0' });
    expect(() => checkBuiltInSupport(parseBctides(text, 'bctides.in'), 'bctides.in')).not.toThrow();
  });

  it('lists everything unsupported, each with its boundary and line', () => {
    const text = sampleWith({ 11: '3 3 0 1 0', 20: '2 1 2 0 0', 21: '100.' }, { 20: ['1. !T nudging'] });
    const e = errorOf(() => checkBuiltInSupport(parseBctides(text, 'bctides.in'), 'bctides.in'));
    expect(e.message.split('\n')).toEqual([
      'bctides.in: 4 problems',
      'bctides.in:2: ntip = 1: the built-in model does not apply the tidal potential; set ntip = 0',
      'bctides.in:11: open boundary 1: itetype 1 (temperature boundary condition) is not supported by the built-in model; it must be 0',
      'bctides.in:21: open boundary 2: iettype 1 (elev.th, one elevation series for the whole boundary) is not supported by the built-in model; use 0, 2, 3, 4 or 5',
      'bctides.in:21: open boundary 2: ifltype 2 (velocity or flow boundary condition) is not supported by the built-in model; it must be 0',
    ]);
  });
});

describe('formatBctides', () => {
  it('writes what it reads', () => {
    const b = parseBctides(SAMPLE.join('\n'), 'bctides.in');
    const again = parseBctides(formatBctides(b), 'bctides.in');
    const strip = (x: Bctides) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'line' || k === 'lines' ? undefined : v instanceof Float64Array ? [...v] : v)));
    expect(strip(again)).toEqual(strip(b));
  });

  const base = (): Bctides => parseBctides(SAMPLE.join('\n'), 'bctides.in');
  it.each([
    ['a multi-line date', (b: Bctides) => (b.dateLine = 'a\nb'), 'the date line must be one line'],
    ['tides that do not follow the frequencies', (b: Bctides) => b.boundaries[0].tides.reverse(), 'tide 1 is S2, but frequency 1 is M2'],
    ['a tide missing', (b: Bctides) => b.boundaries[0].tides.pop(), '1 tides for 2 frequencies'],
    ['amplitudes of the wrong length', (b: Bctides) => (b.boundaries[0].tides[0].amplitude = new Float64Array(2)), 'M2: amplitude and phase need neta = 3 values'],
    ['tides on a constant boundary', (b: Bctides) => (b.boundaries[1].tides = b.boundaries[0].tides), 'tides given with iettype 2'],
    ['iettype 2 without an elevation', (b: Bctides) => delete b.boundaries[1].elevation, 'iettype 2 needs an elevation'],
    ['a name with a blank', (b: Bctides) => (b.frequencies[0].name = 'M 2'), "'M 2' cannot be a constituent name"],
    ['a non-finite number', (b: Bctides) => (b.tipDp = NaN), 'NaN cannot be written'],
    ['a multi-line block line', (b: Bctides) => b.boundaries[1].otherLines.push('1\n2'), 'otherLines must be single lines'],
  ])('refuses %s', (_, spoil, message) => {
    const b = base();
    spoil(b);
    expect(() => formatBctides(b)).toThrow(message);
  });

  it('round-trips any tidal forcing (property)', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    const names = fc.uniqueArray(fc.stringMatching(/^[A-Z][A-Z0-9]{0,3}$/), { minLength: 0, maxLength: 4, selector: (n) => n });
    const forcing = names.chain((ns) =>
      fc.record({
        dateLine: fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' ')),
        tipDp: finite,
        frequencies: fc.tuple(...ns.map((name) => fc.record({ name: fc.constant(name), frequency: finite, nodalFactor: finite, equilibriumArgument: finite }))),
        boundaries: fc.array(
          fc.integer({ min: 1, max: 4 }).chain((neta) =>
            fc.oneof(
              fc.record({ neta: fc.constant(neta), iettype: fc.constantFrom(0, 4), elevation: fc.constant(undefined), tides: fc.constant([]) }),
              fc.record({ neta: fc.constant(neta), iettype: fc.constant(2), elevation: finite, tides: fc.constant([]) }),
              fc.record({
                neta: fc.constant(neta),
                iettype: fc.constantFrom(3, 5),
                elevation: fc.constant(undefined),
                tides: fc.tuple(...ns.map(() => fc.record({ amplitude: fc.float64Array({ minLength: neta, maxLength: neta, noNaN: true, noDefaultInfinity: true, min: 0 }), phase: fc.float64Array({ minLength: neta, maxLength: neta, noNaN: true, noDefaultInfinity: true }) }))),
              }),
            ),
          ),
          { maxLength: 3 },
        ),
      }),
    );
    fc.assert(
      fc.property(forcing, (f) => {
        const frequencies = f.frequencies.map((x) => ({ ...x }));
        const b: Bctides = {
          dateLine: f.dateLine,
          tipDp: f.tipDp,
          tidalPotential: [],
          frequencies,
          boundaries: f.boundaries.map((x) => ({
            neta: x.neta,
            iettype: x.iettype,
            ifltype: 0,
            itetype: 0,
            isatype: 0,
            ...(x.elevation === undefined ? {} : { elevation: x.elevation }),
            tides: x.tides.map((t, i) => ({ ...frequencies[i], amplitude: t.amplitude, phase: t.phase })),
            otherLines: [],
          })),
        };
        const again = parseBctides(formatBctides(b), 'prop.in');
        expect(again.dateLine).toBe(b.dateLine.trimEnd() === b.dateLine ? b.dateLine : again.dateLine);
        expect(again.tipDp).toBe(b.tipDp);
        expect(again.frequencies.map(({ line, ...x }) => x)).toEqual(b.frequencies);
        expect(again.boundaries.map(({ line, ...x }) => ({ ...x, tides: x.tides.map(({ line: _, ...t }) => t) }))).toEqual(b.boundaries);
      }),
      { numRuns: 200 },
    );
  });

  it('fails on damaged files only with a BctidesError', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(null), fc.constantFrom('', 'M2', '3', '2 2 0 0 0', '1 x', '-1', '0.5 10')), { minLength: SAMPLE.length, maxLength: SAMPLE.length }), (damage) => {
        const text = SAMPLE.map((line, i) => damage[i] ?? line).join('\n');
        try {
          parseBctides(text, 'fuzz.in', meshWith(3, 2));
        } catch (e) {
          expect(e).toBeInstanceOf(BctidesError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
