import { describe, expect, it } from 'vitest';

import { decodeCfTimes } from '../core/netcdf/cfTime.js';

const iso = (units: string, values: number[], calendar?: string) =>
  decodeCfTimes(units, values, calendar).map((d) => d.toISOString());

describe('decodeCfTimes', () => {
  it.each([
    ['seconds since 2018-01-01 00:00:00 +00:00', '2018-01-01T00:00:00.000Z'],
    ['seconds since 2018-01-01  0:00:00   0:00', '2018-01-01T00:00:00.000Z'],
    ['seconds since 2018-01-01 0:00:00 0', '2018-01-01T00:00:00.000Z'],
    ['seconds since 2018-01-01 00:00:00', '2018-01-01T00:00:00.000Z'],
    ['seconds since 2018-01-01', '2018-01-01T00:00:00.000Z'],
    ['seconds since 2018-1-1 0:00', '2018-01-01T00:00:00.000Z'],
    ['seconds since 2018-01-01T00:00:00Z', '2018-01-01T00:00:00.000Z'],
    ['seconds since 2018-01-01T06:30:00Z', '2018-01-01T06:30:00.000Z'],
    ['seconds since 2018-01-01 00:00:00 UTC', '2018-01-01T00:00:00.000Z'],
    ['seconds since 2018-01-01 12:00:00 +01:00', '2018-01-01T11:00:00.000Z'],
    ['seconds since 2018-01-01 12:00:00 -06', '2018-01-01T18:00:00.000Z'],
    ['seconds since 2018-01-01 12:00:00 +0530', '2018-01-01T06:30:00.000Z'],
    ['seconds since 2018-01-01 -03:00', '2018-01-01T03:00:00.000Z'],
    ['seconds since 2018-01-01 00:00:00.5', '2018-01-01T00:00:00.500Z'],
    ['  Seconds  since  2018-01-01 00:00:00  ', '2018-01-01T00:00:00.000Z'],
  ])('reads the reference time of %j', (units, expected) => {
    expect(iso(units, [0])).toEqual([expected]);
  });

  it('steps in days, hours, minutes and seconds, abbreviations included', () => {
    expect(iso('days since 2000-01-01 00:00:00', [0, 1, 366])).toEqual([
      '2000-01-01T00:00:00.000Z',
      '2000-01-02T00:00:00.000Z',
      '2001-01-01T00:00:00.000Z',
    ]);
    expect(iso('hours since 1970-01-01', [-1, 25])).toEqual(['1969-12-31T23:00:00.000Z', '1970-01-02T01:00:00.000Z']);
    expect(iso('minutes since 2018-03-25 00:30:00', [90])).toEqual(['2018-03-25T02:00:00.000Z']);
    expect(iso('hrs since 2018-01-01', [2])).toEqual(['2018-01-01T02:00:00.000Z']);
    expect(iso('d since 2018-01-01', [1])).toEqual(['2018-01-02T00:00:00.000Z']);
    expect(iso('sec since 2018-01-01', [61])).toEqual(['2018-01-01T00:01:01.000Z']);
  });

  it('keeps fractional values to the millisecond', () => {
    expect(iso('days since 2018-01-01', [0.5, 0.25])).toEqual(['2018-01-01T12:00:00.000Z', '2018-01-01T06:00:00.000Z']);
    expect(iso('hours since 2018-01-01', [1.5])).toEqual(['2018-01-01T01:30:00.000Z']);
    expect(iso('seconds since 2018-01-01', [0.0015, 1.25])).toEqual(['2018-01-01T00:00:00.002Z', '2018-01-01T00:00:01.250Z']);
  });

  it('accepts typed arrays and the Gregorian calendars', () => {
    const values = Float64Array.of(0, 3600);
    for (const calendar of [undefined, '', 'standard', 'gregorian', 'proleptic_gregorian', 'Gregorian']) {
      expect(iso('seconds since 2018-01-01 00:00:00 +00:00', Array.from(values), calendar)).toEqual([
        '2018-01-01T00:00:00.000Z',
        '2018-01-01T01:00:00.000Z',
      ]);
    }
  });

  it('reads years before 100 as such in the proleptic Gregorian calendar', () => {
    expect(iso('days since 0001-01-01', [0], 'proleptic_gregorian')).toEqual(['0001-01-01T00:00:00.000Z']);
  });

  it.each(['360_day', 'noleap', '365_day', 'all_leap', 'julian', 'none'])('refuses the %s calendar by name', (calendar) => {
    expect(() => decodeCfTimes('days since 2018-01-01', [0], calendar)).toThrow(
      `unsupported CF calendar '${calendar}' (only standard, gregorian and proleptic_gregorian)`,
    );
  });

  it('refuses mixed Julian/Gregorian reference dates before 1582-10-15', () => {
    expect(() => decodeCfTimes('hours since 1-1-1 00:00:0.0', [0])).toThrow(/before 1582-10-15 .* 'standard' calendar is not supported/);
  });

  it.each([
    'seconds',
    'm',
    'seconds after 2018-01-01',
    'fortnights since 2018-01-01',
    'seconds since yesterday',
    'seconds since 2018-01-01 00:00:00 CET',
    'seconds since 2018-13-01',
    'seconds since 2018-02-30',
    'seconds since 2018-01-01 25:00',
  ])('refuses bad units %j, quoting them', (units) => {
    expect(() => decodeCfTimes(units, [0])).toThrow(`'${units}'`);
  });
});
