/**
 * CF time coordinates: `<unit> since <reference time>` in the forms real files
 * use, SCHISM's loose spacing and bare "0:00" zones included.
 */

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

const UNIT_ALIASES: Readonly<Record<string, string>> = {
  seconds: 'second', second: 'second', secs: 'second', sec: 'second', s: 'second',
  minutes: 'minute', minute: 'minute', mins: 'minute', min: 'minute',
  hours: 'hour', hour: 'hour', hrs: 'hour', hr: 'hour', h: 'hour',
  days: 'day', day: 'day', d: 'day',
};

/** Calendars that agree with JavaScript's proleptic Gregorian Date after 1582-10-15. */
const GREGORIAN_CALENDARS = new Set(['standard', 'gregorian', 'proleptic_gregorian']);

const UNITS_PATTERN = /^\s*([a-z]+)\s+since\s+(.+?)\s*$/i;

/**
 * date, then optionally a clock (after 'T' or spaces), then optionally a zone.
 * A bare unsigned zone ("0", "0:00") is only recognised after a clock, so that
 * the first h:mm after the date is always read as the time of day.
 */
const REFERENCE_PATTERN = new RegExp(
  '^(-?\\d{1,4})-(\\d{1,2})-(\\d{1,2})' +
    '(?:(?:T|\\s+)(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2}(?:\\.\\d*)?))?' +
    '(?:\\s*(Z|UTC|GMT|[+-]?\\d{1,2}(?::?\\d{2})?))?' +
    '|\\s*(Z|UTC|GMT|[+-]\\d{1,2}(?::?\\d{2})?))?$',
  'i',
);

/** Dates for CF time values `units` (e.g. "seconds since 2018-01-01 00:00:00 +00:00"). */
export function decodeCfTimes(units: string, values: ArrayLike<number>, calendar?: string): Date[] {
  const { msPerUnit, referenceMs } = parseCfTimeUnits(units, calendar);
  return Array.from(values, (value) => new Date(referenceMs + Math.round(value * msPerUnit)));
}

function parseCfTimeUnits(units: string, calendar: string | undefined) {
  const cal = (calendar ?? 'standard').trim().toLowerCase() || 'standard';
  if (!GREGORIAN_CALENDARS.has(cal)) {
    throw new Error(`unsupported CF calendar '${calendar}' (only standard, gregorian and proleptic_gregorian)`);
  }
  const match = UNITS_PATTERN.exec(units);
  const unit = match && UNIT_ALIASES[match[1].toLowerCase()];
  if (!match || !unit) {
    throw new Error(`unparseable CF time units '${units}' (expected '<seconds|minutes|hours|days> since <date> [time] [zone]')`);
  }
  const referenceMs = parseReferenceTime(match[2], units);
  if (cal !== 'proleptic_gregorian' && referenceMs < GREGORIAN_START_MS) {
    throw new Error(`CF time units '${units}': reference date before 1582-10-15 in the mixed Julian/Gregorian '${cal}' calendar is not supported`);
  }
  return { msPerUnit: MS_PER_UNIT[unit], referenceMs };
}

const GREGORIAN_START_MS = Date.UTC(1582, 9, 15);

function parseReferenceTime(text: string, units: string): number {
  const m = REFERENCE_PATTERN.exec(text);
  if (!m) throw new Error(`unparseable reference time in CF time units '${units}'`);
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0'].map(Number);
  const seconds = Number(m[6] ?? '0');
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 24 || minute > 59 || seconds >= 61) {
    throw new Error(`invalid reference time '${text}' in CF time units '${units}'`);
  }
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const reference = new Date(0);
  reference.setUTCFullYear(year, month - 1, day);
  return reference.getTime() + (hour * 3600 + minute * 60) * 1000 + Math.round(seconds * 1000) - zoneOffsetMs(m[7] ?? m[8]);
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** Offset of the zone east of UTC; local time minus this is UTC. */
function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || /^(Z|UTC|GMT)$/i.test(zone)) return 0;
  const m = /^([+-]?)(\d{1,2})(?::?(\d{2}))?$/.exec(zone)!;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? '0')) * 60_000;
}
