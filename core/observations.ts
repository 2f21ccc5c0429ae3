/**
 * Observed water levels at a station: a series of (time, level) with gaps,
 * read from the two documented formats and kept sorted by time.
 *
 * CSV (an upload, or an HTTP source with `format: 'csv'`):
 *
 *   time,water_level_m
 *   2026-11-25T00:00:00Z,1.23
 *   2026-11-25T00:10:00Z,
 *   2026-11-25T00:20:00Z,NaN
 *
 *   - the header is exactly `time,water_level_m`;
 *   - times are ISO 8601 with seconds optional and a zone: `Z` (UTC), or an
 *     offset such as `+01:00`, which is converted to UTC;
 *   - levels are metres above the model datum (the datum of the site's
 *     mesh depths and forecast), `.` as decimal separator;
 *   - a blank level or `NaN` is a missing observation: it is stored as such
 *     and replaces an earlier value at that time;
 *   - rows may come in any order; a time may appear once; empty lines are
 *     ignored; CRLF or LF line ends.
 *
 * JSON (an HTTP source with `format: 'json'`, and how a station's
 * observations are stored and returned by the API):
 *
 *   { "times": ["2026-11-25T00:00:00Z", …], "water_level_m": [1.23, null, …] }
 *
 *   the two arrays have the same length; null is a missing observation.
 *
 * Every problem is reported at once, by line for CSV
 * (`observations.csv:17: time "2026-13-01" is not ISO 8601`) and by JSON
 * pointer for JSON, and a file with any problem yields nothing.
 */
import { InputFileError, type InputProblem } from './inputProblems.js';

export const OBSERVATIONS_CSV_HEADER = 'time,water_level_m';

/** Times in ms since the epoch, strictly increasing; `levels[k]` null where the observation is missing. */
export interface ObservationSeries {
  times: number[];
  levels: (number | null)[];
}

/** The JSON format above. */
export interface ObservationsJson {
  times: string[];
  water_level_m: (number | null)[];
}

/** More problems than this in one file are summed up in one, so that a wrong file does not give a megabyte of errors. */
const MAX_PROBLEMS = 50;

// Calendar date, `T`, hours and minutes, optional seconds and fraction, then a zone.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** ms since the epoch, or undefined when `text` is not an ISO 8601 time with a zone naming a real date and time. */
export function parseIsoTime(text: string): number | undefined {
  const match = ISO_TIME.exec(text);
  if (!match) return undefined;
  const [y, mo, d, hh, mm, ss] = match.slice(1, 7).map((part) => Number(part ?? 0));
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || hh > 23 || mm > 59 || ss > 59) return undefined;
  const zone = match[8];
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return undefined;
  return Date.parse(text);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

class ProblemList {
  readonly problems: InputProblem[] = [];
  private omitted = 0;

  add(problem: InputProblem): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
    else this.omitted++;
  }

  /** Throws the problems found, if any, as one InputFileError. */
  check(file: string): void {
    if (this.omitted > 0) this.problems.push({ message: `${this.omitted} more problem${this.omitted === 1 ? '' : 's'} not listed`, omitted: this.omitted });
    // Duplicate times are found after every line was read; in the report each problem comes at its line.
    this.problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    if (this.problems.length > 0) throw new InputFileError(file, this.problems);
  }
}

/** One observation as read, with where it was read: a CSV line or a JSON index. */
interface ObservationRow {
  time: number;
  level: number | null;
  line?: number;
  index?: number;
}

/** Sorts rows by time into a series; a time given twice is a problem. */
function seriesFromRows(rows: ObservationRow[], problems: ProblemList): ObservationSeries {
  rows.sort((a, b) => a.time - b.time);
  const series: ObservationSeries = { times: [], levels: [] };
  rows.forEach((row, k) => {
    const earlier = rows[k - 1];
    if (earlier?.time === row.time) {
      const time = new Date(row.time).toISOString();
      if (row.line !== undefined) problems.add({ line: row.line, message: `time ${time} is also given at line ${earlier.line}` });
      else problems.add({ message: `/times/${row.index}: time ${time} is also given at /times/${earlier.index}` });
      return;
    }
    series.times.push(row.time);
    series.levels.push(row.level);
  });
  return series;
}

/** Reads the CSV format; throws an InputFileError naming `file` and each bad line. */
export function parseObservationsCsv(text: string, file = 'observations.csv'): ObservationSeries {
  const problems = new ProblemList();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0].trim() !== OBSERVATIONS_CSV_HEADER) {
    throw new InputFileError(file, [{ line: 1, message: `the header must be "${OBSERVATIONS_CSV_HEADER}", not "${lines[0].trim().slice(0, 80)}"` }]);
  }
  const rows: ObservationRow[] = [];
  lines.slice(1).forEach((raw, k) => {
    const line = k + 2;
    if (raw.trim() === '') return;
    const fields = raw.split(',').map((f) => f.trim());
    if (fields.length !== 2) {
      problems.add({ line, message: `${fields.length} fields, expected 2 (${OBSERVATIONS_CSV_HEADER})` });
      return;
    }
    const [timeText, levelText] = fields;
    const time = parseIsoTime(timeText);
    if (time === undefined) problems.add({ line, message: `time "${timeText}" is not ISO 8601 with a zone (e.g. 2026-11-25T06:00:00Z)` });
    const level = parseLevel(levelText);
    if (level === undefined) problems.add({ line, message: `water_level_m "${levelText}" is not a number (blank or NaN for a missing value)` });
    if (time !== undefined && level !== undefined) rows.push({ time, level, line });
  });
  const series = seriesFromRows(rows, problems);
  problems.check(file);
  return series;
}

/** A level in metres, null for a missing one, undefined when the text is neither. */
function parseLevel(text: string): number | null | undefined {
  if (text === '' || text === 'NaN') return null;
  // Number('') and Number(' ') are 0 and Number('0x1') is 1: only plain decimal numbers are levels.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Reads the JSON format (already parsed); throws an InputFileError naming `file` and each bad field by JSON pointer. */
export function parseObservationsJson(value: unknown, file = 'observations.json'): ObservationSeries {
  const problems = new ProblemList();
  const body = value as Partial<Record<string, unknown>> | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputFileError(file, [{ message: '/: must be an object { "times": [...], "water_level_m": [...] }' }]);
  const { times, water_level_m: levels } = body;
  for (const key of Object.keys(body)) if (key !== 'times' && key !== 'water_level_m') problems.add({ message: `/${key}: is not a known field` });
  if (!Array.isArray(times)) problems.add({ message: '/times: must be an array of ISO 8601 times' });
  if (!Array.isArray(levels)) problems.add({ message: '/water_level_m: must be an array of numbers or nulls' });
  if (!Array.isArray(times) || !Array.isArray(levels)) {
    problems.check(file);
    return { times: [], levels: [] };
  }
  if (times.length !== levels.length) problems.add({ message: `/water_level_m: ${levels.length} values for ${times.length} times` });
  const rows: ObservationRow[] = [];
  times.forEach((text: unknown, k) => {
    const time = typeof text === 'string' ? parseIsoTime(text) : undefined;
    if (time === undefined) problems.add({ message: `/times/${k}: ${JSON.stringify(text)} is not ISO 8601 with a zone (e.g. 2026-11-25T06:00:00Z)` });
    const level: unknown = levels[k];
    const levelOk = level === null || (typeof level === 'number' && Number.isFinite(level));
    if (k < levels.length && !levelOk) problems.add({ message: `/water_level_m/${k}: ${JSON.stringify(level)} is not a number or null` });
    if (time !== undefined && levelOk) rows.push({ time, level: level as number | null, index: k });
  });
  const series = seriesFromRows(rows, problems);
  problems.check(file);
  return series;
}

export function observationsJson(series: ObservationSeries): ObservationsJson {
  return { times: series.times.map((t) => new Date(t).toISOString()), water_level_m: series.levels };
}

/** Both series in one; at a time both have, `newer` wins (a missing value included). */
export function mergeObservations(older: ObservationSeries, newer: ObservationSeries): ObservationSeries {
  const merged: ObservationSeries = { times: [], levels: [] };
  let i = 0;
  let j = 0;
  while (i < older.times.length || j < newer.times.length) {
    const a = i < older.times.length ? older.times[i] : Infinity;
    const b = j < newer.times.length ? newer.times[j] : Infinity;
    if (b <= a) {
      merged.times.push(b);
      merged.levels.push(newer.levels[j++]);
      if (a === b) i++;
    } else {
      merged.times.push(a);
      merged.levels.push(older.levels[i++]);
    }
  }
  return merged;
}

/** Index of the first time ≥ t. */
function firstAtOrAfter(times: readonly number[], t: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (times[mid] < t) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The observations with from ≤ time ≤ to. */
export function observationsBetween(series: ObservationSeries, from: number, to: number): ObservationSeries {
  const start = firstAtOrAfter(series.times, from);
  const end = firstAtOrAfter(series.times, to + 1);
  return { times: series.times.slice(start, end), levels: series.levels.slice(start, end) };
}

/** Observations further apart than this are not interpolated between: a tide changes too much in more. */
export const MAX_INTERPOLATION_GAP_MS = 3_600_000;

/**
 * The observed level at time `t`: the observation at `t` when there is one
 * (none when it is missing), otherwise the linear interpolation between the
 * observations just before and just after `t` when both are present and at
 * most MAX_INTERPOLATION_GAP_MS apart; undefined otherwise.
 */
export function observedLevelAt(series: ObservationSeries, t: number): number | undefined {
  const k = firstAtOrAfter(series.times, t);
  if (k < series.times.length && series.times[k] === t) return series.levels[k] ?? undefined;
  if (k === 0 || k === series.times.length) return undefined;
  const [t0, t1] = [series.times[k - 1], series.times[k]];
  const [v0, v1] = [series.levels[k - 1], series.levels[k]];
  if (v0 === null || v1 === null || t1 - t0 > MAX_INTERPOLATION_GAP_MS) return undefined;
  return v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
}
