import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNamelist, parseFortranNumber, parseNamelist, NamelistError, type FormatEntry, type Namelist, type NamelistScalar, type NamelistValue } from '../core/schism/namelist.js';

/** The values of a parsed namelist, without lines, as plain objects for comparison. */
function valuesOf(nl: Namelist): Record<string, Record<string, NamelistValue>> {
  return Object.fromEntries([...nl].map(([g, entries]) => [g, Object.fromEntries([...entries].map(([k, e]) => [k, e.value]))]));
}

function errorOf(text: string): NamelistError {
  try {
    parseNamelist(text, 'test.nml');
  } catch (e) {
    if (e instanceof NamelistError) return e;
    throw e;
  }
  throw new Error('expected a NamelistError');
}

describe('parseFortranNumber', () => {
  it.each([
    ['1', 1],
    ['-3', -3],
    ['+5', 5],
    ['1.', 1],
    ['.5', 0.5],
    ['1.e-3', 1e-3],
    ['1.d0', 1],
    ['2.5D-1', 0.25],
    ['4.e1', 40],
    ['1e5', 1e5],
    ['-0', -0],
  ])('reads %s', (text, value) => {
    expect(parseFortranNumber(text)).toBe(value);
  });

  it.each(['', '.', 'e5', '1.2.3', '1e', '0x10', 'abc', '1,5'])('rejects %j', (text) => {
    expect(parseFortranNumber(text)).toBeUndefined();
  });
});

describe('parseNamelist', () => {
  it('reads groups, comments, every kind of value and the line of each key', () => {
    const text = [
      '! header comment', //                                   1
      '&Core  ! group comment', //                             2
      '  ipre = 0 !Pre-processor flag', //                     3
      '  DT = 100.  , rnday=1.5d0', //                         4
      '  eps = 2.5D-1', //                                     5
      '/', //                                                  6
      '', //                                                   7
      '&OPT', //                                               8
      "  mid = 'KL' ! closure", //                             9
      '  stab = "K""C"', //                                    10
      "  q = 'it''s ! not a comment'", //                      11
      '  flag = T, on = .true., off = .F., yes = .false.', //  12
      '  list = 1, 2 3,', //                                   13
      '         4', //                                         14
      '  rep = 3*0, 2*.5', //                                  15
      "  names = 2*'ab'", //                                   16
      '/', //                                                  17
    ].join('\n');
    const nl = parseNamelist(text, 'param.nml');
    expect(valuesOf(nl)).toEqual({
      core: { ipre: 0, dt: 100, rnday: 1.5, eps: 0.25 },
      opt: { mid: 'KL', stab: 'K"C', q: "it's ! not a comment", flag: true, on: true, off: false, yes: false, list: [1, 2, 3, 4], rep: [0, 0, 0, 0.5, 0.5], names: ['ab', 'ab'] },
    });
    const lines = (g: string) => Object.fromEntries([...(nl.get(g) ?? [])].map(([k, e]) => [k, e.line]));
    expect(lines('core')).toEqual({ ipre: 3, dt: 4, rnday: 4, eps: 5 });
    expect(lines('opt')).toMatchObject({ mid: 9, stab: 10, q: 11, flag: 12, yes: 12, list: 13, rep: 15, names: 16 });
  });

  it('normalises array elements: one key per element, lower case, no blanks or leading zeros', () => {
    const text = ['&SCHOUT', '  IOF_HYDRO( 01 ) = 1', '  iof_hydro(25) = 0, 1', '  iof_wwm(2:4) = 3*1', '  a(1, 2) = 7', '  flag_ic = 1 2', '/'].join('\n');
    expect(valuesOf(parseNamelist(text, 'x'))).toEqual({
      schout: { 'iof_hydro(1)': 1, 'iof_hydro(25)': 0, 'iof_hydro(26)': 1, 'iof_wwm(2)': 1, 'iof_wwm(3)': 1, 'iof_wwm(4)': 1, 'a(1,2)': 7, flag_ic: [1, 2] },
    });
  });

  it('reads a logical value that looks like a key name, and the key after it', () => {
    expect(valuesOf(parseNamelist('&g\n a = T\n t = F\n/', 'x'))).toEqual({ g: { a: true, t: false } });
  });

  it('takes a whole group on one line, &END as its end, a byte-order mark and CRLF line ends', () => {
    expect(valuesOf(parseNamelist('\uFEFF&a x=1, y=2 /\r\n&b\r\nz = 3\r\n&end\r\n', 'x'))).toEqual({ a: { x: 1, y: 2 }, b: { z: 3 } });
  });

  it('reads an empty group and an empty file', () => {
    expect(valuesOf(parseNamelist('&opt\n/\n', 'x'))).toEqual({ opt: {} });
    expect(parseNamelist('! nothing\n\n', 'x').size).toBe(0);
  });

  it.each([
    ['text outside a group', 'x = 1\n', 1, "'x' outside a namelist group"],
    ['an unclosed group', '&core\n  dt = 1\n', 1, 'group &core is not closed'],
    ['a group opened inside another', '&a\n x = 1\n&b\n y = 2\n/\n', 3, 'group &b starts before the previous group ended'],
    ['a group given twice', '&a\n/\n&A\n/\n', 3, 'group &A appears twice (first at line 1)'],
    ['a key given twice', '&a\n dt = 1\n DT = 2\n/\n', 3, 'dt is set twice (also at line 2'],
    ['an element given twice', '&a\n v(2) = 1\n v(1) = 0, 5\n/\n', 3, 'v(2) is set twice'],
    ['a missing =', '&a\n dt 1\n/\n', 2, "expected '=' after 'dt'"],
    ['a key without a value', '&a\n dt =\n/\n', 2, 'dt has no value'],
    ['a null value', '&a\n v = 1,,3\n/\n', 2, 'v: empty value'],
    ['a leading comma', '&a\n v = , 3\n/\n', 2, 'v: empty value'],
    ['an empty repeat', '&a\n v = 3*\n/\n', 2, "v: '3*' repeats an empty value"],
    ['a zero repeat', '&a\n v = 0*1\n/\n', 2, "v: repeat count in '0*1' must be at least 1"],
    ['an unquoted string', "&a\n mid = KL\n/\n", 2, "'KL' is neither a value of mid nor a key"],
    ['a key without =', '&a\n x = 1\n dt 1\n/\n', 3, "'dt' is neither a value of x nor a key (a key needs '=' after it"],
    ['an unterminated string', "&a\n mid = 'KL\n/\n", 2, "unterminated string 'KL"],
    ['a bad number', '&a\n dt = 1.2.3\n/\n', 2, "dt: '1.2.3' is not a value"],
    ['an unclosed index', '&a\n v(1 = 2\n/\n', 2, "unclosed '('"],
    ['a stray )', '&a\n v = 2)\n/\n', 2, "unexpected ')'"],
    ['a bad index', '&a\n v(x) = 2\n/\n', 2, 'v(x): an index must be an integer or a range'],
    ['an empty range', '&a\n v(3:1) = 2\n/\n', 2, 'v(3:1): empty range'],
    ['too many values for a range', '&a\n v(1:2) = 1, 2, 3\n/\n', 2, '3 values for v(1:2), which has 2 elements'],
    ['a list for a 2-D element', '&a\n v(1,1) = 1, 2\n/\n', 2, 'v(1,1) takes one value here'],
    ['a 2-D range', '&a\n v(1:2,1) = 1\n/\n', 2, 'ranges are supported in one dimension only'],
    ['a key that is not a name', '&a\n 1x = 2\n/\n', 2, "expected a key name, found '1x'"],
    ['a bad group name', '&1a\n/\n', 1, "'&1a' is not a valid group name"],
  ])('rejects %s, naming file and line', (_, text, line, message) => {
    const e = errorOf(text);
    expect(e.line).toBe(line);
    expect(e.file).toBe('test.nml');
    expect(e.message).toBe(`test.nml:${line}: ${e.problem}`);
    expect(e.problem).toContain(message);
  });
});

describe('formatNamelist', () => {
  it('writes SCHISM layout: header, upper-case groups, comments, quoted strings', () => {
    const groups = new Map<string, Map<string, NamelistValue | FormatEntry>>([
      ['core', new Map<string, NamelistValue | FormatEntry>([['dt', { value: 100, comment: 'time step (s)' }], ['rnday', 1.5]])],
      ['opt', new Map<string, NamelistValue>([['mid', "it's"], ['on', true], ['list', [1, 0.5, -0]]])],
    ]);
    const text = formatNamelist(groups, { header: ['written by a test'], groupComments: new Map([['core', ['core', '']]]) });
    expect(text).toBe(
      ['! written by a test', '', '&CORE', '  ! core', '  !', '  dt = 100 ! time step (s)', '  rnday = 1.5', '/', '', '&OPT', "  mid = 'it''s'", '  on = .true.', '  list = 1, 0.5, -0', '/', ''].join('\n'),
    );
    expect(valuesOf(parseNamelist(text, 'x'))).toEqual({ core: { dt: 100, rnday: 1.5 }, opt: { mid: "it's", on: true, list: [1, 0.5, -0] } });
  });

  it.each([
    ['a bad group name', new Map([['1a', new Map()]]), "'1a' is not a valid namelist group name"],
    ['a bad key', new Map([['a', new Map([['x y', 1]])]]), "'x y' is not a valid namelist key"],
    ['a non-finite number', new Map([['a', new Map([['x', Infinity]])]]), 'x: Infinity cannot be written'],
    ['NaN', new Map([['a', new Map([['x', NaN]])]]), 'x: NaN cannot be written'],
    ['a multi-line string', new Map([['a', new Map([['x', 'a\nb']])]]), 'x: a namelist string cannot hold a line break'],
    ['an empty array', new Map([['a', new Map([['x', []]])]]), 'x: an empty array cannot be written'],
    ['a multi-line comment', new Map([['a', new Map([['x', { value: 1, comment: 'a\nb' }]])]]), 'a namelist comment must be one line'],
  ])('refuses %s', (_, groups, message) => {
    expect(() => formatNamelist(groups as Map<string, Map<string, NamelistValue>>)).toThrow(message);
  });
});

describe('namelist round trip (property)', () => {
  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/);
  const scalar: fc.Arbitrary<NamelistScalar> = fc.oneof(
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  );
  const value: fc.Arbitrary<NamelistValue> = fc.oneof(scalar, fc.array(scalar, { minLength: 2, maxLength: 6 }));
  const key = fc.oneof(name, fc.tuple(name, fc.integer({ min: -5, max: 99 })).map(([n, i]) => `${n}(${i})`));
  /** Keys and groups unique ignoring case, stored lower-case as the reader returns them. */
  const entries = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k.toLowerCase(), maxLength: 8 });
  const namelists = fc.uniqueArray(fc.tuple(name, entries), { selector: ([g]) => g.toLowerCase(), maxLength: 4 });

  it('reads back what it writes', () => {
    fc.assert(
      fc.property(namelists, (groups) => {
        // An indexed key with a list value would expand into several elements; write those as scalars.
        const input = new Map(
          groups.map(([g, es]) => [g.toLowerCase(), new Map(es.map(([k, v]) => [k.toLowerCase(), k.includes('(') && Array.isArray(v) ? v[0] : v]))]),
        );
        const parsed = parseNamelist(formatNamelist(input), 'prop.nml');
        expect(valuesOf(parsed)).toEqual(Object.fromEntries([...input].map(([g, es]) => [g, Object.fromEntries(es)])));
      }),
      { numRuns: 300 },
    );
  });

  it('fails on any text only with a NamelistError', () => {
    const pieces = fc.constantFrom('&core', '&end', '/', '=', ',', '(', ')', '1', '2*', "'a'", '"b"', 'x', 'T', '.5d0', '!c', '\n', ' ', '3:1', 'a(2)');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        try {
          parseNamelist(parts.join(''), 'fuzz.nml');
        } catch (e) {
          expect(e).toBeInstanceOf(NamelistError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
