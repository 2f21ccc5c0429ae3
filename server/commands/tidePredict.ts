/**
 * `coastcast tide predict --constants <file.json> --start <ISO> --end <ISO> --step <seconds>`:
 * the tide at a site from its harmonic constants, as CSV `time,elevation`
 * (UTC ISO 8601 times, metres), from start to end inclusive every step.
 * Nodal corrections are those a bctides.in for the same period gets (see
 * core/tide/predict.ts). Exit 0, 2 on a usage mistake, 1 on a bad constants
 * file (the message names the field).
 */
import { readFile } from 'node:fs/promises';
import { parseTideConstants, predictTide, type TideConstants } from '../../core/tide/predict.js';
import { commandOptions } from './args.js';
import { UsageError, type Command } from './command.js';

/** A guard against a mistyped step: a year at one-minute steps is 525 600 rows. */
const MAX_ROWS = 1_000_000;

export const tidePredict: Command = async (args, io) => {
  const { constantsFile, startMs, endMs, stepMs } = parseArguments(args);
  const constants = await readConstants(constantsFile);
  const times: Date[] = [];
  for (let i = 0; startMs + i * stepMs <= endMs; i++) times.push(new Date(Math.round(startMs + i * stepMs)));
  const elevation = predictTide(constants, times);
  io.out('time,elevation');
  times.forEach((time, i) => io.out(`${isoTime(time)},${elevation[i].toFixed(6)}`));
  return 0;
};

function parseArguments(args: string[]): { constantsFile: string; startMs: number; endMs: number; stepMs: number } {
  const options = commandOptions(args, ['constants', 'start', 'end', 'step']);
  const constantsFile = required(options.constants, '--constants <file.json>');
  const startMs = utcInstant(required(options.start, '--start <ISO time>'), '--start');
  const endMs = utcInstant(required(options.end, '--end <ISO time>'), '--end');
  if (endMs < startMs) throw new UsageError(`--end ${options.end} is before --start ${options.start}`);
  const stepText = required(options.step, '--step <seconds>');
  const step = Number(stepText);
  if (!Number.isFinite(step) || step <= 0) throw new UsageError(`--step takes a positive number of seconds, got ${stepText}`);
  const rows = Math.floor((endMs - startMs) / (step * 1000)) + 1;
  if (rows > MAX_ROWS) throw new UsageError(`--step ${stepText} gives ${rows} rows from --start to --end, more than ${MAX_ROWS}`);
  return { constantsFile, startMs, endMs, stepMs: step * 1000 };
}

function required(value: string | undefined, option: string): string {
  if (value === undefined) throw new UsageError(`missing ${option}`);
  return value;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO 8601 date-time with its zone (Z or ±hh:mm) as ms since 1970. The
 * zone is required because phase lags are referred to UTC and JavaScript
 * would read a bare time as local; impossible dates (Feb 30), which
 * Date.parse rolls over, are refused.
 */
function utcInstant(text: string, option: string): number {
  const match = ISO_TIME.exec(text);
  const problem = `${option}: "${text}" is not an ISO 8601 time with its zone, such as 2026-11-25T00:00:00Z`;
  if (!match) throw new UsageError(problem);
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) throw new UsageError(problem);
  return Date.parse(text);
}

async function readConstants(file: string): Promise<TideConstants> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON: ${(error as Error).message}`);
  }
  try {
    return parseTideConstants(json);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** ISO 8601 UTC, without milliseconds when they are zero. */
function isoTime(time: Date): string {
  return time.toISOString().replace('.000Z', 'Z');
}
