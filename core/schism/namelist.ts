/**
 * Fortran namelist files (SCHISM's param.nml and friends): a reader that
 * keeps the line of every key, and a writer whose output reads back equal.
 *
 * What the reader takes, as gfortran and ifort do for list-directed namelist
 * input: groups `&name … /` (or `&end`), `key = value` separated by commas,
 * blanks or line breaks, `!` comments, integers, reals (`1.`, `.5`, `1.e-3`,
 * `1.d0`, `2.5D-1`), logicals (`T`, `.true.`, `.f.`, …), strings in '…' or
 * "…" (a doubled delimiter stands for itself), lists spilling over lines,
 * `n*value` repeats, and array elements `a(3) = …`, `a(2:4) = …`, `a(1,2) = …`.
 * Keys and group names are case-insensitive and stored lower-case.
 *
 * Where it is stricter than Fortran, on purpose: a key given twice in a group
 * is an error (SCHISM silently takes the last one), as are null values
 * (`a = 1,,3`), unquoted strings and text outside a group — all of them are
 * far more often typing mistakes than intent.
 */

export type NamelistScalar = number | string | boolean;
export type NamelistValue = NamelistScalar | NamelistScalar[];

export interface NamelistEntry {
  value: NamelistValue;
  /** 1-based line of the key. */
  line: number;
}

/**
 * Groups by lower-case name, each a map of keys to entries. A whole-name
 * assignment keeps its name (`flag_ic = 1, 2` → `flag_ic`, an array); an
 * element assignment becomes one key per element in normal form
 * (`IOF_HYDRO( 03 ) = 1, 0` → `iof_hydro(3)` and `iof_hydro(4)`). One value
 * reads as a scalar, several as an array.
 */
export type Namelist = Map<string, Map<string, NamelistEntry>>;

/** Thrown by parseNamelist at the first error; the message is `file:line: problem`. */
export class NamelistError extends Error {
  override name = 'NamelistError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
  }
}

/** A value to write, optionally with a comment after it on its line. */
export interface FormatEntry {
  value: NamelistValue;
  comment?: string;
}

/** What formatNamelist writes: groups in order, keys in order. A parsed Namelist fits. */
export type NamelistGroups = ReadonlyMap<string, ReadonlyMap<string, NamelistValue | FormatEntry>>;

export interface FormatOptions {
  /** Comment lines written at the top of the file. */
  header?: string[];
  /** Comment lines written after a group's `&NAME` line, by lower-case group name. */
  groupComments?: ReadonlyMap<string, string[]>;
}

/**
 * A Fortran real or integer constant as list-directed input spells it
 * (exponent letter e, d or q); undefined when the text is not one.
 */
export function parseFortranNumber(text: string): number | undefined {
  if (!FORTRAN_NUMBER.test(text)) return undefined;
  return Number(text.replace(/[dDqQ]/, 'e'));
}

const FORTRAN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eEdDqQ][+-]?\d+)?$/;
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const LOGICAL = /^\.?(t|true|f|false)\.?$/i;
const REPEAT = /^(\d+)\*(.*)$/;

type TokenKind = 'word' | 'string' | 'index' | 'eq' | 'comma' | 'group' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  /** The string value of a 'string' token (delimiters removed, doubled delimiters undone). */
  string?: string;
  /** True when no blank separates this token from the one before (`2*'a'`, `a(1)`). */
  glued: boolean;
}

export function parseNamelist(text: string, file: string): Namelist {
  return new Parser(tokenize(text, file), file).namelist();
}

const SEPARATORS = " \t\r,=/!()'\"&";

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let p = 0;
    let glued = false;
    const push = (kind: TokenKind, text: string, extra: Partial<Token> = {}) => {
      tokens.push({ kind, text, line, glued, ...extra });
      glued = true;
    };
    while (p < s.length) {
      const c = s[p];
      if (c === ' ' || c === '\t') {
        p++;
        glued = false;
        continue;
      }
      if (c === '!') break;
      if (c === "'" || c === '"') {
        const { value, end } = readString(s, p, c, file, line);
        push('string', s.slice(p, end), { string: value });
        p = end;
      } else if (c === '(') {
        const close = s.indexOf(')', p);
        if (close < 0) throw new NamelistError(file, line, `unclosed '(' in '${s.slice(p).trim()}'`);
        push('index', s.slice(p + 1, close));
        p = close + 1;
      } else if (c === ')') {
        throw new NamelistError(file, line, "unexpected ')'");
      } else if (c === '&') {
        let q = p + 1;
        while (q < s.length && !SEPARATORS.includes(s[q])) q++;
        const name = s.slice(p + 1, q);
        if (name.toLowerCase() === 'end') push('end', s.slice(p, q));
        else push('group', name);
        p = q;
      } else if (c === '/') {
        push('end', '/');
        p++;
      } else if (c === '=') {
        push('eq', '=');
        p++;
      } else if (c === ',') {
        push('comma', ',');
        p++;
      } else {
        let q = p;
        while (q < s.length && !SEPARATORS.includes(s[q])) q++;
        push('word', s.slice(p, q));
        p = q;
      }
    }
  }
  return tokens;
}

function readString(s: string, start: number, quote: string, file: string, line: number): { value: string; end: number } {
  let value = '';
  let p = start + 1;
  for (;;) {
    const q = s.indexOf(quote, p);
    if (q < 0) throw new NamelistError(file, line, `unterminated string ${s.slice(start).trim()} (strings end on the line they start)`);
    value += s.slice(p, q);
    if (s[q + 1] === quote) {
      value += quote;
      p = q + 2;
    } else {
      return { value, end: q + 1 };
    }
  }
}

class Parser {
  private pos = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  namelist(): Namelist {
    const groups: Namelist = new Map();
    const groupLines = new Map<string, number>();
    while (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos++];
      if (t.kind !== 'group') throw this.error(t.line, `'${t.text}' outside a namelist group (groups start with &NAME and end with /)`);
      if (!NAME.test(t.text)) throw this.error(t.line, `'&${t.text}' is not a valid group name`);
      const name = t.text.toLowerCase();
      const earlier = groupLines.get(name);
      if (earlier !== undefined) throw this.error(t.line, `group &${t.text} appears twice (first at line ${earlier})`);
      groupLines.set(name, t.line);
      groups.set(name, this.group(t));
    }
    return groups;
  }

  private group(start: Token): Map<string, NamelistEntry> {
    const entries = new Map<string, NamelistEntry>();
    for (;;) {
      const t = this.tokens[this.pos];
      if (t === undefined) throw this.error(start.line, `group &${start.text} is not closed (end it with / on a line of its own)`);
      if (t.kind === 'end') {
        this.pos++;
        return entries;
      }
      this.assignment(entries);
    }
  }

  /** `name [ (index) ] = value, value …`, added to `entries` in normal form. */
  private assignment(entries: Map<string, NamelistEntry>): void {
    const nameToken = this.tokens[this.pos++];
    if (nameToken.kind === 'group') throw this.error(nameToken.line, `group &${nameToken.text} starts before the previous group ended with /`);
    if (nameToken.kind !== 'word' || !NAME.test(nameToken.text)) throw this.error(nameToken.line, `expected a key name, found '${nameToken.text}'`);
    const name = nameToken.text.toLowerCase();
    let index: Index | undefined;
    if (this.peek('index')) index = this.index(this.tokens[this.pos++], name);
    const eq = this.tokens[this.pos];
    if (eq?.kind !== 'eq') throw this.error(eq?.line ?? nameToken.line, `expected '=' after '${nameToken.text}'`);
    this.pos++;
    const values = this.values(nameToken);
    for (const [key, value] of this.keys(name, index, values, nameToken.line)) {
      const earlier = entries.get(key);
      if (earlier) throw this.error(nameToken.line, `${key} is set twice (also at line ${earlier.line}; SCHISM would silently take the last one)`);
      entries.set(key, { value, line: nameToken.line });
    }
  }

  private keys(name: string, index: Index | undefined, values: NamelistScalar[], line: number): [string, NamelistValue][] {
    if (index === undefined) return [[name, values.length === 1 ? values[0] : values]];
    if ('position' in index) {
      const key = `${name}(${index.position.join(',')})`;
      if (values.length > 1) throw this.error(line, `${key} takes one value here; set multi-dimensional elements one at a time`);
      return [[key, values[0]]];
    }
    const { first, last } = index;
    if (last - first + 1 < values.length) throw this.error(line, `${values.length} values for ${name}(${first}:${last}), which has ${last - first + 1} elements`);
    return values.map((v, k) => [`${name}(${first + k})`, v]);
  }

  private index(t: Token, name: string): Index {
    const dims = t.text.split(',').map((part) => {
      const m = /^\s*([+-]?\d+)\s*(?::\s*([+-]?\d+)\s*)?$/.exec(part);
      if (!m) throw this.error(t.line, `${name}(${t.text}): an index must be an integer or a range like 2:4`);
      const first = Number(m[1]);
      const last = m[2] === undefined ? undefined : Number(m[2]);
      if (last !== undefined && last < first) throw this.error(t.line, `${name}(${t.text}): empty range`);
      return [first, last] as const;
    });
    if (dims.length > 1) {
      if (dims.some(([, last]) => last !== undefined)) throw this.error(t.line, `${name}(${t.text}): ranges are supported in one dimension only`);
      return { position: dims.map(([first]) => first) };
    }
    const [first, last] = dims[0];
    // A single index starts a run: Fortran fills the following elements with the rest of the list.
    return { first, last: last ?? Number.MAX_SAFE_INTEGER };
  }

  /** Values up to the next key, `/` or `&`; commas and blanks both separate. */
  private values(nameToken: Token): NamelistScalar[] {
    const values: NamelistScalar[] = [];
    let afterComma = false;
    for (;;) {
      const t = this.tokens[this.pos];
      if (t === undefined || t.kind === 'end' || t.kind === 'group' || this.atKey()) break;
      if (t.kind === 'comma') {
        if (values.length === 0 || afterComma) throw this.error(t.line, `${nameToken.text}: empty value (null values are not supported)`);
        afterComma = true;
        this.pos++;
        continue;
      }
      afterComma = false;
      values.push(...this.item(t, nameToken.text));
    }
    if (values.length === 0) throw this.error(nameToken.line, `${nameToken.text} has no value`);
    return values;
  }

  /** One value, or the copies of a repeat `n*value`. */
  private item(t: Token, key: string): NamelistScalar[] {
    this.pos++;
    if (t.kind === 'string') return [t.string ?? ''];
    if (t.kind !== 'word') throw this.error(t.line, `${key}: unexpected '${t.text}'`);
    const repeat = REPEAT.exec(t.text);
    if (!repeat) return [this.scalar(t.text, t.line, key)];
    const count = Number(repeat[1]);
    if (count < 1) throw this.error(t.line, `${key}: repeat count in '${t.text}' must be at least 1`);
    let value: NamelistScalar;
    if (repeat[2] !== '') value = this.scalar(repeat[2], t.line, key);
    else if (this.tokens[this.pos]?.kind === 'string' && this.tokens[this.pos].glued) value = this.tokens[this.pos++].string ?? '';
    else throw this.error(t.line, `${key}: '${t.text}' repeats an empty value (null values are not supported)`);
    return new Array<NamelistScalar>(count).fill(value);
  }

  private scalar(text: string, line: number, key: string): NamelistScalar {
    const n = parseFortranNumber(text);
    if (n !== undefined) return n;
    if (LOGICAL.test(text)) return /^\.?t/i.test(text);
    if (NAME.test(text)) throw this.error(line, `'${text}' is neither a value of ${key} nor a key (a key needs '=' after it; a string value needs quotes)`);
    throw this.error(line, `${key}: '${text}' is not a value (a number, a logical like .true., or a quoted string)`);
  }

  /** A key name starts here: a name, maybe an index, then '='. */
  private atKey(): boolean {
    const t = this.tokens[this.pos];
    if (t?.kind !== 'word' || !NAME.test(t.text)) return false;
    const next = this.tokens[this.pos + 1];
    if (next?.kind === 'eq') return true;
    return next?.kind === 'index' && this.tokens[this.pos + 2]?.kind === 'eq';
  }

  private peek(kind: TokenKind): boolean {
    return this.tokens[this.pos]?.kind === kind;
  }

  private error(line: number, message: string): NamelistError {
    return new NamelistError(this.file, line, message);
  }
}

/** One dimension: the elements first..last to fill in order; several: one element. */
type Index = { first: number; last: number } | { position: number[] };

/**
 * Writes groups as `&NAME`, one `key = value` per line, `/`. Numbers are
 * written so that they read back equal (integers without a decimal point,
 * which Fortran accepts for real variables too), strings in single quotes.
 * A one-element array reads back as a scalar.
 */
export function formatNamelist(groups: NamelistGroups, options: FormatOptions = {}): string {
  const out: string[] = [];
  for (const line of options.header ?? []) out.push(comment(line, ''));
  if (out.length > 0) out.push('');
  for (const [group, entries] of groups) {
    if (!NAME.test(group)) throw new Error(`'${group}' is not a valid namelist group name`);
    out.push(`&${group.toUpperCase()}`);
    for (const line of options.groupComments?.get(group.toLowerCase()) ?? []) out.push(comment(line, '  '));
    for (const [key, entry] of entries) {
      if (!KEY.test(key)) throw new Error(`'${key}' is not a valid namelist key (a name, maybe with an integer index like a(3))`);
      const { value, comment: note } = isFormatEntry(entry) ? entry : { value: entry, comment: undefined };
      const text = `  ${key} = ${formatValue(value, key)}`;
      out.push(note === undefined ? text : `${text} ${comment(note, '')}`);
    }
    out.push('/', '');
  }
  return out.join('\n');
}

const KEY = /^[A-Za-z][A-Za-z0-9_]*(\([+-]?\d+(,[+-]?\d+)*\))?$/;

function isFormatEntry(entry: NamelistValue | FormatEntry): entry is FormatEntry {
  return typeof entry === 'object' && !Array.isArray(entry);
}

function comment(text: string, indent: string): string {
  if (/[\r\n]/.test(text)) throw new Error(`a namelist comment must be one line: '${text}'`);
  return `${indent}!${text === '' ? '' : ' '}${text}`;
}

function formatValue(value: NamelistValue, key: string): string {
  if (!Array.isArray(value)) return formatScalar(value, key);
  if (value.length === 0) throw new Error(`${key}: an empty array cannot be written to a namelist`);
  return value.map((v) => formatScalar(v, key)).join(', ');
}

function formatScalar(value: NamelistScalar, key: string): string {
  if (typeof value === 'boolean') return value ? '.true.' : '.false.';
  if (typeof value === 'string') {
    if (/[\r\n]/.test(value)) throw new Error(`${key}: a namelist string cannot hold a line break`);
    return `'${value.replaceAll("'", "''")}'`;
  }
  if (!Number.isFinite(value)) throw new Error(`${key}: ${value} cannot be written to a namelist`);
  return Object.is(value, -0) ? '-0' : String(value);
}
