import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandOptions } from '../server/commands/args.js';
import { UsageError } from '../server/commands/command.js';
import { tidePredict } from '../server/commands/tidePredict.js';
import { parseTideConstants, predictTide, type TideConstants } from '../core/tide/predict.js';

const cli = (...args: string[]) => runCli('tide', 'predict', ...args);

/** The command in this process, for the many ways arguments can be wrong. */
async function inProcess(...args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await tidePredict(args, { out: (line) => out.push(line), err: () => {} });
  return { code, out };
}

const CONSTANTS: TideConstants = {
  latitude: 38.7,
  z0: 0.12,
  constituents: [
    { name: 'M2', amplitude: 1.0213, phase: 72.31 },
    { name: 'S2', amplitude: 0.3571, phase: 101.22 },
    { name: 'K1', amplitude: 0.0712, phase: 60.33 },
    { name: 'O1', amplitude: 0.0598, phase: 315.91 },
  ],
};

let dir: string;
let good: string;
const bad: Record<string, string> = {};
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coastcast-tidepredict-'));
  good = join(dir, 'c.json');
  await writeFile(good, JSON.stringify(CONSTANTS));
  const files: Record<string, string> = {
    unknownName: JSON.stringify({ ...CONSTANTS, constituents: [...CONSTANTS.constituents.slice(0, 2), { name: 'X2', amplitude: 0.1, phase: 0 }] }),
    notJson: '{"latitude": 38.7,',
  };
  for (const [name, text] of Object.entries(files)) {
    bad[name] = join(dir, `${name}.json`);
    await writeFile(bad[name], text);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const window = ['--start', '2026-11-25T00:00:00Z', '--end', '2026-11-25T06:00:00Z', '--step', '3600'];

describe('coastcast tide predict', () => {
  it('prints time,elevation every step from start to end inclusive, the values of predictTide', async () => {
    const run = await cli('--constants', good, ...window);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('time,elevation');
    expect(lines).toHaveLength(8);
    const times = Array.from({ length: 7 }, (_, h) => new Date(Date.UTC(2026, 10, 25, h)));
    const expected = predictTide(CONSTANTS, times);
    lines.slice(1).forEach((line, i) => {
      const [time, elevation] = line.split(',');
      expect(time).toBe(`2026-11-25T0${i}:00:00Z`);
      expect(elevation).toBe(expected[i].toFixed(6));
    });
    // The figures (m). By hand at 00:00, with f and V0+u of this cycle (test/tide.test.ts):
    // 0.12 + 0.9699·1.0213·cos(349.50° − 72.31°) + 0.3571·cos(0° − 101.22°)
    //      + 1.0969·0.0712·cos(338.50° − 60.33°) + 1.1566·0.0598·cos(9.16° − 315.91°) = 0.2269
    expect(lines.slice(1).map((line) => Number(line.split(',')[1]))).toEqual([0.226841, 0.877117, 1.346467, 1.514745, 1.337753, 0.858709, 0.197421]);
  });

  it('exit 1 naming the field for an unknown constituent', async () => {
    const run = await cli('--constants', bad.unknownName, ...window);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^${bad.unknownName}: constituents\\[2\\]\\.name: unknown constituent "X2" \\(known: M2, S2, N2, K2, K1, O1, P1, Q1, M4, MS4, MN4, M6, .*SSA\\)\\n$`));
  });

  it('exit 2 and the usage for a bad date', async () => {
    const run = await cli('--constants', good, '--start', '2026-11-25 00:00', '--end', '2026-11-25T06:00:00Z', '--step', '3600');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      '--start: "2026-11-25 00:00" is not an ISO 8601 time with its zone, such as 2026-11-25T00:00:00Z\n' +
        'usage: coastcast tide predict --constants <file.json> --start <ISO> --end <ISO> --step <seconds>   tide from harmonic constants, CSV time,elevation\n',
    );
  });

  it('takes zone offsets and fractional steps', async () => {
    const { code, out } = await inProcess('--constants', good, '--start', '2026-11-25T01:00:00+01:00', '--end', '2026-11-25T00:00:01Z', '--step', '0.5');
    expect(code).toBe(0);
    expect(out.slice(0, 4)).toEqual([
      'time,elevation',
      `2026-11-25T00:00:00Z,${predictTide(CONSTANTS, [new Date('2026-11-25T00:00:00Z'), new Date('2026-11-25T00:00:01Z')])[0].toFixed(6)}`,
      expect.stringMatching(/^2026-11-25T00:00:00\.500Z,/),
      expect.stringMatching(/^2026-11-25T00:00:01Z,/),
    ]);
    expect(out).toHaveLength(4);
  });

  it.each([
    [[...window], 'missing --constants <file.json>'],
    [['--constants', 'c.json', '--end', '2026-11-25T06:00:00Z', '--step', '60'], 'missing --start <ISO time>'],
    [['--constants', 'c.json', '--start', '2026-11-25T00:00:00Z', '--step', '60'], 'missing --end <ISO time>'],
    [['--constants', 'c.json', '--start', '2026-11-25T00:00:00Z', '--end', '2026-11-25T06:00:00Z'], 'missing --step <seconds>'],
    [['--constants', 'c.json', '--start', '2026-11-25T00:00:00', '--end', '2026-11-25T06:00:00Z', '--step', '60'], '--start: "2026-11-25T00:00:00" is not an ISO 8601 time with its zone, such as 2026-11-25T00:00:00Z'],
    [['--constants', 'c.json', '--start', '2026-02-29T00:00:00Z', '--end', '2026-11-25T06:00:00Z', '--step', '60'], '--start: "2026-02-29T00:00:00Z" is not an ISO 8601 time with its zone, such as 2026-11-25T00:00:00Z'],
    [['--constants', 'c.json', '--start', '2026-11-25T00:00:00Z', '--end', '2026-11-25T24:00:00Z', '--step', '60'], '--end: "2026-11-25T24:00:00Z" is not an ISO 8601 time with its zone, such as 2026-11-25T00:00:00Z'],
    [['--constants', 'c.json', '--start', '2026-11-25T06:00:00Z', '--end', '2026-11-25T00:00:00Z', '--step', '60'], '--end 2026-11-25T00:00:00Z is before --start 2026-11-25T06:00:00Z'],
    [['--constants', 'c.json', '--start', '2026-11-25T00:00:00Z', '--end', '2026-11-25T06:00:00Z', '--step', '0'], '--step takes a positive number of seconds, got 0'],
    [['--constants', 'c.json', '--start', '2026-11-25T00:00:00Z', '--end', '2026-11-25T06:00:00Z', '--step', 'hourly'], '--step takes a positive number of seconds, got hourly'],
    [['--constants', 'c.json', '--start', '2026-01-01T00:00:00Z', '--end', '2027-01-01T00:00:00Z', '--step', '1'], '--step 1 gives 31536001 rows from --start to --end, more than 1000000'],
    [['--constants', 'c.json', 'extra', ...window], 'unexpected arguments: extra'],
    [['--constants', 'c.json', '--steps', '60'], 'unknown option --steps'],
  ])('%j is a usage error: %s', async (args, message) => {
    await expect(inProcess(...args)).rejects.toThrow(new UsageError(message));
  });

  it('names the file when it cannot be read or is not JSON', async () => {
    await expect(inProcess('--constants', join(dir, 'none.json'), ...window)).rejects.toThrow(`${join(dir, 'none.json')}: cannot read: ENOENT`);
    await expect(inProcess('--constants', bad.notJson, ...window)).rejects.toThrow(`${bad.notJson}: not JSON: `);
  });
});

describe('constants file', () => {
  it('is read with canonical names', () => {
    expect(parseTideConstants({ latitude: -33.9, z0: 0, constituents: [{ name: 'm2', amplitude: 0.5, phase: 10 }, { name: 'Mf', amplitude: 0.01, phase: 200 }] })).toEqual({
      latitude: -33.9,
      z0: 0,
      constituents: [{ name: 'M2', amplitude: 0.5, phase: 10 }, { name: 'MF', amplitude: 0.01, phase: 200 }],
    });
  });

  const valid = { latitude: 38.7, z0: 0.1, constituents: [{ name: 'M2', amplitude: 1, phase: 60 }] };
  it.each([
    [[], 'constants: expected an object, got []'],
    [{ ...valid, latitude: 95 }, 'latitude: 95 is outside [-90, 90]'],
    [{ ...valid, latitude: '38.7' }, 'latitude: expected a number (degrees north), got "38.7"'],
    [{ latitude: 38.7, constituents: [] }, 'z0: expected a number (metres), got nothing'],
    [{ ...valid, constituents: {} }, 'constituents: expected a list of {"name", "amplitude", "phase"}, got {}'],
    [{ ...valid, datum: 'MSL' }, 'datum: unknown field (expected latitude, z0, constituents)'],
    [{ ...valid, constituents: [...valid.constituents, 'S2'] }, 'constituents[1]: expected an object, got "S2"'],
    [{ ...valid, constituents: [{ name: 'M2', amplitude: 1, phase: 60, speed: 28.98 }] }, 'constituents[0].speed: unknown field (expected name, amplitude, phase)'],
    [{ ...valid, constituents: [{ amplitude: 1, phase: 60 }] }, 'constituents[0].name: expected a constituent name, got nothing'],
    [{ ...valid, constituents: [{ name: 'M2', amplitude: -1, phase: 60 }] }, 'constituents[0].amplitude: -1 is negative'],
    [{ ...valid, constituents: [{ name: 'M2', amplitude: 1, phase: null }] }, 'constituents[0].phase: expected a number (degrees), got null'],
    [{ ...valid, constituents: [...valid.constituents, { name: 'm2', amplitude: 1, phase: 0 }] }, 'constituents[1].name: M2 is already constituents[0]'],
  ])('%j: %s', (value, message) => {
    expect(() => parseTideConstants(value)).toThrow(new Error(message));
  });
});

describe('command options', () => {
  it('take named options and no positional', () => {
    expect(commandOptions(['--step', '60', '--start=2026-11-25T00:00:00Z'], ['start', 'step'])).toEqual({ step: '60', start: '2026-11-25T00:00:00Z' });
    expect(() => commandOptions(['word'], ['step'])).toThrow(new UsageError('unexpected arguments: word'));
  });
});
